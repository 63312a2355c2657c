"""SVG drawn on the server: map of France by département and small charts.

No JavaScript: each drawing is an inline ``<svg>`` with its ``<title>`` and ``<desc>``,
in the DSFR palette, meant to sit beside a data table that carries the same figures
(``ui/carte.html``, ``ui/graphique.html``). Colours are presentation attributes, not
``style`` attributes, so that the content-security policy has nothing to allow.

- ``abri.ui.svg.carte``: ``carte_departements``, ``tableau_carte``, ``carte_et_tableau``
- ``abri.ui.svg.graphiques``: ``barres``, ``courbe_en_escalier`` and their tables

This module holds what both share: French number formatting and element ids.
"""

import hashlib
from decimal import Decimal

from abri.ui.templatetags.abri_format import nombre

POLICE = "Marianne, arial, sans-serif"
TEXTE = "#161616"  # DSFR grey-50, the body text colour
TEXTE_SECONDAIRE = "#3a3a3a"  # DSFR grey-200
TRAIT = "#929292"  # DSFR grey-625
CADRE = "#dddddd"  # DSFR grey-900, borders
BLEU = "#000091"  # DSFR blue-france-sun-113
INSECABLE = "\u00a0"  # between a number and its unit


def formater_nombre(valeur: object) -> str:
    """A number in French: ``1234`` → ``1 234``, ``Decimal('1234.50')`` → ``1 234,50``.

    Integers have no decimals, a ``Decimal`` keeps the decimals it carries, a float is
    rounded to two decimals without trailing zeros. ``None`` gives ``—``. The thousands
    separator is the narrow no-break space (U+202F), the decimal mark a comma.
    """
    if valeur is None:
        return "—"
    if isinstance(valeur, bool):
        return str(valeur)
    if isinstance(valeur, int):
        return nombre(valeur)
    if isinstance(valeur, float):
        valeur = Decimal(repr(round(valeur, 2)))
    if isinstance(valeur, Decimal) and valeur.is_finite():
        exposant = valeur.as_tuple().exponent
        decimales = -exposant if isinstance(exposant, int) and exposant < 0 else 0
        return nombre(valeur, decimales)
    return str(valeur)


ETROITS = frozenset(" \u00a0\u202fiIjlft.,:;'()[]|!")
LARGES = frozenset("MWmw%€—@")


def largeur_texte(texte: str, taille: float) -> float:
    """An estimate of a text's width: the server cannot measure glyphs, so this errs
    on the wide side for Marianne and Arial (capitals and digits count more)."""
    em = 0.0
    for caractere in texte:
        if caractere in ETROITS:
            em += 0.3
        elif caractere in LARGES:
            em += 0.9
        elif caractere.isupper():
            em += 0.74
        elif caractere.isdigit():
            em += 0.6
        else:
            em += 0.6
    return em * taille


def en_decimal(valeur: int | Decimal | float) -> Decimal:
    """Exact for ``int`` and ``Decimal``; a float goes through its shortest repr."""
    return valeur if isinstance(valeur, Decimal) else Decimal(repr(valeur))


def avec_unite(texte: str, unite: str) -> str:
    return f"{texte}{INSECABLE}{unite}" if unite else texte


def identifiant(prefixe: str, *contenu: object) -> str:
    """A stable element id drawn from the content, so that two drawings on one page
    do not share ids and a drawing renders the same twice."""
    empreinte = hashlib.sha256(repr(contenu).encode()).hexdigest()[:10]
    return f"{prefixe}-{empreinte}"


def coordonnee(valeur: float) -> str:
    """A coordinate with at most one decimal, ``12.0`` → ``12``."""
    texte = f"{valeur:.1f}"
    if texte.endswith(".0"):
        texte = texte[:-2]
    return "0" if texte == "-0" else texte
