"""CPOM, their members over time, and evaluations of structures."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from abri.communs.erreurs import ErreurMetier
from abri.comptes.droits import peut_gerer_actes
from abri.conventions import regles
from abri.conventions.models import (
    AdhesionCpom,
    Cpom,
    Evaluation,
)
from abri.conventions.services.commun import (
    CHAMPS_CPOM,
    _verifier_dates,
    _verifier_duree,
    actualiser_anomalies,
)
from abri.journal.models import Action
from abri.journal.services import (
    differences,
    enregistrer,
    instantane,
    valeur_journal,
)
from abri.operateurs.models import Operateur
from abri.structures.models import Structure

logger = logging.getLogger(__name__)


# CPOM ---------------------------------------------------------------------------------


def creer_cpom(
    auteur: Any, operateur: Operateur, donnees: Mapping[str, Any], departements: list
) -> Cpom:
    if not peut_gerer_actes(auteur):
        raise ErreurMetier("Seuls les agents de l'État concluent un CPOM.")
    _verifier_dates(donnees.get("date_debut"), donnees.get("date_fin"))
    if donnees.get("date_fin") is None:
        raise ErreurMetier("Indiquez la date de fin.", "date_fin")
    _verifier_duree("cpom", None, donnees["date_debut"], donnees["date_fin"])
    if not departements:
        raise ErreurMetier("Un CPOM couvre au moins un département.", "departements")
    with transaction.atomic():
        cpom = Cpom(
            operateur=operateur,
            cree_par=auteur if getattr(auteur, "is_authenticated", False) else None,
            **{c: donnees[c] for c in CHAMPS_CPOM if c in donnees},
        )
        cpom.full_clean(exclude=["cree_par", "etat", "departements"])
        cpom.save()
        cpom.departements.set(departements)
        enregistrer(
            auteur,
            Action.CREATION,
            cpom,
            differences({}, instantane(cpom, CHAMPS_CPOM)),
        )
    return cpom


def adhesions_en_conflit(
    structure_id: int,
    debut: datetime.date,
    fin: datetime.date | None,
    sauf: int | None = None,
) -> list[AdhesionCpom]:
    autres = AdhesionCpom.objects.filter(structure_id=structure_id).select_related(
        "cpom"
    )
    if sauf is not None:
        autres = autres.exclude(pk=sauf)
    return [
        a
        for a in autres
        if regles.chevauchent(debut, fin, a.date_entree, a.date_sortie)
    ]


def ajouter_structure_cpom(
    auteur: Any,
    cpom: Cpom,
    structure: Structure,
    date_entree: datetime.date,
    date_sortie: datetime.date | None = None,
) -> AdhesionCpom:
    """A structure of the operator (or of its subsidiaries) joins the CPOM; never in
    two CPOM on one date."""
    from abri.comptes.perimetre import operateur_et_filiales

    if not peut_gerer_actes(auteur):
        raise ErreurMetier("Seuls les agents de l'État modifient un CPOM.")
    if structure.operateur_id not in operateur_et_filiales(cpom.operateur_id):
        raise ErreurMetier(
            f"{structure} n'est pas gérée par {cpom.operateur} : un CPOM lie un seul "
            "opérateur.",
            "structure",
        )
    if not cpom.departements.filter(pk=structure.departement_id).exists():
        raise ErreurMetier(
            f"{structure} est hors des départements du CPOM.", "structure"
        )
    if date_sortie is not None and date_sortie < date_entree:
        raise ErreurMetier("La sortie précède l'entrée.", "date_sortie")
    with transaction.atomic():
        Structure.objects.select_for_update().filter(pk=structure.pk).first()
        conflits = adhesions_en_conflit(structure.pk, date_entree, date_sortie)
        if conflits:
            autre = conflits[0]
            raise ErreurMetier(
                f"{structure} est déjà dans {autre.cpom} à partir du "
                f"{autre.date_entree:%d/%m/%Y} : une structure n'est jamais dans deux "
                "CPOM à la même date.",
                "date_entree",
            )
        adhesion = AdhesionCpom.objects.create(
            cpom=cpom,
            structure=structure,
            date_entree=date_entree,
            date_sortie=date_sortie,
        )
        enregistrer(
            auteur,
            Action.MODIFICATION,
            cpom,
            {
                "structures du CPOM": [
                    None,
                    f"{structure} entre le {date_entree:%d/%m/%Y}",
                ]
            },
            commentaire=f"{structure} entre dans {cpom}",
            structure_id=structure.pk,
        )
        actualiser_anomalies([structure.pk])
    return adhesion


def retirer_structure_cpom(
    auteur: Any, adhesion: AdhesionCpom, date_sortie: datetime.date
) -> AdhesionCpom:
    if not peut_gerer_actes(auteur):
        raise ErreurMetier("Seuls les agents de l'État modifient un CPOM.")
    if date_sortie < adhesion.date_entree:
        raise ErreurMetier("La sortie précède l'entrée.", "date_sortie")
    with transaction.atomic():
        avant = adhesion.date_sortie
        adhesion.date_sortie = date_sortie
        adhesion.save(update_fields=["date_sortie"])
        enregistrer(
            auteur,
            Action.MODIFICATION,
            adhesion.cpom,
            {
                "structures du CPOM": [
                    valeur_journal(avant),
                    f"{adhesion.structure} sort le {date_sortie:%d/%m/%Y}",
                ]
            },
            structure_id=adhesion.structure_id,
        )
        actualiser_anomalies([adhesion.structure_id])
    return adhesion


def enregistrer_evaluation(
    auteur: Any, structure: Structure, date: datetime.date, nature: str
) -> Evaluation:
    if not peut_gerer_actes(auteur):
        raise ErreurMetier("Seuls les agents de l'État enregistrent une évaluation.")
    with transaction.atomic():
        evaluation = Evaluation(structure=structure, date=date, nature=nature)
        evaluation.full_clean()
        evaluation.save()
        enregistrer(
            auteur,
            Action.CREATION,
            evaluation,
            differences({}, instantane(evaluation, ("date", "nature"))),
            structure_id=structure.pk,
        )
        actualiser_anomalies([structure.pk])
    return evaluation
