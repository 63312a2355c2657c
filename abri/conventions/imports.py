"""Import of existing acts from a spreadsheet, in the house style of imports.

Columns: ``Code DNA`` or ``Structure`` (its name, exact, within the author's
perimeter), ``Nature`` (Arrêté d'autorisation, Convention, Arrêté de tarification,
Autre acte), ``Date de début``, ``Date de fin``, ``Référence``, and optionally
``Places``, ``Dotation`` and ``Date d'ouverture``.

Every row is read first and every error reported with its file, sheet, row,
column and value; the analysis writes nothing and lists the acts it would create
(an act already recorded, same structure, kind, start and reference, is left
alone); confirming analyses again inside one transaction, checks the preview's
``empreinte`` and applies the whole file or nothing. Acts are taken over as they
are, recorded as signed: a start after the end or an excessive duration is
accepted with a warning and becomes a data-quality finding.

- ``analyser_import_actes(auteur, fichier, nom_fichier) -> ResultatAnalyse``
- ``appliquer_import_actes(auteur, fichier, nom_fichier, *, empreinte)
  -> ResultatImport``
"""

from __future__ import annotations

import logging
from typing import IO, Any

from django.db import DatabaseError, transaction

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
    lire_date_vraisemblable,
    lire_entier,
    lire_montant,
    lire_texte,
)
from abri.conventions import regles, services
from abri.conventions.models import Acte, NatureActe
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
from abri.structures.models import CodeDna, Structure
from abri.structures.regles import normaliser_code_dna

logger = logging.getLogger(__name__)

COLONNES = (
    Colonne("code_dna", "Code DNA", obligatoire=False, alias=("DNA",)),
    Colonne("structure", "Structure", obligatoire=False, alias=("Nom",)),
    Colonne("nature", "Nature", alias=("Type d'acte",)),
    Colonne("date_debut", "Date de début", alias=("Début",)),
    Colonne("date_fin", "Date de fin", alias=("Fin",)),
    Colonne("reference", "Référence", obligatoire=False),
    Colonne("places", "Places", obligatoire=False),
    Colonne("dotation", "Dotation", obligatoire=False),
    Colonne("date_ouverture", "Date d'ouverture", obligatoire=False),
)
NATURES = {
    normaliser_recherche(texte): valeur
    for valeur, textes in {
        NatureActe.AUTORISATION: ("Arrêté d'autorisation", "Autorisation"),
        NatureActe.CONVENTION: ("Convention",),
        NatureActe.TARIFICATION: ("Arrêté de tarification", "Tarification"),
        NatureActe.AUTRE: ("Autre acte", "Autre"),
    }.items()
    for texte in textes
}


def lire_nature(valeur: Cellule) -> str | None:
    texte = lire_texte(valeur)
    if texte is None:
        return None
    nature = NATURES.get(normaliser_recherche(texte))
    if nature is None:
        raise ValeurInvalide(
            "nature inconnue (Arrêté d'autorisation, Convention, Arrêté de "
            "tarification ou Autre acte)"
        )
    return nature


class _Structures:
    """The structures of the author's perimeter, by DNA code and by name."""

    def __init__(self, auteur: Any) -> None:
        visibles = Structure.objects.editable_by(auteur)
        self.par_code = {
            c.code: c.structure
            for c in CodeDna.objects.filter(structure__in=visibles).select_related(
                "structure"
            )
        }
        self.par_nom: dict[str, list[Structure]] = {}
        for structure in visibles.order_by("id"):
            self.par_nom.setdefault(normaliser_recherche(structure.nom), []).append(
                structure
            )

    def trouver(self, lecture: LectureLigne) -> Structure | None:
        brut = lecture.lire("code_dna")
        if brut:
            code = normaliser_code_dna(brut)
            if code is None:
                lecture.erreur(
                    "code DNA invalide (une lettre et 4 chiffres)", "code_dna"
                )
                return None
            if code not in self.par_code:
                lecture.erreur("code DNA inconnu dans votre périmètre", "code_dna")
                return None
            return self.par_code[code]
        nom = lecture.lire("structure")
        if not nom:
            lecture.erreur("indiquez le code DNA ou le nom de la structure")
            return None
        trouvees = self.par_nom.get(normaliser_recherche(nom), [])
        if len(trouvees) != 1:
            lecture.erreur(
                "structure inconnue dans votre périmètre"
                if not trouvees
                else "plusieurs structures portent ce nom : indiquez le code DNA",
                "structure",
            )
            return None
        return trouvees[0]


