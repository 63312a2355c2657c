"""Build ``abri/ui/data/departements.json`` from the official outlines (GeoJSON, WGS84).

Usage::

    .venv/bin/python scripts/construire_carte.py \\
        chemin/vers/departements-avec-outre-mer.geojson \\
        abri/ui/data/departements.json

Steps: project (Lambert conformal conic with Lambert-93's parallels for the mainland,
a local equirectangular projection for each overseas département), fit into the
layout (overseas départements as insets in a column on the left), simplify shared
borders identically on both sides (Douglas–Peucker on arcs cut at junctions, so that no
gap or overlap appears between neighbours), round to one decimal, and write the SVG
path data, a label point per département and the insets' frames.

The application never runs this script: it only reads the JSON it produces. The
output is deterministic, so that re-running it on the same source changes nothing.
"""

import argparse
import json
import math
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

Point = tuple[float, float]
Anneau = list[Point]  # closed ring, without the repeated closing point
Polygone = list[Anneau]  # outer ring first, then holes
Projection = Callable[[float, float], Point]

OUTRE_MER = ("971", "972", "973", "974", "976")

# Layout in viewBox units.
MARGE = 10.0
LARGEUR_ENCARTS = 150.0
ECART = 20.0
LARGEUR_METROPOLE = 780.0
HAUTEUR_ETIQUETTE = 22.0
MARGE_ENCART = 6.0

TOLERANCE = 0.45  # Douglas–Peucker tolerance, viewBox units
AIRE_MINIMALE = 2.0  # islands smaller than this (viewBox units²) are dropped


# Projections ----------------------------------------------------------------------


def lambert_conique(lon: float, lat: float) -> Point:
    """Lambert conformal conic on the sphere, parallels 44° and 49°, origin 46.5°N 3°E.

    Same parameters as Lambert-93 (without the ellipsoid, which changes nothing
    visible at this scale). The y axis points north.
    """
    phi1, phi2, phi0 = math.radians(44), math.radians(49), math.radians(46.5)
    lam0 = math.radians(3)

    def t(phi: float) -> float:
        return math.tan(math.pi / 4 + phi / 2)

    n = math.log(math.cos(phi1) / math.cos(phi2)) / math.log(t(phi2) / t(phi1))
    f = math.cos(phi1) * t(phi1) ** n / n
    rho = f / t(math.radians(lat)) ** n
    rho0 = f / t(phi0) ** n
    theta = n * (math.radians(lon) - lam0)
    return rho * math.sin(theta), rho0 - rho * math.cos(theta)


def equirectangulaire(lat_centre: float) -> Projection:
    cos_lat = math.cos(math.radians(lat_centre))

    def projeter(lon: float, lat: float) -> Point:
        return lon * cos_lat, lat

    return projeter


# Geometry -------------------------------------------------------------------------


def polygones(geometrie: dict) -> list[list[list[list[float]]]]:
    if geometrie["type"] == "Polygon":
        return [geometrie["coordinates"]]
    if geometrie["type"] == "MultiPolygon":
        return geometrie["coordinates"]
    raise ValueError(f"Géométrie non prise en charge : {geometrie['type']}")


def aire(anneau: Sequence[Point]) -> float:
    """Signed area (shoelace)."""
    total = 0.0
    for i, (x1, y1) in enumerate(anneau):
        x2, y2 = anneau[(i + 1) % len(anneau)]
        total += x1 * y2 - x2 * y1
    return total / 2


def centroide(anneau: Sequence[Point]) -> Point:
    a = aire(anneau)
    if a == 0:
        xs, ys = zip(*anneau, strict=True)
        return sum(xs) / len(xs), sum(ys) / len(ys)
    cx = cy = 0.0
    for i, (x1, y1) in enumerate(anneau):
        x2, y2 = anneau[(i + 1) % len(anneau)]
        croix = x1 * y2 - x2 * y1
        cx += (x1 + x2) * croix
        cy += (y1 + y2) * croix
    return cx / (6 * a), cy / (6 * a)


def distance_au_segment(p: Point, a: Point, b: Point) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    longueur2 = dx * dx + dy * dy
    if longueur2 == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / longueur2))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def douglas_peucker(ligne: Sequence[Point], tolerance: float) -> list[Point]:
    """Keep both ends and every point farther than ``tolerance`` from the simplified
    line (iterative, so that long coastlines do not hit the recursion limit)."""
    if len(ligne) <= 2:
        return list(ligne)
    garder = [False] * len(ligne)
    garder[0] = garder[-1] = True
    pile = [(0, len(ligne) - 1)]
    while pile:
        debut, fin = pile.pop()
        loin, indice = 0.0, -1
        for i in range(debut + 1, fin):
            d = distance_au_segment(ligne[i], ligne[debut], ligne[fin])
            if d > loin:
                loin, indice = d, i
        if indice != -1 and loin > tolerance:
            garder[indice] = True
            pile.extend([(debut, indice), (indice, fin)])
    return [p for p, g in zip(ligne, garder, strict=True) if g]


