"""Reads of the budget campaign, always scoped to what the user may see."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractMonth

from abri.comptes.models import Utilisateur
from abri.finances import indicateurs, regles
from abri.finances.models import (
    STATUTS_COMPTES_DEPOSES,
    STATUTS_INSTRUITS,
    STATUTS_PROPOSITION_DEPOSEE,
    Budget,
    BudgetQuerySet,
    Campagne,
    StatutBudget,
    TarifCible,
    Versement,
)
from abri.structures.models import Structure, TypeStructure
from abri.territoires.models import Departement, Region

# The contract read by other apps -----------------------------------------------------


@dataclass(frozen=True)
class SituationFinanciere:
    resultats: list[tuple[int, Decimal | None]]
    """The last three closed years, oldest first, ``None`` where unknown."""
    en_deficit: bool | None
    """Negative in at least two of them; ``None`` when none is known."""


def situation_financiere(
    structure: Structure, aujourd_hui: datetime.date
) -> SituationFinanciere:
    annees = regles.annees_closes(aujourd_hui)
    connus = {
        annee: regles.resultat(produits, charges)
        for annee, produits, charges in Budget.objects.filter(
            structure=structure,
            annee__in=annees,
            produits_reels__isnull=False,
            charges_reelles__isnull=False,
        ).values_list("annee", "produits_reels", "charges_reelles")
    }
    resultats = [(annee, connus.get(annee)) for annee in annees]
    return SituationFinanciere(resultats, regles.en_deficit([r for _, r in resultats]))


def annoter_deficit[QS: QuerySet[Any]](
    objets: QS, aujourd_hui: datetime.date, structure: str = "pk"
) -> QS:
    """Annotate ``en_deficit`` (negative result in at least two of the last three
    closed years) in the same query as the list: of the structures themselves, or of
    the structure each row points to (``structure="structure_id"`` on acts)."""
    deficits = (
        Budget.objects.filter(
            structure=OuterRef(structure),
            annee__in=regles.annees_closes(aujourd_hui),
            produits_reels__lt=F("charges_reelles"),
        )
        .order_by()
        .values("structure")
        .annotate(n=Count("id"))
        .values("n")
    )
    return objets.annotate(
        deficits_recents=Coalesce(Subquery(deficits), 0),
        en_deficit=Case(
            When(deficits_recents__gte=regles.DEFICITS_SIGNALES, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


@dataclass(frozen=True)
class LigneBudgetCpom:
    """The budgets of the member structures of one type of a CPOM for one year."""

    annee: int
    type_structure: str
    structures: int
    charges_proposees: Decimal | None
    charges_retenues: Decimal | None
    dotation_accordee: Decimal | None
    charges_reelles: Decimal | None
    resultat: Decimal | None
    """Revenues minus charges of the structures whose accounts are known."""
    comptes_connus: int


def budgets_de_cpom(
    user: Utilisateur,
    adhesions: Sequence[tuple[int, datetime.date, datetime.date | None]],
) -> list[LigneBudgetCpom]:
    """The budgets of the members of a CPOM aggregated by year and type of structure,
    in one query whatever the number of members and years.

    ``adhesions`` are ``(structure_id, date_entree, date_sortie)``: the budget of a
    year counts when the structure was a member on some day of that year. Budgets
    outside the user's perimeter are left out."""
    if not adhesions:
        return []
    periodes = Q()
    for structure_id, entree, sortie in adhesions:
        periode = Q(structure_id=structure_id, annee__gte=entree.year)
        if sortie is not None:
            periode &= Q(annee__lte=sortie.year)
        periodes |= periode
    comptes = Q(produits_reels__isnull=False, charges_reelles__isnull=False)
    lignes = (
        Budget.objects.for_user(user)
        .filter(periodes)
        .order_by()
        .values("annee", "structure__type")
        .annotate(
            structures=Count("structure", distinct=True),
            proposees=Sum("charges_proposees"),
            retenues=Sum("charges_retenues"),
            accordee=Sum("dotation_accordee"),
            reelles=Sum("charges_reelles", filter=comptes),
            solde=Sum(
                F("produits_reels") - F("charges_reelles"),
                filter=comptes,
                output_field=DecimalField(max_digits=14, decimal_places=2),
            ),
            connus=Count("id", filter=comptes),
        )
        .order_by("-annee", "structure__type")
    )
    return [
        LigneBudgetCpom(
            annee=ligne["annee"],
            type_structure=ligne["structure__type"],
            structures=ligne["structures"],
            charges_proposees=ligne["proposees"],
            charges_retenues=ligne["retenues"],
            dotation_accordee=ligne["accordee"],
            charges_reelles=ligne["reelles"],
            resultat=ligne["solde"],
            comptes_connus=ligne["connus"],
        )
        for ligne in lignes
    ]


