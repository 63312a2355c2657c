"""Reading of uploaded spreadsheets (xlsx, csv) and reporting of their errors.

API used by the imports:

- :func:`lire_octets(fichier) -> bytes` reads an upload (or bytes), refusing an empty
  file or one over ``settings.IMPORT_MAX_BYTES``;
- :func:`lire_classeur(fichier, nom_fichier) -> Classeur` reads every visible sheet of
  an ``.xlsx`` (python-calamine) or the single table of a ``.csv`` into rows of cells,
  keeping the 1-based row number of each row. It raises :class:`FichierRefuse` for an
  unknown type, an empty file, a file over ``settings.IMPORT_MAX_BYTES``, an
  undecodable CSV or a damaged workbook.
- :func:`lire_tableau(fichier, nom_fichier, colonnes) -> Tableau` also finds the
  header row (the best match among the first rows of each sheet, compared accent-,
  case- and space-insensitively, aliases included) and maps each expected
  :class:`Colonne` to its position; missing required columns are refused, all listed.
- :class:`LectureLigne` reads the cells of one data row through the parsers of
  :mod:`abri.communs.valeurs`, adding every failure to a :class:`RapportImport` instead
  of stopping, so that a report lists every error of the file with its place.

Cells are ``None`` (empty), ``str``, ``int`` (a whole-valued number: calamine reads
every number as a float and ``45382.0`` becomes ``45382``), ``float``, ``bool``,
``datetime.date``, ``datetime.datetime`` or ``datetime.time``. CSV cells are text.

CSV: ``;``, ``,`` or tab, sniffed from the header line; UTF-8 with or without BOM,
UTF-16 with BOM, else Windows-1252. Hidden sheets of a workbook are ignored (they
usually hold the lists of drop-down menus). :meth:`LectureLigne.verifier_decoupage`
reports a CSV row that uses another separator than its header.

Size: calamine allocates the whole rectangle from A1 to the last cell of a sheet as
soon as the sheet is opened (a 5 KB file holding A1 and XFD4000 costs gigabytes).
So the XML of every visible sheet is scanned first, in a streaming parser, and a
sheet wider than :data:`COLONNES_MAX`, taller than :data:`LIGNES_MAX` or larger than
:data:`CELLULES_MAX` is refused, named, before calamine reads it; a workbook whose
parts inflate beyond :data:`DECOMPRESSE_MAX` (a zip bomb) is refused before it is
opened. Rows are then read one at a time.
"""

import csv
import datetime
import io
import itertools
import logging
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, Any
from xml.parsers import expat

import python_calamine
from django.conf import settings

from abri.communs.texte import normaliser_recherche
from abri.communs.valeurs import (
    Cellule,
    ValeurInvalide,
    est_vide,
    formater_date,
    formater_nombre,
    lire_texte,
)

logger = logging.getLogger(__name__)

EXTENSIONS = (".xlsx", ".csv")
LIGNES_MAX = 100_000
COLONNES_MAX = 200
CELLULES_MAX = 3_000_000  # rows × columns of one sheet, as calamine allocates them
DECOMPRESSE_MAX = 200 * 1024 * 1024  # bytes of all the parts of a workbook, inflated
LIGNES_ENTETE_MAX = 10  # the header is looked for among the first non-empty rows
DELIMITEURS = (";", ",", "\t")
_ZIP = b"PK\x03\x04"


