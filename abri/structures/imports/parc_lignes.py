"""Columns, cell parsers and template of the park import (one row per structure)."""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import xlsxwriter

from abri.communs.tableurs import (
    Colonne,
    LectureLigne,
    Ligne,
    Tableau,
    normaliser_entete,
)
from abri.communs.texte import normaliser_recherche
from abri.communs.valeurs import (
    Cellule,
    ValeurInvalide,
    lire_code_departement,
    lire_code_postal,
    lire_date_vraisemblable,
    lire_entier,
    lire_siret,
    lire_texte,
)
from abri.structures import regles
from abri.structures.imports.commun import (
    PLACES_MAX,
    ResolveurCommunes,
    est_ligne_aide,
)
from abri.structures.models import CHAMPS_CAPACITE, Public, TypeStructure
from abri.structures.regles import Capacite
from abri.territoires.models import Commune, Departement

COLONNES = (
    Colonne(
        "operateur_nom",
        "Opérateur (raison sociale)",
        alias=("Opérateur", "Raison sociale", "Raison sociale de l'opérateur"),
        aide="Raison sociale de l'opérateur gestionnaire.",
    ),
    Colonne(
        "operateur_siret",
        "SIRET de l'opérateur",
        obligatoire=False,
        alias=("SIRET", "N° SIRET"),
        aide="14 chiffres, saisis comme du texte.",
    ),
    Colonne(
        "nom",
        "Nom de la structure",
        alias=("Structure", "Nom"),
        aide="Nom usuel de la structure.",
    ),
    Colonne(
        "type",
        "Type",
        alias=("Type de structure",),
        aide="CADA, HUDA, CAES, CPH ou PRAHDA.",
    ),
    Colonne(
        "departement",
        "Département",
        alias=("Code département", "Département administratif"),
        aide="Code du département administratif : 01, 2A, 974…",
    ),
    Colonne(
        "public",
        "Public",
        aide="Familles, Personnes isolées ou Tout public.",
    ),
    Colonne(
        "adresse",
        "Adresse administrative",
        obligatoire=False,
        alias=("Adresse",),
        aide="Numéro et voie.",
    ),
    Colonne(
        "code_postal",
        "Code postal",
        obligatoire=False,
        alias=("CP",),
        aide="5 chiffres, saisis comme du texte.",
    ),
    Colonne(
        "commune",
        "Commune",
        obligatoire=False,
        alias=("Ville",),
        aide="Commune de l'adresse administrative.",
    ),
    Colonne(
        "codes_dna",
        "Codes DNA",
        obligatoire=False,
        alias=("Code DNA",),
        aide="Une lettre et 4 chiffres ; plusieurs codes séparés par des virgules.",
    ),
    Colonne(
        "finess",
        "FINESS",
        obligatoire=False,
        alias=("Numéro FINESS", "N° FINESS"),
        aide="9 caractères, pour les CADA et CPH.",
    ),
    Colonne(
        "places_autorisees",
        "Places autorisées",
        alias=("Capacité",),
        aide="Nombre entier de places autorisées à la date d'effet.",
    ),
    Colonne(
        "places_pmr",
        "Places PMR",
        obligatoire=False,
        aide="Dont places pour personnes à mobilité réduite (vide : 0).",
    ),
    Colonne(
        "places_lgbt",
        "Places LGBT",
        obligatoire=False,
        aide="Dont places dédiées aux personnes LGBT+ (vide : 0).",
    ),
    Colonne(
        "places_fvv_teh",
        "Places FVV-TEH",
        obligatoire=False,
        alias=("Places FVV TEH",),
        aide="Dont places pour femmes victimes de violences ou de traite (vide : 0).",
    ),
    Colonne(
        "date_effet",
        "Date d'effet",
        aide="jj/mm/aaaa : date à laquelle cette capacité s'applique.",
    ),
    Colonne(
        "acte",
        "Acte administratif",
        alias=("Acte",),
        aide="Arrêté ou convention qui fixe cette capacité.",
    ),
)
LIBELLES = {c.cle: c.libelle for c in COLONNES}

EXEMPLE: dict[str, Cellule] = {
    "operateur_nom": "Association Exemple",
    "operateur_siret": "00000000000000",
    "nom": "CADA Exemple (ligne à remplacer)",
    "type": "CADA",
    "departement": "35",
    "public": "Familles",
    "adresse": "1 rue de l'Exemple",
    "code_postal": "35000",
    "commune": "Rennes",
    "codes_dna": "C3501",
    "finess": "350000000",
    "places_autorisees": 100,
    "places_pmr": 5,
    "places_lgbt": 0,
    "places_fvv_teh": 2,
    "date_effet": datetime.date(2024, 1, 1),
    "acte": "Arrêté préfectoral n° 2024-001",
}