def _analyser(
    auteur: Any, donnees: bytes, nom_fichier: str
) -> tuple[ResultatAnalyse, list[tuple[int, Structure, dict[str, Any]]]]:
    analyse = ResultatAnalyse(RapportImport(nom_fichier))
    rapport = analyse.rapport
    if not services.peut_gerer_actes(auteur):
        rapport.ajouter("l'import des actes est réservé aux agents de l'État")
        return analyse, []
    try:
        tableau = lire_tableau(donnees, nom_fichier, COLONNES)
    except FichierRefuse as refus:
        rapport.ajouter(refus.message)
        return analyse, []
    if "code_dna" not in tableau.positions and "structure" not in tableau.positions:
        rapport.ajouter("colonne « Code DNA » ou « Structure » attendue")
        return analyse, []
    aide, lignes = separer_lignes_aide(tableau.lignes)
    analyse.lignes_ignorees = aide
    analyse.lignes_lues = len(lignes)

    structures = _Structures(auteur)
    lus: list[tuple[int, Structure, dict[str, Any]]] = []
    for ligne in lignes:
        lecture = LectureLigne(tableau, ligne, rapport)
        if not lecture.verifier_decoupage():
            continue
        structure = structures.trouver(lecture)
        valeurs: dict[str, Any] = {
            "nature": lecture.lire("nature", lire_nature, obligatoire=True),
            "date_debut": lecture.lire(
                "date_debut", lire_date_vraisemblable, obligatoire=True
            ),
            "date_fin": lecture.lire("date_fin", lire_date_vraisemblable),
            "reference": (lecture.lire("reference") or "")[:100],
            "places": lecture.lire(
                "places", lambda v: lire_entier(v, minimum=0, maximum=PLACES_MAX)
            ),
            "dotation": lecture.lire("dotation", lire_montant),
            "date_ouverture": lecture.lire("date_ouverture", lire_date_vraisemblable),
        }
        if (
            valeurs["nature"] not in {None, NatureActe.AUTRE}
            and not valeurs["date_fin"]
        ):
            lecture.erreur("valeur obligatoire pour cette nature d'acte", "date_fin")
        if lecture.est_valide and structure is not None:
            lus.append((lecture.numero, structure, valeurs))
    if not rapport.est_valide:
        rapport.trier()
        return analyse, []

    existants = set(
        Acte.objects.filter(structure_id__in={s.pk for _, s, _ in lus}).values_list(
            "structure_id", "nature", "date_debut", "reference"
        )
    )
    analyse.etat = sorted([list(map(str, e)) for e in existants])
    a_creer = []
    for numero, structure, valeurs in lus:
        cle = (
            structure.pk,
            valeurs["nature"],
            valeurs["date_debut"],
            valeurs["reference"],
        )
        if cle in existants:
            continue
        existants.add(cle)
        a_creer.append((numero, structure, valeurs))
        libelle = dict(NatureActe.choices)[valeurs["nature"]]
        fin = valeurs["date_fin"]
        analyse.changements.append(
            Changement(
                numero,
                "acte",
                Nature.CREATION,
                structure.nom,
                f"création de « {libelle} {valeurs['reference']} » de {structure.nom}, "
                f"du {valeurs['date_debut']:%d/%m/%Y}"
                + (f" au {fin:%d/%m/%Y}" if fin else ""),
            )
        )
        if fin is not None and fin < valeurs["date_debut"]:
            analyse.avertissements.append(
                f"Ligne {numero} : la fin précède le début ; l'acte est repris tel "
                "quel et signalé en qualité des données."
            )
        elif fin is not None:
            maximum = regles.duree_maximale(
                valeurs["nature"], structure.type, services.durees_maximales()
            )
            debut = valeurs["date_debut"]
            if maximum and regles.depasse_duree(debut, fin, maximum):
                analyse.avertissements.append(
                    f"Ligne {numero} : {regles.duree_lisible(debut, fin)}, au-delà "
                    f"de {maximum.years} ans ; l'acte est repris tel quel et signalé "
                    "en qualité des données."
                )
    return analyse, a_creer


def analyser_import_actes(
    auteur: Any, fichier: bytes | IO[bytes], nom_fichier: str
) -> ResultatAnalyse:
    try:
        donnees = lire_octets(fichier)
    except FichierRefuse as refus:
        analyse = ResultatAnalyse(RapportImport(nom_fichier))
        analyse.rapport.ajouter(refus.message)
        return analyse
    return _analyser(auteur, donnees, nom_fichier)[0]


def appliquer_import_actes(
    auteur: Any, fichier: bytes | IO[bytes], nom_fichier: str, *, empreinte: str
) -> ResultatImport:
    try:
        donnees = lire_octets(fichier)
    except FichierRefuse as refus:
        analyse = ResultatAnalyse(RapportImport(nom_fichier))
        analyse.rapport.ajouter(refus.message)
        return ResultatImport.depuis(analyse, applique=False)
    try:
        with transaction.atomic():
            verrouiller_import("actes")
            analyse, a_creer = _analyser(auteur, donnees, nom_fichier)
            if not analyse.est_valide or not empreinte_confirmee(analyse, empreinte):
                return ResultatImport.depuis(analyse, applique=False)
            for numero, structure, valeurs in a_creer:
                try:
                    services.creer_acte(
                        auteur,
                        structure,
                        valeurs,
                        repris=True,
                        commentaire=f"Import de {nom_fichier}, ligne {numero}",
                    )
                except (ErreurMetier, DatabaseError) as erreur:
                    message = getattr(erreur, "message", "enregistrement impossible")
                    raise EchecApplication(numero, message) from erreur
    except EchecApplication as echec:
        analyse.rapport.ajouter(echec.message, ligne=echec.ligne)
        return ResultatImport.depuis(analyse, applique=False)
    logger.info(
        "acts imported by user %s: %s created",
        getattr(auteur, "pk", None),
        len(a_creer),
    )
    return ResultatImport.depuis(analyse, applique=True)
