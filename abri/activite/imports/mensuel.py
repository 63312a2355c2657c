"""Import of the monthly occupancy file.

Layouts: one sheet named ``Liste`` whose month is in the file name (``Liste données
par centre 10.25 VF.xlsx``), or one sheet per month named ``10 25`` or ``octobre
2025`` (a single sheet with another name also takes the month of the file name). In
each sheet the header row is found by its labels among the first rows (title cells
above it are skipped); empty rows and total rows are skipped.

Every row is read and checked first, every error collected with its sheet, row,
column and value. Then:

- a row whose DNA code the park knows becomes the month of that structure (two codes
  of one structure in one month are summed);
- a row whose code the park does not know is kept pending until an agent links the
  code to a structure;
- the operator's name is looked up, as spelled, in the spellings agents recorded,
  then among the operators' names; an unknown spelling is a warning that proposes
  the closest operator the author sees (the structure is found by its code, not by
  its operator).

Perimeter: an agent imports the rows of the structures it sees (and the unknown
codes of its départements); the other rows of a national file are counted, named
nowhere, and left as they are. Applying replaces, for each month of the file, what
the file brought for that month within the author's perimeter, and nothing else; a
declaration of an operator for a structure and month of the file gives way to it.
"""

from __future__ import annotations

import datetime
import difflib
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.db.models import Count, Max

from abri.activite import regles
from abri.activite.imports.lignes import (
    COLONNES,
    LigneActivite,
    ResolveurDepartements,
    est_ligne_total,
    lire_code,
    lire_ligne,
)
from abri.activite.models import (
    ActiviteMensuelle,
    CorrespondanceOperateur,
    ImportActivite,
    LigneEnAttente,
    Source,
)
from abri.communs.tableurs import (
    Classeur,
    FichierRefuse,
    LectureLigne,
    RapportImport,
    Tableau,
    lire_classeur,
    lire_octets,
    trouver_tableau,
)
from abri.communs.texte import normaliser_recherche
from abri.communs.valeurs import ValeurInvalide, est_vide, formater_nombre
from abri.comptes.droits import peut_importer_activite
from abri.journal.models import Action
from abri.journal.services import enregistrer
from abri.operateurs.models import Operateur
from abri.structures.imports.commun import (
    Changement,
    Nature,
    ResultatAnalyse,
    empreinte_confirmee,
    verrouiller_import,
)
from abri.structures.models import CodeDna, Structure

logger = logging.getLogger(__name__)

TAILLE_LOT = 2000
LIGNES_CITEES_MAX = 5


@dataclass
class AnalyseActivite(ResultatAnalyse):
    """What the import found; see :class:`ResultatAnalyse`."""

    mois: list[datetime.date] = field(default_factory=list)
    structures: int = 0
    en_attente: int = 0
    hors_perimetre: int = 0
    # (spelling, id of the closest operator) for the links to record them
    operateurs_inconnus: list[tuple[str, int | None]] = field(default_factory=list)

    def resume(self) -> str:
        if not self.est_valide:
            return f"{len(self.rapport)} erreur(s) : rien n'est enregistré."
        if not self.changements:
            return "Aucune ligne à importer dans votre périmètre."
        mois = ", ".join(regles.libelle_mois(m) for m in self.mois)
        texte = (
            f"{formater_nombre(self.structures)} mois de structure pour {mois}"
            if len(self.mois) <= 3
            else f"{formater_nombre(self.structures)} mois de structure sur "
            f"{len(self.mois)} mois"
        )
        if self.en_attente:
            texte += f", {formater_nombre(self.en_attente)} ligne(s) en attente"
        return texte + "."


@dataclass
class ResultatImportActivite(AnalyseActivite):
    applique: bool = False

    @classmethod
    def depuis(cls, analyse: AnalyseActivite, applique: bool) -> ResultatImportActivite:
        return cls(**{**vars(analyse), "applique": applique})


@dataclass
class Plan:
    analyse: AnalyseActivite
    # (structure_id, month) → figures, and the code the file gave
    mois_structures: dict[tuple[int, datetime.date], dict[str, Any]] = field(
        default_factory=dict
    )
    en_attente: list[tuple[LigneActivite, Operateur | None]] = field(
        default_factory=list
    )
    declarations_remplacees: list[tuple[int, datetime.date]] = field(
        default_factory=list
    )