class FichierRefuse(Exception):
    """The file as a whole cannot be read; the message is French, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def afficher_cellule(valeur: Cellule) -> str:
    """The cell as a user would recognise it in a report."""
    if valeur is None:
        return ""
    if isinstance(valeur, datetime.datetime):
        return f"{formater_date(valeur)} {valeur:%H:%M}"
    if isinstance(valeur, datetime.date):
        return formater_date(valeur)
    texte = str(valeur)
    return texte if len(texte) <= 80 else texte[:79] + "…"


@dataclass(frozen=True)
class ErreurImport:
    fichier: str
    feuille: str | None
    ligne: int | None
    colonne: str | None
    valeur: str | None
    message: str

    def __str__(self) -> str:
        lieu = [self.fichier]
        if self.feuille:
            lieu.append(f"feuille {self.feuille}")
        if self.ligne is not None:
            lieu.append(f"ligne {self.ligne}")
        if self.colonne:
            lieu.append(f"colonne « {self.colonne} »")
        if self.valeur is not None:
            lieu.append(f"valeur « {self.valeur} »" if self.valeur else "valeur vide")
        return f"{', '.join(lieu)} : {self.message}"


@dataclass
class RapportImport:
    """Every error found in one file, in the order they were found."""

    fichier: str
    erreurs: list[ErreurImport] = field(default_factory=list)

    def ajouter(
        self,
        message: str,
        *,
        feuille: str | None = None,
        ligne: int | None = None,
        colonne: str | None = None,
        valeur: Cellule = None,
        valeur_vide: bool = False,
    ) -> None:
        """Record an error. ``valeur`` is shown when given (``valeur_vide`` shows an
        empty cell as "valeur vide")."""
        texte = afficher_cellule(valeur) if valeur is not None or valeur_vide else None
        self.erreurs.append(
            ErreurImport(self.fichier, feuille, ligne, colonne, texte, message)
        )

    @property
    def est_valide(self) -> bool:
        return not self.erreurs

    def trier(self) -> None:
        """Errors of the whole file first, then row by row (stable within a row)."""
        self.erreurs.sort(key=lambda e: -1 if e.ligne is None else e.ligne)

    def __len__(self) -> int:
        return len(self.erreurs)

    def __iter__(self) -> Iterator[ErreurImport]:
        return iter(self.erreurs)

    def __str__(self) -> str:
        return "\n".join(str(erreur) for erreur in self.erreurs)


@dataclass(frozen=True)
class Ligne:
    numero: int  # 1-based, as the spreadsheet shows it
    cellules: tuple[Cellule, ...]

    def cellule(self, index: int) -> Cellule:
        return self.cellules[index] if index < len(self.cellules) else None

    @property
    def est_vide(self) -> bool:
        return all(est_vide(c) for c in self.cellules)


@dataclass(frozen=True)
class Feuille:
    nom: str | None  # None for a CSV file
    lignes: tuple[Ligne, ...]  # non-empty rows only
    separateur: str | None = None  # that of a CSV file


@dataclass(frozen=True)
class Classeur:
    fichier: str
    feuilles: tuple[Feuille, ...]


def lire_octets(fichier: bytes | IO[bytes]) -> bytes:
    """The content of an upload, refused when empty or over ``IMPORT_MAX_BYTES``."""
    maximum = settings.IMPORT_MAX_BYTES
    trop_gros = (
        f"le fichier dépasse la taille maximale de {maximum // (1024 * 1024)} Mo"
        if maximum >= 1024 * 1024
        else f"le fichier dépasse la taille maximale de {maximum} octets"
    )
    if isinstance(fichier, bytes):
        donnees = fichier
    else:
        taille = getattr(fichier, "size", None)
        if isinstance(taille, int) and taille > maximum:
            raise FichierRefuse(trop_gros)
        if hasattr(fichier, "seek"):
            fichier.seek(0)
        donnees = fichier.read(maximum + 1)
    if len(donnees) > maximum:
        raise FichierRefuse(trop_gros)
    if not donnees.strip():
        raise FichierRefuse("le fichier est vide")
    return donnees


def _extension(nom_fichier: str) -> str:
    extension = PurePath(nom_fichier).suffix.lower()
    if extension in EXTENSIONS:
        return extension
    if extension in {".xls", ".ods", ".xlsm", ".xlsb"}:
        raise FichierRefuse(
            f"format « {extension} » non pris en charge : enregistrez le classeur au "
            "format .xlsx (ou .csv) puis déposez-le à nouveau"
        )
    raise FichierRefuse(
        f"type de fichier non pris en charge (« {extension or nom_fichier} ») : "
        "déposez un classeur .xlsx ou un fichier .csv"
    )


def _cellule_xlsx(valeur: Any) -> Cellule:
    if isinstance(valeur, str):
        return valeur if valeur.strip() else None
    if isinstance(valeur, float) and valeur.is_integer():
        return int(valeur)
    return valeur


# Size of the sheets, measured before calamine allocates them ---------------------


class _Interruption(Exception):
    """Stops a streaming parse as soon as a limit is crossed."""


def _nom_local(nom: str) -> str:
    """``main row`` (namespace and name, as expat gives them) → ``row``."""
    return nom.rpartition(" ")[2]


def _parcourir_xml(
    archive: zipfile.ZipFile, membre: str, debut: Callable[[str, dict[str, str]], None]
) -> None:
    """Stream one part of the workbook through expat, calling ``debut`` on every
    opening tag (namespace-qualified name, attributes)."""
    analyseur = expat.ParserCreate(namespace_separator=" ")
    analyseur.StartElementHandler = debut
    with archive.open(membre) as flux:
        analyseur.ParseFile(flux)


def _membre(archive: zipfile.ZipFile, chemin: str) -> str | None:
    noms = archive.namelist()
    if chemin in noms:
        return chemin
    return next((n for n in noms if n.lower() == chemin.lower()), None)


def _parties_des_feuilles(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → archive member holding its cells (``xl/worksheets/sheet1.xml``)."""
    cibles: dict[str, str] = {}

    def relation(nom: str, attributs: dict[str, str]) -> None:
        if _nom_local(nom) == "Relationship" and "Id" in attributs:
            cibles[attributs["Id"]] = attributs.get("Target", "")

    identifiants: dict[str, str] = {}

    def feuille(nom: str, attributs: dict[str, str]) -> None:
        if _nom_local(nom) != "sheet" or "name" not in attributs:
            return
        for cle, valeur in attributs.items():
            if " " in cle and _nom_local(cle) == "id":  # r:id, whatever the prefix
                identifiants[attributs["name"]] = valeur

    relations = _membre(archive, "xl/_rels/workbook.xml.rels")
    classeur = _membre(archive, "xl/workbook.xml")
    if relations is None or classeur is None:
        return {}
    _parcourir_xml(archive, relations, relation)
    _parcourir_xml(archive, classeur, feuille)
    parties = {}
    for nom_feuille, identifiant in identifiants.items():
        cible = cibles.get(identifiant, "").replace("\\", "/")
        chemin = cible.lstrip("/") if cible.startswith("/") else f"xl/{cible}"
        membre = _membre(archive, posixpath.normpath(chemin))
        if membre is not None:
            parties[nom_feuille] = membre
    return parties


