"""Choropleth map of France by département, drawn as inline SVG.

The outlines come from ``abri/ui/data/departements.json`` (built by
``scripts/construire_carte.py`` from IGN Admin Express, see the README beside it),
read once per process.

``carte_departements(…, cadrage=codes)`` frames the map on a perimeter (see
``cadre_de_vue``): the viewBox is narrowed to those départements with a margin, the
neighbours that fall in the frame stay drawn for context, and the legend is scaled so
that it keeps the size on screen it has under the full map.
"""

import functools
import json
import logging
import math
import re
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable, Mapping
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

# Framing on a perimeter (viewBox units; the mainland is about 780 units wide).
MARGE_CADRAGE = 0.15  # of the larger side of the perimeter, on each side
COTE_MINIMUM = 150.0  # smallest frame width: about 180 km, a small département
# and its neighbours
RAPPORT_MINIMUM = 1.2  # width / height of the frame; the full map is about 1.3
RAPPORT_MAXIMUM = 1.6
MARGE_ENCART = 5.0  # around an inset box: less than the 10 units between two boxes
TRAIT_CADRAGE = 1  # border width in screen pixels when framed (non-scaling stroke)

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


@dataclass(frozen=True)
class Boite:
    """An axis-aligned rectangle in viewBox units."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def largeur(self) -> float:
        return self.x1 - self.x0

    @property
    def hauteur(self) -> float:
        return self.y1 - self.y0

    def agrandie(self, dx: float, dy: float | None = None) -> "Boite":
        dy = dx if dy is None else dy
        return Boite(self.x0 - dx, self.y0 - dy, self.x1 + dx, self.y1 + dy)

    def croise(self, autre: "Boite") -> bool:
        return (
            self.x0 < autre.x1
            and autre.x0 < self.x1
            and self.y0 < autre.y1
            and autre.y0 < self.y1
        )


def reunion(boites: Iterable[Boite]) -> Boite:
    liste = list(boites)
    return Boite(
        min(b.x0 for b in liste),
        min(b.y0 for b in liste),
        max(b.x1 for b in liste),
        max(b.y1 for b in liste),
    )


def arrondie(boite: Boite) -> Boite:
    return Boite(
        math.floor(boite.x0),
        math.floor(boite.y0),
        math.ceil(boite.x1),
        math.ceil(boite.y1),
    )


JETON = re.compile(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def sommets(d: str) -> list[tuple[float, float]]:
    """The vertices of path data made of straight segments.

    The outline file only uses ``M`` with implicit line-tos and ``Z``; ``L``, ``H``,
    ``V`` and relative commands are read too. Curves and arcs raise ``ValueError``:
    their extent is not that of their points, so they would need more than this.
    """
    points: list[tuple[float, float]] = []
    x = y = 0.0
    depart = (0.0, 0.0)
    commande = ""
    jetons = JETON.findall(d)
    rang = 0
    while rang < len(jetons):
        jeton = jetons[rang]
        if jeton.isalpha():
            rang += 1
            if jeton in "Zz":
                x, y = depart
                commande = ""
            elif jeton in "MmLlHhVv":
                commande = jeton
            else:
                raise ValueError(f"Commande de tracé non prise en charge : {jeton}")
            continue
        if not commande:
            raise ValueError(f"Nombre sans commande dans le tracé : {jeton}")
        relatif = commande.islower()
        try:
            match commande.upper():
                case "H":
                    x = float(jeton) + (x if relatif else 0)
                    rang += 1
                case "V":
                    y = float(jeton) + (y if relatif else 0)
                    rang += 1
                case _:
                    dx, dy = float(jeton), float(jetons[rang + 1])
                    x, y = (x + dx, y + dy) if relatif else (dx, dy)
                    rang += 2
        except (IndexError, ValueError) as erreur:
            raise ValueError(
                f"Coordonnée incomplète dans le tracé : {jeton}"
            ) from erreur
        if commande in "Mm":
            depart = (x, y)
            commande = "l" if relatif else "L"
        points.append((x, y))
    return points


@functools.cache
def emprise(code: str) -> Boite:
    """The bounding box of a département's outline."""
    points = sommets(fond_de_carte().departements[code].d)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return Boite(min(xs), min(ys), max(xs), max(ys))


def boite_encart(encart: Encart) -> Boite:
    x, y, largeur, hauteur = encart.cadre
    return Boite(x, y, x + largeur, y + hauteur)