def _feuilles_mois(
    classeur: Classeur, nom_fichier: str, analyse: AnalyseActivite
) -> list[tuple[Tableau, datetime.date]]:
    """The sheets to read and the month of each."""
    rapport = analyse.rapport
    feuilles = [f for f in classeur.feuilles if f.lignes]
    listes = [f for f in feuilles if normaliser_recherche(f.nom or "") == "liste"]
    par_nom = {f.nom: regles.mois_du_nom_de_feuille(f.nom or "") for f in feuilles}
    choisies: list[tuple[Any, datetime.date]] = []
    if listes or (len(feuilles) == 1 and par_nom[feuilles[0].nom] is None):
        feuille = listes[0] if listes else feuilles[0]
        mois = regles.mois_du_nom_de_fichier(nom_fichier)
        defaut = regles.defaut_nom_de_feuille(feuille.nom or "")
        if mois is None and defaut is not None:
            rapport.ajouter(
                f"le nom de la feuille « {feuille.nom} » n'est pas un mois réel : "
                f"{defaut} ; nommez-la par son mois et son année (« 10 25 », "
                "« octobre 2025 »)",
                feuille=feuille.nom,
            )
            return []
        if mois is None:
            rapport.ajouter(
                "le mois n'est pas dans le nom du fichier : nommez-le avec le mois "
                "et l'année, comme « Liste données par centre 10.25.xlsx », ou "
                "nommez chaque feuille par son mois (« 10 25 », « octobre 2025 »)"
            )
            return []
        choisies.append((feuille, mois))
        for autre in (f for f in feuilles if f is not feuille):
            analyse.avertissements.append(
                f"Feuille « {autre.nom} » ignorée : le fichier est lu dans sa "
                f"feuille « {feuille.nom} », au mois de son nom."
            )
    else:
        vus: dict[datetime.date, str | None] = {}
        for feuille in feuilles:
            mois = par_nom[feuille.nom]
            if mois is None:
                continue
            if mois in vus:
                rapport.ajouter(
                    f"deux feuilles portent le mois {regles.libelle_mois(mois)} "
                    f"(« {vus[mois]} » et « {feuille.nom} »)",
                    feuille=feuille.nom,
                )
                continue
            vus[mois] = feuille.nom
            choisies.append((feuille, mois))
        for nom in (f.nom for f in feuilles if par_nom[f.nom] is None):
            defaut = regles.defaut_nom_de_feuille(nom or "")
            analyse.avertissements.append(
                f"Feuille « {nom} » ignorée : son nom n'est pas un mois"
                + (f" ({defaut})." if defaut else ".")
            )
        if not choisies:
            rapport.ajouter(
                "aucune feuille « Liste » ni aucune feuille nommée par un mois "
                "(« 10 25 », « octobre 2025 ») : le mois des chiffres est inconnu"
            )
            return []
    tableaux = []
    for feuille, mois in choisies:
        if mois > regles.premier_du_mois(datetime.date.today()):
            rapport.ajouter(
                f"le mois {regles.libelle_mois(mois)} n'est pas encore commencé",
                feuille=feuille.nom,
            )
            continue
        try:
            tableau = trouver_tableau(Classeur(classeur.fichier, (feuille,)), COLONNES)
        except FichierRefuse as refus:
            rapport.ajouter(refus.message, feuille=feuille.nom)
            continue
        tableaux.append((tableau, mois))
    return sorted(tableaux, key=lambda t: t[1])


class ReperageOperateurs:
    """Operators named by the file: the recorded spellings first, then the names."""

    def __init__(self, auteur: Any) -> None:
        self.correspondances = {
            c.cle: c.operateur
            for c in CorrespondanceOperateur.objects.select_related("operateur")
        }
        self.par_nom: dict[str, Operateur] = {}
        for operateur in Operateur.objects.order_by("pk"):
            self.par_nom.setdefault(regles.cle_operateur(operateur.nom), operateur)
        self.visibles = {
            regles.cle_operateur(o.nom): o
            for o in Operateur.objects.for_user(auteur).only("nom")
        }

    def reconnaitre(self, libelle: str) -> Operateur | None:
        cle = regles.cle_operateur(libelle)
        return self.correspondances.get(cle) or self.par_nom.get(cle)

    def proposer(self, libelle: str) -> Operateur | None:
        """The closest operator the author sees, if one is close enough."""
        proches = difflib.get_close_matches(
            regles.cle_operateur(libelle), list(self.visibles), n=1, cutoff=0.6
        )
        return self.visibles[proches[0]] if proches else None


