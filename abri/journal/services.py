"""Recording of every write. Services call :func:`enregistrer` where data changes."""

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from abri.communs.erreurs import ModificationConcurrente
from abri.journal.models import Action, EntreeJournal


def valeur_journal(valeur: Any) -> Any:
    """A JSON-friendly, human-readable form of a field value."""
    if isinstance(valeur, models.Model):
        return str(valeur)
    if isinstance(valeur, datetime.datetime | datetime.date):
        return valeur.isoformat()
    if isinstance(valeur, Decimal):
        return str(valeur)
    return valeur


def instantane(obj: models.Model, champs: Iterable[str]) -> dict[str, Any]:
    """Values of ``champs`` on ``obj``, related objects as their text."""
    resultat = {}
    for champ in champs:
        field = obj._meta.get_field(champ)
        if field.is_relation and field.many_to_one:
            related_id = getattr(obj, f"{champ}_id")
            resultat[champ] = (
                str(getattr(obj, champ)) if related_id is not None else None
            )
        else:
            resultat[champ] = valeur_journal(getattr(obj, champ))
    return resultat


def differences(
    avant: Mapping[str, Any], apres: Mapping[str, Any]
) -> dict[str, list[Any]]:
    """``{champ: [avant, après]}`` for the fields whose value changed."""
    return {
        champ: [avant.get(champ), apres.get(champ)]
        for champ in apres
        if avant.get(champ) != apres.get(champ)
    }


def enregistrer(
    auteur: Any,
    action: Action | str,
    obj: models.Model,
    changements: Mapping[str, list[Any]] | None = None,
    *,
    commentaire: str = "",
    structure_id: int | None = None,
) -> EntreeJournal:
    from abri.operateurs.models import Contact, Operateur

    operateur_id = None
    if isinstance(obj, Operateur):
        operateur_id = obj.pk
    elif isinstance(obj, Contact):
        operateur_id = obj.operateur_id
    if structure_id is None:
        from abri.structures.models import Structure

        if isinstance(obj, Structure):
            structure_id = obj.pk
        else:
            structure_id = getattr(obj, "structure_id", None)
    auteur = auteur if getattr(auteur, "is_authenticated", False) else None
    return EntreeJournal.objects.create(
        auteur=auteur,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        libelle_objet=str(obj)[:250],
        structure_id=structure_id,
        operateur_id=operateur_id,
        version=getattr(obj, "version", None),
        changements=dict(changements or {}),
        commentaire=commentaire,
    )


def verifier_version(obj: models.Model, version: int) -> None:
    """Refuse a write based on ``version`` when ``obj`` has changed since.

    :class:`ModificationConcurrente` carries the journal entries written after that
    version, so that the second writer sees what changed."""
    actuelle = getattr(obj, "version")  # noqa: B009 - every versioned model has it
    if actuelle == version:
        return
    entrees = (
        EntreeJournal.objects.filter(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            version__gt=version,
        )
        .select_related("auteur", "content_type")
        .order_by("horodatage", "id")
    )
    raise ModificationConcurrente(
        actuelle,
        [
            {
                "auteur": str(e.auteur) if e.auteur else "Système",
                "horodatage": e.horodatage,
                "changements": e.changements_lisibles(),
            }
            for e in entrees
        ],
    )