PUBLICS = {
    "familles": Public.FAMILLES,
    "famille": Public.FAMILLES,
    "isoles": Public.ISOLES,
    "isole": Public.ISOLES,
    "personnes isolees": Public.ISOLES,
    "tous": Public.TOUS,
    "tout public": Public.TOUS,
}
SEPARATEURS_CODES = str.maketrans(dict.fromkeys(",;/+|\n", " "))
_CODE_ASCII = re.compile(r"[A-Za-z0-9 _.-]+")
_FINESS = re.compile(r"[0-9A-Z]{9}")


# Parsers of the columns of this import -------------------------------------------


def _texte(maximum: int) -> Callable[[Cellule], str | None]:
    def lire(valeur: Cellule) -> str | None:
        texte = lire_texte(valeur)
        if texte is not None and len(texte) > maximum:
            raise ValeurInvalide(f"texte trop long ({maximum} caractères au plus)")
        return texte

    return lire


def lire_type(valeur: Cellule) -> str | None:
    texte = lire_texte(valeur)
    if texte is None:
        return None
    code = "".join(texte.split()).upper()
    if code not in TypeStructure.values:
        raise ValeurInvalide("type inconnu (CADA, HUDA, CAES, CPH ou PRAHDA)")
    return code


def lire_public(valeur: Cellule) -> str | None:
    texte = lire_texte(valeur)
    if texte is None:
        return None
    public = PUBLICS.get(normaliser_recherche(texte))
    if public is None:
        raise ValeurInvalide(
            "public inconnu (Familles, Personnes isolées, Tout public)"
        )
    return public


def lire_codes_dna(valeur: Cellule) -> list[str] | None:
    texte = lire_texte(valeur)
    if texte is None:
        return None
    codes = []
    for brut in texte.translate(SEPARATEURS_CODES).split():
        # ASCII only: "H٤٤٠١" or "Ｈ４４０１" must not pass for H4401.
        code = regles.normaliser_code_dna(brut) if _CODE_ASCII.fullmatch(brut) else None
        if code is None:
            raise ValeurInvalide(f"« {brut} » n'est pas un code DNA (H0209)")
        if code not in codes:
            codes.append(code)
    return codes


def lire_finess(valeur: Cellule) -> str | None:
    texte = lire_texte(valeur)
    if texte is None:
        return None
    finess = "".join(texte.split()).upper()
    if not _FINESS.fullmatch(finess):
        raise ValeurInvalide(
            "numéro FINESS invalide (9 chiffres ou lettres non accentuées)"
        )
    return finess


def lire_places(valeur: Cellule) -> int | None:
    """Places of a structure: a whole number from 0 to :data:`PLACES_MAX`."""
    return lire_entier(valeur, minimum=0, maximum=PLACES_MAX)


# Reading of the rows ---------------------------------------------------------------


@dataclass
class LigneParc:
    numero: int
    operateur_nom: str
    operateur_siret: str | None
    nom: str
    type: str | None
    departement: Departement | None
    public: str | None
    adresse: str | None
    code_postal: str | None
    commune: Commune | None
    codes_dna: list[str] | None
    finess: str | None
    capacite: Capacite
    date_effet: datetime.date | None
    acte: str | None


AIDES = tuple(c.aide for c in COLONNES)


def est_aide(ligne: Ligne) -> bool:
    """The help row of the template (its texts, or any operator's help texts)."""
    return est_ligne_aide(ligne, AIDES)


def est_exemple(tableau: Tableau, ligne: Ligne) -> bool:
    return all(
        normaliser_entete(tableau.valeur(ligne, cle)) == normaliser_entete(valeur)
        for cle, valeur in EXEMPLE.items()
        if cle in tableau.positions
    )