def _lieu(lignes: list[tuple[str | None, int]]) -> str:
    textes = [
        f"{feuille} ligne {numero}" if feuille else f"ligne {numero}"
        for feuille, numero in lignes[:LIGNES_CITEES_MAX]
    ]
    reste = len(lignes) - LIGNES_CITEES_MAX
    return ", ".join(textes) + (f" et {reste} autre(s)" if reste > 0 else "")


def _lire_lignes(
    auteur: Any, tableaux: list[tuple[Tableau, datetime.date]], plan: Plan
) -> tuple[list[tuple[LigneActivite, int | None]], int]:
    """Rows of the perimeter, read and checked, with the structure of their code."""
    analyse = plan.analyse
    rapport = analyse.rapport
    departements = ResolveurDepartements()
    codes = dict(CodeDna.objects.values_list("code", "structure_id"))
    perimetre = auteur.perimetre
    visibles = (
        None
        if perimetre.est_national
        else set(Structure.objects.for_user(auteur).values_list("pk", flat=True))
    )
    codes_departements = perimetre.departement_codes
    lues: list[tuple[LigneActivite, int | None]] = []
    vues: dict[tuple[datetime.date, str], tuple[str | None, int]] = {}
    hors, nombre = 0, 0
    for tableau, mois in tableaux:
        for brute in tableau.lignes:
            if est_vide(tableau.valeur(brute, "code")) and est_ligne_total(
                brute.cellules
            ):
                continue
            nombre += 1
            lecture = LectureLigne(tableau, brute, rapport)
            if not lecture.verifier_decoupage():
                continue
            code = lecture.lire("code", lire_code, obligatoire=True)
            if code is None:
                continue
            structure_id = codes.get(code)
            if (
                visibles is not None
                and structure_id is not None
                and structure_id not in visibles
            ):
                hors += 1
                continue
            try:
                brut = lecture.brut("departement")
                if est_vide(brut):
                    raise ValeurInvalide("valeur obligatoire")
                departement = departements.resoudre(brut)
            except ValeurInvalide as erreur:
                lecture.erreur(erreur.message, "departement")
                continue
            if structure_id is None and (
                perimetre.operateur_ids is not None
                or (
                    codes_departements is not None
                    and departement.code not in codes_departements
                )
            ):
                hors += 1
                continue
            ligne = lire_ligne(lecture, mois, code, departement)
            if ligne is None:
                continue
            if (mois, code) in vues:
                _, numero = vues[(mois, code)]
                lecture.erreur(
                    f"le code {code} figure déjà à la ligne {numero} pour "
                    f"{regles.libelle_mois(mois)}",
                    "code",
                )
                continue
            vues[(mois, code)] = (tableau.feuille, brute.numero)
            if ligne.suroccupee:
                analyse.avertissements.append(
                    (f"Feuille « {tableau.feuille} », l" if tableau.feuille else "L")
                    + f"igne {brute.numero}, colonne "
                    f"« {tableau.libelles.get('places_occupees')} » : "
                    f"{ligne.places_occupees} places occupées pour "
                    f"{ligne.disponibles} places disponibles (capacité moins places "
                    "indisponibles) ; les chiffres sont repris tels quels."
                )
            lues.append((ligne, structure_id))
    analyse.lignes_lues = nombre
    if not nombre and rapport.est_valide:
        rapport.ajouter("le fichier ne contient aucune ligne de centre")
    return lues, hors