def _colonne_et_ligne(reference: str) -> tuple[int, int] | None:
    """``XFD4000`` → ``(16383, 3999)``, 0-based; ``None`` when unreadable."""
    lettres = reference.rstrip("0123456789")
    chiffres = reference[len(lettres) :]
    if not chiffres.isascii() or not chiffres.isdigit() or len(chiffres) > 9:
        return None
    if not lettres.isascii() or not lettres.isalpha() or len(lettres) > 4:
        return None
    colonne = 0
    for lettre in lettres.upper():
        colonne = colonne * 26 + ord(lettre) - ord("A") + 1
    return colonne - 1, int(chiffres) - 1


def _lettres(colonne: int) -> str:
    """0-based column index → its letters (``16383`` → ``XFD``)."""
    lettres = ""
    colonne += 1
    while colonne:
        colonne, reste = divmod(colonne - 1, 26)
        lettres = chr(ord("A") + reste) + lettres
    return lettres


class _Etendue:
    """Rows and columns a sheet spans from A1, as calamine will allocate them.

    Calamine keeps only the cells that hold something, so a cell counts when it has a
    value (``<v>``, even empty) or an inline string (``<is>``): an empty cell that is
    only formatted does not widen the sheet. Cells and rows without a reference
    follow the previous one, as in calamine.
    """

    def __init__(self, nom_feuille: str) -> None:
        self.nom_feuille = nom_feuille
        self.ligne = -1
        self.colonne = -1
        self.lignes = 0
        self.colonnes = 0
        self.en_attente: tuple[int, int] | None = None  # the open cell, not counted
        self.refus: str | None = None

    def debut(self, nom: str, attributs: dict[str, str]) -> None:
        local = _nom_local(nom)
        if local == "row":
            numero = attributs.get("r", "")
            lu = numero.isascii() and numero.isdigit() and len(numero) <= 9
            self.ligne = int(numero) - 1 if lu else self.ligne + 1
            self.colonne = -1
            self.en_attente = None
        elif local == "c":
            position = _colonne_et_ligne(attributs.get("r", ""))
            colonne, ligne = position or (self.colonne + 1, self.ligne)
            self.colonne = colonne
            self.en_attente = (ligne, colonne)
        elif local in {"v", "is"} and self.en_attente is not None:
            self._mesurer(*self.en_attente)
            self.en_attente = None

    def _mesurer(self, ligne: int, colonne: int) -> None:
        self.lignes = max(self.lignes, ligne + 1)
        self.colonnes = max(self.colonnes, colonne + 1)
        cellule = f"{_lettres(max(colonne, 0))}{ligne + 1}"
        lieu = f"la feuille « {self.nom_feuille} » a une cellule remplie en {cellule}"
        if colonne >= COLONNES_MAX:
            self.refus = (
                f"{lieu}, au-delà de {COLONNES_MAX} colonnes : videz les cellules à "
                "droite du tableau, puis déposez le fichier à nouveau"
            )
        elif ligne >= LIGNES_MAX:
            self.refus = (
                f"{lieu}, au-delà de {formater_nombre(LIGNES_MAX)} lignes : videz les "
                "lignes sous le tableau, ou découpez le fichier"
            )
        elif self.lignes * self.colonnes > CELLULES_MAX:
            self.refus = (
                f"la feuille « {self.nom_feuille} » est trop grande (plus de "
                f"{formater_nombre(CELLULES_MAX)} cellules de A1 à {cellule}) : "
                "videz les lignes et colonnes hors du tableau, ou découpez le fichier"
            )
        if self.refus:
            raise _Interruption