def lire_ligne_parc(
    lecture: LectureLigne,
    departements: dict[str, Departement],
) -> LigneParc | None:
    operateur_nom = lecture.lire("operateur_nom", _texte(200), obligatoire=True)
    operateur_siret = lecture.lire("operateur_siret", lire_siret)
    nom = lecture.lire("nom", _texte(200), obligatoire=True)
    type_ = lecture.lire("type", lire_type, obligatoire=True)
    code_departement = lecture.lire(
        "departement", lire_code_departement, obligatoire=True
    )
    departement = departements.get(code_departement) if code_departement else None
    if code_departement and departement is None:
        lecture.erreur("département inconnu", "departement")
    public = lecture.lire("public", lire_public)
    adresse = lecture.lire("adresse", _texte(250))
    code_postal = lecture.lire("code_postal", lire_code_postal)
    codes_dna = lecture.lire("codes_dna", lire_codes_dna)
    finess = lecture.lire("finess", lire_finess)
    if finess and departement and not regles.finess_valide(finess, departement.code):
        prefixe = regles.prefixe_finess(departement.code)
        lecture.erreur(
            f"un numéro FINESS du département {departement.code} commence par "
            f"{prefixe}",
            "finess",
        )
    places = {
        c: lecture.lire(c, lire_places, obligatoire=c == "places_autorisees")
        for c in CHAMPS_CAPACITE
    }
    capacite = Capacite(**{c: v or 0 for c, v in places.items()})
    if lecture.est_valide and not capacite.est_valide:
        champ = next(
            c
            for c in CHAMPS_CAPACITE[1:]
            if (places[c] or 0) > capacite.places_autorisees
        )
        lecture.erreur(
            f"plus de places spécialisées que de places autorisées "
            f"({capacite.places_autorisees})",
            champ,
        )
    date_effet = lecture.lire("date_effet", lire_date_vraisemblable, obligatoire=True)
    acte = lecture.lire("acte", _texte(250))

    if not lecture.est_valide:
        return None
    assert operateur_nom and nom  # obligatoire: an error was recorded otherwise
    return LigneParc(
        numero=lecture.numero,
        operateur_nom=operateur_nom,
        operateur_siret=operateur_siret,
        nom=nom,
        type=type_,
        departement=departement,
        public=public,
        adresse=adresse,
        code_postal=code_postal,
        commune=None,
        codes_dna=codes_dna,
        finess=finess,
        capacite=capacite,
        date_effet=date_effet,
        acte=acte,
    )


def resoudre_communes(
    lectures: dict[int, LectureLigne], lignes: list[LigneParc]
) -> list[LigneParc]:
    """Communes of the administrative addresses, which must lie in the structure's
    département; the rows in error are dropped."""
    resolveur = ResolveurCommunes(x.code_postal for x in lignes if x.code_postal)
    gardees = []
    for ligne in lignes:
        lecture = lectures[ligne.numero]
        ville = lire_texte(lecture.brut("commune"))
        if ligne.code_postal is None and ville:
            lecture.erreur("indiquez le code postal de la commune", "code_postal")
        elif ligne.code_postal is not None:
            try:
                ligne.commune = resolveur.resoudre(ligne.code_postal, ville)
            except ValeurInvalide as erreur:
                cle = "commune" if "commune" in lecture.tableau.positions else None
                lecture.erreur(erreur.message, cle or "code_postal")
        commune, departement = ligne.commune, ligne.departement
        if commune and departement and commune.departement_id != departement.code:
            lecture.erreur(
                f"la commune {commune.nom} est dans le département "
                f"{commune.departement}, pas dans celui de la structure, "
                f"{departement}",
                "commune" if "commune" in lecture.tableau.positions else "code_postal",
            )
        if lecture.est_valide:
            gardees.append(ligne)
    return gardees


def modele_import_parc() -> bytes:
    """The xlsx template: headers, a help row, an example row (skipped on import)."""
    tampon = io.BytesIO()
    classeur = xlsxwriter.Workbook(
        tampon,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    entete = classeur.add_format(
        {"bold": True, "bg_color": "#E3E3FD", "border": 1, "text_wrap": True}
    )
    aide = classeur.add_format(
        {"italic": True, "font_color": "#666666", "text_wrap": True, "valign": "top"}
    )
    exemple = classeur.add_format({"font_color": "#666666"})
    texte = classeur.add_format({"num_format": "@"})
    date = classeur.add_format({"num_format": "dd/mm/yyyy"})
    date_exemple = classeur.add_format(
        {"num_format": "dd/mm/yyyy", "font_color": "#666666"}
    )
    onglet = classeur.add_worksheet("Parc")
    colonnes_texte = {
        "operateur_siret",
        "departement",
        "code_postal",
        "codes_dna",
        "finess",
    }
    for position, colonne in enumerate(COLONNES):
        libelle = colonne.libelle + (" *" if colonne.obligatoire else "")
        onglet.write_string(0, position, libelle, entete)
        onglet.write_string(1, position, colonne.aide, aide)
        valeur = EXEMPLE[colonne.cle]
        if isinstance(valeur, datetime.date):
            onglet.write_datetime(2, position, valeur, date_exemple)
        elif isinstance(valeur, int):
            onglet.write_number(2, position, valeur, exemple)
        else:
            onglet.write_string(2, position, str(valeur), exemple)
        format_colonne = (
            texte
            if colonne.cle in colonnes_texte
            else date
            if colonne.cle == "date_effet"
            else None
        )
        onglet.set_column(position, position, 22, format_colonne)
    cles = [c.cle for c in COLONNES]
    onglet.data_validation(
        3,
        cles.index("type"),
        2000,
        cles.index("type"),
        {"validate": "list", "source": list(TypeStructure.values)},
    )
    onglet.data_validation(
        3,
        cles.index("public"),
        2000,
        cles.index("public"),
        {"validate": "list", "source": [p.label for p in Public]},
    )
    onglet.set_row(1, 60)
    onglet.freeze_panes(1, 0)
    classeur.close()
    return tampon.getvalue()
