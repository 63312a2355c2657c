"""Writes of the activity part: declarations, operator spellings, linking of codes.

The import itself lives in :mod:`abri.activite.imports`.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from abri.activite import regles
from abri.activite.models import (
    ActiviteMensuelle,
    CorrespondanceOperateur,
    LigneEnAttente,
    Source,
)
from abri.communs.erreurs import ErreurMetier
from abri.comptes.droits import (
    peut_declarer_activite,
    peut_importer_activite,
    peut_modifier_structure,
)
from abri.journal.models import Action
from abri.journal.services import enregistrer, verifier_version
from abri.operateurs.models import Operateur
from abri.structures import services as structures_services
from abri.structures.models import Structure

logger = logging.getLogger(__name__)

CHAMPS_CHIFFRES = (
    "capacite",
    "places_desinsectisation",
    "places_remise_en_etat",
    "places_sous_occupation",
    "places_travaux",
    "places_indisponibles",
    "places_occupees",
    "presences_indues_bpi",
    "presences_indues_deboutes",
)
MOIS_DECLARABLES = 24  # how far back an operator may declare a month


def _recalculer(structure_ids: list[int]) -> None:
    from abri.pilotage.services import recalculer_anomalies

    recalculer_anomalies(Structure.objects.filter(pk__in=structure_ids).only("pk"))


def verifier_chiffres(donnees: Mapping[str, int]) -> None:
    """The figures hold together: reasons within the total of unavailable places,
    unavailable within the capacity, occupied within the available places, undue
    presences within the occupied places."""
    motifs = sum(
        donnees.get(c, 0)
        for c in (
            "places_desinsectisation",
            "places_remise_en_etat",
            "places_sous_occupation",
            "places_travaux",
        )
    )
    if motifs > donnees["places_indisponibles"]:
        raise ErreurMetier(
            "Les motifs d'indisponibilité dépassent le total des places indisponibles.",
            "places_indisponibles",
        )
    if donnees["places_indisponibles"] > donnees["capacite"]:
        raise ErreurMetier(
            "Il y a plus de places indisponibles que de places.",
            "places_indisponibles",
        )
    disponibles = donnees["capacite"] - donnees["places_indisponibles"]
    if donnees["places_occupees"] > disponibles:
        raise ErreurMetier(
            f"Il y a plus de places occupées ({donnees['places_occupees']}) que de "
            f"places disponibles ({disponibles} : la capacité moins les places "
            "indisponibles).",
            "places_occupees",
        )
    indues = donnees.get("presences_indues_bpi", 0) + donnees.get(
        "presences_indues_deboutes", 0
    )
    if indues > donnees["places_occupees"]:
        raise ErreurMetier(
            "Les présences indues dépassent les places occupées.", "places_occupees"
        )


def declarer_mois(
    auteur: Any,
    structure: Structure,
    mois: datetime.date,
    donnees: Mapping[str, int],
    version: int | None = None,
    *,
    aujourd_hui: datetime.date | None = None,
) -> ActiviteMensuelle:
    """An operator declares the month of one of its structures that the file does
    not carry. The file wins: a month the file brought is refused here, and a later
    file replaces the declaration. ``version`` is that of the declaration the form
    was loaded with (``None`` for a new one)."""
    aujourd_hui = aujourd_hui or datetime.date.today()
    mois = regles.premier_du_mois(mois)
    if not peut_declarer_activite(auteur):
        raise ErreurMetier("Seul l'opérateur de la structure déclare son activité.")
    if not Structure.objects.for_user(auteur).filter(pk=structure.pk).exists():
        raise ErreurMetier("Cette structure n'est pas dans votre périmètre.")
    if mois > regles.premier_du_mois(aujourd_hui):
        raise ErreurMetier("Ce mois n'est pas encore commencé.", "mois")
    if regles.ecart_mois(mois, aujourd_hui) >= MOIS_DECLARABLES:
        raise ErreurMetier(
            f"Seuls les {MOIS_DECLARABLES} derniers mois se déclarent ici.", "mois"
        )
    chiffres = {c: int(donnees.get(c) or 0) for c in CHAMPS_CHIFFRES}
    verifier_chiffres(chiffres)

    with transaction.atomic():
        existante = (
            ActiviteMensuelle.objects.select_for_update()
            .filter(structure=structure, mois=mois)
            .first()
        )
        if existante is not None and existante.source == Source.FICHIER:
            raise ErreurMetier(
                "Le fichier mensuel d'occupation porte déjà "
                f"{regles.libelle_mois(mois)} pour cette structure : ses chiffres "
                "font foi.",
                "mois",
            )
        if existante is None:
            activite = ActiviteMensuelle.objects.create(
                structure=structure,
                mois=mois,
                source=Source.DECLARATION,
                declare_par=auteur,
                **chiffres,
            )
            enregistrer(
                auteur,
                Action.CREATION,
                activite,
                {c: [None, v] for c, v in chiffres.items()},
                commentaire=f"Déclaration de {regles.libelle_mois(mois)}.",
            )
        else:
            if version is not None:
                verifier_version(existante, version)
            avant = {c: getattr(existante, c) for c in CHAMPS_CHIFFRES}
            for champ, valeur in chiffres.items():
                setattr(existante, champ, valeur)
            existante.declare_par = auteur
            existante.version += 1
            existante.save()
            activite = existante
            enregistrer(
                auteur,
                Action.MODIFICATION,
                activite,
                {c: [avant[c], v] for c, v in chiffres.items() if avant[c] != v},
                commentaire=f"Déclaration de {regles.libelle_mois(mois)}.",
            )
        _recalculer([structure.pk])
    return activite


def enregistrer_correspondance(
    auteur: Any, libelle: str, operateur: Operateur
) -> CorrespondanceOperateur:
    """Record how the file spells an operator; a spelling already recorded is
    pointed at the new operator."""
    if not peut_importer_activite(auteur):
        raise ErreurMetier("Seuls les agents de l'État tiennent les correspondances.")
    if not Operateur.objects.for_user(auteur).filter(pk=operateur.pk).exists():
        raise ErreurMetier("Cet opérateur n'est pas dans votre périmètre.", "operateur")
    cle = regles.cle_operateur(libelle)
    if not cle:
        raise ErreurMetier("Indiquez le nom tel que le fichier l'écrit.", "libelle")
    with transaction.atomic():
        correspondance = (
            CorrespondanceOperateur.objects.select_for_update().filter(cle=cle).first()
        )
        if correspondance is None:
            correspondance = CorrespondanceOperateur.objects.create(
                libelle=libelle.strip(), cle=cle, operateur=operateur, cree_par=auteur
            )
            enregistrer(
                auteur,
                Action.CREATION,
                correspondance,
                {
                    "libelle": [None, correspondance.libelle],
                    "operateur": [None, str(operateur)],
                },
            )
        elif (
            not Operateur.objects.for_user(auteur)
            .filter(pk=correspondance.operateur_id)
            .exists()
        ):
            raise ErreurMetier(
                "Ce nom est déjà rattaché à un opérateur hors de votre périmètre.",
                "libelle",
            )
        elif correspondance.operateur_id != operateur.pk:
            avant = str(correspondance.operateur)
            correspondance.operateur = operateur
            correspondance.save()
            enregistrer(
                auteur,
                Action.MODIFICATION,
                correspondance,
                {"operateur": [avant, str(operateur)]},
            )
        LigneEnAttente.objects.filter(operateur_libelle__iexact=libelle.strip()).update(
            operateur=operateur
        )
    return correspondance


def supprimer_correspondance(
    auteur: Any, correspondance: CorrespondanceOperateur
) -> None:
    if not peut_importer_activite(auteur):
        raise ErreurMetier("Seuls les agents de l'État tiennent les correspondances.")
    with transaction.atomic():
        enregistrer(
            auteur,
            Action.SUPPRESSION,
            correspondance,
            {"libelle": [correspondance.libelle, None]},
        )
        correspondance.delete()


def rattacher_code(auteur: Any, code: str, structure: Structure) -> int:
    """Link an unknown DNA code to a structure of the perimeter: the code joins the
    structure's codes and every pending row of it becomes the structure's month (a
    month the file already gave under another code of the structure is added to;
    an operator's declaration gives way). Returns the number of months."""
    if not (peut_importer_activite(auteur) and peut_modifier_structure(auteur)):
        raise ErreurMetier("Seuls les agents de l'État rattachent un code DNA.")
    if not Structure.objects.for_user(auteur).filter(pk=structure.pk).exists():
        raise ErreurMetier(
            "Cette structure n'est pas dans votre périmètre.", "structure"
        )
    with transaction.atomic():
        lignes = list(
            LigneEnAttente.objects.for_user(auteur)
            .select_for_update()
            .filter(code_dna=code)
            .order_by("mois")
        )
        if not lignes:
            raise ErreurMetier("Aucune ligne en attente pour ce code.")
        codes = list(structure.codes_dna.values_list("code", flat=True))
        structures_services.definir_codes_dna(auteur, structure, [*codes, code])
        existantes = {
            a.mois: a
            for a in ActiviteMensuelle.objects.select_for_update().filter(
                structure=structure, mois__in=[ligne.mois for ligne in lignes]
            )
        }
        for ligne in lignes:
            chiffres = {c: int(ligne.donnees.get(c, 0)) for c in CHAMPS_CHIFFRES}
            activite = existantes.get(ligne.mois)
            if activite is not None and activite.source == Source.FICHIER:
                for champ, valeur in chiffres.items():
                    setattr(activite, champ, getattr(activite, champ) + valeur)
                activite.version += 1
                activite.save()
            else:
                if activite is not None:
                    activite.delete()
                activite = ActiviteMensuelle.objects.create(
                    structure=structure,
                    mois=ligne.mois,
                    source=Source.FICHIER,
                    code_dna=code,
                    import_activite_id=ligne.import_activite_id,
                    **chiffres,
                )
            enregistrer(
                auteur,
                Action.IMPORT,
                activite,
                {c: [None, v] for c, v in chiffres.items()},
                commentaire=f"Ligne en attente du code {code} rattachée "
                f"({regles.libelle_mois(ligne.mois)}).",
            )
        LigneEnAttente.objects.filter(pk__in=[ligne.pk for ligne in lignes]).delete()
        _recalculer([structure.pk])
    logger.info(
        "DNA code linked by user %s: %s months to structure %s",
        getattr(auteur, "pk", None),
        len(lignes),
        structure.pk,
    )
    return len(lignes)