def _ouvrir_archive(donnees: bytes) -> zipfile.ZipFile:
    """The workbook as a zip archive, refused when it would inflate beyond
    :data:`DECOMPRESSE_MAX` (calamine reads the shared strings when opening)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(donnees))
    except (zipfile.BadZipFile, OSError, EOFError):
        raise FichierRefuse("le classeur .xlsx est illisible ou endommagé") from None
    if sum(i.file_size for i in archive.infolist()) > DECOMPRESSE_MAX:
        raise FichierRefuse(
            "le classeur est trop volumineux une fois décompressé (plus de "
            f"{DECOMPRESSE_MAX // (1024 * 1024)} Mo) : enregistrez-le à nouveau "
            "depuis votre tableur, ou déposez un fichier .csv"
        )
    return archive


_BALISE_CELLULE = re.compile(rb"<(?:[\w.-]+:)?c[\s/>]")
_REFERENCE_CELLULE = re.compile(
    rb"""<(?:[\w.-]+:)?c\s[^>]*?(?<=\s)r\s*=\s*["']([A-Za-z]{1,4})([0-9]{1,10})["']"""
)
_MORCEAU = 4 * 1024 * 1024


def _majorant_rapide(archive: zipfile.ZipFile, membre: str) -> tuple[int, int] | None:
    """(rows, columns) from A1 to the farthest cell element, found with a regular
    expression (several times faster than an XML parser); ``None`` when some cell
    has no readable reference, or no cell is found (another encoding?). Every cell
    element counts, empty or not: this bounds calamine's allocation from above."""
    balises = references = 0
    lignes = 0
    colonnes: set[bytes] = set()
    reste = b""
    with archive.open(membre) as flux:
        while morceau := flux.read(_MORCEAU):
            tampon = reste + morceau
            coupure = tampon.rfind(b"<")
            if coupure < 0:
                reste = b""
                continue
            balises += len(_BALISE_CELLULE.findall(tampon, 0, coupure))
            trouvees = _REFERENCE_CELLULE.findall(tampon, 0, coupure)
            references += len(trouvees)
            if trouvees:
                colonnes.update(lettres for lettres, _ in trouvees)
                lignes = max(lignes, *(int(numero) for _, numero in trouvees))
            reste = tampon[coupure:]
    balises += len(_BALISE_CELLULE.findall(reste))
    trouvees = _REFERENCE_CELLULE.findall(reste)
    references += len(trouvees)
    colonnes.update(lettres for lettres, _ in trouvees)
    lignes = max(lignes, 0, *(int(numero) for _, numero in trouvees))
    if not balises or balises != references:
        return None
    positions = (_colonne_et_ligne(f"{c.decode()}1") for c in colonnes)
    return lignes, max(p[0] + 1 for p in positions if p is not None)