class Simplificateur:
    """Simplifies rings so that a border shared by two départements is cut the same.

    A junction is a vertex with more than two distinct neighbours over all rings (where
    three départements meet, or where a border reaches the coast). Rings are cut into
    arcs at junctions; each arc is simplified once and reused, reversed if needed, by
    the other side.
    """

    def __init__(self, anneaux: Iterable[Anneau], tolerance: float) -> None:
        voisins: dict[Point, set[Point]] = defaultdict(set)
        for anneau in anneaux:
            for i, p in enumerate(anneau):
                voisins[p].add(anneau[i - 1])
                voisins[p].add(anneau[(i + 1) % len(anneau)])
        self.jonctions = {p for p, v in voisins.items() if len(v) > 2}
        self.tolerance = tolerance
        self.arcs: dict[tuple[Point, ...], list[Point]] = {}

    def arc(self, points: list[Point]) -> list[Point]:
        cle = tuple(points)
        if cle in self.arcs:
            return self.arcs[cle]
        inverse = cle[::-1]
        if inverse in self.arcs:
            return self.arcs[inverse][::-1]
        self.arcs[cle] = douglas_peucker(points, self.tolerance)
        return self.arcs[cle]

    def anneau(self, anneau: Anneau) -> Anneau:
        coupures = [i for i, p in enumerate(anneau) if p in self.jonctions]
        if not coupures:
            # A free ring (an island, an enclave): cut it at its smallest point and
            # the point farthest from it, the same on both sides of an enclave.
            premier = min(range(len(anneau)), key=anneau.__getitem__)
            loin = max(
                range(len(anneau)),
                key=lambda i: math.dist(anneau[premier], anneau[i]),
            )
            coupures = sorted({premier, loin})
        resultat: Anneau = []
        for k, debut in enumerate(coupures):
            fin = coupures[(k + 1) % len(coupures)]
            if fin > debut:
                morceau = anneau[debut : fin + 1]
            else:
                morceau = anneau[debut:] + anneau[: fin + 1]
            resultat.extend(self.arc(morceau)[:-1])
        return resultat


# Layout ---------------------------------------------------------------------------


class Cadrage:
    """Scale and translation that fit projected points into a box (y pointing down)."""

    def __init__(
        self, etendue: tuple[float, float, float, float], boite: tuple[float, ...]
    ) -> None:
        xmin, ymin, xmax, ymax = etendue
        bx, by, largeur, hauteur = boite
        self.echelle = min(largeur / (xmax - xmin), hauteur / (ymax - ymin))
        # Centre the drawing in its box.
        self.dx = (
            bx + (largeur - (xmax - xmin) * self.echelle) / 2 - xmin * self.echelle
        )
        self.dy = (
            by + (hauteur - (ymax - ymin) * self.echelle) / 2 + ymax * self.echelle
        )

    def __call__(self, p: Point) -> Point:
        return p[0] * self.echelle + self.dx, self.dy - p[1] * self.echelle


def etendue(polys: Iterable[Polygone]) -> tuple[float, float, float, float]:
    polys = list(polys)
    xs = [x for poly in polys for anneau in poly for x, _ in anneau]
    ys = [y for poly in polys for anneau in poly for _, y in anneau]
    return min(xs), min(ys), max(xs), max(ys)


def projeter(poly: list[list[list[float]]], projection: Projection) -> Polygone:
    # GeoJSON rings repeat their first point at the end; rings here do not.
    return [[projection(lon, lat) for lon, lat in anneau[:-1]] for anneau in poly]


def nombre(v: float) -> str:
    texte = f"{v:.1f}"
    if texte.endswith(".0"):
        texte = texte[:-2]
    return "0" if texte == "-0" else texte


def chemin(polys: Sequence[Polygone]) -> str:
    morceaux = []
    for poly in polys:
        for anneau in poly:
            points = " ".join(f"{nombre(x)} {nombre(y)}" for x, y in anneau)
            morceaux.append(f"M{points}Z")
    return "".join(morceaux)


def arrondir(anneau: Anneau) -> Anneau:
    resultat: Anneau = []
    for x, y in anneau:
        p = (round(x, 1), round(y, 1))
        if not resultat or resultat[-1] != p:
            resultat.append(p)
    if len(resultat) > 1 and resultat[0] == resultat[-1]:
        resultat.pop()
    return resultat


