"""Drafting acts and avenants."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from abri.communs.erreurs import ErreurMetier
from abri.conventions.models import (
    Acte,
    ChampAmende,
    Cpom,
    Etat,
    NatureActe,
)
from abri.conventions.services.commun import (
    CHAMPS_ACTE,
    CHAMPS_AVENANT,
    Objet,
    _structures_de,
    _verifier_dates,
    _verifier_duree,
    actualiser_anomalies,
    nature_de,
    type_structure,
)
from abri.journal.models import Action
from abri.journal.services import (
    differences,
    enregistrer,
    instantane,
    verifier_version,
)
from abri.structures.models import Structure

logger = logging.getLogger(__name__)


def creer_acte(
    auteur: Any,
    structure: Structure,
    donnees: Mapping[str, Any],
    *,
    controler_duree: bool = True,
    commentaire: str = "",
    repris: bool = False,
) -> Acte:
    """Draft an act of a structure (an avenant is :func:`creer_avenant`).

    ``repris=True`` is for acts taken over from the past as they are (imports): they
    are recorded as signed, their dates unchecked, so that their durations and
    periods become findings of the data-quality rules."""
    nature = donnees.get("nature")
    if nature not in NatureActe.values or nature == NatureActe.AVENANT:
        raise ErreurMetier("Choisissez la nature de l'acte.", "nature")
    if donnees.get("date_debut") is None:
        raise ErreurMetier("Indiquez la date de début.", "date_debut")
    if not repris:
        _verifier_dates(donnees.get("date_debut"), donnees.get("date_fin"))
    if nature != NatureActe.AUTRE and donnees.get("date_fin") is None:
        raise ErreurMetier("Indiquez la date de fin.", "date_fin")
    if controler_duree and not repris:
        _verifier_duree(
            nature, structure.type, donnees["date_debut"], donnees["date_fin"]
        )
    with transaction.atomic():
        acte = Acte(
            structure=structure,
            cree_par=auteur if getattr(auteur, "is_authenticated", False) else None,
            **{c: donnees[c] for c in CHAMPS_ACTE if c in donnees},
        )
        if repris:
            acte.etat = Etat.SIGNEE
        acte.full_clean(exclude=["cree_par", "etat"])
        acte.save()
        enregistrer(
            auteur,
            Action.CREATION,
            acte,
            differences({}, instantane(acte, CHAMPS_ACTE)),
            commentaire=commentaire,
        )
        actualiser_anomalies([structure.pk])
    logger.info("act %s created by user %s", acte.pk, getattr(auteur, "pk", None))
    return acte


def modifier_acte(
    auteur: Any, acte_id: int, donnees: Mapping[str, Any], version: int
) -> Acte:
    """Change a draft; a sent or signed act changes only by an avenant."""
    with transaction.atomic():
        acte = (
            Acte.objects.select_for_update().select_related("structure").get(pk=acte_id)
        )
        verifier_version(acte, version)
        if acte.etat != Etat.BROUILLON:
            raise ErreurMetier(
                "Seul un brouillon se modifie : un acte envoyé ou signé change par "
                "avenant."
            )
        champs: tuple[str, ...] = tuple(
            c
            for c in (
                CHAMPS_AVENANT if acte.nature == NatureActe.AVENANT else CHAMPS_ACTE
            )
            if c != "nature"
        )
        avant = instantane(acte, champs)
        for champ in champs:
            if champ in donnees:
                setattr(acte, champ, donnees[champ])
        fin = (
            acte.nouvelle_date_fin
            if acte.nature == NatureActe.AVENANT
            else acte.date_fin
        )
        _verifier_dates(
            acte.date_debut, fin if acte.nature != NatureActe.AVENANT else None
        )
        if acte.nature != NatureActe.AVENANT:
            _verifier_duree(
                acte.nature, type_structure(acte), acte.date_debut, acte.date_fin
            )
        changements = differences(avant, instantane(acte, champs))
        if not changements:
            return acte
        acte.full_clean(exclude=["cree_par", "etat"])
        acte.version += 1
        acte.save()
        enregistrer(auteur, Action.MODIFICATION, acte, changements)
        actualiser_anomalies(_structures_de(acte))
    return acte


# the value each amended clause brings, and the field that holds it
VALEURS_CLAUSES = {
    ChampAmende.DATE_FIN: ("nouvelle_date_fin", "Indiquez la nouvelle date de fin."),
    ChampAmende.PLACES: ("places", "Indiquez la nouvelle capacité."),
    ChampAmende.DOTATION: ("dotation", "Indiquez la nouvelle dotation."),
    ChampAmende.CLAUSE: ("objet", "Décrivez la clause modifiée dans l'objet."),
}


def _vide(valeur: Any) -> bool:
    return valeur is None or (isinstance(valeur, str) and not valeur.strip())


def _verifier_clauses(champs: list[str], donnees: Mapping[str, Any]) -> None:
    """Each ticked clause brings its new value, and no value comes without its
    clause ticked (it would be dropped without a word)."""
    for clause, (champ, message) in VALEURS_CLAUSES.items():
        if clause in champs and _vide(donnees.get(champ)):
            raise ErreurMetier(message, champ)
        if (
            clause != ChampAmende.CLAUSE
            and clause not in champs
            and not _vide(donnees.get(champ))
        ):
            raise ErreurMetier(
                f"Une valeur est donnée sans que « {clause.label} » soit cochée : "
                "cochez-la ou videz le champ.",
                champ,
            )


def _verifier_date_effet(
    parent: Objet, effet: datetime.date, nouvelle_fin: datetime.date | None
) -> None:
    """The avenant takes effect within its parent's period (up to its new end
    when it extends it)."""
    fin = nouvelle_fin or parent.date_fin_effective
    if effet < parent.date_debut or (fin is not None and effet > fin):
        periode = f"du {parent.date_debut:%d/%m/%Y}" + (
            f" au {fin:%d/%m/%Y}" if fin is not None else ""
        )
        raise ErreurMetier(
            "La date d'effet doit tomber dans la période de l'acte amendé "
            f"({periode}).",
            "date_debut",
        )


def creer_avenant(auteur: Any, parent: Objet, donnees: Mapping[str, Any]) -> Acte:
    """Draft an avenant of an act or a CPOM, listing the clauses it amends. Once
    signed, its new end date becomes the effective end of its parent."""
    champs = list(donnees.get("champs_amendes") or [])
    if not champs or set(champs) - set(ChampAmende.values):
        raise ErreurMetier("Indiquez ce que l'avenant modifie.", "champs_amendes")
    if isinstance(parent, Acte) and parent.nature not in {
        NatureActe.CONVENTION,
        NatureActe.AUTORISATION,
    }:
        raise ErreurMetier(
            "Seules une convention, une autorisation ou un CPOM reçoivent un avenant."
        )
    if parent.etat not in {Etat.SIGNEE, Etat.ECHUE}:
        raise ErreurMetier(
            "Un avenant modifie un acte signé par l'État : celui-ci est "
            f"« {parent.get_etat_display()} »."
        )
    _verifier_clauses(champs, donnees)
    nouvelle_fin = donnees.get("nouvelle_date_fin")
    if nouvelle_fin is not None and nouvelle_fin < parent.date_debut:
        raise ErreurMetier(
            "La nouvelle date de fin précède le début de l'acte amendé.",
            "nouvelle_date_fin",
        )
    _verifier_dates(donnees.get("date_debut"), None)
    _verifier_date_effet(parent, donnees["date_debut"], nouvelle_fin)
    if nouvelle_fin is not None:
        _verifier_duree(
            nature_de(parent), type_structure(parent), parent.date_debut, nouvelle_fin
        )
    with transaction.atomic():
        avenant = Acte(
            nature=NatureActe.AVENANT,
            parent=parent if isinstance(parent, Acte) else None,
            cpom=parent if isinstance(parent, Cpom) else None,
            structure_id=parent.structure_id if isinstance(parent, Acte) else None,
            reference=donnees.get("reference", ""),
            date_debut=donnees["date_debut"],
            objet=donnees.get("objet", ""),
            champs_amendes=champs,
            nouvelle_date_fin=nouvelle_fin,
            places=donnees.get("places"),
            dotation=donnees.get("dotation"),
            cree_par=auteur if getattr(auteur, "is_authenticated", False) else None,
        )
        avenant.full_clean(exclude=["cree_par", "etat"])
        avenant.save()
        enregistrer(
            auteur,
            Action.CREATION,
            avenant,
            differences({}, instantane(avenant, CHAMPS_AVENANT)),
            commentaire=f"Avenant de {parent}",
        )
    return avenant
