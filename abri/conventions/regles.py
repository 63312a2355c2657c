"""Plain rules on administrative acts: calendar durations, maximum durations,
caducity, current act, notice of denunciation, deadline windows.

Durations are real calendar durations (python-dateutil's ``relativedelta``): an act
from 01/01/2020 to 31/12/2024 lasts 5 years, and so does one from 15/03/2021 to
14/03/2026. The end date is the last day of the act, included. Sources are in
``docs/domaine.md``; what is a product setting lives in ``settings.py``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from dateutil.relativedelta import relativedelta

UN_JOUR = datetime.timedelta(days=1)

URGENT = "urgent"
IMPORTANT = "important"
PLUS_TARD = "plus_tard"
LIBELLES_CRITICITE = {
    URGENT: "Urgent",
    IMPORTANT: "Important",
    PLUS_TARD: "Plus tard",
}
ORDRE_CRITICITE = {URGENT: 0, IMPORTANT: 1, PLUS_TARD: 2}


def anniversaire(debut: datetime.date, duree: relativedelta) -> datetime.date:
    """The day ``duree`` after ``debut``: the first day after a period of that length.

    A period started on 29 February ends with 28 February of a common year, so its
    anniversary is 1 March (relativedelta alone would stop at 28 February and cut
    the period by one day)."""
    resultat = debut + duree
    if (debut.month, debut.day) == (2, 29) and (resultat.month, resultat.day) == (
        2,
        28,
    ):
        resultat += UN_JOUR
    return resultat


def fin_pour_duree(debut: datetime.date, duree: relativedelta) -> datetime.date:
    """Last day of an act of ``duree`` starting on ``debut`` (included)."""
    return anniversaire(debut, duree) - UN_JOUR


def duree(debut: datetime.date, fin: datetime.date) -> relativedelta:
    """Calendar duration of an act from ``debut`` to ``fin``, both days included: the
    whole months from ``debut`` to the last anniversary (see :func:`anniversaire`)
    not after the day following ``fin``, then the remaining days."""
    lendemain = fin + UN_JOUR
    approche = relativedelta(lendemain, debut)
    mois = max(approche.years * 12 + approche.months, 0)
    while anniversaire(debut, relativedelta(months=mois + 1)) <= lendemain:
        mois += 1
    while mois > 0 and anniversaire(debut, relativedelta(months=mois)) > lendemain:
        mois -= 1
    jours = (lendemain - anniversaire(debut, relativedelta(months=mois))).days
    return relativedelta(years=mois // 12, months=mois % 12, days=jours)


def duree_lisible(debut: datetime.date, fin: datetime.date) -> str:
    """``5 ans``, ``2 ans et 6 mois``, ``3 mois et 4 jours``."""
    ecart = duree(debut, fin)
    morceaux = []
    if ecart.years:
        morceaux.append(f"{ecart.years} an{'s' if ecart.years > 1 else ''}")
    if ecart.months:
        morceaux.append(f"{ecart.months} mois")
    if ecart.days:
        morceaux.append(f"{ecart.days} jour{'s' if ecart.days > 1 else ''}")
    if not morceaux:
        return "0 jour"
    if len(morceaux) == 1:
        return morceaux[0]
    return ", ".join(morceaux[:-1]) + " et " + morceaux[-1]


def depasse_duree(
    debut: datetime.date, fin: datetime.date, maximum: relativedelta
) -> bool:
    """Whether an act from ``debut`` to ``fin`` lasts longer than ``maximum`` (exactly
    the maximum passes)."""
    return fin > fin_pour_duree(debut, maximum)


@dataclass(frozen=True)
class DureesMaximales:
    """Maximum durations in years, by kind of act and type of structure."""

    autorisation: int = 15
    convention_tarifee: int = 5
    convention_subventionnee: int = 3
    convention_autre: int = 5
    cpom: int = 5
    tarification: int = 1


TYPES_TARIFES = frozenset({"CADA", "CPH"})
TYPES_SUBVENTIONNES = frozenset({"HUDA", "CAES"})


def duree_maximale(
    nature: str, type_structure: str | None, durees: DureesMaximales
) -> relativedelta | None:
    """Longest period an act of this kind may cover; ``None`` when no rule bounds it
    (an avenant follows its parent, other acts have no end)."""
    if nature == "autorisation":
        return relativedelta(years=durees.autorisation)
    if nature == "convention":
        if type_structure in TYPES_TARIFES:
            return relativedelta(years=durees.convention_tarifee)
        if type_structure in TYPES_SUBVENTIONNES:
            return relativedelta(years=durees.convention_subventionnee)
        return relativedelta(years=durees.convention_autre)
    if nature == "cpom":
        return relativedelta(years=durees.cpom)
    if nature == "tarification":
        return relativedelta(years=durees.tarification)
    return None


def date_caducite(
    debut_autorisation: datetime.date, delai: relativedelta
) -> datetime.date:
    """Day from which an authorisation never opened is lapsed."""
    return anniversaire(debut_autorisation, delai)


def est_caduque(
    debut_autorisation: datetime.date,
    date_ouverture: datetime.date | None,
    aujourdhui: datetime.date,
    delai: relativedelta,
) -> bool:
    """An authorisation lapses when the structure has not opened within ``delai``."""
    limite = date_caducite(debut_autorisation, delai)
    if date_ouverture is not None:
        return date_ouverture >= limite
    return aujourdhui >= limite


class Periode(Protocol):
    @property
    def date_debut(self) -> datetime.date: ...

    @property
    def date_fin_effective(self) -> datetime.date | None: ...


def contient(periode: Periode, jour: datetime.date) -> bool:
    fin = periode.date_fin_effective
    return periode.date_debut <= jour and (fin is None or jour <= fin)


def acte_courant[P: Periode](actes: Iterable[P], aujourdhui: datetime.date) -> P | None:
    """The act whose period contains today, else the most recent one (latest start;
    of two, the later end). Acts starting in the future count as "most recent" only
    when no act has started yet."""
    candidats = sorted(
        actes,
        key=lambda a: (a.date_debut, a.date_fin_effective or datetime.date.max),
    )
    en_cours = [a for a in candidats if contient(a, aujourdhui)]
    if en_cours:
        return en_cours[-1]
    passes = [a for a in candidats if a.date_debut <= aujourdhui]
    if passes:
        return passes[-1]
    return candidats[0] if candidats else None


def fin_effective(
    date_fin: datetime.date | None,
    avenants: Iterable[tuple[datetime.date, datetime.date | None]],
) -> datetime.date | None:
    """End of an act once its signed avenants apply: the new end date of the latest
    avenant that amends it (``(date d'effet, nouvelle date de fin)`` pairs)."""
    fin = date_fin
    for _, nouvelle_fin in sorted(
        (a for a in avenants if a[1] is not None), key=lambda a: a[0]
    ):
        fin = nouvelle_fin
    return fin


def date_effet_denonciation(
    date_notification: datetime.date, preavis: relativedelta
) -> datetime.date:
    """Day from which a denounced act stops: the notice runs from its notification."""
    return anniversaire(date_notification, preavis)


def preavis_denonciation(
    nature: str, type_structure: str | None, mois_cada: int, mois_autres: int
) -> relativedelta:
    """Notice of denunciation: ``mois_cada`` for a CADA convention, else
    ``mois_autres``."""
    if nature == "convention" and type_structure == "CADA":
        return relativedelta(months=mois_cada)
    return relativedelta(months=mois_autres)


def criticite(
    echeance: datetime.date, aujourdhui: datetime.date, fenetre: relativedelta
) -> str:
    """Urgent once passed, important within the warning window, later beyond it."""
    if echeance < aujourdhui:
        return URGENT
    if echeance - fenetre <= aujourdhui:
        return IMPORTANT
    return PLUS_TARD


@dataclass(frozen=True)
class PeriodeEvaluation:
    rang: int
    debut: datetime.date
    fin: datetime.date


def periodes_evaluation(
    debut: datetime.date,
    fin: datetime.date,
    premiere_avant: relativedelta,
    seconde_avant_fin: relativedelta,
) -> list[PeriodeEvaluation]:
    """The two periods of external evaluation of an authorisation: the first within
    ``premiere_avant`` of its start, the second before ``seconde_avant_fin`` of its
    end."""
    limite_premiere = fin_pour_duree(debut, premiere_avant)
    limite_seconde = fin - seconde_avant_fin
    periodes = [PeriodeEvaluation(1, debut, limite_premiere)]
    if limite_seconde > limite_premiere:
        periodes.append(PeriodeEvaluation(2, limite_premiere + UN_JOUR, limite_seconde))
    return periodes


def evaluations_manquantes(
    periodes: Sequence[PeriodeEvaluation], dates_evaluations: Iterable[datetime.date]
) -> list[PeriodeEvaluation]:
    """Periods with no external evaluation dated inside them."""
    dates = list(dates_evaluations)
    return [p for p in periodes if not any(p.debut <= d <= p.fin for d in dates)]


def chevauchent(
    debut_a: datetime.date,
    fin_a: datetime.date | None,
    debut_b: datetime.date,
    fin_b: datetime.date | None,
) -> bool:
    """Two periods (``None`` = open end) share at least one day."""
    return (fin_b is None or debut_a <= fin_b) and (fin_a is None or debut_b <= fin_a)