def cadre_de_vue(cadrage: Collection[str]) -> Boite | None:
    """The frame of the map for the perimeter ``cadrage`` (INSEE codes).

    Codes the map cannot draw are ignored; with none left the result is ``None``
    (the full map). Overseas départements only: the union of their inset boxes with a
    thin margin, so that the neighbouring boxes stay out. Otherwise the union of the
    outlines' extents and of the inset boxes of any overseas code, widened by 15 % of
    its larger side on each side, its proportions brought between 1.2:1 and 1.6:1
    (the full map is 1.3:1), then enlarged to ``COTE_MINIMUM`` wide if narrower. The
    frame stays centred on the perimeter, even where it goes past the mainland's
    coasts or borders: the blank there is the sea or a foreign country. Rounded
    outwards to whole units.
    """
    fond = fond_de_carte()
    encarts = {e.code: e for e in fond.encarts}
    connus = sorted({c for c in cadrage if c in fond.departements}, key=cle_insee)
    if not connus:
        return None
    boite = reunion(
        boite_encart(encarts[c]) if c in encarts else emprise(c) for c in connus
    )
    if all(c in encarts for c in connus):
        return arrondie(boite.agrandie(MARGE_ENCART))

    boite = boite.agrandie(MARGE_CADRAGE * max(boite.largeur, boite.hauteur))
    if boite.largeur < RAPPORT_MINIMUM * boite.hauteur:
        boite = boite.agrandie((RAPPORT_MINIMUM * boite.hauteur - boite.largeur) / 2, 0)
    elif boite.largeur > RAPPORT_MAXIMUM * boite.hauteur:
        boite = boite.agrandie(0, (boite.largeur / RAPPORT_MAXIMUM - boite.hauteur) / 2)
    if boite.largeur < COTE_MINIMUM:
        agrandissement = COTE_MINIMUM / boite.largeur
        boite = boite.agrandie(
            boite.largeur * (agrandissement - 1) / 2,
            boite.hauteur * (agrandissement - 1) / 2,
        )
    return arrondie(boite)


@dataclass(frozen=True)
class Vue:
    """What a map framed on a perimeter shows."""

    cadre: Boite
    codes: tuple[str, ...]  # the framed départements the map knows, in INSEE order
    echelle: float  # frame width / full width: the legend and the hatching shrink by it
    encarts: tuple[Encart, ...]  # those of the framed overseas départements
    departements: tuple[str, ...]  # those drawn, in the outline file's order


def vue_cadree(cadrage: Collection[str]) -> Vue | None:
    """The frame of ``cadre_de_vue`` and what is drawn in it: the mainland
    départements that meet it, and the insets of the framed overseas départements
    only (not their neighbouring boxes)."""
    cadre = cadre_de_vue(cadrage)
    if cadre is None:
        return None
    fond = fond_de_carte()
    codes = tuple(sorted({c for c in cadrage if c in fond.departements}, key=cle_insee))
    outre_mer = {e.code for e in fond.encarts}
    return Vue(
        cadre=cadre,
        codes=codes,
        echelle=cadre.largeur / fond.largeur,
        encarts=tuple(e for e in fond.encarts if e.code in codes),
        departements=tuple(
            code
            for code in fond.departements
            if (code in codes if code in outre_mer else emprise(code).croise(cadre))
        ),
    )


