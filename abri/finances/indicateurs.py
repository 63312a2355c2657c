"""Yearly financial figures of structures, loaded in bulk.

One loader, :func:`charger`, serves the data-quality collector, the structure sheet
and the "Finances" page: for any number of structures it runs the same five
queries (structures, capacity events, budgets, allocations, target costs) and
answers plain values built with :mod:`abri.finances.regles`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from abri.finances import regles
from abri.finances.models import (
    Affectation,
    Budget,
    EtapeAffectation,
    StatutBudget,
    TarifCible,
)
from abri.structures.models import EvenementCapacite, NatureEvenement, Structure
from abri.ui.templatetags.abri_format import euros

REGION_ILE_DE_FRANCE = "11"

Affectations = regles.AffectationTarifee | regles.AffectationSubventionnee


@dataclass(frozen=True)
class AnneeFinanciere:
    """The figures of one structure for one year."""

    budget_id: int
    annee: int
    statut: str
    type_structure: str
    places_moyennes: Decimal
    places_fin_annee: int = 0
    charges_proposees: Decimal | None = None
    produits_proposes: Decimal | None = None
    dotation_demandee: Decimal | None = None
    etp: Decimal | None = None
    places_declarees: Decimal | None = None
    charges_retenues: Decimal | None = None
    produits_retenus: Decimal | None = None
    dotation_accordee: Decimal | None = None
    charges_reelles: Decimal | None = None
    produits_reels: Decimal | None = None
    affectation_proposee: Affectations | None = None
    affectation_decidee: Affectations | None = None
    tarif_cible: Decimal | None = None

    @property
    def regime(self) -> regles.Regime:
        return regles.regime(self.type_structure)

    @property
    def libelle_statut(self) -> str:
        return str(StatutBudget(self.statut).label)

    @property
    def resultat(self) -> Decimal | None:
        if self.produits_reels is None or self.charges_reelles is None:
            return None
        return regles.resultat(self.produits_reels, self.charges_reelles)

    @property
    def affectation(self) -> Affectations | None:
        """The decided allocation, else the one the operator proposed."""
        return self.affectation_decidee or self.affectation_proposee

    @property
    def resume_affectation(self) -> str:
        """What the State takes of the result, in words, for the sheet."""
        affectation = self.affectation
        etape = "décidée" if self.affectation_decidee else "proposée"
        if isinstance(affectation, regles.AffectationTarifee):
            return f"{etape}, reprise par l'État {euros(affectation.reprise_etat)}"
        if isinstance(affectation, regles.AffectationSubventionnee):
            if affectation.deficit_compense:
                return (
                    f"{etape}, déficit compensé {euros(affectation.deficit_compense)}"
                )
            return f"{etape}, excédent reversé {euros(affectation.excedent_reverse)}"
        return "—"

    @property
    def taux_encadrement_maximum(self) -> Decimal:
        return regles.taux_encadrement_maximum(self.type_structure)

    @property
    def cout_journalier(self) -> Decimal | None:
        """Retained charges ÷ (average places from the capacity events × days)."""
        return regles.cout_journalier(
            self.charges_retenues, self.places_moyennes, self.annee
        )

    @property
    def cout_journalier_declare(self) -> Decimal | None:
        """Proposed charges ÷ (average places declared by the operator × days)."""
        return regles.cout_journalier(
            self.charges_proposees, self.places_declarees, self.annee
        )

    @property
    def mois_non_consommes(self) -> Decimal:
        return regles.mois_non_consommes(self.places_moyennes, self.places_fin_annee)

    @property
    def credits_non_consommes(self) -> Decimal | None:
        """What the places not yet open would have cost at the year's daily cost:
        (places on 31 December − average places) × days × daily cost."""
        cout = self.cout_journalier
        manque = Decimal(self.places_fin_annee) - self.places_moyennes
        if cout is None or manque <= 0:
            return None
        return regles.arrondi_centime(
            manque * regles.jours_de_l_annee(self.annee) * cout
        )

    @property
    def taux_encadrement(self) -> Decimal | None:
        return regles.taux_encadrement(self.places_moyennes, self.etp)

    @property
    def ecart_tarif_cible(self) -> Decimal | None:
        if self.cout_journalier is None or self.tarif_cible is None:
            return None
        return self.cout_journalier - self.tarif_cible


@dataclass(frozen=True)
class DonneesFinancieres:
    structure_id: int
    type_structure: str
    ile_de_france: bool
    annee_ouverture: int | None
    annees: dict[int, AnneeFinanciere] = field(default_factory=dict)

    def resultats(self, aujourd_hui: datetime.date) -> list[tuple[int, Decimal | None]]:
        """Results of the last three closed years, oldest first."""
        return [
            (annee, self.annees[annee].resultat if annee in self.annees else None)
            for annee in regles.annees_closes(aujourd_hui)
        ]

    def en_deficit(self, aujourd_hui: datetime.date) -> bool | None:
        return regles.en_deficit([r for _, r in self.resultats(aujourd_hui)])


def _affectation(ligne: Affectation, type_structure: str) -> Affectations:
    if regles.regime(type_structure) == regles.Regime.TARIFE:
        return ligne.comme_tarifee()
    return ligne.comme_subventionnee()


CHAMPS_BUDGET = (
    "charges_proposees",
    "produits_proposes",
    "dotation_demandee",
    "etp",
    "places_declarees",
    "charges_retenues",
    "produits_retenus",
    "dotation_accordee",
    "charges_reelles",
    "produits_reels",
)


def charger(
    structures: QuerySet[Structure] | Collection[int],
    annees: Iterable[int] | None = None,
) -> dict[int, DonneesFinancieres]:
    """Figures of the structures (a queryset or ids), for ``annees`` (all by
    default), in five queries whatever their number."""
    filtre: dict[str, Any] = (
        {"structure__in": structures.values("pk")}
        if isinstance(structures, QuerySet)
        else {"structure_id__in": list(structures)}
    )
    liste_annees = sorted(set(annees)) if annees is not None else None

    identites = (
        structures.values_list("id", "type", "departement__region_id")
        if isinstance(structures, QuerySet)
        else Structure.objects.filter(id__in=list(structures)).values_list(
            "id", "type", "departement__region_id"
        )
    )
    evenements: dict[int, list[tuple[datetime.date, int]]] = defaultdict(list)
    ouvertures: dict[int, int] = {}
    for structure_id, date, places, nature in (
        EvenementCapacite.objects.filter(**filtre)
        .order_by("date_effet", "id")
        .values_list("structure_id", "date_effet", "places_autorisees", "nature")
    ):
        evenements[structure_id].append((date, places))
        if nature == NatureEvenement.CREATION or structure_id not in ouvertures:
            ouvertures.setdefault(structure_id, date.year)

    budgets = Budget.objects.filter(**filtre)
    if liste_annees is not None:
        budgets = budgets.filter(annee__in=liste_annees)
    lignes_budgets = list(
        budgets.values("id", "structure_id", "annee", "statut", *CHAMPS_BUDGET)
    )
    affectations: dict[tuple[int, str], Affectation] = {
        (a.budget_id, a.etape): a
        for a in Affectation.objects.filter(
            budget_id__in=[b["id"] for b in lignes_budgets]
        )
    }
    annees_tarifs = {b["annee"] for b in lignes_budgets}
    tarifs = {
        (t.type_structure, t.ile_de_france, t.annee): t.montant
        for t in TarifCible.objects.filter(annee__in=annees_tarifs)
    }

    donnees = {
        pk: DonneesFinancieres(
            structure_id=pk,
            type_structure=type_structure,
            ile_de_france=region == REGION_ILE_DE_FRANCE,
            annee_ouverture=ouvertures.get(pk),
        )
        for pk, type_structure, region in identites
    }
    for ligne in lignes_budgets:
        structure = donnees.get(ligne["structure_id"])
        if structure is None:
            continue
        type_structure = structure.type_structure
        proposee = affectations.get((ligne["id"], EtapeAffectation.PROPOSEE))
        decidee = affectations.get((ligne["id"], EtapeAffectation.DECIDEE))
        structure.annees[ligne["annee"]] = AnneeFinanciere(
            budget_id=ligne["id"],
            annee=ligne["annee"],
            statut=ligne["statut"],
            type_structure=type_structure,
            places_moyennes=regles.places_moyennes(
                evenements.get(structure.structure_id, []), ligne["annee"]
            ),
            places_fin_annee=regles.places_au(
                evenements.get(structure.structure_id, []),
                datetime.date(ligne["annee"], 12, 31),
            ),
            affectation_proposee=_affectation(proposee, type_structure)
            if proposee
            else None,
            affectation_decidee=_affectation(decidee, type_structure)
            if decidee
            else None,
            tarif_cible=tarifs.get(
                (type_structure, structure.ile_de_france, ligne["annee"])
            ),
            **{c: ligne[c] for c in CHAMPS_BUDGET},
        )
    return donnees


def charger_budget_cpom(budget: Budget) -> AnneeFinanciere:
    """The figures of a CPOM budget: its places are the sum of the average places of
    the year of the CPOM's member structures of its type (members on some day of the
    year), its target cost that of its type (Île-de-France when the CPOM's région
    is); three queries."""
    from abri.conventions.models import AdhesionCpom

    annee = budget.annee
    assert budget.cpom_id is not None
    membres = list(
        AdhesionCpom.objects.filter(
            cpom_id=budget.cpom_id,
            structure__type=budget.type_structure,
            date_entree__lte=datetime.date(annee, 12, 31),
        )
        .exclude(date_sortie__lt=datetime.date(annee, 1, 1))
        .values_list("structure_id", flat=True)
        .distinct()
    )
    evenements: dict[int, list[tuple[datetime.date, int]]] = defaultdict(list)
    for structure_id, date, nombre in (
        EvenementCapacite.objects.filter(structure_id__in=membres)
        .order_by("date_effet", "id")
        .values_list("structure_id", "date_effet", "places_autorisees")
    ):
        evenements[structure_id].append((date, nombre))
    fin = datetime.date(annee, 12, 31)
    places = sum(
        (regles.places_moyennes(evenements[pk], annee) for pk in set(membres)),
        Decimal(0),
    )
    places_fin = sum(regles.places_au(evenements[pk], fin) for pk in set(membres))
    assert budget.cpom is not None
    ile_de_france = budget.cpom.region_id == REGION_ILE_DE_FRANCE
    tarif = (
        TarifCible.objects.filter(
            type_structure=budget.type_structure,
            ile_de_france=ile_de_france,
            annee=annee,
        )
        .values_list("montant", flat=True)
        .first()
    )
    affectations = {a.etape: a for a in budget.affectations.all()}
    proposee = affectations.get(EtapeAffectation.PROPOSEE)
    decidee = affectations.get(EtapeAffectation.DECIDEE)
    return AnneeFinanciere(
        budget_id=budget.pk,
        annee=annee,
        statut=budget.statut,
        type_structure=budget.type_structure,
        places_moyennes=places,
        places_fin_annee=places_fin,
        affectation_proposee=_affectation(proposee, budget.type_structure)
        if proposee
        else None,
        affectation_decidee=_affectation(decidee, budget.type_structure)
        if decidee
        else None,
        tarif_cible=tarif,
        **{c: getattr(budget, c) for c in CHAMPS_BUDGET},
    )
