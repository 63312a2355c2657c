"""The daily digest of deadlines: each State agent receives by email what became
urgent or important in their perimeter since the last digest.

Idempotent: what was sent is recorded (:class:`EnvoiEcheance`, one row per agent,
deadline and criticality), so that a second run on the same day sends nothing, and a
deadline that was important and becomes urgent is sent once more.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string

from abri.comptes.models import ROLES_AGENTS, Utilisateur
from abri.conventions import echeances, regles
from abri.conventions.models import Acte, Cpom, EnvoiEcheance

logger = logging.getLogger(__name__)

CRITICITES_SIGNALEES = (regles.URGENT, regles.IMPORTANT)


@dataclass(frozen=True)
class BilanRappels:
    destinataires: int
    echeances: int


def url_publique(url: str | None = None) -> str:
    """The address of the service the emails link to, ending with ``/``:
    ``url`` when given, else the setting ``ABRI_URL_PUBLIQUE``."""
    adresse = (url or settings.ABRI_URL_PUBLIQUE).strip()
    return adresse if adresse.endswith("/") else adresse + "/"


def envoyer_rappels(
    aujourdhui: datetime.date, *, dry_run: bool = False, url: str | None = None
) -> BilanRappels:
    """Send each agent the deadlines of their perimeter not yet sent at this
    criticality. Deadlines are computed once for the whole park, then filtered
    by each agent's perimeter. The links point to ``url`` (the setting
    ``ABRI_URL_PUBLIQUE`` by default)."""
    adresse = url_publique(url)
    toutes = [
        e
        for e in echeances.calculer_echeances(
            Acte.objects.all(), Cpom.objects.all(), aujourdhui
        )
        if e.criticite in CRITICITES_SIGNALEES
    ]
    deja = set(EnvoiEcheance.objects.values_list("utilisateur_id", "cle", "criticite"))
    agents = (
        Utilisateur.objects.filter(is_active=True, role__in=ROLES_AGENTS)
        .exclude(email="")
        .order_by("id")
    )
    destinataires = envoyees = 0
    for agent in agents:
        nouvelles = [
            e
            for e in toutes
            if (agent.pk, e.cle, e.criticite) not in deja
            and e.visible_par(agent.perimetre)
        ]
        if not nouvelles:
            continue
        destinataires += 1
        envoyees += len(nouvelles)
        if dry_run:
            continue
        with transaction.atomic():
            EnvoiEcheance.objects.bulk_create(
                [
                    EnvoiEcheance(
                        utilisateur=agent,
                        cle=e.cle,
                        criticite=e.criticite,
                        envoye_le=aujourdhui,
                    )
                    for e in nouvelles
                ],
                ignore_conflicts=True,
            )
            _envoyer(agent, nouvelles, aujourdhui, adresse)
    logger.info("deadline digest: %s deadlines to %s agents", envoyees, destinataires)
    return BilanRappels(destinataires, envoyees)


def _envoyer(
    agent: Utilisateur,
    nouvelles: list[echeances.Echeance],
    aujourdhui: datetime.date,
    adresse: str,
) -> None:
    urgentes = [e for e in nouvelles if e.criticite == regles.URGENT]
    importantes = [e for e in nouvelles if e.criticite == regles.IMPORTANT]
    corps = render_to_string(
        "conventions/rappel.txt",
        {
            "agent": agent,
            "urgentes": urgentes,
            "importantes": importantes,
            "date": aujourdhui,
            "url": adresse,
        },
    )
    EmailMessage(
        subject=f"abri — {len(urgentes)} échéance(s) urgente(s), "
        f"{len(importantes)} importante(s)",
        body=corps,
        to=[agent.email],
    ).send()
