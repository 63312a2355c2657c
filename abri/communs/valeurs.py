"""Parsers of the values typed in spreadsheets, each raising :class:`ValeurInvalide`.

Every parser takes a cell as :mod:`abri.communs.tableurs` hands it over (``None``,
``str``, ``int``, ``float``, ``bool``, ``datetime.date``/``datetime.datetime``) and
answers a plain value, or ``None`` when the cell is empty. Zero is a value: ``0``
stays ``0``. Messages are French, start with a lower-case letter and are meant to
follow "…, valeur « x » : " in an import report.

Decisions worth knowing:

- Amounts: spaces (ordinary, no-break U+00A0, narrow no-break U+202F, thin U+2009)
  separate thousands by groups of three; one comma *or* one dot marks the decimals.
  Anything that mixes separators or repeats them (``1,234,567``, ``1.234,56``) is
  refused rather than guessed. Amounts are :class:`~decimal.Decimal`, never ``float``.
- Dates: ``31/03/2024`` (also ``-`` or ``.`` as separators), ISO ``2024-03-31``,
  date cells, and Excel serial numbers in the 1900 date system (``45382`` is
  31/03/2024). Serial 60 is 29/02/1900, a day that never existed (Excel's
  Lotus-compatible leap-year bug): it is refused. Numbers typed in a workbook using
  the 1904 system cannot be told apart and are read in the 1900 system; date cells
  are not affected (the reader converts them). Two-digit years are refused.
- Yes/no: ``Oui``/``Non``, ``O``/``N``, ``Vrai``/``Faux`` (what a French Excel shows
  and writes for a boolean cell), ``True``/``False`` (the same from an English Excel)
  and ``1``/``0``, in any case and with surrounding spaces.
- Postal codes are text. A number read from a numeric cell loses its leading zero:
  a 4-digit number is padded (``1310`` → ``01310``), since postal codes from
  ``01000`` to ``09999`` exist and no other reading is possible; 4 digits typed as
  *text* are refused.
- Digits are ASCII only: Arabic-Indic (``٤``), fullwidth (``４``) and other Unicode
  digits are refused everywhere, in numbers as in codes.
- Plausibility: :func:`lire_entier` takes an optional ``maximum``;
  :func:`lire_date_vraisemblable` refuses years before 1950 or more than 15 years
  ahead. Dates are always written with a four-digit year (``01/01/0001``, never
  ``01/01/1``).
- SIRET: text of 14 digits (spaces and dots allowed between groups), Luhn-checked
  (La Poste's rule included). Scientific notation (``3.31254E+13``) is refused with
  a message telling to type it as text. A 14-digit whole number from a numeric cell
  is accepted: Excel keeps 15 significant digits, so it is exact, and the check key
  still guards against a number that lost digits.
"""

import datetime
import re
from decimal import Decimal

from abri.communs.texte import normaliser_recherche
from abri.operateurs.regles import normaliser_siret, siret_valide

type Cellule = (
    str
    | int
    | float
    | Decimal
    | bool
    | datetime.date
    | datetime.datetime
    | datetime.time
    | None
)

ESPACES_MILLIERS = " \u00a0\u202f\u2009"
_TRADUCTION_ESPACES = str.maketrans(dict.fromkeys(ESPACES_MILLIERS, " "))
# ``\d`` would match every Unicode digit: the patterns below are ASCII-only.
_MILLIERS = re.compile(r"^\d{1,3}( \d{3})+$", re.ASCII)
_CHIFFRES = re.compile(r"^\d+$", re.ASCII)
_NOTATION_SCIENTIFIQUE = re.compile(r"^[+-]?\d+([.,]\d*)?\s*[eE]\s*[+-]?\d+$", re.ASCII)
_DATE_FRANCAISE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})$", re.ASCII)
_DATE_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$", re.ASCII
)
_DEPARTEMENT = re.compile(r"^(\d{1,2}|2[AB]|97[1-6])$", re.ASCII)
ANNEE_MIN = 1950  # no structure of the asylum park is older
ANNEES_FUTURES_MAX = 15  # a date d'effet is at most this many years ahead