def _verifier_dimensions(
    archive: zipfile.ZipFile, noms_feuilles: Sequence[str]
) -> None:
    """Refuse, before calamine allocates them, the sheets that are too large.

    A quick upper bound is tried first; when it exceeds a limit, or cannot be
    found, the sheet is parsed as XML to count the cells calamine will keep."""
    try:
        parties = _parties_des_feuilles(archive)
        for nom in noms_feuilles:
            if nom not in parties:
                logger.info("workbook sheet %r has no part", nom)
                raise FichierRefuse("le classeur .xlsx est illisible ou endommagé")
            majorant = _majorant_rapide(archive, parties[nom])
            if majorant is not None:
                lignes, colonnes = majorant
                if (
                    lignes <= LIGNES_MAX
                    and colonnes <= COLONNES_MAX
                    and lignes * colonnes <= CELLULES_MAX
                ):
                    continue
            etendue = _Etendue(nom)
            try:
                _parcourir_xml(archive, parties[nom], etendue.debut)
            except _Interruption:
                raise FichierRefuse(etendue.refus or "") from None
    except (zipfile.BadZipFile, expat.ExpatError, OSError, EOFError) as erreur:
        logger.info("unreadable workbook: %s", erreur)
        raise FichierRefuse("le classeur .xlsx est illisible ou endommagé") from None


def _lire_xlsx(donnees: bytes) -> list[Feuille]:
    if not donnees.startswith(_ZIP):
        raise FichierRefuse("le fichier n'est pas un classeur .xlsx valide")
    archive = _ouvrir_archive(donnees)
    try:
        classeur = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(donnees))
        visibles = [
            meta.name
            for meta in classeur.sheets_metadata
            if meta.visible == python_calamine.SheetVisibleEnum.Visible
            and meta.typ == python_calamine.SheetTypeEnum.WorkSheet
        ]
        _verifier_dimensions(archive, visibles)
        feuilles = []
        for nom in visibles:
            feuille = classeur.get_sheet_by_name(nom)
            if feuille.height > LIGNES_MAX or feuille.width > COLONNES_MAX:
                raise FichierRefuse(f"la feuille « {nom} » est trop grande")
            # Rows come from row 1, cells from the first used column: pad them so
            # that positions are those of the sheet.
            decalage = (None,) * (feuille.start[1] if feuille.start else 0)
            lignes = _lignes(
                ((*decalage, *brute) for brute in feuille.iter_rows()), _cellule_xlsx
            )
            feuilles.append(Feuille(nom, lignes))
    except python_calamine.PasswordError:
        raise FichierRefuse(
            "le classeur est protégé par un mot de passe : retirez la protection"
        ) from None
    except (python_calamine.CalamineError, ValueError, OSError) as erreur:
        logger.info("unreadable workbook: %s", erreur)
        raise FichierRefuse("le classeur .xlsx est illisible ou endommagé") from None
    return feuilles