def budgets_du_cpom(user: Utilisateur, cpom_id: int) -> list[Budget]:
    """The budgets entered at the level of the CPOM, one per year and type of
    structure, the latest year first; one query."""
    return list(
        Budget.objects.for_user(user)
        .filter(cpom_id=cpom_id)
        .order_by("-annee", "type_structure")
    )


# Budgets -------------------------------------------------------------------------


def budgets_visibles(user: Utilisateur) -> BudgetQuerySet:
    return Budget.objects.for_user(user)


def budget_visible(user: Utilisateur, pk: int) -> Budget:
    """The budget, if the user may see it; ``Budget.DoesNotExist`` otherwise."""
    return (
        budgets_visibles(user)
        .select_related(
            "structure__departement__region",
            "structure__operateur",
            "cpom__operateur",
            "campagne",
        )
        .get(pk=pk)
    )


def saisies_lisibles(budget: Budget) -> list[dict[str, Any]]:
    """Who set each figure and when, in the order of the budget's fields."""
    lignes = []
    for champ in budget._meta.concrete_fields:
        saisie = budget.saisies.get(champ.name)
        if saisie:
            lignes.append(
                {
                    "libelle": champ.verbose_name,
                    "par": saisie["par"],
                    "le": datetime.datetime.fromisoformat(saisie["le"]),
                }
            )
    for etape, libelle in (
        ("affectation_proposee", "affectation proposée"),
        ("affectation_decidee", "affectation décidée"),
    ):
        if saisie := budget.saisies.get(etape):
            lignes.append(
                {
                    "libelle": libelle,
                    "par": saisie["par"],
                    "le": datetime.datetime.fromisoformat(saisie["le"]),
                }
            )
    return lignes


# Campaign follow-up -----------------------------------------------------------------


@dataclass
class SuiviTerritoire:
    departement: Departement
    attendus: int = 0
    propositions_deposees: int = 0
    instruits: int = 0
    propositions_en_retard: int = 0
    comptes_deposes: int = 0
    comptes_en_retard: int = 0
    clotures: int = 0


def _en_retard(
    limite: datetime.date,
    depose_le: datetime.datetime | None,
    instant: datetime.datetime,
) -> bool:
    if depose_le is not None:
        return regles.echeance_depassee(limite, depose_le)
    return regles.echeance_depassee(limite, instant)


@dataclass(frozen=True)
class Retards:
    """Whether a budget's proposal and accounts are late: not submitted once the
    deadline of its regime has passed, or submitted after it. A late file is still
    accepted (the State needs it); it stays flagged late."""

    proposition: bool
    comptes: bool


def retards(
    campagne: Campagne,
    type_structure: str,
    statut: str,
    proposition_le: datetime.datetime | None,
    comptes_le: datetime.datetime | None,
    instant: datetime.datetime,
) -> Retards:
    return Retards(
        proposition=_en_retard(
            campagne.limite_proposition(type_structure),
            proposition_le if statut in STATUTS_PROPOSITION_DEPOSEE else None,
            instant,
        ),
        comptes=_en_retard(
            campagne.limite_comptes(type_structure),
            comptes_le if statut in STATUTS_COMPTES_DEPOSES else None,
            instant,
        ),
    )


def retards_budget(budget: Budget, instant: datetime.datetime) -> Retards:
    return retards(
        budget.campagne,
        budget.type_budget,
        budget.statut,
        budget.proposition_deposee_le,
        budget.comptes_deposes_le,
        instant,
    )


