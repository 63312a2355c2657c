from django import forms
from dsfr.forms import DsfrBaseForm

from abri.conventions.models import (
    ChampAmende,
    EchelleCpom,
    Etat,
    NatureActe,
    NatureAutreActe,
    NatureEvaluation,
)
from abri.conventions.queries import NATURE_CPOM
from abri.operateurs.models import Operateur
from abri.structures.models import Structure, TypeStructure
from abri.territoires.models import Departement

VIDE = [("", "Tous")]
NATURES_LISTE = [(n, t) for n, t in NatureActe.choices if n != NatureActe.AVENANT] + [
    (NATURE_CPOM, "CPOM")
]


class ChampDate(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FiltresActesForm(DsfrBaseForm):
    nature = forms.ChoiceField(
        label="Nature", required=False, choices=VIDE + NATURES_LISTE
    )
    etat = forms.ChoiceField(label="État", required=False, choices=VIDE + Etat.choices)
    type = forms.ChoiceField(
        label="Type de structure", required=False, choices=VIDE + TypeStructure.choices
    )
    departement = forms.ChoiceField(label="Département", required=False)
    fin_du = ChampDate(label="Fin entre le", required=False)
    fin_au = ChampDate(label="et le", required=False)

    def __init__(self, *args, departements: list[Departement], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = VIDE + [
            (d.code, f"{d.code} — {d.nom}") for d in departements
        ]


class ActeForm(DsfrBaseForm):
    nature = forms.ChoiceField(
        label="Nature",
        choices=[(n, t) for n, t in NatureActe.choices if n != NatureActe.AVENANT],
    )
    nature_autre = forms.ChoiceField(
        label="Nature de l'autre acte",
        required=False,
        choices=[("", "—"), *NatureAutreActe.choices],
    )
    reference = forms.CharField(label="Référence", max_length=100, required=False)
    date_debut = ChampDate(label="Date de début")
    date_fin = ChampDate(label="Date de fin", required=False)
    places = forms.IntegerField(
        label="Places", required=False, min_value=0, max_value=100_000
    )
    dotation = forms.DecimalField(
        label="Dotation annuelle (€)",
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=0,
    )
    date_ouverture = ChampDate(
        label="Ouverture de la structure le",
        required=False,
        help_text="Pour une autorisation : commencement d'exécution.",
    )
    objet = forms.CharField(
        label="Objet", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AvenantForm(DsfrBaseForm):
    reference = forms.CharField(label="Référence", max_length=100, required=False)
    date_debut = ChampDate(label="Date d'effet")
    champs_amendes = forms.MultipleChoiceField(
        label="Ce que l'avenant modifie",
        choices=ChampAmende.choices,
        widget=forms.SelectMultiple(attrs={"size": 4}),
        help_text="Maintenez Ctrl (ou Cmd) pour en choisir plusieurs.",
    )
    nouvelle_date_fin = ChampDate(label="Nouvelle date de fin", required=False)
    places = forms.IntegerField(
        label="Nouvelle capacité (places)",
        required=False,
        min_value=0,
        max_value=100_000,
    )
    dotation = forms.DecimalField(
        label="Nouvelle dotation annuelle (€)",
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=0,
    )
    objet = forms.CharField(
        label="Objet", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DenonciationForm(DsfrBaseForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    date_notification = ChampDate(label="Dénonciation notifiée le")
    motif = forms.CharField(label="Motif", widget=forms.Textarea(attrs={"rows": 3}))


class RenouvellementForm(DsfrBaseForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    date_debut = ChampDate(label="Début de l'acte suivant")
    date_fin = ChampDate(label="Fin de l'acte suivant")
    motivation = forms.CharField(
        label="Motivation du renouvellement",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class DocumentForm(DsfrBaseForm):
    fichier = forms.FileField(label="Document signé")


class EvaluationForm(DsfrBaseForm):
    date = ChampDate(label="Date de l'évaluation")
    nature = forms.ChoiceField(label="Nature", choices=NatureEvaluation.choices)


class AdhesionForm(DsfrBaseForm):
    structure: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Structure", queryset=Structure.objects.none()
    )
    date_entree = ChampDate(label="Entrée le")

    def __init__(self, *args, structures, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = structures


class ImportForm(DsfrBaseForm):
    fichier = forms.FileField(label="Fichier (xlsx ou csv)")


class CpomForm(DsfrBaseForm):
    operateur: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Opérateur", queryset=Operateur.objects.none()
    )
    intitule = forms.CharField(label="Intitulé", max_length=200)
    reference = forms.CharField(label="Référence", max_length=100, required=False)
    echelle = forms.ChoiceField(label="Échelle", choices=EchelleCpom.choices)
    departements: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label="Départements couverts",
        queryset=Departement.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Maintenez Ctrl (ou Cmd) pour en choisir plusieurs.",
    )
    date_debut = ChampDate(label="Date de début")
    date_fin = ChampDate(label="Date de fin")
    dotation = forms.DecimalField(
        label="Dotation annuelle (€)",
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=0,
    )

    def __init__(self, *args, operateurs, departements, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operateur"].queryset = operateurs
        self.fields["departements"].queryset = departements