def _lignes(
    brutes: Iterable[Sequence[Any]], convertir: Callable[[Any], Cellule]
) -> tuple[Ligne, ...]:
    lignes = []
    for index, brute in enumerate(brutes):
        ligne = Ligne(index + 1, tuple(convertir(c) for c in brute))
        if not ligne.est_vide:
            lignes.append(ligne)
    return tuple(lignes)


def decoder_texte(donnees: bytes) -> str:
    """UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1252."""
    if donnees.startswith(b"\xef\xbb\xbf"):
        donnees = donnees[3:]
    elif donnees.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return donnees.decode("utf-16")
        except UnicodeDecodeError:
            raise FichierRefuse("encodage du fichier non reconnu") from None
    try:
        return donnees.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return donnees.decode("cp1252")
    except UnicodeDecodeError:
        raise FichierRefuse(
            "encodage du fichier non reconnu : enregistrez-le en CSV UTF-8"
        ) from None


def deviner_delimiteur(texte: str) -> str:
    """The separator used most in the first non-empty line (``;`` when none is)."""
    entete = next((ligne for ligne in texte.splitlines() if ligne.strip()), "")
    comptes = {d: entete.count(d) for d in DELIMITEURS}
    meilleur = max(DELIMITEURS, key=lambda d: comptes[d])
    return meilleur if comptes[meilleur] else ";"


def nom_separateur(separateur: str) -> str:
    return "tabulation" if separateur == "\t" else f"« {separateur} »"


def _lignes_csv(texte: str, delimiteur: str) -> Iterator[list[str]]:
    """The rows of a CSV text, trailing empty cells dropped; malformed CSV and rows
    too wide are refused in French, with the line."""
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=delimiteur)
    for rang in itertools.count(1):
        try:
            brute = next(lecteur)
        except StopIteration:
            return
        except csv.Error as erreur:
            logger.info("malformed CSV: %s", erreur)
            if "field larger than field limit" in str(erreur):
                raise FichierRefuse(
                    f"fichier CSV mal formé vers la ligne {lecteur.line_num} : une "
                    f"cellule dépasse {formater_nombre(csv.field_size_limit())} "
                    "caractères (un guillemet « \" » n'est-il pas refermé ?)"
                ) from None
            raise FichierRefuse(
                f"fichier CSV mal formé vers la ligne {lecteur.line_num} : vérifiez "
                'les guillemets « " » et les retours à la ligne dans les cellules'
            ) from None
        while brute and not brute[-1].strip():
            brute.pop()
        if len(brute) > COLONNES_MAX:
            raise FichierRefuse(
                f"la ligne {lecteur.line_num} du fichier a plus de {COLONNES_MAX} "
                "colonnes : vérifiez le séparateur"
            )
        if rang > LIGNES_MAX:
            raise FichierRefuse(
                f"le fichier dépasse {formater_nombre(LIGNES_MAX)} lignes"
            )
        yield brute


def _lire_csv(donnees: bytes) -> list[Feuille]:
    if donnees.startswith(_ZIP):
        raise FichierRefuse(
            "le fichier n'est pas un fichier texte CSV (classeur renommé en .csv ?)"
        )
    texte = decoder_texte(donnees)
    if "\x00" in texte:
        raise FichierRefuse("le fichier n'est pas un fichier texte CSV")
    delimiteur = deviner_delimiteur(texte)
    lignes = _lignes(_lignes_csv(texte, delimiteur), lambda c: c if c.strip() else None)
    return [Feuille(None, lignes, delimiteur)]


