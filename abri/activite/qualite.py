"""Data-quality rules on the monthly occupancy.

They read the latest month of a structure that is at most
``ABRI_ACTIVITE_ANCIENNETE_MAX_MOIS`` months before the date of the computation (an
older month says nothing about today), loaded for a batch of structures by the
collector below.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from django.conf import settings

from abri.activite import queries, regles
from abri.activite.models import ActiviteMensuelle
from abri.activite.regles import LIBELLES_SEUILS, Places
from abri.pilotage.regles_qualite import Constat, ContexteStructure, collecteur, regle
from abri.structures.models import EvenementCapacite

CATEGORIE_ACTIVITE = "Activité"


@dataclass(frozen=True)
class MoisRecent:
    mois: datetime.date
    places: Places
    places_autorisees: int  # of the park, on the last day of the month


@collecteur("activite")
def collecter(ids: list[int], date: datetime.date) -> Mapping[int, MoisRecent]:
    """The latest recent month of each structure, and its authorised places then;
    three queries whatever the number of structures."""
    dernier = regles.premier_du_mois(date)
    premier = regles.ajouter_mois(dernier, -settings.ABRI_ACTIVITE_ANCIENNETE_MAX_MOIS)
    activites: dict[int, ActiviteMensuelle] = {}
    for activite in ActiviteMensuelle.objects.filter(
        structure_id__in=ids, mois__gte=premier, mois__lte=dernier
    ).order_by("structure_id", "mois"):
        activites[activite.structure_id] = activite
    if not activites:
        return {}
    fins = {sid: regles.dernier_jour(a.mois) for sid, a in activites.items()}
    autorisees: dict[int, int] = dict.fromkeys(activites, 0)
    for structure_id, date_effet, places in EvenementCapacite.objects.filter(
        structure_id__in=list(activites), date_effet__lte=regles.dernier_jour(dernier)
    ).values_list("structure_id", "date_effet", "places_autorisees"):
        if date_effet <= fins[structure_id]:
            autorisees[structure_id] += places
    return {
        sid: MoisRecent(a.mois, a.places, autorisees[sid])
        for sid, a in activites.items()
    }


def _mois_recent(contexte: ContexteStructure) -> MoisRecent | None:
    return contexte.donnees.get("activite")


def _constat_seuil(contexte: ContexteStructure, cle: str) -> Iterator[Constat]:
    recent = _mois_recent(contexte)
    if recent is None:
        return
    seuil = getattr(queries.seuils(), cle)
    for depasse, taux in regles.seuils_depasses(recent.places, queries.seuils()):
        if depasse == cle:
            yield Constat(
                f"{regles.libelle_mois(recent.mois).capitalize()} : "
                f"{_pourcentage(taux)} de {LIBELLES_SEUILS[cle]} (seuil "
                f"{_pourcentage(seuil)})."
            )


def _pourcentage(part: object) -> str:
    from abri.ui.templatetags.abri_format import pourcentage

    return pourcentage(part)  # type: ignore[arg-type]


@regle("ACT-01", "Places indisponibles au-delà du seuil", CATEGORIE_ACTIVITE)
def indisponibilite_excessive(contexte: ContexteStructure) -> Iterator[Constat]:
    yield from _constat_seuil(contexte, "indisponibilite")


@regle(
    "ACT-02", "Réfugiés (BPI) en présence indue au-delà du seuil", CATEGORIE_ACTIVITE
)
def bpi_excessifs(contexte: ContexteStructure) -> Iterator[Constat]:
    yield from _constat_seuil(contexte, "bpi")


@regle("ACT-03", "Déboutés en présence indue au-delà du seuil", CATEGORIE_ACTIVITE)
def deboutes_excessifs(contexte: ContexteStructure) -> Iterator[Constat]:
    yield from _constat_seuil(contexte, "deboutes")


@regle("ACT-04", "Présences indues au-delà du seuil", CATEGORIE_ACTIVITE)
def presences_indues_excessives(contexte: ContexteStructure) -> Iterator[Constat]:
    yield from _constat_seuil(contexte, "presences_indues")


@regle(
    "ACT-05",
    "Capacité du fichier d'occupation différente des places autorisées",
    CATEGORIE_ACTIVITE,
)
def capacite_differente(contexte: ContexteStructure) -> Iterator[Constat]:
    recent = _mois_recent(contexte)
    if recent is None or recent.places.capacite == recent.places_autorisees:
        return
    yield Constat(
        f"{regles.libelle_mois(recent.mois).capitalize()} : capacité de "
        f"{recent.places.capacite} places dans le fichier d'occupation, "
        f"{recent.places_autorisees} places autorisées dans le parc."
    )


@regle(
    "ACT-06",
    "Plus de places occupées que de places disponibles",
    CATEGORIE_ACTIVITE,
)
def suroccupation(contexte: ContexteStructure) -> Iterator[Constat]:
    recent = _mois_recent(contexte)
    if recent is None or not recent.places.suroccupees:
        return
    yield Constat(
        f"{regles.libelle_mois(recent.mois).capitalize()} : "
        f"{recent.places.occupees} places occupées pour "
        f"{recent.places.disponibles} places disponibles (capacité moins places "
        "indisponibles)."
    )
