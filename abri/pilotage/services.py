"""Writes of the steering part: stored results of the data-quality rules."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from abri.communs.erreurs import ErreurMetier
from abri.communs.verrou import verrou_exclusif
from abri.comptes.models import ROLES_AGENTS
from abri.journal.models import Action
from abri.journal.services import enregistrer
from abri.pilotage.models import Anomalie
from abri.pilotage.regles_qualite import REGLES, contextes
from abri.structures.models import Structure

logger = logging.getLogger(__name__)


def recalculer_anomalies(
    structures: Iterable[Structure] | None = None, date: datetime.date | None = None
) -> dict[str, int]:
    """Run every rule on the structures (all by default) and store the findings.

    A finding that still stands keeps its justification; one that no longer stands is
    removed; a new one is added. Idempotent: running it twice changes nothing.
    """
    compteurs = {"creees": 0, "supprimees": 0, "maintenues": 0}
    with transaction.atomic():
        if structures is None:
            verrou_exclusif("recalculer-anomalies")
        for contexte in contextes(structures, date):
            trouves = {
                (regle.code, constat.cle): constat.message
                for regle in REGLES.values()
                for constat in regle.constats(contexte)
            }
            _mettre_a_jour(contexte.structure_id, trouves, compteurs)
    logger.info("data-quality rules recomputed: %s", compteurs)
    return compteurs


def _mettre_a_jour(
    structure_id: int, trouves: dict[tuple[str, str], str], compteurs: dict[str, int]
) -> None:
    existantes = {
        (a.regle, a.cle): a for a in Anomalie.objects.filter(structure_id=structure_id)
    }
    obsoletes = [a.pk for cle, a in existantes.items() if cle not in trouves]
    if obsoletes:
        Anomalie.objects.filter(pk__in=obsoletes).delete()
        compteurs["supprimees"] += len(obsoletes)
    nouvelles = []
    for (code, cle), message in trouves.items():
        anomalie = existantes.get((code, cle))
        if anomalie is None:
            nouvelles.append(
                Anomalie(
                    structure_id=structure_id, regle=code, cle=cle, message=message
                )
            )
            continue
        compteurs["maintenues"] += 1
        if anomalie.message != message:
            Anomalie.objects.filter(pk=anomalie.pk).update(message=message)
    Anomalie.objects.bulk_create(nouvelles)
    compteurs["creees"] += len(nouvelles)


def peut_justifier(user: Any) -> bool:
    return user.is_authenticated and user.role in ROLES_AGENTS


def justifier_anomalie(
    auteur: Any, anomalie_id: int, justification: str, justifiee: bool = True
) -> Anomalie:
    """Mark a finding as justified (or not any more), with the agent's comment."""
    justification = justification.strip()
    if not peut_justifier(auteur):
        raise ErreurMetier("Seuls les agents de l'État justifient un constat.")
    if justifiee and not justification:
        raise ErreurMetier(
            "Expliquez pourquoi ce constat est justifié.", "justification"
        )
    with transaction.atomic():
        anomalie = (
            Anomalie.objects.for_user(auteur)
            .select_for_update()
            .select_related("structure")
            .get(pk=anomalie_id)
        )
        avant = [anomalie.justifiee, anomalie.justification]
        anomalie.justifiee = justifiee
        anomalie.justification = justification if justifiee else ""
        anomalie.justifiee_par = auteur if justifiee else None
        anomalie.justifiee_le = timezone.now() if justifiee else None
        anomalie.save()
        enregistrer(
            auteur,
            Action.JUSTIFICATION,
            anomalie,
            {
                "justifiee": [avant[0], anomalie.justifiee],
                "justification": [avant[1], anomalie.justification],
            },
            structure_id=anomalie.structure_id,
        )
    return anomalie
