"""Reads of structures, always scoped to what the user may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet, Sum

from abri.comptes.models import Utilisateur
from abri.structures.models import (
    CHAMPS_CAPACITE,
    EvenementCapacite,
    Structure,
    StructureQuerySet,
)
from abri.structures.regles import Capacite

TRIS = {
    "nom": ("nom", "id"),
    "-nom": ("-nom", "-id"),
    "type": ("type", "nom", "id"),
    "departement": ("departement__rang", "nom", "id"),
    "operateur": ("operateur__nom", "nom", "id"),
    "places": ("places_autorisees_au", "nom", "id"),
    "-places": ("-places_autorisees_au", "nom", "id"),
    "-type": ("-type", "nom", "id"),
    "-operateur": ("-operateur__nom", "nom", "id"),
    "-departement": ("-departement__rang", "nom", "id"),
}


@dataclass(frozen=True)
class FiltresStructures:
    recherche: str = ""
    type: str = ""
    region: str = ""
    departement: str = ""
    operateur: int | None = None
    type_bati: str = ""
    public: str = ""
    tri: str = "nom"
    impossible: bool = False


def structures_visibles(user: Utilisateur) -> StructureQuerySet:
    return Structure.objects.for_user(user)


def structures_filtrees(
    user: Utilisateur, filtres: FiltresStructures, date: datetime.date | None = None
) -> StructureQuerySet:
    qs = structures_visibles(user)
    if filtres.impossible:
        qs = qs.none()
    if filtres.recherche:
        qs = qs.recherche(filtres.recherche)
    if filtres.type:
        qs = qs.filter(type=filtres.type)
    if filtres.region:
        qs = qs.filter(departement__region_id=filtres.region)
    if filtres.departement:
        qs = qs.filter(departement_id=filtres.departement)
    if filtres.operateur:
        qs = qs.filter(operateur_id=filtres.operateur)
    if filtres.type_bati:
        qs = qs.filter(type_bati=filtres.type_bati)
    if filtres.public:
        qs = qs.filter(public=filtres.public)
    return (
        qs.avec_capacite(date)
        .select_related("operateur", "departement", "commune")
        .order_by(*TRIS.get(filtres.tri, TRIS["nom"]))
    )


def structure_visible(user: Utilisateur, pk: int) -> Structure:
    """The structure, if the user may see it; ``Structure.DoesNotExist`` otherwise."""
    return (
        structures_visibles(user)
        .select_related("operateur", "departement__region", "commune")
        .get(pk=pk)
    )


def historique_capacite(structure: Structure) -> list[dict[str, Any]]:
    """Every event with the capacity it leaves, in order of effect."""
    cumul = {
        "places_autorisees": 0,
        "places_pmr": 0,
        "places_lgbt": 0,
        "places_fvv_teh": 0,
    }
    lignes = []
    evenements = (
        EvenementCapacite.objects.filter(structure=structure)
        .select_related("cree_par", "evenement_lie__structure")
        .order_by("date_effet", "id")
    )
    for evenement in evenements:
        for champ in cumul:
            cumul[champ] += getattr(evenement, champ)
        lignes.append(
            {"evenement": evenement, **{f"{c}_apres": v for c, v in cumul.items()}}
        )
    return lignes


def capacite_annotee(structure: Structure) -> Capacite:
    """The capacity that :meth:`StructureQuerySet.avec_capacite` annotated."""
    return Capacite(*(getattr(structure, f"{champ}_au") for champ in CHAMPS_CAPACITE))


def places_autorisees(structures: QuerySet[Structure], date: datetime.date) -> int:
    """Authorised places of these structures on ``date``, summed by the database."""
    total = EvenementCapacite.objects.filter(
        structure__in=structures, date_effet__lte=date
    ).aggregate(total=Sum("places_autorisees"))["total"]
    return total or 0
