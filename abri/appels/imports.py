"""Import of the candidatures of one call from a spreadsheet export of an online
procedure (one row per dossier), in the house style of imports.

Columns: ``Numéro de dossier``, ``Opérateur`` (its SIRET or its exact name),
``Département``, ``Projet``, ``Places``, ``Date d'ouverture``, and optionally
``Coût journalier``, ``Budget``, ``ETP`` and ``Déposé le``.

Every row is read first and every error reported with its place; the analysis
writes nothing and lists the candidatures it would record (a dossier already
recorded for the call is left alone); confirming analyses again in one transaction,
checks the preview's ``empreinte`` and applies the whole file or nothing.
"""

from __future__ import annotations

import datetime
import logging
from typing import IO, Any

from django.db import DatabaseError, transaction

from abri.appels import services
from abri.appels.models import AppelAProjets, Candidature
from abri.communs.erreurs import ErreurMetier
from abri.communs.tableurs import (
    Colonne,
    FichierRefuse,
    LectureLigne,
    RapportImport,
    lire_octets,
    lire_tableau,
)
from abri.communs.texte import normaliser_recherche
from abri.communs.valeurs import (
    lire_code_departement,
    lire_date_vraisemblable,
    lire_decimal,
    lire_entier,
    lire_montant,
)
from abri.comptes.droits import peut_gerer_appels
from abri.operateurs.models import Operateur
from abri.structures.imports.commun import (
    PLACES_MAX,
    Changement,
    EchecApplication,
    Nature,
    ResultatAnalyse,
    ResultatImport,
    empreinte_confirmee,
    separer_lignes_aide,
    verrouiller_import,
)
from abri.territoires.models import Departement

logger = logging.getLogger(__name__)

COLONNES = (
    Colonne("dossier", "Numéro de dossier", alias=("Dossier", "N° de dossier")),
    Colonne("operateur", "Opérateur", alias=("Porteur", "SIRET")),
    Colonne("departement", "Département"),
    Colonne("projet", "Projet", alias=("Description",)),
    Colonne("places", "Places", alias=("Places proposées",)),
    Colonne("date_ouverture", "Date d'ouverture", alias=("Ouverture",)),
    Colonne("cout", "Coût journalier", obligatoire=False),
    Colonne("budget", "Budget", obligatoire=False),
    Colonne("etp", "ETP", obligatoire=False),
    Colonne("deposee_le", "Déposé le", obligatoire=False, alias=("Date de dépôt",)),
)


def _accuse(dossier: str) -> str:
    return f"Dossier {dossier}"[:40]