def suivi_campagne(
    user: Utilisateur, campagne: Campagne, instant: datetime.datetime
) -> list[SuiviTerritoire]:
    """Per département of the perimeter: budgets expected, submitted, instructed and
    late (not submitted once the deadline of its regime has passed, or submitted
    after it), in one query of budgets and one of départements."""
    lignes = (
        budgets_visibles(user)
        .filter(campagne=campagne, structure__isnull=False)
        .values_list(
            "structure__departement_id",
            "structure__type",
            "statut",
            "proposition_deposee_le",
            "comptes_deposes_le",
        )
    )
    par_departement: dict[str, SuiviTerritoire] = {}
    departements = {d.code: d for d in Departement.objects.select_related("region")}
    for code, type_structure, statut, proposition_le, comptes_le in lignes:
        suivi = par_departement.setdefault(code, SuiviTerritoire(departements[code]))
        suivi.attendus += 1
        suivi.propositions_deposees += statut in STATUTS_PROPOSITION_DEPOSEE
        suivi.instruits += statut in STATUTS_INSTRUITS
        suivi.comptes_deposes += statut in STATUTS_COMPTES_DEPOSES
        suivi.clotures += statut == StatutBudget.CLOTURE
        retard = retards(
            campagne, type_structure, statut, proposition_le, comptes_le, instant
        )
        suivi.propositions_en_retard += retard.proposition
        suivi.comptes_en_retard += retard.comptes
    return sorted(par_departement.values(), key=lambda s: s.departement.rang)


@dataclass(frozen=True)
class FiltresBudgets:
    departement: str = ""
    statut: str = ""
    type: str = ""


def budgets_de_campagne(
    user: Utilisateur, campagne: Campagne, filtres: FiltresBudgets
) -> BudgetQuerySet:
    qs = budgets_visibles(user).filter(campagne=campagne)
    if filtres.departement:
        qs = qs.filter(structure__departement_id=filtres.departement)
    if filtres.statut:
        qs = qs.filter(statut=filtres.statut)
    if filtres.type:
        qs = qs.filter(Q(structure__type=filtres.type) | Q(type_structure=filtres.type))
    return qs.select_related(
        "structure__departement", "structure__operateur", "cpom"
    ).order_by(
        F("structure__departement__rang").asc(nulls_last=True),
        "structure__nom",
        "cpom__intitule",
        "type_structure",
        "id",
    )


# Structure sheet -------------------------------------------------------------------

ANNEES_FICHE = 4


@dataclass(frozen=True)
class BlocFiche:
    annees: list[indicateurs.AnneeFinanciere]
    situation: SituationFinanciere
    documents: list[Any] = field(default_factory=list)
    campagne_sans_budget: Campagne | None = None


def bloc_fiche_structure(
    structure: Structure, user: Utilisateur, aujourd_hui: datetime.date | None = None
) -> BlocFiche:
    """The finance block of the structure sheet: the last four years side by side,
    in a constant number of queries."""
    from abri.finances.models import DocumentBudget

    aujourd_hui = aujourd_hui or datetime.date.today()
    donnees = indicateurs.charger([structure.pk]).get(structure.pk)
    annees = sorted(donnees.annees.values(), key=lambda a: a.annee) if donnees else []
    annees = annees[-ANNEES_FICHE:]
    resultats: list[tuple[int, Decimal | None]] = (
        donnees.resultats(aujourd_hui)
        if donnees
        else [(a, None) for a in regles.annees_closes(aujourd_hui)]
    )
    documents = list(
        DocumentBudget.objects.filter(budget__structure=structure)
        .select_related("budget")
        .order_by("-budget__annee", "-depose_le", "-id")[:20]
    )
    return BlocFiche(
        annees=annees,
        situation=SituationFinanciere(
            resultats, regles.en_deficit([r for _, r in resultats])
        ),
        documents=documents,
    )


# The "Finances" page ---------------------------------------------------------------


CENTIME = Decimal("0.01")


def en_euros(valeur: Decimal | None) -> Decimal:
    """A sum of amounts back to the cent. SQLite adds decimal columns as floating
    point numbers and Django hands the aggregate back with 15 significant digits
    (``96133043.0000001``); PostgreSQL keeps the scale. Rounding every money
    aggregate here keeps pages and exports to the cent on both."""
    return (valeur or Decimal(0)).quantize(CENTIME)


