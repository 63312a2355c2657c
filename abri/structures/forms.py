from typing import cast

from django import forms
from dsfr.forms import DsfrBaseForm

from abri.communs.texte import normaliser_recherche
from abri.operateurs.models import Operateur
from abri.structures.models import (
    NatureEvenement,
    Public,
    Site,
    Structure,
    TypeBati,
    TypeStructure,
)
from abri.territoires.models import Commune, Departement

VIDE = [("", "Tous")]
# No structure of the park comes near: a figure beyond is a typing error.
MAX_PLACES = 100_000


class FiltresForm(DsfrBaseForm):
    q = forms.CharField(
        label="Rechercher",
        required=False,
        help_text="Nom, code DNA, FINESS, commune ou code postal",
    )
    type = forms.ChoiceField(
        label="Type", required=False, choices=VIDE + TypeStructure.choices
    )
    region = forms.ChoiceField(label="Région", required=False)
    departement = forms.ChoiceField(label="Département", required=False)
    type_bati = forms.ChoiceField(
        label="Bâti", required=False, choices=VIDE + TypeBati.choices
    )
    public = forms.ChoiceField(
        label="Public", required=False, choices=VIDE + Public.choices
    )
    operateur = forms.IntegerField(
        required=False, min_value=1, max_value=2**53, widget=forms.HiddenInput
    )
    tri = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, departements: list[Departement], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        regions = {d.region_id: d.region for d in departements}
        self.fields["region"].choices = VIDE + [
            (r.code, r.nom)
            for r in sorted(regions.values(), key=lambda r: normaliser_recherche(r.nom))
        ]
        self.fields["departement"].choices = VIDE + [
            (d.code, f"{d.code} — {d.nom}") for d in departements
        ]


class StructureForm(forms.ModelForm, DsfrBaseForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    codes_dna = forms.CharField(
        label="Codes DNA",
        required=False,
        help_text="Une lettre et 4 chiffres, séparés par des virgules (ex. : H0209)",
    )
    commune = forms.ModelChoiceField(
        label="Commune",
        queryset=Commune.objects.none(),
        required=False,
        help_text="Communes du département de la structure",
    )

    class Meta:
        model = Structure
        fields = [
            "nom",
            "type",
            "public",
            "operateur",
            "adresse",
            "code_postal",
            "commune",
            "finess",
        ]

    def __init__(self, *args, operateurs=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["operateur"]).queryset = (
            operateurs if operateurs is not None else Operateur.objects.none()
        )
        cast(
            forms.ModelChoiceField, self.fields["commune"]
        ).queryset = Commune.objects.filter(
            departement_id=self.instance.departement_id
        ).order_by("nom_recherche")
        if self.instance.pk and "codes_dna" not in self.initial:
            self.initial["codes_dna"] = ", ".join(
                self.instance.codes_dna.values_list("code", flat=True)
            )
        self.initial.setdefault("version", self.instance.version)

    def clean_code_postal(self) -> str:
        code = self.cleaned_data["code_postal"].strip()
        if code and not (len(code) == 5 and code.isascii() and code.isdigit()):
            raise forms.ValidationError("Un code postal a 5 chiffres (ex. : 01310).")
        return code

    def clean_finess(self) -> str:
        finess = self.cleaned_data["finess"].strip().upper()
        if finess and not (len(finess) == 9 and finess.isascii() and finess.isalnum()):
            raise forms.ValidationError(
                "Un numéro FINESS a 9 caractères : chiffres, ou 2A/2B pour la Corse."
            )
        return finess

    def liste_codes_dna(self) -> list[str]:
        brut = self.cleaned_data.get("codes_dna") or ""
        return [c.strip() for c in brut.replace(";", ",").split(",") if c.strip()]


NATURES_SAISIES = [
    NatureEvenement.OUVERTURE,
    NatureEvenement.EXTENSION,
    NatureEvenement.REDUCTION,
    NatureEvenement.FERMETURE,
    NatureEvenement.REQUALIFICATION,
]


class EvenementForm(DsfrBaseForm):
    nature = forms.ChoiceField(
        label="Nature",
        initial=NatureEvenement.EXTENSION,
        choices=[(n.value, n.label) for n in NATURES_SAISIES],
    )
    date_effet = forms.DateField(
        label="Date d'effet",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    acte = forms.CharField(
        label="Acte administratif",
        max_length=250,
        help_text="Ex. : arrêté préfectoral n° 2025-123 du 12/03/2025",
    )
    date_acte = forms.DateField(
        label="Date de l'acte",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    places_autorisees = forms.IntegerField(
        label="Variation des places autorisées",
        min_value=-MAX_PLACES,
        max_value=MAX_PLACES,
        initial=0,
        help_text=(
            "Positive pour une ouverture ou une extension, négative pour une "
            "réduction ; ignorée pour une fermeture"
        ),
    )
    places_pmr = forms.IntegerField(
        label="Variation des places PMR",
        min_value=-MAX_PLACES,
        max_value=MAX_PLACES,
        initial=0,
    )
    places_lgbt = forms.IntegerField(
        label="Variation des places LGBT",
        min_value=-MAX_PLACES,
        max_value=MAX_PLACES,
        initial=0,
    )
    places_fvv_teh = forms.IntegerField(
        label="Variation des places FVV-TEH",
        min_value=-MAX_PLACES,
        max_value=MAX_PLACES,
        initial=0,
    )

    def __init__(self, *args, premiere_capacite: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if premiere_capacite:
            # A structure with no capacity yet starts with its initial capacity.
            self.fields["nature"].choices = [
                (NatureEvenement.CREATION.value, NatureEvenement.CREATION.label),
                *self.fields["nature"].choices,
            ]
            self.initial["nature"] = NatureEvenement.CREATION

    commentaire = forms.CharField(
        label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class TransfertForm(DsfrBaseForm):
    destination = forms.ModelChoiceField(
        label="Structure qui reçoit les places",
        queryset=Structure.objects.none(),
        help_text="Structures du même département dans votre périmètre",
    )
    date_effet = forms.DateField(
        label="Date d'effet",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    acte = forms.CharField(label="Acte administratif", max_length=250)
    places_autorisees = forms.IntegerField(
        label="Places transférées", min_value=1, max_value=MAX_PLACES
    )
    places_pmr = forms.IntegerField(
        label="dont places PMR", initial=0, min_value=0, max_value=MAX_PLACES
    )
    places_lgbt = forms.IntegerField(
        label="dont places LGBT", initial=0, min_value=0, max_value=MAX_PLACES
    )
    places_fvv_teh = forms.IntegerField(
        label="dont places FVV-TEH", initial=0, min_value=0, max_value=MAX_PLACES
    )

    def __init__(self, *args, destinations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["destination"]).queryset = destinations


class SiteForm(forms.ModelForm, DsfrBaseForm):
    commune = forms.ModelChoiceField(
        label="Commune", queryset=Commune.objects.none(), required=False
    )

    class Meta:
        model = Site
        fields = ["libelle", "adresse", "code_postal", "commune"]

    def __init__(self, *args, structure: Structure, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["commune"]
        ).queryset = Commune.objects.filter(
            departement_id=structure.departement_id
        ).order_by("nom_recherche")

    def clean_code_postal(self) -> str:
        code = self.cleaned_data["code_postal"].strip()
        if not (len(code) == 5 and code.isascii() and code.isdigit()):
            raise forms.ValidationError("Un code postal a 5 chiffres (ex. : 01310).")
        return code


class ImportFichierForm(DsfrBaseForm):
    fichier = forms.FileField(
        label="Fichier", help_text="Classeur .xlsx ou fichier .csv"
    )
