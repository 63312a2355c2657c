"""Choropleth map of France by département, drawn as inline SVG.

The outlines come from ``abri/ui/data/departements.json`` (built by
``scripts/construire_carte.py`` from IGN Admin Express, see the README beside it),
read once per process.
"""

import functools
import json
import logging
from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TypedDict

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from abri.ui.svg import (
    CADRE,
    POLICE,
    TEXTE,
    TEXTE_SECONDAIRE,
    avec_unite,
    coordonnee,
    en_decimal,
    formater_nombre,
    identifiant,
    largeur_texte,
)

logger = logging.getLogger(__name__)

FICHIER = Path(__file__).resolve().parent.parent / "data" / "departements.json"

# DSFR blue-france scale, light to dark: 925, 850, main-525 hover, main-525, sun-113.
PALETTE = ("#e3e3fd", "#cacafb", "#9898f8", "#6a6af4", "#000091")
SANS_DONNEE = "#eeeeee"
HACHURES = "#a6a6a6"
BORDURE = "#ffffff"

TAILLE_LEGENDE = 18  # viewBox units: about 14 px when the map is 48rem wide
HAUTEUR_LIGNE_LEGENDE = 32

Valeur = int | Decimal | float | None


@dataclass(frozen=True)
class Departement:
    code: str
    nom: str
    d: str
    centre: tuple[float, float]


@dataclass(frozen=True)
class Encart:
    code: str
    nom: str
    cadre: tuple[float, float, float, float]


@dataclass(frozen=True)
class FondDeCarte:
    largeur: float
    hauteur: float
    departements: Mapping[str, Departement]
    encarts: tuple[Encart, ...]


class LigneCarte(TypedDict):
    code: str
    nom: str
    valeur: Valeur
    libelle: str
    lien: str | None


def cadre(valeurs: list[float]) -> tuple[float, float, float, float]:
    x, y, largeur, hauteur = valeurs
    return x, y, largeur, hauteur


@functools.cache
def fond_de_carte() -> FondDeCarte:
    donnees = json.loads(FICHIER.read_text(encoding="utf-8"))
    _, _, largeur, hauteur = (float(v) for v in donnees["viewBox"].split())
    return FondDeCarte(
        largeur=largeur,
        hauteur=hauteur,
        departements={
            code: Departement(code, d["nom"], d["d"], (d["centre"][0], d["centre"][1]))
            for code, d in donnees["departements"].items()
        },
        encarts=tuple(
            Encart(e["code"], e["nom"], cadre(e["cadre"])) for e in donnees["encarts"]
        ),
    )


def cle_insee(code: str) -> tuple[int, str]:
    """Sort key in INSEE order: … 19, 2A, 2B, 21 … 95, 971 …"""
    if code[:2] in ("2A", "2B"):
        return 20, code[1:]
    chiffres = "".join(c for c in code if c.isdigit())
    return int(chiffres or 0), code


def arrondi_significatif(valeur: Decimal, chiffres: int = 2) -> Decimal:
    """``Decimal('1234')`` → ``Decimal('1200')``, ``Decimal('0.934')`` → ``0.93``."""
    if valeur == 0:
        return Decimal(0)
    pas = Decimal(1).scaleb(valeur.adjusted() - chiffres + 1)
    arrondi = valeur.quantize(pas, rounding=ROUND_HALF_UP)
    if arrondi == arrondi.to_integral_value():
        arrondi = arrondi.quantize(Decimal(1))
    return arrondi


