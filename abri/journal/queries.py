"""Reads of the journal. An object's history is shown to whoever may see the object;
the whole journal is searched by national administrators only."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet

from abri.journal.models import EntreeJournal


def journal_de_structure(structure: models.Model) -> QuerySet[EntreeJournal]:
    """Entries about the structure and about its addresses, events and findings."""
    return EntreeJournal.objects.filter(structure_id=structure.pk).select_related(
        "auteur", "content_type"
    )


def journal_operateur(operateur: models.Model) -> QuerySet[EntreeJournal]:
    """Entries about the operator and about its contacts."""
    return EntreeJournal.objects.filter(operateur_id=operateur.pk).select_related(
        "auteur", "content_type"
    )


def journal_objet(obj: models.Model) -> QuerySet[EntreeJournal]:
    return EntreeJournal.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("auteur", "content_type")


@dataclass(frozen=True)
class FiltresJournal:
    texte: str = ""
    auteur: str = ""
    action: str = ""
    du: datetime.date | None = None
    au: datetime.date | None = None


def rechercher(filtres: FiltresJournal) -> QuerySet[EntreeJournal]:
    qs = EntreeJournal.objects.select_related("auteur", "content_type")
    if filtres.texte:
        qs = qs.filter(
            Q(libelle_objet__icontains=filtres.texte)
            | Q(commentaire__icontains=filtres.texte)
        )
    if filtres.auteur:
        qs = qs.filter(auteur__email__icontains=filtres.auteur)
    if filtres.action:
        qs = qs.filter(action=filtres.action)
    if filtres.du:
        qs = qs.filter(horodatage__date__gte=filtres.du)
    if filtres.au:
        qs = qs.filter(horodatage__date__lte=filtres.au)
    return qs
