"""Plain rules of the budget campaign: results, allocations, daily costs, deadlines.

Amounts are :class:`~decimal.Decimal` euros with cents; two amounts are equal when
they differ by one cent at most (:data:`TOLERANCE`). Signs follow the result: a
deficit is negative, and so is the share of a deficit the State takes over.

Regimes (``docs/domaine.md``, section Finances):

- tariffed (CADA, CPH, authorised social establishments, tariff fixed by a
  decision of the préfet, code de l'action sociale et des familles R. 314-1 ff.):
  the result of the accounts is *allocated*: State recovery plus the allocations to
  reserves and carried forward add up to the result;
- subsidised (HUDA, CAES, grant under a convention): a surplus is recovered by the
  State, reused in the next grant or kept as remaining dedicated funds, these three
  adding up to the surplus; a deficit may be compensated by the State;
- PRAHDA is bought under a public contract at a price per place and day: the result
  belongs to the holder of the contract and is not allocated. It follows the
  subsidised calendar (request and financial report) and the subsidised thresholds.
"""

from __future__ import annotations

import calendar
import datetime
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

TOLERANCE = Decimal("0.01")
CENT = Decimal("0.01")
PARIS = zoneinfo.ZoneInfo("Europe/Paris")

# Management checks of the data-quality rules (docs/domaine.md).
COUT_JOURNALIER_MINIMUM = Decimal(15)
TAUX_ENCADREMENT_MINIMUM = Decimal(2)
TAUX_ENCADREMENT_MAXIMUM_TARIFE = Decimal(20)
TAUX_ENCADREMENT_MAXIMUM_SUBVENTIONNE = Decimal(25)
ANNEES_DEFICIT = 3
DEFICITS_SIGNALES = 2


class Regime(StrEnum):
    TARIFE = "tarife"
    SUBVENTIONNE = "subventionne"
    MARCHE = "marche"


def regime(type_structure: str) -> Regime:
    if type_structure in {"CADA", "CPH"}:
        return Regime.TARIFE
    if type_structure == "PRAHDA":
        return Regime.MARCHE
    return Regime.SUBVENTIONNE


def egaux(a: Decimal, b: Decimal) -> bool:
    """Equal to the cent: 0.01 € apart still counts as equal."""
    return abs(a - b) <= TOLERANCE


def arrondi_centime(montant: Decimal) -> Decimal:
    return montant.quantize(CENT, rounding=ROUND_HALF_UP)


def resultat(produits: Decimal, charges: Decimal) -> Decimal:
    """Revenues minus charges: a deficit is negative."""
    return produits - charges


# Allocation of the result ----------------------------------------------------------


@dataclass(frozen=True)
class AffectationTarifee:
    """How the result of a tariffed structure is allocated (all signed like it)."""

    reprise_etat: Decimal = Decimal(0)
    reserve_investissement: Decimal = Decimal(0)
    charges_non_reconductibles: Decimal = Decimal(0)
    reserve_compensation_deficits: Decimal = Decimal(0)
    reserve_tresorerie: Decimal = Decimal(0)
    reserve_compensation_amortissements: Decimal = Decimal(0)
    report_a_nouveau: Decimal = Decimal(0)
    autre: Decimal = Decimal(0)

    @property
    def allocations(self) -> Decimal:
        """Everything but the State recovery."""
        return sum(
            (getattr(self, f.name) for f in fields(self) if f.name != "reprise_etat"),
            Decimal(0),
        )

    @property
    def total(self) -> Decimal:
        return self.reprise_etat + self.allocations


@dataclass(frozen=True)
class AffectationSubventionnee:
    excedent_reverse: Decimal = Decimal(0)
    excedent_reemploye: Decimal = Decimal(0)
    fonds_dedies: Decimal = Decimal(0)
    deficit_compense: Decimal = Decimal(0)
    """Share of a deficit the State takes over (negative, like the deficit)."""

    @property
    def excedents_affectes(self) -> Decimal:
        return self.excedent_reverse + self.excedent_reemploye + self.fonds_dedies


class EcartAffectation(StrEnum):
    JUSTE = "juste"
    SIGNE_REPRISE_INVERSE = "signe_reprise_inverse"
    ECART = "ecart"


def controler_affectation_tarifee(
    resultat: Decimal, affectation: AffectationTarifee
) -> EcartAffectation:
    """Recovery plus allocations must equal the result. When they do only with the
    sign of the recovery inverted, the recovery was typed with the wrong sign."""
    if egaux(affectation.total, resultat):
        return EcartAffectation.JUSTE
    if affectation.reprise_etat and egaux(
        affectation.allocations - affectation.reprise_etat, resultat
    ):
        return EcartAffectation.SIGNE_REPRISE_INVERSE
    return EcartAffectation.ECART


def controler_affectation_subventionnee(
    resultat: Decimal, affectation: AffectationSubventionnee
) -> list[str]:
    """The inconsistencies of a subsidised allocation, as short French sentences."""
    problemes = []
    if resultat > 0:
        if not egaux(affectation.excedents_affectes, resultat):
            problemes.append(
                "l'excédent reversé, réemployé et les fonds dédiés ne font pas le "
                "résultat"
            )
        if affectation.deficit_compense:
            problemes.append("une compensation de l'État sur un excédent")
    elif resultat < 0:
        if affectation.excedents_affectes:
            problemes.append("des excédents affectés sur un déficit")
        if affectation.deficit_compense and (
            affectation.deficit_compense > 0
            or affectation.deficit_compense < resultat - TOLERANCE
        ):
            problemes.append("une compensation de l'État hors du déficit")
    return problemes