def _verifier_operateurs(
    auteur: Any, lues: list[tuple[LigneActivite, int | None]], plan: Plan
) -> dict[int, Operateur | None]:
    """Warnings for unknown spellings and for structures the file gives to another
    operator; the operator recognised for each pending row (by its index)."""
    reperage = ReperageOperateurs(auteur)
    ids = {sid for _, sid in lues if sid is not None}
    parc = {
        s["pk"]: s
        for s in Structure.objects.filter(pk__in=ids).values(
            "pk",
            "nom",
            "operateur_id",
            "operateur__groupe_id",
            "operateur__nom",
            "departement_id",
        )
    }
    inconnus: dict[str, list[tuple[str | None, int]]] = defaultdict(list)
    autres: list[str] = []
    autres_departements: list[tuple[str | None, int]] = []
    reconnus: dict[int, Operateur | None] = {}
    for rang, (ligne, structure_id) in enumerate(lues):
        operateur = reperage.reconnaitre(ligne.operateur) if ligne.operateur else None
        if ligne.operateur and operateur is None:
            inconnus[ligne.operateur].append((ligne.feuille, ligne.numero))
        if structure_id is None:
            reconnus[rang] = operateur
            continue
        structure = parc[structure_id]
        if structure["departement_id"] != ligne.departement.code:
            autres_departements.append((ligne.feuille, ligne.numero))
        gere = operateur is None or operateur.pk in {
            structure["operateur_id"],
            structure["operateur__groupe_id"],
        }
        if not gere and len(autres) < LIGNES_CITEES_MAX:
            autres.append(
                f"{_lieu([(ligne.feuille, ligne.numero)])} : « {structure['nom']} »"
                f" est gérée par « {structure['operateur__nom']} » dans le parc"
            )
    for libelle, lignes in sorted(inconnus.items()):
        proposition = reperage.proposer(libelle)
        plan.analyse.operateurs_inconnus.append(
            (libelle, proposition.pk if proposition else None)
        )
        suite = (
            f" L'opérateur connu le plus proche est « {proposition.nom} » : "
            "enregistrez la correspondance si c'est lui."
            if proposition
            else " Enregistrez la correspondance avec un opérateur du parc."
        )
        plan.analyse.avertissements.append(
            f"Opérateur « {libelle} » inconnu ({_lieu(lignes)}).{suite}"
        )
    if autres:
        plan.analyse.avertissements.append(
            "Le fichier nomme un autre opérateur que le parc : " + " ; ".join(autres)
        )
    if autres_departements:
        plan.analyse.avertissements.append(
            "Département du fichier différent de celui de la structure dans le parc "
            f"({_lieu(autres_departements)}) : les chiffres vont à la structure de "
            "ce code."
        )
    return reconnus


def _etat(auteur: Any, mois: list[datetime.date]) -> list[Any]:
    """The recorded data the import replaces or relies on, for the fingerprint."""
    activites = (
        ActiviteMensuelle.objects.for_user(auteur)
        .filter(mois__in=mois)
        .aggregate(n=Count("pk"), dernier=Max("pk"), modifie=Max("modifie_le"))
    )
    attente = (
        LigneEnAttente.objects.for_user(auteur)
        .filter(mois__in=mois)
        .aggregate(n=Count("pk"), dernier=Max("pk"))
    )
    codes = CodeDna.objects.aggregate(n=Count("pk"), dernier=Max("pk"))
    correspondances = CorrespondanceOperateur.objects.aggregate(
        n=Count("pk"), dernier=Max("pk")
    )
    return [activites, attente, codes, correspondances]


