"""What the services of acts share: fields, checks of dates and durations."""

from __future__ import annotations

import datetime
import logging

from abri.communs.erreurs import ErreurMetier
from abri.conventions import regles
from abri.conventions.models import (
    Acte,
    Cpom,
)
from abri.structures.models import Structure

logger = logging.getLogger(__name__)


CHAMPS_ACTE = (
    "nature",
    "nature_autre",
    "reference",
    "date_debut",
    "date_fin",
    "objet",
    "places",
    "dotation",
    "date_ouverture",
)
CHAMPS_AVENANT = (
    "reference",
    "date_debut",
    "objet",
    "champs_amendes",
    "nouvelle_date_fin",
    "places",
    "dotation",
)
CHAMPS_CPOM = (
    "intitule",
    "reference",
    "echelle",
    "region",
    "date_debut",
    "date_fin",
    "dotation",
)

Objet = Acte | Cpom


def durees_maximales() -> regles.DureesMaximales:
    return regles.DureesMaximales()


def actualiser_anomalies(structures: list[Structure] | list[int]) -> None:
    from abri.pilotage.services import recalculer_anomalies

    ids = [s if isinstance(s, int) else s.pk for s in structures]
    if ids:
        recalculer_anomalies(list(Structure.objects.filter(pk__in=ids)))


def type_structure(obj: Objet) -> str | None:
    """Type of the act's structure (``None`` for a CPOM and its avenants)."""
    if isinstance(obj, Acte) and obj.structure is not None:
        return obj.structure.type
    return None


def nature_de(obj: Objet) -> str:
    return obj.nature if isinstance(obj, Acte) else "cpom"


def _structures_de(obj: Objet) -> list[int]:
    if isinstance(obj, Acte):
        if obj.structure_id:
            return [obj.structure_id]
        if obj.cpom is None:
            return []
        obj = obj.cpom
    return list(obj.adhesions.values_list("structure_id", flat=True).distinct())


def _verifier_dates(debut: datetime.date | None, fin: datetime.date | None) -> None:
    if debut is None:
        raise ErreurMetier("Indiquez la date de début.", "date_debut")
    if fin is not None and fin < debut:
        raise ErreurMetier(
            "La date de fin précède la date de début : un acte commence avant de "
            "finir.",
            "date_fin",
        )


def _verifier_duree(
    nature: str,
    type_structure: str | None,
    debut: datetime.date,
    fin: datetime.date | None,
) -> None:
    maximum = regles.duree_maximale(nature, type_structure, durees_maximales())
    if maximum is None or fin is None:
        return
    if regles.depasse_duree(debut, fin, maximum):
        limite = regles.fin_pour_duree(debut, maximum)
        raise ErreurMetier(
            f"Cet acte dure {regles.duree_lisible(debut, fin)} : au plus "
            f"{maximum.years} an{'s' if maximum.years > 1 else ''} pour ce type, soit "
            f"une fin au plus tard le {limite:%d/%m/%Y}.",
            "date_fin",
        )
