"""Figures of the steering pages, computed by the database in the user's perimeter."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from abri.comptes.models import Utilisateur
from abri.pilotage.models import Anomalie
from abri.structures.models import EvenementCapacite, Structure, TypeStructure


@dataclass(frozen=True)
class LigneType:
    type: str
    structures: int
    places_autorisees: int
    places_pmr: int
    places_lgbt: int
    places_fvv_teh: int


def _evenements_visibles(user: Utilisateur, date: datetime.date) -> QuerySet:
    evenements = EvenementCapacite.objects.filter(date_effet__lte=date).order_by()
    if user.perimetre.est_national:
        # Every structure: "structure IN (all structures)" would only cost a pass.
        return evenements
    return evenements.filter(structure__in=Structure.objects.for_user(user))


def _structures_existantes(user: Utilisateur, date: datetime.date) -> QuerySet:
    """Structures of the perimeter whose capacity has begun by ``date``."""
    return Structure.objects.for_user(user).filter(
        Exists(
            EvenementCapacite.objects.filter(
                structure=OuterRef("pk"), date_effet__lte=date
            )
        )
    )


def chiffres_par_type(user: Utilisateur, date: datetime.date) -> list[LigneType]:
    """Structures and places in force on ``date`` by type, in two queries."""
    nombres = dict(
        _structures_existantes(user, date)
        .order_by()
        .values("type")
        .annotate(n=Count("id"))
        .values_list("type", "n")
    )
    places = {
        ligne["structure__type"]: ligne
        for ligne in _evenements_visibles(user, date)
        .values("structure__type")
        .annotate(
            autorisees=Sum("places_autorisees"),
            pmr=Sum("places_pmr"),
            lgbt=Sum("places_lgbt"),
            fvv_teh=Sum("places_fvv_teh"),
        )
    }
    lignes = []
    for type_structure in TypeStructure.values:
        p = places.get(type_structure, {})
        lignes.append(
            LigneType(
                type=type_structure,
                structures=nombres.get(type_structure, 0),
                places_autorisees=p.get("autorisees") or 0,
                places_pmr=p.get("pmr") or 0,
                places_lgbt=p.get("lgbt") or 0,
                places_fvv_teh=p.get("fvv_teh") or 0,
            )
        )
    return lignes


def places_par_departement(user: Utilisateur, date: datetime.date) -> dict[str, int]:
    return dict(
        _evenements_visibles(user, date)
        .values("structure__departement")
        .annotate(total=Sum("places_autorisees"))
        .values_list("structure__departement", "total")
    )


def structures_par_departement(
    user: Utilisateur, date: datetime.date
) -> dict[str, int]:
    return dict(
        _structures_existantes(user, date)
        .order_by()
        .values("departement")
        .annotate(n=Count("id"))
        .values_list("departement", "n")
    )


@dataclass(frozen=True)
class FiltresAnomalies:
    regle: str = ""
    region: str = ""
    departement: str = ""
    statut: str = ""  # "", "a_traiter", "justifiees"


def anomalies_filtrees(
    user: Utilisateur, filtres: FiltresAnomalies
) -> QuerySet[Anomalie]:
    qs = Anomalie.objects.for_user(user).select_related(
        "structure__departement", "structure__operateur", "justifiee_par"
    )
    if filtres.regle:
        qs = qs.filter(regle=filtres.regle)
    if filtres.region:
        qs = qs.filter(structure__departement__region_id=filtres.region)
    if filtres.departement:
        qs = qs.filter(structure__departement_id=filtres.departement)
    if filtres.statut == "a_traiter":
        qs = qs.filter(justifiee=False)
    elif filtres.statut == "justifiees":
        qs = qs.filter(justifiee=True)
    return qs.order_by("regle", "structure__departement__rang", "structure__nom", "id")


def anomalies_par_regle(user: Utilisateur) -> dict[str, dict[str, Any]]:
    return {
        ligne["regle"]: dict(ligne)
        for ligne in Anomalie.objects.for_user(user)
        .order_by()
        .values("regle")
        .annotate(total=Count("id"), justifiees=Count("id", filter=Q(justifiee=True)))
    }