def _prevoir(
    auteur: Any, lues: list[tuple[LigneActivite, int | None]], plan: Plan
) -> None:
    analyse = plan.analyse
    reconnus = _verifier_operateurs(auteur, lues, plan)
    for rang, (ligne, structure_id) in enumerate(lues):
        if structure_id is None:
            plan.en_attente.append((ligne, reconnus.get(rang)))
            continue
        cle = (structure_id, ligne.mois)
        donnees: dict[str, Any] = dict(ligne.donnees())
        if cle in plan.mois_structures:
            somme = plan.mois_structures[cle]
            donnees = {c: somme[c] + donnees[c] for c in donnees}
            donnees["code_dna"] = somme["code_dna"]
        else:
            donnees["code_dna"] = ligne.code
        plan.mois_structures[cle] = donnees

    mois = sorted({ligne.mois for ligne, _ in lues})
    analyse.mois = mois
    analyse.structures = len(plan.mois_structures)
    analyse.en_attente = len(plan.en_attente)
    analyse.etat = _etat(auteur, mois)

    existants: dict[datetime.date, dict[str, int]] = defaultdict(dict)
    for ligne_existante in (
        ActiviteMensuelle.objects.for_user(auteur)
        .filter(mois__in=mois)
        .values("mois", "source")
        .annotate(n=Count("pk"))
    ):
        existants[ligne_existante["mois"]][ligne_existante["source"]] = ligne_existante[
            "n"
        ]
    declarations = ActiviteMensuelle.objects.for_user(auteur).filter(
        mois__in=mois, source=Source.DECLARATION
    )
    plan.declarations_remplacees = [
        cle
        for cle in declarations.values_list("structure_id", "mois")
        if cle in plan.mois_structures
    ]
    par_mois: dict[datetime.date, int] = defaultdict(int)
    for _, m in plan.mois_structures:
        par_mois[m] += 1
    attente_par_mois: dict[datetime.date, int] = defaultdict(int)
    for ligne, _ in plan.en_attente:
        attente_par_mois[ligne.mois] += 1
    for m in mois:
        importees = existants.get(m, {}).get(Source.FICHIER, 0)
        libelle = regles.libelle_mois(m)
        description = (
            f"{libelle} : {formater_nombre(par_mois[m])} structure(s)"
            + (
                f" et {formater_nombre(attente_par_mois[m])} code(s) inconnu(s) en "
                "attente"
                if attente_par_mois[m]
                else ""
            )
            + (
                f", à la place des {formater_nombre(importees)} structure(s) du "
                "fichier déjà importé pour ce mois"
                if importees
                else ""
            )
        )
        analyse.changements.append(
            Changement(
                None,
                "mois",
                Nature.REMPLACEMENT if importees else Nature.CREATION,
                libelle,
                description,
                {
                    "structures": [importees, par_mois[m]],
                    "en_attente": [0, attente_par_mois[m]],
                },
            )
        )
    if plan.declarations_remplacees:
        analyse.avertissements.append(
            f"{len(plan.declarations_remplacees)} déclaration(s) d'opérateur pour un "
            "mois du fichier seront remplacées par les chiffres du fichier."
        )
    for ligne, _ in plan.en_attente:
        analyse.changements.append(
            Changement(
                ligne.numero,
                "en attente",
                Nature.CREATION,
                ligne.code,
                f"code DNA {ligne.code} inconnu du parc ({ligne.nom or 'sans nom'}, "
                f"{ligne.departement}, {regles.libelle_mois(ligne.mois)}) : ligne "
                "gardée en attente jusqu'à ce qu'un agent rattache ce code à une "
                "structure",
                {"capacite": [None, ligne.capacite]},
            )
        )


def _planifier(auteur: Any, donnees: bytes, nom_fichier: str) -> Plan:
    plan = Plan(AnalyseActivite(RapportImport(nom_fichier)))
    rapport = plan.analyse.rapport
    if not peut_importer_activite(auteur) or auteur.perimetre.est_vide:
        rapport.ajouter("votre compte ne permet pas d'importer le fichier mensuel")
        return plan
    try:
        classeur = lire_classeur(donnees, nom_fichier)
    except FichierRefuse as refus:
        rapport.ajouter(refus.message)
        return plan
    tableaux = _feuilles_mois(classeur, nom_fichier, plan.analyse)
    if not tableaux:
        if rapport.est_valide:
            rapport.ajouter("aucune feuille lisible")
        return plan
    lues, hors = _lire_lignes(auteur, tableaux, plan)
    plan.analyse.hors_perimetre = hors
    if hors:
        plan.analyse.avertissements.append(
            f"{formater_nombre(hors)} ligne(s) concernent des structures ou des "
            "départements hors de votre périmètre : elles ne sont pas prises en "
            "compte."
        )
    if not rapport.est_valide:
        rapport.trier()
        return plan
    _prevoir(auteur, lues, plan)
    return plan


# Application -----------------------------------------------------------------------


