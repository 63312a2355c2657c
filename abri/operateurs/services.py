"""Every write on operators, journaled."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from abri.communs.erreurs import ErreurMetier
from abri.journal.models import Action
from abri.journal.services import (
    differences,
    enregistrer,
    instantane,
    verifier_version,
)
from abri.operateurs.models import Contact, Operateur
from abri.operateurs.regles import normaliser_siret, siret_valide

CHAMPS_OPERATEUR = ("nom", "siret", "adresse_siege", "code_postal_siege", "groupe")


def _verifier_siret(siret: str | None) -> str | None:
    if not siret:
        return None
    siret = normaliser_siret(siret)
    if not siret_valide(siret):
        raise ErreurMetier(
            f"Le SIRET {siret} n'est pas valide (14 chiffres et clé de contrôle).",
            "siret",
        )
    return siret


def _verifier_groupe(operateur: Operateur, groupe: Operateur | None) -> None:
    parent = groupe
    while parent is not None:
        if parent.pk == operateur.pk:
            raise ErreurMetier(
                "Un opérateur ne peut pas être le groupe de son propre groupe.",
                "groupe",
            )
        parent = parent.groupe


def creer_operateur(
    auteur: Any, donnees: Mapping[str, Any], *, commentaire: str = ""
) -> Operateur:
    with transaction.atomic():
        operateur = Operateur(
            **{c: donnees[c] for c in CHAMPS_OPERATEUR if c in donnees}
        )
        operateur.siret = _verifier_siret(operateur.siret)
        operateur.full_clean(exclude=["nom_recherche"])
        operateur.save()
        enregistrer(
            auteur,
            Action.CREATION,
            operateur,
            differences({}, instantane(operateur, CHAMPS_OPERATEUR)),
            commentaire=commentaire,
        )
    return operateur


def renseigner_siret(
    auteur: Any, operateur_id: int, siret: str, *, commentaire: str = ""
) -> Operateur:
    """Give its SIRET to an operator that had none (an import learns it)."""
    with transaction.atomic():
        operateur = Operateur.objects.select_for_update().get(pk=operateur_id)
        if operateur.siret:
            raise ErreurMetier(
                f"Le SIRET de l'opérateur « {operateur.nom} » a été renseigné "
                "entre-temps."
            )
        operateur.siret = _verifier_siret(siret)
        operateur.version += 1
        operateur.full_clean(exclude=["nom_recherche"])
        operateur.save()
        enregistrer(
            auteur,
            Action.MODIFICATION,
            operateur,
            {"siret": [None, operateur.siret]},
            commentaire=commentaire,
        )
    return operateur


def modifier_operateur(
    auteur: Any, operateur_id: int, donnees: Mapping[str, Any], version: int
) -> Operateur:
    with transaction.atomic():
        operateur = Operateur.objects.select_for_update().get(pk=operateur_id)
        verifier_version(operateur, version)
        avant = instantane(operateur, CHAMPS_OPERATEUR)
        for champ in CHAMPS_OPERATEUR:
            if champ in donnees:
                setattr(operateur, champ, donnees[champ])
        operateur.siret = _verifier_siret(operateur.siret)
        _verifier_groupe(operateur, operateur.groupe)
        changements = differences(avant, instantane(operateur, CHAMPS_OPERATEUR))
        if not changements:
            return operateur
        operateur.version += 1
        operateur.save()
        enregistrer(auteur, Action.MODIFICATION, operateur, changements)
    return operateur


def ajouter_contact(
    auteur: Any, operateur: Operateur, donnees: Mapping[str, str]
) -> Contact:
    with transaction.atomic():
        contact = Contact.objects.create(operateur=operateur, **donnees)
        enregistrer(
            auteur,
            Action.CREATION,
            contact,
            differences(
                {}, instantane(contact, ("nom", "fonction", "email", "telephone"))
            ),
        )
    return contact


def supprimer_contact(auteur: Any, contact: Contact) -> None:
    with transaction.atomic():
        avant = instantane(contact, ("nom", "fonction", "email", "telephone"))
        enregistrer(
            auteur,
            Action.SUPPRESSION,
            contact,
            differences(avant, dict.fromkeys(avant)),
        )
        contact.delete()