def construire(source: dict) -> dict:
    entites = {f["properties"]["code"]: f for f in source["features"]}
    manquants = [c for c in OUTRE_MER if c not in entites]
    if manquants:
        raise ValueError(f"Départements d'outre-mer absents de la source : {manquants}")

    metropole = {
        code: [projeter(p, lambert_conique) for p in polygones(f["geometry"])]
        for code, f in entites.items()
        if code not in OUTRE_MER
    }
    xmin, ymin, xmax, ymax = etendue(p for polys in metropole.values() for p in polys)
    hauteur = LARGEUR_METROPOLE * (ymax - ymin) / (xmax - xmin)
    x_metropole = MARGE + LARGEUR_ENCARTS + ECART
    cadre = Cadrage(
        (xmin, ymin, xmax, ymax), (x_metropole, MARGE, LARGEUR_METROPOLE, hauteur)
    )
    placees = {
        code: [[[cadre(p) for p in anneau] for anneau in poly] for poly in polys]
        for code, polys in metropole.items()
    }

    encarts = []
    hauteur_encart = (hauteur - ECART * (len(OUTRE_MER) - 1) / 2) / len(OUTRE_MER)
    for rang, code in enumerate(OUTRE_MER):
        geometrie = polygones(entites[code]["geometry"])
        lats = [lat for poly in geometrie for anneau in poly for _, lat in anneau]
        projection = equirectangulaire((min(lats) + max(lats)) / 2)
        polys = [projeter(p, projection) for p in geometrie]
        y = MARGE + rang * (hauteur_encart + ECART / 2)
        boite = (
            MARGE + MARGE_ENCART,
            y + HAUTEUR_ETIQUETTE,
            LARGEUR_ENCARTS - 2 * MARGE_ENCART,
            hauteur_encart - HAUTEUR_ETIQUETTE - MARGE_ENCART,
        )
        cadre_local = Cadrage(etendue(polys), boite)
        placees[code] = [
            [[cadre_local(p) for p in anneau] for anneau in poly] for poly in polys
        ]
        encarts.append(
            {
                "code": code,
                "nom": entites[code]["properties"]["nom"],
                "cadre": [
                    MARGE,
                    round(y, 1),
                    LARGEUR_ENCARTS,
                    round(hauteur_encart, 1),
                ],
            }
        )

    simplificateur = Simplificateur(
        (anneau for polys in placees.values() for poly in polys for anneau in poly),
        TOLERANCE,
    )
    departements = {}
    for code in sorted(placees, key=cle_insee):
        polys = []
        for poly in placees[code]:
            anneaux = [arrondir(simplificateur.anneau(a)) for a in poly]
            anneaux = [a for a in anneaux if len(a) >= 3 and aire(a) != 0]
            if anneaux:
                polys.append(anneaux)
        polys.sort(key=lambda poly: -abs(aire(poly[0])))
        # Keep the largest piece whatever its size, drop specks of islands.
        polys = polys[:1] + [p for p in polys[1:] if abs(aire(p[0])) >= AIRE_MINIMALE]
        cx, cy = centroide(polys[0][0])
        departements[code] = {
            "nom": entites[code]["properties"]["nom"],
            "d": chemin(polys),
            "centre": [round(cx, 1), round(cy, 1)],
        }

    largeur_totale = x_metropole + LARGEUR_METROPOLE + MARGE
    hauteur_totale = MARGE + hauteur + MARGE
    return {
        "source": (
            "IGN Admin Express COG 2018 via gregoiredavid/france-geojson "
            "(departements-avec-outre-mer.geojson), Licence Ouverte (Etalab)"
        ),
        "viewBox": f"0 0 {nombre(largeur_totale)} {nombre(math.ceil(hauteur_totale))}",
        "encarts": encarts,
        "departements": departements,
    }


def cle_insee(code: str) -> tuple[int, str]:
    """INSEE order: 19, 2A, 2B, 21 … 95, 971 …"""
    if code in ("2A", "2B"):
        return 20, code[1]
    return int(code), ""


def main(arguments: Sequence[str] | None = None) -> int:
    analyseur = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    analyseur.add_argument("source", type=Path, help="GeoJSON des départements")
    analyseur.add_argument("sortie", type=Path, help="fichier JSON produit")
    args = analyseur.parse_args(arguments)

    donnees = construire(json.loads(args.source.read_text(encoding="utf-8")))
    texte = json.dumps(donnees, ensure_ascii=False, separators=(",", ":"))
    args.sortie.write_text(texte + "\n", encoding="utf-8")
    print(
        f"{len(donnees['departements'])} départements écrits dans {args.sortie} "
        f"({len(texte.encode()) // 1024} Kio)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
