import datetime
import re

from django import forms
from dsfr.forms import DsfrBaseForm

from abri.operateurs.models import Operateur
from abri.structures.models import Structure

MAX_PLACES = 100_000


class MoisField(forms.CharField):
    """A month typed as ``2025-10`` (what ``<input type="month">`` sends) or
    ``10/2025``; cleaned to the first day of the month."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "aaaa-mm"})

    def to_python(self, value: object) -> datetime.date | None:  # type: ignore[override]
        texte = str(value or "").strip()
        if not texte:
            return None
        if correspondance := re.fullmatch(r"(\d{4})-(\d{1,2})", texte):
            annee, mois = int(correspondance[1]), int(correspondance[2])
        elif correspondance := re.fullmatch(r"(\d{1,2})/(\d{4})", texte):
            mois, annee = int(correspondance[1]), int(correspondance[2])
        else:
            raise forms.ValidationError("Mois attendu (aaaa-mm).")
        if not 1 <= mois <= 12 or annee < 2000:
            raise forms.ValidationError("Ce mois n'existe pas.")
        return datetime.date(annee, mois, 1)


def _places(label: str, aide: str = "", requis: bool = False) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=aide,
        min_value=0,
        max_value=MAX_PLACES,
        required=requis,
    )


class DeclarationForm(DsfrBaseForm):
    mois = MoisField(label="Mois", help_text="Mois déclaré (aaaa-mm)")
    capacite = _places("Capacité", "Places ouvertes de la structure ce mois-là", True)
    places_desinsectisation = _places("Places indisponibles : désinsectisation")
    places_remise_en_etat = _places("Places indisponibles : remise en état")
    places_sous_occupation = _places("Places indisponibles : sous-occupation")
    places_travaux = _places("Places indisponibles : travaux")
    places_indisponibles = _places(
        "Total des places indisponibles",
        "Au moins la somme des motifs ci-dessus",
        True,
    )
    places_occupees = _places("Places occupées", requis=True)
    presences_indues_bpi = _places(
        "Réfugiés (BPI) en présence indue",
        "Personnes dont le délai de maintien est dépassé",
    )
    presences_indues_deboutes = _places(
        "Déboutés en présence indue",
        "Personnes dont la demande est définitivement rejetée",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CorrespondanceForm(DsfrBaseForm):
    libelle = forms.CharField(
        label="Nom dans le fichier",
        max_length=250,
        help_text="Tel que le fichier mensuel l'écrit (FRANCE TERRE D ASILE)",
    )
    operateur = forms.ModelChoiceField(
        label="Opérateur du parc", queryset=Operateur.objects.none()
    )

    def __init__(self, *args, operateurs, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operateur"].queryset = operateurs


class RattachementForm(DsfrBaseForm):
    structure = forms.ModelChoiceField(
        label="Structure du parc", queryset=Structure.objects.none()
    )

    def __init__(self, *args, structures, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = structures
        self.fields["structure"].label_from_instance = lambda s: (
            f"{s.nom} — {s.type}, {s.operateur.nom}"
        )