# 1900 date system: serial 1 is 01/01/1900 and serial 60 the non-existent 29/02/1900.
_EPOQUE_AVANT_BUG = datetime.date(1899, 12, 31)
_EPOQUE_APRES_BUG = datetime.date(1899, 12, 30)
_SERIE_MAX = (datetime.date(9999, 12, 31) - _EPOQUE_APRES_BUG).days

VRAI = frozenset({"oui", "o", "vrai", "true", "1"})
FAUX = frozenset({"non", "n", "faux", "false", "0"})


class ValeurInvalide(ValueError):
    """A cell cannot be read as the expected kind of value; the message is French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def est_chiffres(texte: str) -> bool:
    """Only ASCII digits (``str.isdigit`` also accepts ``٤`` and ``４``)."""
    return bool(_CHIFFRES.fullmatch(texte))


def formater_date(date: datetime.date) -> str:
    """``dd/mm/yyyy`` with a four-digit year: ``%Y`` writes year 1 as ``1``."""
    return f"{date.day:02d}/{date.month:02d}/{date.year:04d}"


def est_vide(valeur: Cellule) -> bool:
    return valeur is None or (isinstance(valeur, str) and not valeur.strip())


def lire_texte(valeur: Cellule) -> str | None:
    """The cell as stripped text; whole numbers without ``.0``, dates as dd/mm/yyyy."""
    if est_vide(valeur):
        return None
    if isinstance(valeur, bool):
        return "Oui" if valeur else "Non"
    if isinstance(valeur, float) and valeur.is_integer():
        return str(int(valeur))
    if isinstance(valeur, datetime.date):
        return formater_date(valeur)
    return " ".join(str(valeur).split())


def _nombre_depuis_texte(brut: str) -> Decimal:
    texte = brut.translate(_TRADUCTION_ESPACES).strip()
    texte = texte.removesuffix("€").strip()
    signe = ""
    if texte[:1] in {"-", "−", "+"}:
        signe = "-" if texte[0] in {"-", "−"} else ""
        texte = texte[1:].strip()
    if _NOTATION_SCIENTIFIQUE.match(texte):
        raise ValeurInvalide(
            "nombre en notation scientifique : saisissez le nombre en chiffres"
        )
    if texte.count(",") + texte.count(".") > 1:
        raise ValeurInvalide(
            "séparateurs ambigus : écrivez les milliers avec des espaces et les "
            "décimales après une virgule (1 234 567,89)"
        )
    entier, _, decimales = texte.replace(".", ",").partition(",")
    if " " in entier and not _MILLIERS.match(entier):
        raise ValeurInvalide(
            "nombre mal écrit : les espaces séparent les milliers par groupes de "
            "trois chiffres (1 234 567,89)"
        )
    entier = entier.replace(" ", "")
    if not est_chiffres(entier) or (decimales and not est_chiffres(decimales)):
        raise ValeurInvalide("nombre attendu")
    return Decimal(f"{signe}{entier}.{decimales}" if decimales else signe + entier)


def lire_decimal(valeur: Cellule, *, decimales: int | None = None) -> Decimal | None:
    """``1 234 567,89``, ``1234.5``, ``12`` or a numeric cell → :class:`Decimal`.

    With ``decimales``, more decimal places are refused; a float cell whose excess
    digits are only binary noise (``0.1 + 0.2``) is rounded to that many places.
    """
    if est_vide(valeur):
        return None
    if isinstance(valeur, bool | datetime.date):
        raise ValeurInvalide("nombre attendu")
    if isinstance(valeur, float):
        if valeur != valeur or valeur in {float("inf"), float("-inf")}:
            raise ValeurInvalide("nombre attendu")
        nombre = Decimal(repr(valeur))
        if decimales is not None:
            arrondi = round(nombre, decimales)
            if abs(arrondi - nombre) < Decimal("1e-9"):
                nombre = arrondi
    elif isinstance(valeur, int | Decimal):
        nombre = Decimal(valeur)
    else:
        nombre = _nombre_depuis_texte(str(valeur))
    if not nombre.is_finite():
        raise ValeurInvalide("nombre attendu")
    exposant = nombre.as_tuple().exponent
    if decimales is not None and isinstance(exposant, int) and -exposant > decimales:
        raise ValeurInvalide(f"{decimales} décimales au plus")
    return nombre


def lire_montant(valeur: Cellule) -> Decimal | None:
    """An amount in euros, to the cent."""
    return lire_decimal(valeur, decimales=2)


def lire_entier(
    valeur: Cellule, *, minimum: int | None = None, maximum: int | None = None
) -> int | None:
    """A whole number (``1 200``, ``12``, ``12.0`` from a cell); ``12,5`` is refused,
    and so is a number outside ``minimum``..``maximum`` when they are given."""
    try:
        nombre = lire_decimal(valeur)
    except ValeurInvalide as erreur:
        if erreur.message == "nombre attendu":
            raise ValeurInvalide("nombre entier attendu") from None
        raise ValeurInvalide(f"nombre entier attendu ({erreur.message})") from None
    if nombre is None:
        return None
    if nombre != nombre.to_integral_value():
        raise ValeurInvalide("nombre entier attendu, sans décimales")
    if minimum is not None and nombre < minimum:
        raise ValeurInvalide(f"nombre supérieur ou égal à {minimum} attendu")
    if maximum is not None and nombre > maximum:
        raise ValeurInvalide(
            f"nombre invraisemblable : {formater_nombre(maximum)} au plus"
        )
    return int(nombre)


def formater_nombre(nombre: int) -> str:
    """``100000`` → ``100 000`` (no-break spaces between thousands)."""
    return f"{nombre:,}".replace(",", "\u00a0")


def date_depuis_serie_excel(serie: int) -> datetime.date:
    """Excel 1900-system serial number → date (``45382`` → 31/03/2024)."""
    if serie == 60:
        raise ValeurInvalide(
            "le numéro de série Excel 60 désigne le 29/02/1900, qui n'existe pas"
        )
    if serie < 1 or serie > _SERIE_MAX:
        raise ValeurInvalide("date attendue (numéro de série Excel hors limites)")
    epoque = _EPOQUE_AVANT_BUG if serie < 60 else _EPOQUE_APRES_BUG
    return epoque + datetime.timedelta(days=serie)


def _date(annee: int, mois: int, jour: int) -> datetime.date:
    try:
        return datetime.date(annee, mois, jour)
    except ValueError:
        raise ValeurInvalide("cette date n'existe pas") from None


def lire_date(valeur: Cellule) -> datetime.date | None:
    """``31/03/2024``, ``2024-03-31``, a date cell or an Excel serial number → date.

    The time of a date-and-time cell, or the fraction of a serial number, is dropped.
    Digits typed as text are read as a serial number only when there are five of
    them (10000 to 99999, years 1927 to 2173): ``2024`` alone is refused.
    """
    if est_vide(valeur):
        return None
    if isinstance(valeur, datetime.datetime):
        return valeur.date()
    if isinstance(valeur, datetime.date):
        return valeur
    if isinstance(valeur, bool):
        raise ValeurInvalide("date attendue (jj/mm/aaaa)")
    if isinstance(valeur, int | float | Decimal):
        if valeur != valeur or valeur in {float("inf"), float("-inf")}:
            raise ValeurInvalide("date attendue (jj/mm/aaaa)")
        return date_depuis_serie_excel(int(valeur))

    texte = str(valeur).strip()
    if correspondance := _DATE_FRANCAISE.match(texte):
        jour, mois, annee = correspondance.groups()
        if len(annee) != 4:
            raise ValeurInvalide("année sur quatre chiffres attendue (jj/mm/aaaa)")
        return _date(int(annee), int(mois), int(jour))
    if correspondance := _DATE_ISO.match(texte):
        annee, mois, jour = correspondance.groups()
        return _date(int(annee), int(mois), int(jour))
    if len(texte) == 5 and est_chiffres(texte):
        return date_depuis_serie_excel(int(texte))
    raise ValeurInvalide("date attendue (jj/mm/aaaa)")


def lire_date_vraisemblable(
    valeur: Cellule, *, aujourd_hui: datetime.date | None = None
) -> datetime.date | None:
    """:func:`lire_date`, refusing a year before :data:`ANNEE_MIN` or more than
    :data:`ANNEES_FUTURES_MAX` years after the current one (a typo: 0224, 2204)."""
    date = lire_date(valeur)
    if date is None:
        return None
    annee_max = (aujourd_hui or datetime.date.today()).year + ANNEES_FUTURES_MAX
    if not ANNEE_MIN <= date.year <= annee_max:
        raise ValeurInvalide(
            f"date invraisemblable : l'année doit être comprise entre {ANNEE_MIN} et "
            f"{annee_max}"
        )
    return date


def lire_booleen(valeur: Cellule) -> bool | None:
    """Oui/Non, O/N, Vrai/Faux, True/False, 1/0 in any case → bool."""
    if est_vide(valeur):
        return None
    if isinstance(valeur, bool):
        return valeur
    if isinstance(valeur, int | float | Decimal) and valeur in {0, 1}:
        return valeur == 1
    texte = normaliser_recherche(str(valeur))
    if texte in VRAI:
        return True
    if texte in FAUX:
        return False
    raise ValeurInvalide("répondez « Oui » ou « Non »")


def lire_code_postal(valeur: Cellule) -> str | None:
    """Five digits as text; a 4-digit number from a numeric cell gets its zero back."""
    if est_vide(valeur):
        return None
    if isinstance(valeur, bool | datetime.date):
        raise ValeurInvalide("code postal invalide (5 chiffres attendus)")
    if isinstance(valeur, float):
        if not valeur.is_integer():
            raise ValeurInvalide("code postal invalide (5 chiffres attendus)")
        valeur = int(valeur)
    if isinstance(valeur, int):
        texte = str(valeur)
        if len(texte) == 4:
            texte = texte.zfill(5)
    else:
        texte = "".join(str(valeur).translate(_TRADUCTION_ESPACES).split())
    if len(texte) != 5 or not est_chiffres(texte):
        raise ValeurInvalide("code postal invalide (5 chiffres attendus)")
    return texte


def lire_siret(valeur: Cellule) -> str | None:
    """A 14-digit SIRET as text, with a valid check key."""
    if est_vide(valeur):
        return None
    message_nombre = (
        "SIRET lu comme un nombre en notation scientifique : saisissez-le comme du "
        "texte"
    )
    if isinstance(valeur, bool | datetime.date):
        raise ValeurInvalide("SIRET invalide (14 chiffres attendus)")
    if isinstance(valeur, float):
        if not valeur.is_integer():
            raise ValeurInvalide(message_nombre)
        valeur = int(valeur)
    if isinstance(valeur, int):
        texte = str(valeur)
        if len(texte) != 14:
            raise ValeurInvalide(
                "SIRET lu comme un nombre : des chiffres manquent (un zéro initial "
                "perdu ?) ; saisissez-le comme du texte"
            )
    else:
        brut = str(valeur).translate(_TRADUCTION_ESPACES).strip()
        if _NOTATION_SCIENTIFIQUE.match(brut.replace(" ", "")):
            raise ValeurInvalide(message_nombre)
        texte = normaliser_siret(brut)
    if len(texte) != 14 or not est_chiffres(texte):
        raise ValeurInvalide("SIRET invalide (14 chiffres attendus)")
    if not siret_valide(texte):
        if isinstance(valeur, int):
            raise ValeurInvalide(
                "SIRET lu comme un nombre, à la clé de contrôle fausse : des chiffres "
                "ont pu être perdus (notation scientifique) ; saisissez-le comme du "
                "texte"
            )
        raise ValeurInvalide("SIRET invalide : la clé de contrôle ne correspond pas")
    return texte


def lire_code_departement(valeur: Cellule) -> str | None:
    """``1``, ``01`` → ``01``; ``2a`` → ``2A``; ``974`` → ``974``. Existence is the
    caller's check (against the table of départements)."""
    if est_vide(valeur):
        return None
    if isinstance(valeur, float) and valeur.is_integer():
        valeur = int(valeur)
    if isinstance(valeur, bool) or not isinstance(valeur, int | str):
        raise ValeurInvalide("code de département invalide (01 à 95, 2A, 2B, 971…)")
    texte = str(valeur).strip().upper()
    if not _DEPARTEMENT.match(texte) or texte in {"0", "00", "20"}:
        raise ValeurInvalide("code de département invalide (01 à 95, 2A, 2B, 971…)")
    return texte.zfill(2)
