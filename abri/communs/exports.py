"""Exports of tables to xlsx and csv, in French formats, safe from formula injection.

API for views:

- :func:`reponse_xlsx(nom_fichier, entetes, lignes, *, feuille="Export")` and
  :func:`reponse_csv(nom_fichier, entetes, lignes)` answer a downloadable
  :class:`~django.http.HttpResponse` (``Content-Disposition: attachment``, the
  extension added to ``nom_fichier`` when missing);
- :func:`classeur_xlsx` and :func:`texte_csv` build the same content as bytes (for
  templates, tests, or a file written by a command).

Cells may be ``None``, ``str``, ``int``, ``float``, ``Decimal``, ``bool``, ``date`` or
``datetime``. In xlsx, numbers stay numbers (amounts with two decimals shown), dates
are date cells shown dd/mm/yyyy, booleans read « Oui »/« Non », and every text is
written with ``write_string`` so that nothing becomes a formula or a link. In csv
(``;``-separated, UTF-8 with a BOM so that Excel detects the encoding), numbers are
written with a decimal comma and no thousands separator (Excel re-reads them as
numbers), dates dd/mm/yyyy, and a text starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return gets a leading apostrophe (OWASP's advice against CSV injection).
"""

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

TYPE_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TYPE_CSV = "text/csv; charset=utf-8"
DEBUTS_FORMULE = ("=", "+", "-", "@", "\t", "\r")
LARGEUR_MAX = 60


def neutraliser_formule(texte: str) -> str:
    """Prefix with an apostrophe a text a spreadsheet would take as a formula."""
    return "'" + texte if texte.startswith(DEBUTS_FORMULE) else texte


def _local(valeur: datetime.datetime) -> datetime.datetime:
    if timezone.is_aware(valeur):
        return timezone.localtime(valeur).replace(tzinfo=None)
    return valeur


def nombre_francais(valeur: int | float | Decimal) -> str:
    """``1234.5`` → ``1234,5``; ``Decimal("1E+3")`` → ``1000``."""
    if isinstance(valeur, int):
        return str(valeur)
    texte = format(Decimal(repr(valeur)) if isinstance(valeur, float) else valeur, "f")
    return texte.replace(".", ",")


def cellule_csv(valeur: Any) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "Oui" if valeur else "Non"
    if isinstance(valeur, int | float | Decimal):
        return nombre_francais(valeur)
    if isinstance(valeur, datetime.datetime):
        return f"{_local(valeur):%d/%m/%Y %H:%M}"
    if isinstance(valeur, datetime.date):
        return f"{valeur:%d/%m/%Y}"
    return neutraliser_formule(str(valeur))


def texte_csv(entetes: Sequence[str], lignes: Iterable[Sequence[Any]]) -> bytes:
    tampon = io.StringIO(newline="")
    ecrivain = csv.writer(tampon, delimiter=";", lineterminator="\r\n")
    ecrivain.writerow([cellule_csv(e) for e in entetes])
    for ligne in lignes:
        ecrivain.writerow([cellule_csv(v) for v in ligne])
    return ("\ufeff" + tampon.getvalue()).encode("utf-8")


def nom_feuille(texte: str) -> str:
    """A sheet name Excel accepts: 31 characters at most, none of ``[]:*?/\\``."""
    nom = "".join("-" if c in "[]:*?/\\" else c for c in texte).strip("' ")
    return nom[:31] or "Export"


def _largeur(valeur: Any) -> int:
    if isinstance(valeur, datetime.date):
        return 16 if isinstance(valeur, datetime.datetime) else 10
    return min(len(cellule_csv(valeur)), LARGEUR_MAX)


def classeur_xlsx(
    entetes: Sequence[str],
    lignes: Iterable[Sequence[Any]],
    *,
    feuille: str = "Export",
) -> bytes:
    tampon = io.BytesIO()
    classeur = xlsxwriter.Workbook(
        tampon,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    formats = {
        "entete": classeur.add_format({"bold": True, "text_wrap": True}),
        "date": classeur.add_format({"num_format": "dd/mm/yyyy"}),
        "horodatage": classeur.add_format({"num_format": "dd/mm/yyyy hh:mm"}),
        "decimal": classeur.add_format({"num_format": "#,##0.00"}),
        "entier": classeur.add_format({"num_format": "0"}),
    }
    onglet = classeur.add_worksheet(nom_feuille(feuille))
    largeurs = [len(e) for e in entetes]
    for colonne, entete in enumerate(entetes):
        onglet.write_string(0, colonne, str(entete), formats["entete"])

    nombre = 0
    for nombre, ligne in enumerate(lignes, start=1):
        for colonne, valeur in enumerate(ligne):
            _ecrire(onglet, nombre, colonne, valeur, formats)
            if colonne < len(largeurs):
                largeurs[colonne] = max(largeurs[colonne], _largeur(valeur))

    for colonne, largeur in enumerate(largeurs):
        onglet.set_column(colonne, colonne, min(largeur, LARGEUR_MAX) + 2)
    onglet.freeze_panes(1, 0)
    if entetes:
        onglet.autofilter(0, 0, nombre, len(entetes) - 1)
    classeur.close()
    return tampon.getvalue()


def _ecrire(
    onglet: Any, ligne: int, colonne: int, valeur: Any, formats: dict[str, Any]
) -> None:
    if valeur is None:
        return
    if isinstance(valeur, bool):
        onglet.write_string(ligne, colonne, "Oui" if valeur else "Non")
    elif isinstance(valeur, int):
        onglet.write_number(ligne, colonne, valeur, formats["entier"])
    elif isinstance(valeur, Decimal):
        onglet.write_number(ligne, colonne, float(valeur), formats["decimal"])
    elif isinstance(valeur, float):
        onglet.write_number(ligne, colonne, valeur)
    elif isinstance(valeur, datetime.datetime):
        onglet.write_datetime(ligne, colonne, _local(valeur), formats["horodatage"])
    elif isinstance(valeur, datetime.date):
        onglet.write_datetime(ligne, colonne, valeur, formats["date"])
    else:
        onglet.write_string(ligne, colonne, str(valeur))


def _nom_avec_extension(nom_fichier: str, extension: str) -> str:
    nom = nom_fichier.replace("/", "-").replace("\\", "-").strip() or "export"
    return nom if nom.lower().endswith(extension) else nom + extension


def _reponse(contenu: bytes, type_contenu: str, nom_fichier: str) -> HttpResponse:
    reponse = HttpResponse(contenu, content_type=type_contenu)
    reponse["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=nom_fichier
    )
    reponse["X-Content-Type-Options"] = "nosniff"
    return reponse


def reponse_xlsx(
    nom_fichier: str,
    entetes: Sequence[str],
    lignes: Iterable[Sequence[Any]],
    *,
    feuille: str = "Export",
) -> HttpResponse:
    return _reponse(
        classeur_xlsx(entetes, lignes, feuille=feuille),
        TYPE_XLSX,
        _nom_avec_extension(nom_fichier, ".xlsx"),
    )


def reponse_csv(
    nom_fichier: str, entetes: Sequence[str], lignes: Iterable[Sequence[Any]]
) -> HttpResponse:
    return _reponse(
        texte_csv(entetes, lignes), TYPE_CSV, _nom_avec_extension(nom_fichier, ".csv")
    )
