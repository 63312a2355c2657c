"""Import of the accommodation addresses of one structure, in the operators' layout.

The templates operators fill in have their headers on row 1 (``Adresse``, ``Code
postal``, ``Ville``, ``Places autorisées``, ``Logement social``, ``QPV``, and ``Type de
bâti`` in the mixed template), a help text on row 2 ("Ex : '35000'", "Renseignez le
nombre de places…"), a prompt on row 3 ("Veuillez saisir vos adresses ici") and the
data from row 4. Rows 2 and 3 are recognised as help rows because they hold help
texts and nothing that looks like data (see
:func:`~abri.structures.imports.commun.est_ligne_aide`); they are reported as
skipped in ``lignes_ignorees``. A row with bad values (places ``-5`` next to a postal
code) is data, and its errors are reported. Without a ``Type de bâti`` column every
address is scattered (diffus), as in the template for scattered housing.

The file replaces every address of the structure, all or nothing; a file without
any address is refused and the recorded addresses stay. The fingerprint of the
preview covers the recorded addresses: if they changed before the confirmation
(another import, an edit), nothing is written.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from typing import IO, Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

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
    Cellule,
    ValeurInvalide,
    lire_booleen,
    lire_code_postal,
    lire_entier,
    lire_texte,
)
from abri.structures import regles
from abri.structures.imports.commun import (
    PLACES_MAX,
    Changement,
    EchecApplication,
    Nature,
    ResolveurCommunes,
    ResultatAnalyse,
    ResultatImport,
    empreinte_confirmee,
    separer_lignes_aide,
)
from abri.structures.models import Structure, TypeBati
from abri.structures.services import NouvelleAdresse, capacite_au, remplacer_adresses

logger = logging.getLogger(__name__)

COLONNES = (
    Colonne("adresse", "Adresse"),
    Colonne("code_postal", "Code postal", alias=("CP",)),
    Colonne("ville", "Ville", alias=("Commune",)),
    Colonne("places_autorisees", "Places autorisées", alias=("Places",)),
    Colonne("logement_social", "Logement social", obligatoire=False),
    Colonne("qpv", "QPV", obligatoire=False, alias=("Quartier prioritaire",)),
    Colonne("type_bati", "Type de bâti", obligatoire=False, alias=("Type",)),
)
TYPES_BATI = {
    "collectif": TypeBati.COLLECTIF,
    "diffus": TypeBati.DIFFUS,
}


def lire_type_bati(valeur: Cellule) -> str | None:
    texte = lire_texte(valeur)
    if texte is None:
        return None
    type_bati = TYPES_BATI.get(normaliser_recherche(texte))
    if type_bati is None:
        raise ValeurInvalide("type de bâti inconnu (Collectif ou Diffus)")
    return type_bati


def _lire_ligne(
    lecture: LectureLigne, type_par_defaut: str | None
) -> dict[str, Any] | None:
    adresse = lecture.lire("adresse", obligatoire=True)
    if adresse and len(adresse) > 250:
        lecture.erreur("texte trop long (250 caractères au plus)", "adresse")
    code_postal = lecture.lire("code_postal", lire_code_postal, obligatoire=True)
    ville = lecture.lire("ville", obligatoire=True)
    places = lecture.lire(
        "places_autorisees",
        lambda v: lire_entier(v, minimum=0, maximum=PLACES_MAX),
        obligatoire=True,
    )
    logement_social = lecture.lire("logement_social", lire_booleen)
    qpv = lecture.lire("qpv", lire_booleen)
    type_bati = type_par_defaut or lecture.lire(
        "type_bati", lire_type_bati, obligatoire=True
    )
    if not lecture.est_valide:
        return None
    return {
        "adresse": adresse,
        "code_postal": code_postal,
        "ville": ville,
        "places_autorisees": places,
        "type_bati": type_bati,
        "logement_social": logement_social,
        "qpv": qpv,
    }


def _cle(adresse: NouvelleAdresse) -> tuple[Any, ...]:
    return (
        normaliser_recherche(adresse.adresse),
        adresse.code_postal,
        adresse.commune_id,
        adresse.places_autorisees,
        adresse.type_bati,
        adresse.logement_social,
        adresse.qpv,
    )


def _analyser(
    auteur: Any, structure: Structure, donnees: bytes, nom_fichier: str
) -> tuple[ResultatAnalyse, list[NouvelleAdresse]]:
    analyse = ResultatAnalyse(RapportImport(nom_fichier))
    rapport = analyse.rapport
    if not Structure.objects.editable_by(auteur).filter(pk=structure.pk).exists():
        rapport.ajouter("cette structure est hors de votre périmètre")
        return analyse, []
    actuelles = _adresses_actuelles(structure)
    analyse.etat = _etat(structure, actuelles)
    try:
        tableau = lire_tableau(donnees, nom_fichier, COLONNES)
    except FichierRefuse as refus:
        rapport.ajouter(refus.message)
        return analyse, []

    aide, lignes = separer_lignes_aide(tableau.lignes)
    analyse.lignes_ignorees = aide
    analyse.lignes_lues = len(lignes)
    if not lignes:
        rapport.ajouter(
            "aucune adresse dans le fichier : les adresses enregistrées sont "
            "conservées",
            feuille=tableau.feuille,
        )
        return analyse, []
    type_par_defaut = None if "type_bati" in tableau.positions else TypeBati.DIFFUS
    lues: list[tuple[LectureLigne, dict[str, Any]]] = []
    for ligne in lignes:
        lecture = LectureLigne(tableau, ligne, rapport)
        if not lecture.verifier_decoupage():
            continue
        if (valeurs := _lire_ligne(lecture, type_par_defaut)) is not None:
            lues.append((lecture, valeurs))

    resolveur = ResolveurCommunes(v["code_postal"] for _, v in lues)
    adresses: list[tuple[int, NouvelleAdresse]] = []
    for lecture, valeurs in lues:
        try:
            commune = resolveur.resoudre(valeurs["code_postal"], valeurs["ville"])
        except ValeurInvalide as erreur:
            lecture.erreur(erreur.message, "ville")
            continue
        del valeurs["ville"]
        adresses.append(
            (lecture.numero, NouvelleAdresse(commune_id=commune.pk, **valeurs))
        )
    if not rapport.est_valide:
        rapport.trier()
        return analyse, []

    nouvelles = [a for _, a in adresses]
    _decrire(analyse, structure, actuelles, adresses)
    _avertir_ecart(analyse, structure, nouvelles)
    return analyse, nouvelles


def _adresses_actuelles(structure: Structure) -> list[NouvelleAdresse]:
    return [
        NouvelleAdresse(
            adresse=a.adresse,
            code_postal=a.code_postal,
            commune_id=a.commune_id,
            places_autorisees=a.places_autorisees,
            type_bati=a.type_bati,
            logement_social=a.logement_social,
            qpv=a.qpv,
        )
        for a in structure.adresses.order_by("pk")
    ]


def _etat(structure: Structure, actuelles: list[NouvelleAdresse]) -> list[Any]:
    """The recorded addresses, exactly as they are, for the fingerprint: another
    import or an edit after the preview changes it, even with the same count."""
    contenus = [
        [
            a.adresse,
            a.code_postal,
            a.commune_id,
            a.places_autorisees,
            a.type_bati,
            a.logement_social,
            a.qpv,
        ]
        for a in actuelles
    ]
    return [structure.pk, sorted(contenus, key=json.dumps)]


def _decrire(
    analyse: ResultatAnalyse,
    structure: Structure,
    actuelles: list[NouvelleAdresse],
    adresses: list[tuple[int, NouvelleAdresse]],
) -> None:
    if Counter(map(_cle, actuelles)) == Counter(_cle(a) for _, a in adresses):
        return
    total = sum(a.places_autorisees for _, a in adresses)
    analyse.changements.append(
        Changement(
            None,
            "adresses",
            Nature.REMPLACEMENT,
            structure.nom,
            f"les {len(actuelles)} adresse(s) enregistrée(s) de « {structure.nom} » "
            f"sont remplacées par les {len(adresses)} du fichier ({total} places)",
            {"adresses": [len(actuelles), len(adresses)]},
        )
    )
    for numero, adresse in adresses:
        analyse.changements.append(
            Changement(
                numero,
                "adresse",
                Nature.CREATION,
                adresse.adresse,
                f"adresse « {adresse.adresse}, {adresse.code_postal} » : "
                f"{adresse.places_autorisees} place(s), "
                f"{TypeBati(adresse.type_bati).label.lower()}",
            )
        )


def _avertir_ecart(
    analyse: ResultatAnalyse, structure: Structure, adresses: list[NouvelleAdresse]
) -> None:
    places = sum(a.places_autorisees for a in adresses)
    autorisees = capacite_au(structure, timezone.localdate()).places_autorisees
    tolerance = getattr(settings, "ABRI_ECART_ADRESSES_TOLERE", 0.10)
    if autorisees and regles.ecart_adresses_excessif(places, autorisees, tolerance):
        analyse.avertissements.append(
            f"Les adresses totalisent {places} places pour {autorisees} places "
            f"autorisées : l'écart dépasse {round(tolerance * 100)} %."
        )


def analyser_import_adresses(
    auteur: Any, structure: Structure, fichier: bytes | IO[bytes], nom_fichier: str
) -> ResultatAnalyse:
    """Dry run: every error of the file and what would change. Writes nothing."""
    try:
        donnees = lire_octets(fichier)
    except FichierRefuse as refus:
        analyse = ResultatAnalyse(RapportImport(nom_fichier))
        analyse.rapport.ajouter(refus.message)
        return analyse
    analyse, _ = _analyser(auteur, structure, donnees, nom_fichier)
    return analyse


def appliquer_import_adresses(
    auteur: Any,
    structure: Structure,
    fichier: bytes | IO[bytes],
    nom_fichier: str,
    *,
    empreinte: str,
) -> ResultatImport:
    """Check again and replace the structure's addresses with the file's, or nothing.
    ``empreinte`` is the preview's: if the result, or the recorded addresses it
    replaces, differ from the preview, or ``empreinte`` is empty, nothing is
    written."""
    try:
        donnees = lire_octets(fichier)
    except FichierRefuse as refus:
        analyse = ResultatAnalyse(RapportImport(nom_fichier))
        analyse.rapport.ajouter(refus.message)
        return ResultatImport.depuis(analyse, applique=False)

    try:
        with transaction.atomic():
            Structure.objects.select_for_update().filter(pk=structure.pk).first()
            analyse, adresses = _analyser(auteur, structure, donnees, nom_fichier)
            if not analyse.est_valide:
                return ResultatImport.depuis(analyse, applique=False)
            if not empreinte_confirmee(analyse, empreinte):
                return ResultatImport.depuis(analyse, applique=False)
            if not analyse.changements:
                return ResultatImport.depuis(analyse, applique=True)
            try:
                remplacer_adresses(auteur, structure, adresses, source=nom_fichier)
            except (ErreurMetier, DatabaseError) as erreur:
                message = getattr(erreur, "message", "enregistrement impossible")
                raise EchecApplication(None, message) from erreur
    except EchecApplication as echec:
        analyse.rapport.ajouter(echec.message)
        return ResultatImport.depuis(analyse, applique=False)

    logger.info(
        "addresses of structure %s imported by user %s: %s addresses",
        structure.pk,
        getattr(auteur, "pk", None),
        len(adresses),
    )
    return ResultatImport.depuis(analyse, applique=True)