def seuils(valeurs: list[Decimal], classes: int = len(PALETTE)) -> list[Decimal]:
    """Lower bounds of classes 2…n: quantiles rounded to two significant digits.

    A value ``v`` falls in class ``bisect_right(seuils, v)``. Bounds that rounding makes
    equal, or that would leave the first or the last class empty, are dropped, so that
    few distinct values give fewer classes.
    """
    ordonnees = sorted(valeurs)
    if not ordonnees:
        return []
    bornes: list[Decimal] = []
    for rang in range(1, classes):
        borne = arrondi_significatif(ordonnees[rang * len(ordonnees) // classes])
        if ordonnees[0] < borne <= ordonnees[-1] and (not bornes or borne > bornes[-1]):
            bornes.append(borne)
    return bornes


def couleurs(nombre_classes: int) -> tuple[str, ...]:
    """Spread the palette over fewer classes, keeping its two ends."""
    if nombre_classes == 1:
        return (PALETTE[2],)
    dernier = len(PALETTE) - 1
    return tuple(
        PALETTE[round(i * dernier / (nombre_classes - 1))]
        for i in range(nombre_classes)
    )


def libelle_departement(
    nom: str,
    code: str,
    valeur: Valeur,
    libelle_valeur: Callable[[object], str],
    unite: str,
) -> str:
    if valeur is None:
        return f"{nom} ({code}) : aucune donnée"
    return f"{nom} ({code}) : {avec_unite(libelle_valeur(valeur), unite)}"


def carte_departements(
    valeurs: Mapping[str, Valeur],
    *,
    titre: str,
    lien: Callable[[str], str] | None = None,
    libelle_valeur: Callable[[object], str] = formater_nombre,
    unite: str = "places",
    noms: Mapping[str, str] | None = None,
) -> SafeString:
    """An inline SVG map of the 101 départements coloured by ``valeurs`` (INSEE codes).

    Values fall in up to five classes (rounded quantiles) of the DSFR blue scale;
    départements absent from ``valeurs`` or valued ``None`` are hatched grey. Each
    département carries a tooltip ``Nom (code) : 1 234 places`` and, when ``lien`` is
    given, is a link to ``lien(code)``. ``noms`` overrides the names of the outline
    file (e.g. names from the database). Every text is escaped.

    The root is ``role="img"`` labelled by its ``<title>`` and ``<desc>``; with links
    it is ``role="group"`` instead, because an image's children are hidden from
    assistive technologies and the links must stay reachable. The figures themselves
    belong in the table beside the map (``tableau_carte``).
    """
    fond = fond_de_carte()
    noms = noms or {}
    inconnus = sorted(set(valeurs) - set(fond.departements), key=cle_insee)
    if inconnus:
        logger.debug("Codes absents du fond de carte, non dessinés : %s", inconnus)

    renseignees = {
        code: en_decimal(v)
        for code, v in valeurs.items()
        if v is not None and code in fond.departements
    }
    bornes = seuils(list(renseignees.values()))
    teintes = couleurs(len(bornes) + 1)
    sans_donnee = len(fond.departements) - len(renseignees)

    ident = identifiant("carte", titre, unite, sorted(valeurs.items()), lien is None)
    id_titre, id_desc, id_motif = f"{ident}-titre", f"{ident}-desc", f"{ident}-motif"
    legende = legende_carte(
        renseignees,
        bornes,
        teintes,
        sans_donnee,
        libelle_valeur,
        unite,
        id_motif,
        fond.largeur,
    )
    hauteur = fond.hauteur + legende.hauteur
    pluriel = "s" if len(renseignees) > 1 else ""
    description = (
        "Carte des départements de France colorée selon la valeur"
        f"{f' en {unite}' if unite else ''}, en {len(teintes)} "
        f"classe{'s' if len(teintes) > 1 else ''} ; {len(renseignees)} "
        f"département{pluriel} renseigné{pluriel}, {sans_donnee} sans donnée. "
        "Les départements d'outre-mer figurent en encart, à gauche. "
        "Les valeurs sont reprises dans le tableau qui accompagne la carte."
    )

    morceaux = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 '
        f'{coordonnee(fond.largeur)} {coordonnee(hauteur)}" '
        f'role="{"group" if lien else "img"}" '
        f'aria-labelledby="{id_titre} {id_desc}" class="abri-carte__svg" '
        f'font-family="{POLICE}">',
        f'<title id="{id_titre}">{escape(titre)}</title>',
        f'<desc id="{id_desc}">{escape(description)}</desc>',
        "<defs>"
        f'<pattern id="{id_motif}" patternUnits="userSpaceOnUse" width="6" '
        'height="6" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{SANS_DONNEE}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{HACHURES}" stroke-width="2.5"/>'
        "</pattern></defs>",
    ]
    morceaux.extend(dessiner_encarts(fond.encarts))
    morceaux.append(
        f'<g stroke="{BORDURE}" stroke-width="0.6" stroke-linejoin="round" '
        'fill-rule="evenodd">'
    )
    for code, departement in fond.departements.items():
        valeur = valeurs.get(code)
        texte = libelle_departement(
            noms.get(code, departement.nom), code, valeur, libelle_valeur, unite
        )
        if code in renseignees:
            classe = bisect_right(bornes, renseignees[code])
            remplissage = teintes[classe]
            css = f"abri-carte__classe-{classe + 1}"
        else:
            remplissage = f"url(#{id_motif}) {SANS_DONNEE}"
            css = "abri-carte__sans-donnee"
        trace = (
            f'<path d="{departement.d}" fill="{remplissage}" class="{css}" '
            f'data-code="{escape(code)}"><title>{escape(texte)}</title></path>'
        )
        if lien:
            trace = (
                f'<a href="{escape(lien(code))}" aria-label="{escape(texte)}">'
                f"{trace}</a>"
            )
        morceaux.append(trace)
    morceaux.append("</g>")
    morceaux.append(f'<g transform="translate(0 {coordonnee(fond.hauteur)})">')
    morceaux.extend(legende.elements)
    morceaux.append("</g></svg>")
    return mark_safe("".join(morceaux))  # noqa: S308 - every text above is escaped


def dessiner_encarts(encarts: tuple[Encart, ...]) -> list[str]:
    elements = []
    for encart in encarts:
        x, y, largeur, hauteur = (coordonnee(v) for v in encart.cadre)
        elements.append(
            f'<rect x="{x}" y="{y}" width="{largeur}" height="{hauteur}" '
            f'fill="none" stroke="{CADRE}" rx="2"/>'
            f'<text x="{coordonnee(encart.cadre[0] + 6)}" '
            f'y="{coordonnee(encart.cadre[1] + 17)}" font-size="15" '
            f'fill="{TEXTE_SECONDAIRE}">{escape(encart.nom)}</text>'
        )
    return elements


@dataclass(frozen=True)
class Legende:
    elements: list[str]
    hauteur: float


def legende_carte(
    renseignees: Mapping[str, Decimal],
    bornes: list[Decimal],
    teintes: tuple[str, ...],
    sans_donnee: int,
    libelle_valeur: Callable[[object], str],
    unite: str,
    id_motif: str,
    largeur: float,
) -> Legende:
    """Swatches with the class bounds, in rows of three under the map."""
    articles: list[tuple[str, str]] = []
    if renseignees:
        minimum, maximum = min(renseignees.values()), max(renseignees.values())
        debuts = [minimum, *bornes]
        for rang, teinte in enumerate(teintes):
            debut = libelle_valeur(debuts[rang])
            if rang + 1 < len(teintes):
                texte = f"{debut} à moins de {libelle_valeur(bornes[rang])}"
            elif debuts[rang] == maximum:
                texte = debut
            else:
                texte = f"{debut} à {libelle_valeur(maximum)}"
            articles.append((teinte, texte))
    if sans_donnee:
        articles.append((f"url(#{id_motif}) {SANS_DONNEE}", "Aucune donnée"))

    titre = f"Légende (en {unite})" if unite else "Légende"
    elements = [
        f'<g class="abri-carte__legende" font-size="{TAILLE_LEGENDE}" '
        f'fill="{TEXTE}">'
        f'<text x="10" y="24" font-weight="700">{escape(titre)}</text>'
    ]
    largeur_article = 48 + max(
        (largeur_texte(texte, TAILLE_LEGENDE) for _, texte in articles), default=0
    )
    colonnes = max(1, min(3, int((largeur - 20) // largeur_article)))
    largeur_colonne = (largeur - 20) / colonnes
    for rang, (teinte, texte) in enumerate(articles):
        ligne, colonne = divmod(rang, colonnes)
        x = coordonnee(10 + colonne * largeur_colonne)
        y = 38 + ligne * HAUTEUR_LIGNE_LEGENDE
        elements.append(
            f'<rect x="{x}" y="{y}" width="28" height="20" fill="{teinte}" '
            f'stroke="{CADRE}"/>'
            f'<text x="{coordonnee(10 + colonne * largeur_colonne + 36)}" '
            f'y="{y + 16}">{escape(texte)}</text>'
        )
    elements.append("</g>")
    lignes = -(-len(articles) // colonnes)
    return Legende(elements, 46 + lignes * HAUTEUR_LIGNE_LEGENDE)


def tableau_carte(
    valeurs: Mapping[str, Valeur],
    noms: Mapping[str, str] | None = None,
    *,
    lien: Callable[[str], str] | None = None,
    libelle_valeur: Callable[[object], str] = formater_nombre,
) -> list[LigneCarte]:
    """The rows of the table beside the map, in INSEE order.

    Every département of the map is listed (``libelle`` is "Aucune donnée" when it has
    no value), plus any code of ``valeurs`` the map cannot draw (e.g. 975), so that no
    figure is lost. Names come from ``noms``, else the outline file, else the code.
    """
    fond = fond_de_carte()
    noms = noms or {}
    codes = sorted(set(fond.departements) | set(valeurs), key=cle_insee)
    lignes: list[LigneCarte] = []
    for code in codes:
        valeur = valeurs.get(code)
        connu = fond.departements.get(code)
        lignes.append(
            {
                "code": code,
                "nom": noms.get(code) or (connu.nom if connu else code),
                "valeur": valeur,
                "libelle": (
                    "Aucune donnée" if valeur is None else libelle_valeur(valeur)
                ),
                "lien": lien(code) if lien else None,
            }
        )
    return lignes


def carte_et_tableau(
    valeurs: Mapping[str, Valeur],
    *,
    titre: str,
    lien: Callable[[str], str] | None = None,
    libelle_valeur: Callable[[object], str] = formater_nombre,
    unite: str = "places",
    noms: Mapping[str, str] | None = None,
) -> dict[str, object]:
    """The context ``ui/carte.html`` expects under the name ``carte``::

        {% include "ui/carte.html" with carte=carte %}

    Keys: ``titre``, ``unite``, ``svg`` (from ``carte_departements``) and ``lignes``
    (from ``tableau_carte``: ``code``, ``nom``, ``valeur``, ``libelle``, ``lien``).
    """
    return {
        "titre": titre,
        "unite": unite,
        "svg": carte_departements(
            valeurs,
            titre=titre,
            lien=lien,
            libelle_valeur=libelle_valeur,
            unite=unite,
            noms=noms,
        ),
        "lignes": tableau_carte(
            valeurs, noms, lien=lien, libelle_valeur=libelle_valeur
        ),
    }