def _executer(auteur: Any, plan: Plan, nom_fichier: str) -> None:
    analyse = plan.analyse
    import_activite = ImportActivite.objects.create(
        nom_fichier=nom_fichier[:250],
        mois=[m.isoformat() for m in analyse.mois],
        lignes=analyse.structures,
        en_attente=analyse.en_attente,
        auteur=auteur,
    )
    visibles = Structure.objects.for_user(auteur).values("pk")
    touchees = {sid for sid, _ in plan.mois_structures}
    for mois in analyse.mois:
        dans_le_fichier = [sid for sid, m in plan.mois_structures if m == mois]
        anciennes = ActiviteMensuelle.objects.filter(mois=mois).filter(
            structure__in=visibles
        )
        touchees.update(
            anciennes.filter(source=Source.FICHIER).values_list(
                "structure_id", flat=True
            )
        )
        anciennes.filter(source=Source.FICHIER).delete()
        for debut in range(0, len(dans_le_fichier), TAILLE_LOT):
            ActiviteMensuelle.objects.filter(
                mois=mois, structure_id__in=dans_le_fichier[debut : debut + TAILLE_LOT]
            ).delete()
        LigneEnAttente.objects.for_user(auteur).filter(mois=mois).delete()

    ActiviteMensuelle.objects.bulk_create(
        (
            ActiviteMensuelle(
                structure_id=sid,
                mois=mois,
                source=Source.FICHIER,
                import_activite=import_activite,
                **donnees,
            )
            for (sid, mois), donnees in plan.mois_structures.items()
        ),
        batch_size=TAILLE_LOT,
    )
    codes_attente = {ligne.code for ligne, _ in plan.en_attente}
    # A pending code of another département (an agent's file of last month) for the
    # same month would clash: the new row replaces it.
    LigneEnAttente.objects.filter(
        code_dna__in=codes_attente, mois__in=analyse.mois
    ).delete()
    LigneEnAttente.objects.bulk_create(
        [
            LigneEnAttente(
                code_dna=ligne.code,
                mois=ligne.mois,
                nom_centre=ligne.nom[:250],
                type_centre=ligne.type[:100],
                operateur_libelle=ligne.operateur[:250],
                operateur=operateur,
                departement=ligne.departement,
                donnees=ligne.donnees(),
                import_activite=import_activite,
            )
            for ligne, operateur in plan.en_attente
        ],
        batch_size=TAILLE_LOT,
    )

    enregistrer(
        auteur,
        Action.IMPORT,
        import_activite,
        {
            "mois": [None, [regles.libelle_mois(m) for m in analyse.mois]],
            "structures": [None, analyse.structures],
            "en_attente": [None, analyse.en_attente],
        },
        commentaire=f"Import du fichier mensuel d'occupation « {nom_fichier} ».",
    )
    for structure_id, mois in plan.declarations_remplacees:
        enregistrer(
            auteur,
            Action.IMPORT,
            import_activite,
            {"source": [Source.DECLARATION.label, Source.FICHIER.label]},
            commentaire=f"{regles.libelle_mois(mois)} : la déclaration de l'opérateur "
            "est remplacée par le fichier mensuel.",
            structure_id=structure_id,
        )

    from abri.pilotage.services import recalculer_anomalies

    recalculer_anomalies(Structure.objects.filter(pk__in=touchees).only("pk"))


# Public API ------------------------------------------------------------------------


def analyser_import_activite(
    auteur: Any, fichier: bytes | IO[bytes], nom_fichier: str
) -> AnalyseActivite:
    """Dry run: every error of the file, and what it would change. Writes nothing."""
    try:
        donnees = lire_octets(fichier)
    except FichierRefuse as refus:
        analyse = AnalyseActivite(RapportImport(nom_fichier))
        analyse.rapport.ajouter(refus.message)
        return analyse
    analyse = _planifier(auteur, donnees, nom_fichier).analyse
    logger.info(
        "occupancy import analysed by user %s: %s rows, %s errors, %s months",
        getattr(auteur, "pk", None),
        analyse.lignes_lues,
        len(analyse.rapport),
        len(analyse.mois),
    )
    return analyse


def appliquer_import_activite(
    auteur: Any,
    fichier: bytes | IO[bytes],
    nom_fichier: str,
    *,
    empreinte: str,
) -> ResultatImportActivite:
    """Check the file again against the base as it is now and apply it whole, or
    nothing; ``empreinte`` is that of the preview the user confirmed."""
    try:
        donnees = lire_octets(fichier)
    except FichierRefuse as refus:
        analyse = AnalyseActivite(RapportImport(nom_fichier))
        analyse.rapport.ajouter(refus.message)
        return ResultatImportActivite.depuis(analyse, applique=False)

    with transaction.atomic():
        verrouiller_import("activite")
        plan = _planifier(auteur, donnees, nom_fichier)
        analyse = plan.analyse
        if not analyse.est_valide or not empreinte_confirmee(analyse, empreinte):
            return ResultatImportActivite.depuis(analyse, applique=False)
        _executer(auteur, plan, nom_fichier)

    logger.info(
        "occupancy import applied by user %s: %s structure months, %s pending, "
        "months %s",
        getattr(auteur, "pk", None),
        analyse.structures,
        analyse.en_attente,
        [m.isoformat() for m in analyse.mois],
    )
    return ResultatImportActivite.depuis(analyse, applique=True)