def lire_classeur(fichier: bytes | IO[bytes], nom_fichier: str) -> Classeur:
    """Read an uploaded ``.xlsx`` or ``.csv`` file (bytes or a file object, such as a
    Django ``UploadedFile``)."""
    extension = _extension(nom_fichier)
    donnees = lire_octets(fichier)
    feuilles = _lire_xlsx(donnees) if extension == ".xlsx" else _lire_csv(donnees)
    if not any(f.lignes for f in feuilles):
        raise FichierRefuse("le fichier ne contient aucune ligne remplie")
    return Classeur(nom_fichier, tuple(feuilles))


@dataclass(frozen=True)
class Colonne:
    """A column an import expects. ``obligatoire``: the column must be present (its
    cells may still be empty: the import checks values)."""

    cle: str
    libelle: str
    obligatoire: bool = True
    alias: tuple[str, ...] = ()
    aide: str = ""

    def noms(self) -> set[str]:
        return {normaliser_entete(n) for n in (self.libelle, *self.alias)}


def normaliser_entete(texte: Cellule) -> str:
    """``Places autorisées *`` and ``PLACES  AUTORISEES`` compare equal."""
    return normaliser_recherche(lire_texte(texte) or "")


@dataclass(frozen=True)
class Tableau:
    """One sheet whose header row matched the expected columns."""

    fichier: str
    feuille: str | None
    entete: Ligne
    positions: dict[str, int]  # column key → index in the row
    libelles: dict[str, str]  # column key → header as written in the file
    lignes: tuple[Ligne, ...]  # rows after the header
    separateur: str | None = None  # that of a CSV file

    def valeur(self, ligne: Ligne, cle: str) -> Cellule:
        position = self.positions.get(cle)
        return None if position is None else ligne.cellule(position)

    def libelle_position(self, position: int) -> str:
        """The header of a column of the sheet, as written in the file."""
        return lire_texte(self.entete.cellule(position)) or f"colonne {position + 1}"

    def autre_separateur(self, ligne: Ligne) -> str | None:
        """For a CSV, the separator a row uses instead of its header's: a row that
        came out as a single cell, which another separator cuts into more than half
        as many values as the header has columns."""
        colonnes = sum(not est_vide(c) for c in self.entete.cellules)
        if self.separateur is None or colonnes < 2:
            return None
        remplies = [c for c in ligne.cellules if not est_vide(c)]
        if len(remplies) != 1 or not isinstance(remplies[0], str):
            return None
        texte = remplies[0]
        autres = [d for d in DELIMITEURS if d != self.separateur]
        autre = max(autres, key=texte.count)
        return autre if 2 * (texte.count(autre) + 1) > colonnes else None


def _positions(
    entete: Ligne, colonnes: Sequence[Colonne]
) -> tuple[dict[str, int], list[str]]:
    """Positions of the columns found, and the headers that appear twice."""
    normalises = [normaliser_entete(c) for c in entete.cellules]
    positions: dict[str, int] = {}
    doublons = []
    for colonne in colonnes:
        trouvees = [i for i, nom in enumerate(normalises) if nom in colonne.noms()]
        if trouvees:
            positions[colonne.cle] = trouvees[0]
        if len(trouvees) > 1:
            doublons.append(colonne.libelle)
    return positions, doublons