# Places, daily cost, staffing -------------------------------------------------------


def jours_de_l_annee(annee: int) -> int:
    return 366 if calendar.isleap(annee) else 365


def places_moyennes(
    evenements: Iterable[tuple[datetime.date, int]], annee: int
) -> Decimal:
    """Authorised places averaged over the days of ``annee``.

    ``evenements`` are the dated variations of capacity (the capacity on a day is the
    sum of the variations effective by then): each capacity counts for the days it
    was in force within the year."""
    debut = datetime.date(annee, 1, 1)
    fin = datetime.date(annee + 1, 1, 1)
    places = 0
    changements: dict[datetime.date, int] = {}
    for date, variation in evenements:
        if date <= debut:
            places += variation
        elif date < fin:
            changements[date] = changements.get(date, 0) + variation
    jours_places = 0
    jour = debut
    for date in sorted(changements):
        jours_places += places * (date - jour).days
        places += changements[date]
        jour = date
    jours_places += places * (fin - jour).days
    return Decimal(jours_places) / jours_de_l_annee(annee)


def places_au(
    evenements: Iterable[tuple[datetime.date, int]], date: datetime.date
) -> int:
    """Authorised places on ``date``: the variations effective by then."""
    return sum(variation for jour, variation in evenements if jour <= date)


def mois_non_consommes(places_moyennes: Decimal, places_fin: int) -> Decimal:
    """Months of the year the places open on 31 December were not all open: a
    structure whose 40 places opened on 1 July counts six months. Zero when the
    capacity did not grow during the year."""
    if places_fin <= 0 or places_moyennes >= places_fin:
        return Decimal(0)
    return (12 * (1 - places_moyennes / places_fin)).quantize(Decimal("0.1"))


def cout_journalier(
    charges: Decimal | None, places: Decimal | int | None, annee: int
) -> Decimal | None:
    """Charges ÷ (average places × days of the year), to the cent; ``None`` when a
    figure is missing or there were no places."""
    if charges is None or not places:
        return None
    return arrondi_centime(charges / (Decimal(places) * jours_de_l_annee(annee)))


def charges_annuelles(cout: Decimal, places: Decimal | int, annee: int) -> Decimal:
    """What a daily cost per place amounts to over the year."""
    return arrondi_centime(cout * Decimal(places) * jours_de_l_annee(annee))


def taux_encadrement(
    places: Decimal | int | None, etp: Decimal | None
) -> Decimal | None:
    """Places per full-time equivalent staff, to a hundredth."""
    if places is None or not etp:
        return None
    return arrondi_centime(Decimal(places) / etp)


def taux_encadrement_maximum(type_structure: str) -> Decimal:
    if regime(type_structure) == Regime.TARIFE:
        return TAUX_ENCADREMENT_MAXIMUM_TARIFE
    return TAUX_ENCADREMENT_MAXIMUM_SUBVENTIONNE


def taux_encadrement_hors_bornes(type_structure: str, taux: Decimal) -> bool:
    return not (
        TAUX_ENCADREMENT_MINIMUM <= taux <= taux_encadrement_maximum(type_structure)
    )


# Deficits ---------------------------------------------------------------------------


def annees_closes(
    aujourd_hui: datetime.date, nombre: int = ANNEES_DEFICIT
) -> list[int]:
    """The last ``nombre`` fiscal years ended by ``aujourd_hui``, oldest first."""
    return list(range(aujourd_hui.year - nombre, aujourd_hui.year))


def en_deficit(resultats: Sequence[Decimal | None]) -> bool | None:
    """Negative in at least two of the (three) years given; ``None`` when none is
    known. An unknown year counts neither way."""
    connus = [r for r in resultats if r is not None]
    if not connus:
        return None
    return sum(1 for r in connus if r < 0) >= DEFICITS_SIGNALES


# Deadlines --------------------------------------------------------------------------


def fin_du_jour_a_paris(jour: datetime.date) -> datetime.datetime:
    """The last instant of ``jour`` in Paris, as an aware datetime."""
    return datetime.datetime.combine(jour, datetime.time.max, tzinfo=PARIS)


def echeance_depassee(date_limite: datetime.date, instant: datetime.datetime) -> bool:
    """A deadline holds until 23:59:59 Paris time of its day, whatever the time zone
    of ``instant`` (which must be aware)."""
    if instant.tzinfo is None:
        raise ValueError("instant sans fuseau horaire")
    return instant > fin_du_jour_a_paris(date_limite)


def echeances_par_defaut(annee: int) -> dict[str, datetime.date]:
    """Budget proposals by 31 October of N−1, accounts by 30 April of N+1; the
    subsidy request and the financial report follow the same calendar unless the
    national admin sets other dates."""
    proposition = datetime.date(annee - 1, 10, 31)
    comptes = datetime.date(annee + 1, 4, 30)
    return {
        "date_limite_proposition": proposition,
        "date_limite_comptes": comptes,
        "date_limite_demande_subvention": proposition,
        "date_limite_rapport_financier": comptes,
    }


def mediane(valeurs: Sequence[Decimal]) -> Decimal | None:
    if not valeurs:
        return None
    triees = sorted(valeurs)
    milieu = len(triees) // 2
    if len(triees) % 2:
        return triees[milieu]
    return arrondi_centime((triees[milieu - 1] + triees[milieu]) / 2)


def moyenne(valeurs: Sequence[Decimal]) -> Decimal | None:
    if not valeurs:
        return None
    return arrondi_centime(sum(valeurs, Decimal(0)) / len(valeurs))
