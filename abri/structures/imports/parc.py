"""Import of the park: operators, structures, their codes, address and capacity.

One row per structure. Every row is read and checked first, every error collected;
then each row is recognised against the base:

- the operator by its SIRET, else by its normalised raison sociale (an operator known
  without SIRET gets the file's one); a raison sociale that the base, or the file,
  knows with another SIRET is an error rather than a second operator;
- the structure by one of its DNA codes, else its FINESS number, else its operator,
  normalised name and département. Two rows naming the same structure are an error.

A recognised structure takes the non-empty identity cells of its row (an empty cell
keeps the recorded value; non-empty DNA codes replace the recorded ones); its
capacity is compared with the capacity in force at the row's date d'effet and a
difference becomes an extension, a reduction or a requalification at that date,
carried by the row's act. A row identical to the base changes nothing. The
département of a structure never changes, and the commune of its administrative
address must lie in it.

Values are bounded: places are whole numbers from 0 to 100 000, a date d'effet lies
between 1950 and 15 years ahead, codes (DNA, FINESS, SIRET, postal code) are ASCII
letters and digits only. Help rows of a template are skipped only when they clearly
are help (:func:`~abri.structures.imports.commun.est_ligne_aide`); a first row with
bad values is data, reported with its errors.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from abri.communs.erreurs import ErreurMetier, ModificationConcurrente
from abri.communs.tableurs import (
    FichierRefuse,
    LectureLigne,
    RapportImport,
    lire_octets,
    lire_tableau,
)
from abri.communs.texte import normaliser_recherche
from abri.communs.valeurs import formater_date
from abri.operateurs import services as operateurs_services
from abri.operateurs.models import Operateur
from abri.structures.imports.commun import (
    Changement,
    EchecApplication,
    Nature,
    ResultatAnalyse,
    ResultatImport,
    empreinte_confirmee,
    separer_lignes_aide,
    verrouiller_import,
)
from abri.structures.imports.parc_lignes import (
    COLONNES,
    LigneParc,
    est_aide,
    est_exemple,
    lire_ligne_parc,
    resoudre_communes,
)
from abri.structures.imports.parc_reperage import (
    OperateurPrevu,
    ReperageOperateurs,
    ReperageStructures,
)
from abri.structures.models import (
    CHAMPS_CAPACITE,
    CodeDna,
    EvenementCapacite,
    NatureEvenement,
    Structure,
)
from abri.structures.regles import Capacite
from abri.structures.services import (
    Variation,
    creer_structure,
    definir_codes_dna,
    enregistrer_evenement,
    modifier_structure,
)
from abri.territoires.models import Commune, Departement

logger = logging.getLogger(__name__)


@dataclass
class LignePrevue:
    ligne: LigneParc
    operateur: OperateurPrevu
    structure: Structure | None
    identite: dict[str, Any] = field(default_factory=dict)
    codes_dna: list[str] | None = None
    nature: str | None = None
    variation: Variation | None = None


@dataclass
class Plan:
    analyse: ResultatAnalyse
    operateurs: list[OperateurPrevu] = field(default_factory=list)
    lignes: list[LignePrevue] = field(default_factory=list)


def _evenements(ids: Sequence[int]) -> dict[int, list[EvenementCapacite]]:
    resultat: dict[int, list[EvenementCapacite]] = defaultdict(list)
    for evenement in EvenementCapacite.objects.filter(structure_id__in=ids).order_by(
        "date_effet", "pk"
    ):
        resultat[evenement.structure_id].append(evenement)
    return resultat


def _capacite(evenements: Sequence[EvenementCapacite], date: datetime.date) -> Capacite:
    total = Capacite()
    for evenement in evenements:
        if evenement.date_effet <= date:
            total = total + Capacite(*(getattr(evenement, c) for c in CHAMPS_CAPACITE))
    return total


def _texte_capacite(capacite: Capacite) -> str:
    texte = f"{capacite.places_autorisees} places autorisées"
    dont = [
        f"{valeur} {libelle}"
        for valeur, libelle in (
            (capacite.places_pmr, "PMR"),
            (capacite.places_lgbt, "LGBT"),
            (capacite.places_fvv_teh, "FVV-TEH"),
        )
        if valeur
    ]
    return texte + (f" dont {', '.join(dont)}" if dont else "")


def _identite_voulue(ligne: LigneParc, operateur: OperateurPrevu) -> dict[str, Any]:
    """Identity fields the row gives (empty cells give nothing)."""
    voulue: dict[str, Any] = {
        "nom": ligne.nom,
        "type": ligne.type,
        "public": ligne.public,
        "adresse": ligne.adresse,
        "finess": ligne.finess,
    }
    if ligne.code_postal:
        voulue["code_postal"] = ligne.code_postal
        voulue["commune"] = ligne.commune
    voulue = {c: v for c, v in voulue.items() if v is not None}
    voulue["operateur"] = operateur
    return voulue


def _valeur_affichee(valeur: Any) -> Any:
    if isinstance(valeur, OperateurPrevu):
        return valeur.libelle
    if valeur is None or isinstance(valeur, str | int):
        return valeur
    return str(valeur)


def _meme_valeur(actuelle: Any, voulue: Any) -> bool:
    if isinstance(voulue, OperateurPrevu):
        return voulue.existant is not None and voulue.existant.pk == actuelle.pk
    if isinstance(voulue, Commune):
        return actuelle is not None and actuelle.pk == voulue.pk
    return actuelle == voulue


def _prevoir_nouvelle(lecture: LectureLigne, prevue: LignePrevue, plan: Plan) -> None:
    ligne = prevue.ligne
    if ligne.type is None:
        lecture.erreur("valeur obligatoire pour une nouvelle structure", "type")
    if ligne.public is None:
        lecture.erreur("valeur obligatoire pour une nouvelle structure", "public")
    if ligne.capacite.places_autorisees and not ligne.acte:
        lecture.erreur("indiquez l'acte qui fixe la capacité initiale", "acte")
    if not lecture.est_valide:
        return
    prevue.identite = _identite_voulue(ligne, prevue.operateur)
    prevue.identite["departement"] = ligne.departement
    prevue.codes_dna = ligne.codes_dna
    description = (
        f"création de la structure « {ligne.nom} » ({ligne.type}, {ligne.departement})"
    )
    if ligne.capacite.places_autorisees:
        assert ligne.date_effet is not None  # obligatoire: checked when read
        prevue.nature = NatureEvenement.CREATION
        prevue.variation = Variation(**vars(ligne.capacite))
        description += (
            f", {_texte_capacite(ligne.capacite)} au {formater_date(ligne.date_effet)}"
        )
    details = {c: [None, _valeur_affichee(v)] for c, v in prevue.identite.items()}
    if ligne.codes_dna:
        details["codes_dna"] = [None, ligne.codes_dna]
    details.update({c: [0, v] for c, v in vars(ligne.capacite).items() if v})
    plan.analyse.changements.append(
        Changement(
            ligne.numero, "structure", Nature.CREATION, ligne.nom, description, details
        )
    )
    plan.lignes.append(prevue)


def _verifier_capacite_future(
    lecture: LectureLigne,
    evenements: Sequence[EvenementCapacite],
    date_effet: datetime.date,
    ecart: Capacite,
) -> None:
    """The rule of ``enregistrer_evenement``, checked in the dry run: with the change,
    the capacity stays valid at its date and at every later recorded change."""
    dates = sorted({date_effet} | {e.date_effet for e in evenements})
    for date in (d for d in dates if d >= date_effet):
        if not (_capacite(evenements, date) + ecart).est_valide:
            lecture.erreur(
                f"avec ce changement, la capacité au {formater_date(date)} serait "
                "négative ou aurait plus de places spécialisées que de places "
                "autorisées",
                "places_autorisees",
            )
            return


def _prevoir_existante(
    lecture: LectureLigne,
    prevue: LignePrevue,
    plan: Plan,
    codes_actuels: list[str],
    evenements: list[EvenementCapacite],
) -> None:
    ligne, structure = prevue.ligne, prevue.structure
    assert structure is not None and ligne.departement is not None
    if structure.departement_id != ligne.departement.code:
        lecture.erreur(
            "le département administratif d'une structure ne change pas (structure "
            f"« {structure.nom} » enregistrée dans le département "
            f"{structure.departement})",
            "departement",
        )
        return

    for champ, voulue in _identite_voulue(ligne, prevue.operateur).items():
        actuelle = getattr(structure, champ)
        if not _meme_valeur(actuelle, voulue):
            prevue.identite[champ] = voulue
    if ligne.codes_dna is not None and sorted(ligne.codes_dna) != codes_actuels:
        prevue.codes_dna = ligne.codes_dna

    assert ligne.date_effet is not None
    actuelle = _capacite(evenements, ligne.date_effet)
    ecart = Capacite(
        *(getattr(ligne.capacite, c) - getattr(actuelle, c) for c in CHAMPS_CAPACITE)
    )
    if ecart != Capacite():
        if evenements and ligne.date_effet < evenements[0].date_effet:
            lecture.erreur(
                "cette date précède le premier changement de capacité enregistré "
                f"({formater_date(evenements[0].date_effet)}) : saisissez ce "
                "changement dans la fiche de la structure",
                "date_effet",
            )
        if not ligne.acte:
            lecture.erreur(
                "indiquez l'acte qui porte ce changement de capacité", "acte"
            )
        _verifier_capacite_future(lecture, evenements, ligne.date_effet, ecart)
        if ecart.places_autorisees > 0:
            nature = (
                NatureEvenement.EXTENSION if evenements else NatureEvenement.CREATION
            )
        elif ecart.places_autorisees < 0:
            nature = NatureEvenement.REDUCTION
        else:
            nature = NatureEvenement.REQUALIFICATION
        prevue.nature, prevue.variation = nature, Variation(**vars(ecart))
    if not lecture.est_valide:
        return

    if prevue.identite or prevue.codes_dna is not None:
        details = {
            champ: [_valeur_affichee(getattr(structure, champ)), _valeur_affichee(v)]
            for champ, v in prevue.identite.items()
        }
        if prevue.codes_dna is not None:
            details["codes_dna"] = [codes_actuels, prevue.codes_dna]
        plan.analyse.changements.append(
            Changement(
                ligne.numero,
                "structure",
                Nature.MODIFICATION,
                structure.nom,
                f"modification de la structure « {structure.nom} » : "
                + ", ".join(details),
                details,
            )
        )
    if prevue.nature:
        libelle_nature = NatureEvenement(prevue.nature).label.lower()
        plan.analyse.changements.append(
            Changement(
                ligne.numero,
                "capacité",
                Nature.EVENEMENT,
                structure.nom,
                f"{libelle_nature} au {formater_date(ligne.date_effet)} pour « "
                f"{structure.nom} » : {_texte_capacite(actuelle)} → "
                f"{_texte_capacite(ligne.capacite)}",
                {
                    c: [getattr(actuelle, c), getattr(ligne.capacite, c)]
                    for c in CHAMPS_CAPACITE
                    if getattr(actuelle, c) != getattr(ligne.capacite, c)
                },
            )
        )
        posterieurs = [e for e in evenements if e.date_effet > ligne.date_effet]
        if posterieurs:
            plan.analyse.avertissements.append(
                f"Ligne {ligne.numero} : « {structure.nom} » a des changements de "
                f"capacité après le {formater_date(ligne.date_effet)} ; ils "
                "s'ajouteront à celui-ci."
            )
    if prevue.identite or prevue.codes_dna is not None or prevue.nature:
        plan.lignes.append(prevue)


def _prevoir_operateurs(plan: Plan, operateurs: Sequence[OperateurPrevu]) -> None:
    for prevu in operateurs:
        if prevu.existant is None:
            siret = f" (SIRET {prevu.siret})" if prevu.siret else ""
            plan.analyse.changements.append(
                Changement(
                    prevu.ligne,
                    "opérateur",
                    Nature.CREATION,
                    prevu.nom,
                    f"création de l'opérateur « {prevu.nom} »{siret}",
                    {"nom": [None, prevu.nom], "siret": [None, prevu.siret]},
                )
            )
        elif prevu.siret_a_renseigner:
            plan.analyse.changements.append(
                Changement(
                    prevu.ligne,
                    "opérateur",
                    Nature.MODIFICATION,
                    prevu.existant.nom,
                    f"SIRET de l'opérateur « {prevu.existant.nom} » renseigné : "
                    f"{prevu.siret}",
                    {"siret": [None, prevu.siret]},
                )
            )
        else:
            continue
        plan.operateurs.append(prevu)


HORS_PERIMETRE = {
    "codes_dna": "ce code DNA désigne une structure hors de votre périmètre",
    "finess": "ce numéro FINESS désigne une structure hors de votre périmètre",
    "nom": "une structure de cet opérateur porte ce nom dans ce département, hors "
    "de votre périmètre",
}


def _verifier_perimetre(
    auteur: Any,
    lecture: LectureLigne,
    ligne: LigneParc,
    prevu: OperateurPrevu,
    structure: Structure | None,
    modifiables: set[int],
    designation: str,
) -> None:
    """The author may change the structure (or create it in its perimeter), and may
    not hand it to an operator outside its perimeter. A structure outside the
    perimeter is never named: the author may not even see it."""
    perimetre = auteur.perimetre
    if structure is not None and structure.pk not in modifiables:
        lecture.erreur(HORS_PERIMETRE[designation], designation)
        return
    if structure is None:
        if not getattr(auteur, "peut_ecrire", False) or perimetre.est_vide:
            lecture.erreur("votre compte ne permet pas de créer de structure")
            return
        codes = perimetre.departement_codes
        if (
            codes is not None
            and ligne.departement is not None
            and ligne.departement.code not in codes
        ):
            lecture.erreur("ce département est hors de votre périmètre", "departement")
    ids = perimetre.operateur_ids
    if ids is not None and (prevu.existant is None or prevu.existant.pk not in ids):
        lecture.erreur("cet opérateur est hors de votre périmètre", "operateur_nom")


def _etat(
    structures: Sequence[Structure],
    codes: dict[int, list[str]],
    evenements: dict[int, list[EvenementCapacite]],
    operateurs: Sequence[Operateur],
) -> list[Any]:
    """The recorded data the file was compared with, for the fingerprint: a
    structure or an operator edited after the preview changes it."""
    return [
        sorted(
            [
                s.pk,
                s.version,
                codes.get(s.pk, []),
                [
                    [
                        e.pk,
                        e.date_effet.isoformat(),
                        *(getattr(e, c) for c in CHAMPS_CAPACITE),
                    ]
                    for e in evenements.get(s.pk, [])
                ],
            ]
            for s in {s.pk: s for s in structures}.values()
        ),
        sorted([o.pk, o.nom, o.siret] for o in {o.pk: o for o in operateurs}.values()),
    ]


def _planifier(auteur: Any, donnees: bytes, nom_fichier: str) -> Plan:
    plan = Plan(ResultatAnalyse(RapportImport(nom_fichier)))
    rapport = plan.analyse.rapport
    try:
        tableau = lire_tableau(donnees, nom_fichier, COLONNES)
    except FichierRefuse as refus:
        rapport.ajouter(refus.message)
        return plan

    aide, lignes_donnees = separer_lignes_aide(tableau.lignes, est_aide)
    plan.analyse.lignes_ignorees = aide
    departements = {d.code: d for d in Departement.objects.all()}
    lectures: dict[int, LectureLigne] = {}
    lignes: list[LigneParc] = []
    for brute in lignes_donnees:
        if est_exemple(tableau, brute):
            plan.analyse.lignes_ignorees.append(brute.numero)
            continue
        lecture = LectureLigne(tableau, brute, rapport)
        lectures[brute.numero] = lecture
        if not lecture.verifier_decoupage():
            continue
        if (ligne := lire_ligne_parc(lecture, departements)) is not None:
            lignes.append(ligne)
    plan.analyse.lignes_lues = len(lectures)
    if not lectures:
        rapport.ajouter(
            "le fichier ne contient aucune structure", feuille=tableau.feuille
        )
        return plan
    lignes = resoudre_communes(lectures, lignes)

    reperage_operateurs = ReperageOperateurs(auteur, lignes)
    operateurs: dict[int, OperateurPrevu] = {}
    for ligne in lignes:
        prevu = reperage_operateurs.reperer(lectures[ligne.numero], ligne)
        if prevu is not None:
            operateurs[ligne.numero] = prevu
    ids_operateurs = [p.existant.pk for p in operateurs.values() if p.existant]
    reperage = ReperageStructures(auteur, lignes, ids_operateurs)

    reperees: list[tuple[LigneParc, Structure | None]] = []
    vues: dict[Any, int] = {}
    for ligne in lignes:
        lecture = lectures[ligne.numero]
        if ligne.numero not in operateurs:
            continue
        ok, structure = reperage.reperer(lecture, ligne, operateurs[ligne.numero])
        if not ok:
            continue
        cles: list[Any] = [("code", c) for c in ligne.codes_dna or []]
        if ligne.finess:
            cles.append(("finess", ligne.finess))
        if structure is not None:
            cles.append(("structure", structure.pk))
        else:
            cles.append(
                (
                    "nouvelle",
                    id(operateurs[ligne.numero]),
                    normaliser_recherche(ligne.nom),
                    ligne.departement.code if ligne.departement else "",
                )
            )
        deja = next((vues[c] for c in cles if c in vues), None)
        if deja is not None:
            lecture.erreur(f"cette structure figure déjà à la ligne {deja} du fichier")
            continue
        vues.update(dict.fromkeys(cles, ligne.numero))
        reperees.append((ligne, structure))

    ids = [s.pk for _, s in reperees if s is not None]
    modifiables = set(
        Structure.objects.editable_by(auteur)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    codes: dict[int, list[str]] = defaultdict(list)
    for structure_id, code in (
        CodeDna.objects.filter(structure_id__in=ids)
        .order_by("code")
        .values_list("structure_id", "code")
    ):
        codes[structure_id].append(code)
    evenements = _evenements(ids)
    plan.analyse.etat = _etat(
        [s for _, s in reperees if s is not None],
        codes,
        evenements,
        [p.existant for p in operateurs.values() if p.existant],
    )

    retenus: list[OperateurPrevu] = []
    for ligne, structure in reperees:
        lecture = lectures[ligne.numero]
        prevu = operateurs[ligne.numero]
        _verifier_perimetre(
            auteur,
            lecture,
            ligne,
            prevu,
            structure,
            modifiables,
            reperage.designation(ligne),
        )
        if not lecture.est_valide:
            continue
        retenus.append(prevu)
        prevue = LignePrevue(ligne, prevu, structure)
        if structure is None:
            _prevoir_nouvelle(lecture, prevue, plan)
        else:
            _prevoir_existante(
                lecture, prevue, plan, codes[structure.pk], evenements[structure.pk]
            )
    _prevoir_operateurs(plan, list(dict.fromkeys(retenus)))
    plan.analyse.changements.sort(key=lambda c: (c.ligne or 0, c.objet != "opérateur"))
    rapport.trier()
    return plan


# Application -----------------------------------------------------------------------


def _creer_operateur(auteur: Any, prevu: OperateurPrevu) -> Operateur:
    return operateurs_services.creer_operateur(
        auteur,
        {"nom": prevu.nom, "siret": prevu.siret},
        commentaire="Créé par l'import du parc.",
    )


def _renseigner_siret(auteur: Any, prevu: OperateurPrevu) -> Operateur:
    assert prevu.existant is not None
    return operateurs_services.renseigner_siret(
        auteur,
        prevu.existant.pk,
        prevu.siret or "",
        commentaire="SIRET renseigné par l'import du parc.",
    )


def _appliquer_ligne(auteur: Any, prevue: LignePrevue) -> None:
    ligne = prevue.ligne
    donnees = {
        champ: valeur.instance if isinstance(valeur, OperateurPrevu) else valeur
        for champ, valeur in prevue.identite.items()
    }
    if prevue.structure is None:
        structure = creer_structure(auteur, donnees)
    elif donnees:
        structure = modifier_structure(
            auteur, prevue.structure.pk, donnees, prevue.structure.version
        )
    else:
        structure = prevue.structure
    if prevue.codes_dna is not None:
        definir_codes_dna(auteur, structure, prevue.codes_dna)
    if prevue.nature and prevue.variation:
        assert ligne.date_effet is not None and ligne.acte is not None
        enregistrer_evenement(
            auteur,
            structure,
            prevue.nature,
            ligne.date_effet,
            ligne.acte,
            prevue.variation,
            commentaire="Import du parc.",
        )


def _message(erreur: Exception) -> str:
    if isinstance(erreur, ErreurMetier):
        return erreur.message
    if isinstance(erreur, ModificationConcurrente):
        return "la structure a été modifiée entre-temps : relancez l'analyse"
    if isinstance(erreur, ValidationError):
        return " ".join(erreur.messages)
    return "enregistrement impossible (données modifiées en même temps ?)"


def _executer(auteur: Any, plan: Plan) -> None:
    for prevu in plan.operateurs:
        try:
            if prevu.existant is None:
                prevu.instance = _creer_operateur(auteur, prevu)
            else:
                prevu.instance = _renseigner_siret(auteur, prevu)
        except (ErreurMetier, ValidationError, DatabaseError) as erreur:
            raise EchecApplication(prevu.ligne, _message(erreur)) from erreur
    for prevue in plan.lignes:
        if prevue.operateur.instance is None:
            prevue.operateur.instance = prevue.operateur.existant
        try:
            _appliquer_ligne(auteur, prevue)
        except (
            ErreurMetier,
            ModificationConcurrente,
            ValidationError,
            DatabaseError,
        ) as erreur:
            raise EchecApplication(prevue.ligne.numero, _message(erreur)) from erreur


# Public API ------------------------------------------------------------------------


def analyser_import_parc(
    auteur: Any, fichier: bytes | IO[bytes], nom_fichier: str
) -> ResultatAnalyse:
    """Dry run: every error of the file, and the changes it would make. Writes
    nothing."""
    try:
        donnees = lire_octets(fichier)
    except FichierRefuse as refus:
        analyse = ResultatAnalyse(RapportImport(nom_fichier))
        analyse.rapport.ajouter(refus.message)
        return analyse
    analyse = _planifier(auteur, donnees, nom_fichier).analyse
    logger.info(
        "park import analysed by user %s: %s rows, %s errors, %s changes",
        getattr(auteur, "pk", None),
        analyse.lignes_lues,
        len(analyse.rapport),
        len(analyse.changements),
    )
    return analyse


def appliquer_import_parc(
    auteur: Any,
    fichier: bytes | IO[bytes],
    nom_fichier: str,
    *,
    empreinte: str,
) -> ResultatImport:
    """Check the file again against the base as it is now and apply it whole, or
    nothing. ``empreinte`` is that of the preview the user confirmed: an import
    whose changes, or the data they start from, differ from the preview is refused,
    and so is an empty ``empreinte``."""
    try:
        donnees = lire_octets(fichier)
    except FichierRefuse as refus:
        analyse = ResultatAnalyse(RapportImport(nom_fichier))
        analyse.rapport.ajouter(refus.message)
        return ResultatImport.depuis(analyse, applique=False)

    try:
        with transaction.atomic():
            verrouiller_import("import-parc")
            plan = _planifier(auteur, donnees, nom_fichier)
            analyse = plan.analyse
            if not analyse.est_valide:
                return ResultatImport.depuis(analyse, applique=False)
            if not empreinte_confirmee(analyse, empreinte):
                return ResultatImport.depuis(analyse, applique=False)
            _executer(auteur, plan)
    except EchecApplication as echec:
        analyse.rapport.ajouter(echec.message, ligne=echec.ligne)
        logger.warning(
            "park import by user %s rolled back at row %s",
            getattr(auteur, "pk", None),
            echec.ligne,
        )
        return ResultatImport.depuis(analyse, applique=False)

    logger.info(
        "park import applied by user %s: %s creations, %s changes",
        getattr(auteur, "pk", None),
        analyse.crees,
        analyse.modifies,
    )
    return ResultatImport.depuis(analyse, applique=True)
