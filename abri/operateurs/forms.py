from django import forms
from dsfr.forms import DsfrBaseForm

from abri.operateurs.models import Contact, Operateur


class OperateurForm(forms.ModelForm, DsfrBaseForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    siret = forms.CharField(
        label="SIRET du siège", max_length=20, required=False, strip=True
    )

    class Meta:
        model = Operateur
        fields = ["nom", "siret", "adresse_siege", "code_postal_siege"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version)
        self.fields["siret"].help_text = "14 chiffres ; les espaces sont admis"

    def clean_siret(self) -> str | None:
        # Uniqueness and the Luhn key are the service's checks.
        siret = "".join((self.cleaned_data.get("siret") or "").split())
        return siret or None

    def validate_unique(self) -> None:
        """Uniqueness of the SIRET is checked against other operators only."""
        siret = self.cleaned_data.get("siret")
        if (
            siret
            and Operateur.objects.filter(siret=siret)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("siret", "Ce SIRET est déjà celui d'un autre opérateur.")


class ContactForm(forms.ModelForm, DsfrBaseForm):
    class Meta:
        model = Contact
        fields = ["nom", "fonction", "email", "telephone"]
