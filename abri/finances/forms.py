"""Forms of the budget campaign. Amounts are typed the French way (``1 234,56 €``)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from dsfr.forms import DsfrBaseForm

from abri.communs import documents as fichiers
from abri.communs.valeurs import ValeurInvalide, lire_decimal, lire_montant
from abri.finances import regles
from abri.finances.models import (
    CHAMPS_AFFECTATION_SUBVENTIONNEE,
    CHAMPS_AFFECTATION_TARIFEE,
    Affectation,
    Budget,
    NatureDocument,
    StatutBudget,
)
from abri.structures.models import TypeStructure

MONTANT_MAX = Decimal("999999999999.99")


def en_francais(valeur: Decimal, decimales: int = 2) -> str:
    """``Decimal('1234.5')`` → ``1 234,50`` (no-break spaces), as a user retypes it."""
    return f"{valeur:,.{decimales}f}".replace(",", "\u00a0").replace(".", ",")


class ChampMontant(forms.Field):
    """An amount in euros typed in French: spaces between thousands, a decimal
    comma, an optional ``€``; a minus sign only where ``signe`` allows it."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    nature = "Montant"
    exemple = "1 234,56"

    def __init__(
        self, *args: Any, signe: bool = False, decimales: int = 2, **kwargs: Any
    ) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.signe = signe
        self.decimales = decimales

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return en_francais(value, self.decimales)
        return value

    def to_python(self, value: Any) -> Decimal | None:
        try:
            if self.decimales == 2:
                montant = lire_montant(value)
            else:
                montant = lire_decimal(value, decimales=self.decimales)
        except ValeurInvalide as erreur:
            raise forms.ValidationError(
                f"{self.nature} illisible : {erreur.message} (ex. : {self.exemple})."
            ) from None
        if montant is None:
            return None
        if abs(montant) > MONTANT_MAX:
            raise forms.ValidationError(f"{self.nature} invraisemblable.")
        if montant < 0 and not self.signe:
            raise forms.ValidationError(f"{self.nature} positif attendu.")
        return montant