def trouver_tableau(classeur: Classeur, colonnes: Sequence[Colonne]) -> Tableau:
    """The first sheet (and header row) holding every required column."""
    obligatoires = [c for c in colonnes if c.obligatoire]
    meilleur: tuple[int, Feuille, Ligne, dict[str, int]] | None = None
    for feuille in classeur.feuilles:
        for rang, entete in enumerate(feuille.lignes[:LIGNES_ENTETE_MAX]):
            positions, doublons = _positions(entete, colonnes)
            score = sum(c.cle in positions for c in obligatoires)
            if meilleur is None or score > meilleur[0]:
                meilleur = (score, feuille, entete, positions)
            if score < len(obligatoires):
                continue
            if doublons:
                raise FichierRefuse(
                    "colonne présente plusieurs fois : " + ", ".join(doublons)
                )
            return Tableau(
                fichier=classeur.fichier,
                feuille=feuille.nom,
                entete=entete,
                positions=positions,
                libelles={
                    cle: lire_texte(entete.cellule(i)) or cle
                    for cle, i in positions.items()
                },
                lignes=feuille.lignes[rang + 1 :],
                separateur=feuille.separateur,
            )
    trouvees = meilleur[3] if meilleur else {}
    manquantes = [c.libelle for c in obligatoires if c.cle not in trouvees]
    raise FichierRefuse(
        "colonnes obligatoires absentes : " + ", ".join(f"« {m} »" for m in manquantes)
    )


def lire_tableau(
    fichier: bytes | IO[bytes], nom_fichier: str, colonnes: Sequence[Colonne]
) -> Tableau:
    return trouver_tableau(lire_classeur(fichier, nom_fichier), colonnes)


class LectureLigne:
    """Reads the cells of one data row, recording every failure in the report."""

    def __init__(self, tableau: Tableau, ligne: Ligne, rapport: RapportImport) -> None:
        self.tableau = tableau
        self.ligne = ligne
        self.rapport = rapport
        self.nombre_erreurs = 0

    @property
    def numero(self) -> int:
        return self.ligne.numero

    @property
    def est_valide(self) -> bool:
        return self.nombre_erreurs == 0

    def brut(self, cle: str) -> Cellule:
        return self.tableau.valeur(self.ligne, cle)

    def verifier_decoupage(self) -> bool:
        """``False``, with an error naming the cell, when this CSV row was not cut
        into columns because it uses another separator than the header."""
        autre = self.tableau.autre_separateur(self.ligne)
        if autre is None:
            return True
        assert self.tableau.separateur is not None
        position = next(i for i, c in enumerate(self.ligne.cellules) if not est_vide(c))
        self.nombre_erreurs += 1
        self.rapport.ajouter(
            "la ligne n'est pas découpée en colonnes : ses valeurs sont séparées par "
            f"{nom_separateur(autre)}, celles de l'en-tête par "
            f"{nom_separateur(self.tableau.separateur)} ; enregistrez le fichier "
            "avec un seul séparateur",
            feuille=self.tableau.feuille,
            ligne=self.numero,
            colonne=self.tableau.libelle_position(position),
            valeur=self.ligne.cellule(position),
        )
        return False

    def erreur(self, message: str, cle: str | None = None) -> None:
        """Record an error of this row, on column ``cle`` (with its value) if given."""
        self.nombre_erreurs += 1
        if cle is None:
            self.rapport.ajouter(
                message, feuille=self.tableau.feuille, ligne=self.numero
            )
            return
        self.rapport.ajouter(
            message,
            feuille=self.tableau.feuille,
            ligne=self.numero,
            colonne=self.tableau.libelles.get(cle, cle),
            valeur=self.brut(cle),
            valeur_vide=True,
        )

    def lire[T](
        self,
        cle: str,
        parseur: Callable[[Cellule], T | None] = lire_texte,  # type: ignore[assignment]
        *,
        obligatoire: bool = False,
    ) -> T | None:
        """The parsed value of column ``cle``; ``None`` when empty or invalid."""
        try:
            valeur = parseur(self.brut(cle))
        except ValeurInvalide as erreur:
            self.erreur(erreur.message, cle)
            return None
        if valeur is None and obligatoire:
            self.erreur("valeur obligatoire", cle)
        return valeur