def _analyser(
    auteur: Any, appel: AppelAProjets, donnees: bytes, nom_fichier: str
) -> tuple[ResultatAnalyse, list[tuple[int, Operateur, dict[str, Any]]]]:
    analyse = ResultatAnalyse(RapportImport(nom_fichier))
    rapport = analyse.rapport
    if not peut_gerer_appels(auteur):
        rapport.ajouter("l'import des candidatures est réservé aux agents de l'État")
        return analyse, []
    try:
        tableau = lire_tableau(donnees, nom_fichier, COLONNES)
    except FichierRefuse as refus:
        rapport.ajouter(refus.message)
        return analyse, []
    aide, lignes = separer_lignes_aide(tableau.lignes)
    analyse.lignes_ignorees = aide
    analyse.lignes_lues = len(lignes)

    par_siret = {o.siret: o for o in Operateur.objects.exclude(siret=None)}
    par_nom = {normaliser_recherche(o.nom): o for o in Operateur.objects.all()}
    departements = Departement.objects.in_bulk()
    deja = set(
        Candidature.objects.filter(appel=appel, recue_hors_ligne=True).values_list(
            "accuse", flat=True
        )
    )
    lus: list[tuple[int, Operateur, dict[str, Any]]] = []
    for ligne in lignes:
        lecture = LectureLigne(tableau, ligne, rapport)
        if not lecture.verifier_decoupage():
            continue
        dossier = lecture.lire("dossier", obligatoire=True)
        nom = lecture.lire("operateur", obligatoire=True)
        operateur = None
        if nom:
            operateur = par_siret.get(nom.replace(" ", "")) or par_nom.get(
                normaliser_recherche(nom)
            )
            if operateur is None:
                lecture.erreur(
                    "opérateur inconnu (SIRET ou raison sociale)", "operateur"
                )
        code = lecture.lire("departement", lire_code_departement, obligatoire=True)
        if code and code not in departements:
            lecture.erreur("département inconnu", "departement")
        places = lecture.lire(
            "places",
            lambda v: lire_entier(v, minimum=1, maximum=PLACES_MAX),
            obligatoire=True,
        )
        ouverture = lecture.lire(
            "date_ouverture", lire_date_vraisemblable, obligatoire=True
        )
        depot = lecture.lire("deposee_le", lire_date_vraisemblable)
        valeurs: dict[str, Any] = {
            "projet": lecture.lire("projet", obligatoire=True) or "",
            "departement": departements.get(code or ""),
            "places_proposees": places,
            "cout_journalier_propose": lecture.lire("cout", lire_montant),
            "budget_propose": lecture.lire("budget", lire_montant),
            "etp": lecture.lire("etp", lambda v: lire_decimal(v, decimales=2)),
            "lots_proposes": [{"places": places, "date": ouverture}],
            "deposee_le": datetime.datetime.combine(
                depot, datetime.time(12), tzinfo=datetime.UTC
            )
            if depot
            else None,
        }
        if not lecture.est_valide or operateur is None or dossier is None:
            continue
        if _accuse(dossier) in deja:
            continue
        deja.add(_accuse(dossier))
        valeurs["dossier"] = dossier
        lus.append((lecture.numero, operateur, valeurs))
        analyse.changements.append(
            Changement(
                lecture.numero,
                "candidature",
                Nature.CREATION,
                operateur.nom,
                f"candidature de {operateur.nom} (dossier {dossier}) : {places} places",
            )
        )
    if not rapport.est_valide:
        rapport.trier()
        return analyse, []
    analyse.etat = sorted(deja)
    return analyse, lus


def analyser_import_candidatures(
    auteur: Any, appel: AppelAProjets, fichier: bytes | IO[bytes], nom_fichier: str
) -> ResultatAnalyse:
    try:
        donnees = lire_octets(fichier)
    except FichierRefuse as refus:
        analyse = ResultatAnalyse(RapportImport(nom_fichier))
        analyse.rapport.ajouter(refus.message)
        return analyse
    return _analyser(auteur, appel, donnees, nom_fichier)[0]


def appliquer_import_candidatures(
    auteur: Any,
    appel: AppelAProjets,
    fichier: bytes | IO[bytes],
    nom_fichier: str,
    *,
    empreinte: str,
) -> ResultatImport:
    try:
        donnees = lire_octets(fichier)
    except FichierRefuse as refus:
        analyse = ResultatAnalyse(RapportImport(nom_fichier))
        analyse.rapport.ajouter(refus.message)
        return ResultatImport.depuis(analyse, applique=False)
    try:
        with transaction.atomic():
            verrouiller_import("candidatures")
            analyse, lus = _analyser(auteur, appel, donnees, nom_fichier)
            if not analyse.est_valide or not empreinte_confirmee(analyse, empreinte):
                return ResultatImport.depuis(analyse, applique=False)
            for numero, operateur, valeurs in lus:
                try:
                    candidature = services.enregistrer_candidature_recue(
                        auteur, appel, operateur, valeurs
                    )
                except (ErreurMetier, DatabaseError) as erreur:
                    message = getattr(erreur, "message", "enregistrement impossible")
                    raise EchecApplication(numero, message) from erreur
                candidature.accuse = _accuse(valeurs["dossier"])
                candidature.save(update_fields=["accuse"])
    except EchecApplication as echec:
        analyse.rapport.ajouter(echec.message, ligne=echec.ligne)
        return ResultatImport.depuis(analyse, applique=False)
    logger.info(
        "candidatures of call %s imported by user %s: %s created",
        appel.pk,
        getattr(auteur, "pk", None),
        len(lus),
    )
    return ResultatImport.depuis(analyse, applique=True)