def facteur(valeur: float) -> str:
    """A scale factor for a ``transform``: four significant digits."""
    return f"{valeur:.4g}"


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
    cadrage: Collection[str] | None = None,
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

    ``cadrage`` (INSEE codes, e.g. the user's perimeter) frames the map on those
    départements (``cadre_de_vue``). Only what shows in the frame is drawn
    (``vue_cadree``): the mainland départements whose extent meets it, and the insets
    of the framed overseas départements alone; so no hidden link stays in the
    keyboard's path. Borders keep one screen pixel, the hatching and the legend keep
    their size on screen, and "Aucune donnée" is in the legend only if a drawn
    département has no data. Without ``cadrage``, or when none of its codes is on the
    map, the full map is drawn, exactly as without the argument.
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

    vue = vue_cadree(cadrage) if cadrage else None
    cle: list[object] = [titre, unite, sorted(valeurs.items()), lien is None]
    if vue:
        cle.append(vue.cadre)
    ident = identifiant("carte", *cle)
    id_titre, id_desc, id_motif = f"{ident}-titre", f"{ident}-desc", f"{ident}-motif"
    # Framed, the map's hatching shrinks with the frame, the legend's does not (the
    # legend group is scaled already): two patterns.
    id_motif_legende = f"{id_motif}-legende" if vue else id_motif
    cadre = vue.cadre if vue else Boite(0, 0, fond.largeur, fond.hauteur)
    echelle = vue.echelle if vue else None
    sans_donnee_dessines = (
        sum(code not in renseignees for code in vue.departements)
        if vue
        else sans_donnee
    )
    legende = legende_carte(
        renseignees,
        bornes,
        teintes,
        sans_donnee_dessines,
        libelle_valeur,
        unite,
        id_motif_legende,
        fond.largeur,
    )
    hauteur = cadre.hauteur + legende.hauteur * (echelle or 1)
    pluriel = "s" if len(renseignees) > 1 else ""
    phrases = [
        "Carte des départements de France colorée selon la valeur"
        f"{f' en {unite}' if unite else ''}, en {len(teintes)} "
        f"classe{'s' if len(teintes) > 1 else ''} ; {len(renseignees)} "
        f"département{pluriel} renseigné{pluriel}, {sans_donnee} sans donnée.",
        phrase_cadrage(vue, noms)
        if vue
        else "Les départements d'outre-mer figurent en encart, à gauche.",
        "Les valeurs sont reprises dans le tableau qui accompagne la carte.",
    ]

    morceaux = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{coordonnee(cadre.x0)} '
        f'{coordonnee(cadre.y0)} {coordonnee(cadre.largeur)} {coordonnee(hauteur)}" '
        f'role="{"group" if lien else "img"}" '
        f'aria-labelledby="{id_titre} {id_desc}" class="abri-carte__svg" '
        f'font-family="{POLICE}">',
        f'<title id="{id_titre}">{escape(titre)}</title>',
        f'<desc id="{id_desc}">{escape(" ".join(phrases))}</desc>',
        f"<defs>{motif(id_motif, echelle)}",
    ]
    if vue:
        morceaux.append(
            f'{motif(id_motif_legende, None)}<clipPath id="{ident}-cadre">'
            f'<rect x="{coordonnee(cadre.x0)}" y="{coordonnee(cadre.y0)}" '
            f'width="{coordonnee(cadre.largeur)}" '
            f'height="{coordonnee(cadre.hauteur)}"/></clipPath></defs>'
            f'<g clip-path="url(#{ident}-cadre)">'
        )
    else:
        morceaux.append("</defs>")
    morceaux.extend(dessiner_encarts(vue.encarts if vue else fond.encarts, echelle))
    morceaux.append(
        f'<g stroke="{BORDURE}" stroke-width="{TRAIT_CADRAGE if vue else 0.6}" '
        'stroke-linejoin="round" fill-rule="evenodd">'
    )
    # Framed, borders keep one screen pixel, and so does the hover outline of the CSS.
    trait = ' vector-effect="non-scaling-stroke"' if vue else ""
    for code in vue.departements if vue else fond.departements:
        departement = fond.departements[code]
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
            f'<path d="{departement.d}" fill="{remplissage}" class="{css}"{trait} '
            f'data-code="{escape(code)}"><title>{escape(texte)}</title></path>'
        )
        if lien:
            trace = (
                f'<a href="{escape(lien(code))}" aria-label="{escape(texte)}">'
                f"{trace}</a>"
            )
        morceaux.append(trace)
    morceaux.append("</g>")
    if vue:
        # The legend is laid out for the full width, then scaled to the frame's:
        # on screen it keeps the size it has under the full map.
        morceaux.append(
            f'</g><g transform="translate({coordonnee(cadre.x0)} '
            f'{coordonnee(cadre.y1)}) scale({facteur(vue.echelle)})">'
        )
    else:
        morceaux.append(f'<g transform="translate(0 {coordonnee(fond.hauteur)})">')
    morceaux.extend(legende.elements)
    morceaux.append("</g></svg>")
    return mark_safe("".join(morceaux))  # noqa: S308 - every text above is escaped


def motif(ident: str, echelle: float | None) -> str:
    """The hatching of départements without data; ``echelle`` shrinks it with the
    frame so that it keeps its size on screen."""
    transformation = "rotate(45)"
    if echelle is not None:
        transformation += f" scale({facteur(echelle)})"
    return (
        f'<pattern id="{ident}" patternUnits="userSpaceOnUse" width="6" '
        f'height="6" patternTransform="{transformation}">'
        f'<rect width="6" height="6" fill="{SANS_DONNEE}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{HACHURES}" stroke-width="2.5"/>'
        "</pattern>"
    )


def phrase_cadrage(vue: Vue, noms: Mapping[str, str]) -> str:
    """The sentence of the description that tells what the map is framed on."""
    if len(vue.codes) <= 3:
        departements = fond_de_carte().departements
        liste = ", ".join(
            f"{noms.get(code, departements[code].nom)} ({code})" for code in vue.codes
        )
    else:
        liste = (
            f"les {len(vue.codes)} départements du périmètre ({', '.join(vue.codes)})"
        )
    return (
        f"La carte est cadrée sur {liste} ; les départements voisins restent "
        "visibles pour repère."
    )


def dessiner_encarts(
    encarts: tuple[Encart, ...], echelle: float | None = None
) -> list[str]:
    """The inset boxes with their names; ``echelle`` (framed map) shrinks the names
    and keeps the box's border at one screen pixel."""
    elements = []
    e = 1.0 if echelle is None else echelle
    trait = "" if echelle is None else ' vector-effect="non-scaling-stroke"'
    for encart in encarts:
        x, y, largeur, hauteur = (coordonnee(v) for v in encart.cadre)
        elements.append(
            f'<rect x="{x}" y="{y}" width="{largeur}" height="{hauteur}" '
            f'fill="none" stroke="{CADRE}" rx="{coordonnee(2 * e)}"{trait}/>'
            f'<text x="{coordonnee(encart.cadre[0] + 6 * e)}" '
            f'y="{coordonnee(encart.cadre[1] + 17 * e)}" '
            f'font-size="{coordonnee(15 * e)}" '
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
    cadrage: Collection[str] | None = None,
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
            cadrage=cadrage,
        ),
        "lignes": tableau_carte(
            valeurs, noms, lien=lien, libelle_valeur=libelle_valeur
        ),
    }
