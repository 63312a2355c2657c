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
usually hold the lists of drop-down menus).
"""

import csv
import datetime
import io
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, Any

import python_calamine
from django.conf import settings

from abri.communs.texte import normaliser_recherche
from abri.communs.valeurs import Cellule, ValeurInvalide, est_vide, lire_texte

logger = logging.getLogger(__name__)

EXTENSIONS = (".xlsx", ".csv")
LIGNES_MAX = 100_000
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
        return f"{valeur:%d/%m/%Y %H:%M}"
    if isinstance(valeur, datetime.date):
        return f"{valeur:%d/%m/%Y}"
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


def _lire_xlsx(donnees: bytes) -> list[Feuille]:
    if not donnees.startswith(_ZIP):
        raise FichierRefuse("le fichier n'est pas un classeur .xlsx valide")
    try:
        classeur = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(donnees))
        feuilles = []
        for meta in classeur.sheets_metadata:
            if meta.visible != python_calamine.SheetVisibleEnum.Visible:
                continue
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue
            feuille = classeur.get_sheet_by_name(meta.name)
            if feuille.total_height > LIGNES_MAX:
                raise FichierRefuse(
                    f"la feuille {meta.name} dépasse {LIGNES_MAX} lignes"
                )
            lignes = _lignes(feuille.to_python(skip_empty_area=False), _cellule_xlsx)
            feuilles.append(Feuille(meta.name, lignes))
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


def _lire_csv(donnees: bytes) -> list[Feuille]:
    if donnees.startswith(_ZIP):
        raise FichierRefuse(
            "le fichier n'est pas un fichier texte CSV (classeur renommé en .csv ?)"
        )
    texte = decoder_texte(donnees)
    if "\x00" in texte:
        raise FichierRefuse("le fichier n'est pas un fichier texte CSV")
    delimiteur = deviner_delimiteur(texte)
    try:
        brutes = list(csv.reader(io.StringIO(texte, newline=""), delimiter=delimiteur))
    except csv.Error as erreur:
        raise FichierRefuse(f"fichier CSV mal formé ({erreur})") from None
    if len(brutes) > LIGNES_MAX:
        raise FichierRefuse(f"le fichier dépasse {LIGNES_MAX} lignes")
    return [Feuille(None, _lignes(brutes, lambda c: c if c.strip() else None))]


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

    def valeur(self, ligne: Ligne, cle: str) -> Cellule:
        position = self.positions.get(cle)
        return None if position is None else ligne.cellule(position)


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
