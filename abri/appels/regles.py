"""Plain rules of calls for projects: closing time, scores, delays, nights lost.

A closing date holds until 23:59:59 Paris time of its day, whatever the time zone
of the user (the same rule as the deadlines of the budget campaign). Delays are
counted in days between two dates; a month is 30.4375 days (365.25 / 12).
"""

from __future__ import annotations

import datetime
import statistics
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
JOURS_PAR_MOIS = Decimal("30.4375")
CENT = Decimal("0.01")
# Two scores of one criterion this far apart (on a 0-20 scale) are a strong
# disagreement between instructors.
NOTE_MAXIMUM = 20
ECART_DESACCORD = 5


def fin_du_jour_a_paris(jour: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(jour, datetime.time(23, 59, 59), tzinfo=PARIS)


def depot_dans_les_temps(cloture: datetime.date, instant: datetime.datetime) -> bool:
    """A candidature submitted at ``instant`` (aware) is on time for ``cloture``."""
    if instant.tzinfo is None:
        raise ValueError("instant sans fuseau horaire")
    return instant <= fin_du_jour_a_paris(cloture)


# Scores ------------------------------------------------------------------------


@dataclass(frozen=True)
class Critere:
    libelle: str
    poids: Decimal


def total_pondere(
    criteres: Sequence[Critere], notes: Mapping[int, Decimal]
) -> Decimal | None:
    """Σ note × poids ÷ Σ poids over the criteria, on the 0-20 scale; ``None`` until
    every criterion has a score."""
    if not criteres or any(i not in notes for i in range(len(criteres))):
        return None
    poids = sum((c.poids for c in criteres), Decimal(0))
    if not poids:
        return None
    somme = sum((notes[i] * c.poids for i, c in enumerate(criteres)), Decimal(0))
    return (somme / poids).quantize(CENT, ROUND_HALF_UP)


def moyenne(valeurs: Iterable[Decimal]) -> Decimal | None:
    liste = list(valeurs)
    if not liste:
        return None
    return (sum(liste, Decimal(0)) / len(liste)).quantize(CENT, ROUND_HALF_UP)


def desaccord_fort(notes: Iterable[Decimal]) -> bool:
    """Two instructors gave one criterion scores at least 5 points apart."""
    liste = list(notes)
    return len(liste) > 1 and max(liste) - min(liste) >= ECART_DESACCORD


def classement(totaux: Mapping[int, Decimal | None]) -> dict[int, int]:
    """Rank 1 for the best total; ties share a rank; unscored ones are unranked."""
    notes = sorted({t for t in totaux.values() if t is not None}, reverse=True)
    rangs: dict[int, int] = {}
    rang = 1
    for note in notes:
        ex_aequo = [k for k, t in totaux.items() if t == note]
        for k in ex_aequo:
            rangs[k] = rang
        rang += len(ex_aequo)
    return rangs


# Delays and nights lost --------------------------------------------------------


def jours_entre(debut: datetime.date | None, fin: datetime.date | None) -> int | None:
    if debut is None or fin is None:
        return None
    return (fin - debut).days


def en_mois(jours: int | Decimal | None) -> Decimal | None:
    if jours is None:
        return None
    return (Decimal(jours) / JOURS_PAR_MOIS).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Ouverture:
    date: datetime.date
    places: int


def nuitees_perdues(
    places_prevues: int,
    date_prevue: datetime.date,
    ouvertures: Sequence[Ouverture],
    aujourd_hui: datetime.date,
) -> int:
    """Σ places × days between the planned and the actual opening; places not yet
    open count until ``aujourd_hui``. Places opened early count no negative nights.

    40 places planned on 1 March and opened on 31 March: 40 × 30 = 1,200 nights."""
    total = 0
    restantes = places_prevues
    for ouverture in sorted(ouvertures, key=lambda o: o.date):
        places = min(ouverture.places, restantes)
        if places <= 0:
            break
        total += places * max(0, (ouverture.date - date_prevue).days)
        restantes -= places
    if restantes > 0:
        total += restantes * max(0, (aujourd_hui - date_prevue).days)
    return total


def cout_nuitees(nuitees: int, cout_journalier: Decimal | None) -> Decimal | None:
    if cout_journalier is None:
        return None
    return (Decimal(nuitees) * cout_journalier).quantize(CENT, ROUND_HALF_UP)


def retard_jours(
    date_prevue: datetime.date,
    date_ouverture: datetime.date | None,
    aujourd_hui: datetime.date,
) -> int:
    """Days late against the planned date (0 when on time or not yet due)."""
    fin = date_ouverture or aujourd_hui
    return max(0, (fin - date_prevue).days)


def mediane(valeurs: Sequence[int]) -> Decimal | None:
    if not valeurs:
        return None
    return Decimal(str(statistics.median(valeurs))).quantize(
        Decimal("0.1"), ROUND_HALF_UP
    )


def moyenne_jours(valeurs: Sequence[int]) -> Decimal | None:
    if not valeurs:
        return None
    return (Decimal(sum(valeurs)) / len(valeurs)).quantize(
        Decimal("0.1"), ROUND_HALF_UP
    )


TRANCHES_MOIS = ((0, 3), (3, 4.5), (4.5, 6), (6, 9), (9, 12), (12, None))


def distribution_mois(jours: Iterable[int]) -> list[tuple[str, int]]:
    """How many delays fall in each band of months."""
    comptes = [0] * len(TRANCHES_MOIS)
    for j in jours:
        mois = float(Decimal(j) / JOURS_PAR_MOIS)
        for i, (bas, haut) in enumerate(TRANCHES_MOIS):
            if mois >= bas and (haut is None or mois < haut):
                comptes[i] += 1
                break
    libelles = [
        f"{_fr(bas)} à {_fr(haut)} mois"
        if haut is not None
        else f"{_fr(bas)} mois et +"
        for bas, haut in TRANCHES_MOIS
    ]
    return list(zip(libelles, comptes, strict=True))


def _fr(valeur: float) -> str:
    return f"{valeur:g}".replace(".", ",")