@dataclass(frozen=True)
class LigneDotation:
    libelle: str
    accordee: Decimal
    versee: Decimal

    @property
    def taux(self) -> Decimal | None:
        if not self.accordee:
            return None
        return self.versee / self.accordee


def dotations_par_territoire(user: Utilisateur, annee: int) -> list[LigneDotation]:
    """Granted dotations of ``annee`` and the instalments paid on them, by region
    for a national perimeter, by département otherwise."""
    par_region = user.perimetre.departement_codes is None
    cle = (
        "structure__departement__region_id"
        if par_region
        else ("structure__departement_id")
    )
    budgets = budgets_visibles(user).filter(annee=annee)
    accordees = dict(
        budgets.order_by()
        .values(cle)
        .annotate(total=Sum("dotation_accordee"))
        .values_list(cle, "total")
    )
    versees = dict(
        Versement.objects.filter(budget__in=budgets)
        .order_by()
        .values(f"budget__{cle}")
        .annotate(total=Sum("montant"))
        .values_list(f"budget__{cle}", "total")
    )
    codes = set(accordees) | set(versees)
    territoires: list[Any] = (
        list(Region.objects.filter(code__in=codes).order_by("nom"))
        if par_region
        else list(Departement.objects.filter(code__in=codes).order_by("rang"))
    )
    return [
        LigneDotation(
            t.nom if par_region else f"{t.code} — {t.nom}",
            en_euros(accordees.get(t.code)),
            en_euros(versees.get(t.code)),
        )
        for t in territoires
    ]


def versements_par_mois(user: Utilisateur, annee: int) -> list[tuple[int, Decimal]]:
    """Instalments of the dotations of ``annee`` paid in each month of ``annee``."""
    par_mois = dict(
        Versement.objects.filter(
            budget__in=budgets_visibles(user).filter(annee=annee), date__year=annee
        )
        .annotate(mois=ExtractMonth("date"))
        .order_by()
        .values("mois")
        .annotate(total=Sum("montant"))
        .values_list("mois", "total")
    )
    return [(mois, en_euros(par_mois.get(mois))) for mois in range(1, 13)]


@dataclass(frozen=True)
class LigneCout:
    type_structure: str
    structures: int
    moyenne: Decimal | None
    mediane: Decimal | None
    cible_hors_idf: Decimal | None
    cible_idf: Decimal | None


@dataclass(frozen=True)
class CoutStructure:
    structure: Structure
    figures: indicateurs.AnneeFinanciere


def couts_structures(user: Utilisateur, annee: int) -> list[CoutStructure]:
    """Every structure of the perimeter with a daily cost known for ``annee``."""
    structures = Structure.objects.for_user(user)
    donnees = indicateurs.charger(structures, [annee])
    avec_cout = {
        pk: d.annees[annee]
        for pk, d in donnees.items()
        if annee in d.annees and d.annees[annee].cout_journalier is not None
    }
    objets = structures.filter(pk__in=list(avec_cout)).select_related(
        "departement", "operateur"
    )
    return sorted(
        (CoutStructure(s, avec_cout[s.pk]) for s in objets),
        key=lambda c: (c.structure.type, c.figures.cout_journalier or 0),
    )


def ouvertures_tardives(couts: Sequence[CoutStructure]) -> list[CoutStructure]:
    """Structures whose places were not all open over the year (opened or extended
    during it), the longest wait first."""
    return sorted(
        (c for c in couts if c.figures.mois_non_consommes > 0),
        key=lambda c: (-c.figures.mois_non_consommes, c.structure.nom),
    )


def couts_par_type(couts: Sequence[CoutStructure], annee: int) -> list[LigneCout]:
    par_type: dict[str, list[Decimal]] = defaultdict(list)
    for cout in couts:
        if cout.figures.cout_journalier is not None:
            par_type[cout.structure.type].append(cout.figures.cout_journalier)
    cibles = {
        (t.type_structure, t.ile_de_france): t.montant
        for t in TarifCible.objects.filter(annee=annee)
    }
    return [
        LigneCout(
            type_structure,
            len(par_type[type_structure]),
            regles.moyenne(par_type[type_structure]),
            regles.mediane(par_type[type_structure]),
            cibles.get((type_structure, False)),
            cibles.get((type_structure, True)),
        )
        for type_structure in TypeStructure.values
    ]