class ChampNombre(ChampMontant):
    """A count typed in French (places, FTE), not an amount: its messages say so."""

    nature = "Nombre"
    exemple = "6,5"

    def __init__(self, *args: Any, nature: str = "Nombre", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.nature = nature


class FormulaireVersionne(DsfrBaseForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class PropositionForm(FormulaireVersionne):
    charges_proposees = ChampMontant(label="Charges proposées (€)")
    produits_proposes = ChampMontant(
        label="Produits proposés hors dotation (€)",
        help_text="Produits en atténuation : participations, autres financements.",
    )
    dotation_demandee = ChampMontant(label="Dotation demandée (€)")
    etp = ChampNombre(
        label="Effectif (ETP)", help_text="Ex. : 6,5", nature="Nombre d'ETP"
    )
    places_declarees = ChampNombre(
        label="Places moyennes de l'année",
        help_text="Telles que l'opérateur les compte, pour le coût déclaré.",
    )


class InstructionForm(FormulaireVersionne):
    charges_retenues = ChampMontant(label="Charges retenues (€)")
    produits_retenus = ChampMontant(label="Produits retenus (€)")
    dotation_accordee = ChampMontant(label="Dotation accordée (€)")
    date_decision_tarifaire = forms.DateField(
        label="Date de la décision tarifaire ou de la convention",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _champs_affectation(type_structure: str) -> tuple[str, ...]:
    if regles.regime(type_structure) == regles.Regime.TARIFE:
        return CHAMPS_AFFECTATION_TARIFEE
    return CHAMPS_AFFECTATION_SUBVENTIONNEE


class AffectationMixin:
    """Adds the allocation fields of the structure's regime (prefixed ``aff_``)."""

    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def ajouter_affectation(
        self, type_structure: str, affectation: Affectation | None
    ) -> None:
        self.champs_affectation = _champs_affectation(type_structure)
        initial = getattr(self, "initial", {})
        for champ in self.champs_affectation:
            libelle = str(
                getattr(Affectation._meta.get_field(champ), "verbose_name", champ)
            )
            self.fields[f"aff_{champ}"] = ChampMontant(
                label=f"{libelle[:1].upper()}{libelle[1:]} (€)", signe=True
            )
            if affectation is not None:
                initial.setdefault(f"aff_{champ}", getattr(affectation, champ))

    def affectation_saisie(self) -> dict[str, Decimal]:
        return {
            champ: self.cleaned_data[f"aff_{champ}"]
            for champ in self.champs_affectation
            if self.cleaned_data.get(f"aff_{champ}") is not None
        }

    def champs_affectation_lies(self) -> list[forms.BoundField]:
        return [self[f"aff_{c}"] for c in self.champs_affectation]  # type: ignore[index]


class ComptesForm(AffectationMixin, FormulaireVersionne):
    charges_reelles = ChampMontant(label="Charges réelles (€)")
    produits_reels = ChampMontant(label="Produits réels, dotation comprise (€)")

    def __init__(
        self, *args: Any, budget: Budget, affectation: Affectation | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.ajouter_affectation(budget.type_budget, affectation)


class AffectationForm(AffectationMixin, FormulaireVersionne):
    def __init__(
        self, *args: Any, budget: Budget, affectation: Affectation | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.ajouter_affectation(budget.type_budget, affectation)


class RenvoiForm(FormulaireVersionne):
    motif = forms.CharField(
        label="Ce que l'opérateur doit reprendre",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class RouvrirInstructionForm(FormulaireVersionne):
    motif = forms.CharField(
        label="Motif de la réouverture (erreur à corriger, recours…)",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class VersementForm(DsfrBaseForm):
    date = forms.DateField(
        label="Date du versement",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    montant = ChampMontant(label="Montant (€)", required=True)


class DocumentForm(DsfrBaseForm):
    nature = forms.ChoiceField(label="Nature", choices=NatureDocument.choices)
    fichier = forms.FileField(label="Fichier")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The limit enforced now (a setting), also on the bound field that the DSFR
        # form has already built.
        self.fields["fichier"].help_text = self["fichier"].help_text = (
            fichiers.aide_depot()
        )


class CampagneForm(DsfrBaseForm):
    annee = forms.IntegerField(label="Année budgétaire", min_value=2000, max_value=2100)
    date_limite_proposition = forms.DateField(
        label="Propositions budgétaires des structures tarifées, au plus tard le",
        required=False,
        help_text="Par défaut le 31 octobre de l'année précédente.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_limite_demande_subvention = forms.DateField(
        label="Demandes de subvention, au plus tard le",
        required=False,
        help_text="Par défaut la même date que les propositions.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_limite_comptes = forms.DateField(
        label="Comptes administratifs, au plus tard le",
        required=False,
        help_text="Par défaut le 30 avril de l'année suivante.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_limite_rapport_financier = forms.DateField(
        label="Rapports financiers, au plus tard le",
        required=False,
        help_text="Par défaut la même date que les comptes.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def echeances(self) -> dict[str, datetime.date]:
        return {
            champ: valeur
            for champ, valeur in self.cleaned_data.items()
            if champ.startswith("date_limite") and valeur
        }


class TarifCibleForm(DsfrBaseForm):
    type_structure = forms.ChoiceField(label="Type", choices=TypeStructure.choices)
    ile_de_france = forms.TypedChoiceField(
        label="Zone",
        choices=[("0", "Hors Île-de-France"), ("1", "Île-de-France")],
        coerce=lambda v: v == "1",
    )
    annee = forms.IntegerField(label="Année", min_value=2000, max_value=2100)
    montant = ChampMontant(
        label="Coût journalier cible (€ par place et par jour)", required=True
    )


VIDE = [("", "Tous")]


class FiltresBudgetsForm(DsfrBaseForm):
    departement = forms.ChoiceField(label="Département", required=False)
    type = forms.ChoiceField(
        label="Type", required=False, choices=VIDE + TypeStructure.choices
    )
    statut = forms.ChoiceField(
        label="Statut", required=False, choices=VIDE + StatutBudget.choices
    )

    def __init__(self, *args: Any, departements: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = VIDE + [
            (d.code, f"{d.code} — {d.nom}") for d in departements
        ]


class AnneeForm(DsfrBaseForm):
    annee = forms.TypedChoiceField(label="Année", coerce=int, required=False)

    def __init__(self, *args: Any, annees: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = [(a, str(a)) for a in annees]