LARGEUR_CLASSE = Decimal(5)


def distribution_couts(couts: Sequence[CoutStructure]) -> list[tuple[str, int]]:
    """Structures per class of 5 € of daily cost, from the lowest to the highest."""
    classes: dict[int, int] = defaultdict(int)
    for cout in couts:
        valeur = cout.figures.cout_journalier
        if valeur is not None:
            classes[int(valeur // LARGEUR_CLASSE)] += 1
    if not classes:
        return []
    return [
        (
            f"{k * 5} à {k * 5 + 5} €",
            classes.get(k, 0),
        )
        for k in range(min(classes), max(classes) + 1)
    ]


@dataclass(frozen=True)
class StructureEnDeficit:
    structure: Structure
    resultats: list[tuple[int, Decimal | None]]


def structures_en_deficit(
    user: Utilisateur, aujourd_hui: datetime.date
) -> list[StructureEnDeficit]:
    structures = list(
        annoter_deficit(Structure.objects.for_user(user), aujourd_hui)
        .filter(en_deficit=True)  # type: ignore[misc]  # annotated just above
        .select_related("departement", "operateur")
        .order_by("departement__rang", "nom", "id")
    )
    annees = regles.annees_closes(aujourd_hui)
    resultats: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for structure_id, annee, produits, charges in Budget.objects.filter(
        structure__in=[s.pk for s in structures],
        annee__in=annees,
        produits_reels__isnull=False,
        charges_reelles__isnull=False,
    ).values_list("structure_id", "annee", "produits_reels", "charges_reelles"):
        resultats[structure_id][annee] = regles.resultat(produits, charges)
    return [
        StructureEnDeficit(s, [(a, resultats[s.pk].get(a)) for a in annees])
        for s in structures
    ]


def annees_disponibles() -> list[int]:
    return list(Campagne.objects.order_by("-annee").values_list("annee", flat=True))


def tarifs_de_demonstration() -> bool:
    """Whether the demonstration data set entered target costs (they are then
    labelled as demonstration values, never as official tariffs)."""
    from abri.finances.demo import RAISON_DEMO

    return TarifCible.history.filter(history_change_reason=RAISON_DEMO).exists()


def tarifs_cibles() -> QuerySet[TarifCible]:
    return TarifCible.objects.select_related("modifie_par").order_by(
        "-annee", "type_structure", "ile_de_france"
    )


def compter_par_statut(user: Utilisateur, campagne: Campagne) -> dict[str, int]:
    return dict(
        budgets_visibles(user)
        .filter(campagne=campagne)
        .order_by()
        .values("statut")
        .annotate(n=Count("id"))
        .values_list("statut", "n")
    )


@dataclass(frozen=True)
class ChiffresAccueil:
    annee: int
    accordee: Decimal
    versee: Decimal
    structures_en_deficit: int

    @property
    def taux_verse(self) -> Decimal | None:
        return self.versee / self.accordee if self.accordee else None


def chiffres_accueil(user: Utilisateur, aujourd_hui: datetime.date) -> ChiffresAccueil:
    """The dotations of the year and the structures in deficit, for the home page,
    in three queries."""
    budgets = budgets_visibles(user).filter(annee=aujourd_hui.year)
    accordee = budgets.aggregate(total=Sum("dotation_accordee"))["total"]
    versee = Versement.objects.filter(
        budget__in=budgets, date__lte=aujourd_hui
    ).aggregate(total=Sum("montant"))["total"]
    deficits = (
        annoter_deficit(Structure.objects.for_user(user), aujourd_hui)
        .filter(en_deficit=True)  # type: ignore[misc]  # annotated just above
        .count()
    )
    return ChiffresAccueil(
        aujourd_hui.year, en_euros(accordee), en_euros(versee), deficits
    )
