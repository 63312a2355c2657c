import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from abri.ui.svg.carte import (
    COTE_MINIMUM,
    FICHIER,
    PALETTE,
    SANS_DONNEE,
    carte_departements,
    carte_et_tableau,
    fond_de_carte,
    seuils,
    sommets,
    tableau_carte,
)

SVG = "{http://www.w3.org/2000/svg}"


def analyser(svg: str) -> ET.Element:
    """Parse an SVG drawn by our code (trusted), failing if it is not well formed."""
    return ET.fromstring(svg)  # noqa: S314


NOMBRE = re.compile(r"-?\d+(?:\.\d+)?")


@pytest.fixture(scope="module")
def fichier() -> dict:
    return json.loads(FICHIER.read_text(encoding="utf-8"))


def chemins(svg: str) -> dict[str, ET.Element]:
    racine = analyser(svg)
    return {p.get("data-code"): p for p in racine.iter(f"{SVG}path")}


def textes_legende(svg: str) -> list[str]:
    racine = analyser(svg)
    legende = next(g for g in racine.iter(f"{SVG}g") if "legende" in g.get("class", ""))
    return [t.text for t in legende.iter(f"{SVG}text")][1:]


def en_nombre(texte: str) -> Decimal:
    return Decimal(texte.replace("\u202f", "").replace(",", "."))


def test_outline_file_holds_the_101_departements(fichier: dict) -> None:
    codes = set(fichier["departements"])

    assert len(codes) == 101
    assert {"2A", "2B", "971", "972", "973", "974", "976"} <= codes
    assert "20" not in codes


def test_every_coordinate_falls_inside_the_viewbox(fichier: dict) -> None:
    _, _, largeur, hauteur = (float(v) for v in fichier["viewBox"].split())

    for code, departement in fichier["departements"].items():
        nombres = [float(n) for n in NOMBRE.findall(departement["d"])]
        xs, ys = nombres[::2], nombres[1::2]
        assert len(xs) == len(ys) >= 3, code
        assert min(xs) >= 0 and max(xs) <= largeur, code
        assert min(ys) >= 0 and max(ys) <= hauteur, code
        cx, cy = departement["centre"]
        assert 0 <= cx <= largeur and 0 <= cy <= hauteur, code


def test_overseas_departements_are_drawn_inside_their_inset(fichier: dict) -> None:
    for encart in fichier["encarts"]:
        x, y, largeur, hauteur = encart["cadre"]
        nombres = [
            float(n)
            for n in NOMBRE.findall(fichier["departements"][encart["code"]]["d"])
        ]

        assert x <= min(nombres[::2]) and max(nombres[::2]) <= x + largeur
        assert y <= min(nombres[1::2]) and max(nombres[1::2]) <= y + hauteur


def test_outline_file_stays_small() -> None:
    assert FICHIER.stat().st_size < 400_000


def test_each_departement_is_a_link_when_lien_is_given() -> None:
    svg = carte_departements(
        {}, titre="Places", lien=lambda code: f"/d/{code}/?a=1&b=2"
    )

    assert svg.count("<a ") == 101
    assert 'href="/d/2A/?a=1&amp;b=2"' in svg
    assert 'role="group"' in svg


def test_no_link_without_lien() -> None:
    svg = carte_departements({"69": 12}, titre="Places")

    assert "<a " not in svg
    assert 'role="img"' in svg


def test_title_and_desc_label_the_svg() -> None:
    racine = analyser(carte_departements({"69": 12}, titre="Places autorisées"))

    id_titre, id_desc = racine.get("aria-labelledby").split()
    assert racine.find(f"{SVG}title").get("id") == id_titre
    assert racine.find(f"{SVG}title").text == "Places autorisées"
    assert racine.find(f"{SVG}desc").get("id") == id_desc


def test_tooltip_gives_the_value_in_french() -> None:
    svg = carte_departements({"69": 1234, "13": 5}, titre="Places")

    assert "<title>Rhône (69) : 1\u202f234\u00a0places</title>" in svg


def test_tooltip_of_a_decimal_keeps_its_decimals_without_float_artefacts() -> None:
    valeur = Decimal("0.10") + Decimal("0.20") + Decimal("1234567")
    svg = carte_departements({"75": valeur}, titre="Dotation", unite="€")

    assert "Paris (75) : 1\u202f234\u202f567,30\u00a0€" in svg
    assert "0000000" not in svg


def test_departement_without_value_says_so_in_its_tooltip() -> None:
    svg = carte_departements({"69": None}, titre="Places")

    assert "<title>Rhône (69) : aucune donnée</title>" in svg


def test_names_and_title_are_escaped() -> None:
    svg = carte_departements(
        {"69": 3},
        titre="Places <CADA> & HUDA",
        noms={"69": "Rhône <b>gras</b> & co"},
        lien=lambda code: f'/d/{code}/"onclick="x',
    )

    assert "<b>" not in svg and "<CADA>" not in svg
    assert "Rhône &lt;b&gt;gras&lt;/b&gt; &amp; co (69)" in svg
    assert "Places &lt;CADA&gt; &amp; HUDA" in svg
    assert 'href="/d/69/&quot;onclick=&quot;x"' in svg
    analyser(svg)


def test_legend_bounds_are_ordered() -> None:
    valeurs = {
        code: 17 * rang + 3 for rang, code in enumerate(fond_de_carte().departements)
    }
    textes = textes_legende(carte_departements(valeurs, titre="Places"))

    bornes = [en_nombre(n) for t in textes for n in re.findall(r"\d[\d\u202f,]*", t)]
    assert len(textes) == 5
    assert bornes == sorted(bornes)
    assert bornes[0] == 3 and bornes[-1] == 17 * 100 + 3


def test_legend_bounds_are_in_french_format() -> None:
    valeurs = {
        code: 1000 * rang + 500
        for rang, code in enumerate(fond_de_carte().departements)
    }
    textes = textes_legende(carte_departements(valeurs, titre="Places"))

    assert textes[0] == "500 à moins de 21\u202f000"
    assert textes[-1] == "81\u202f000 à 100\u202f500"


def test_highest_value_gets_the_darkest_blue_and_lowest_the_lightest() -> None:
    valeurs = {code: rang for rang, code in enumerate(fond_de_carte().departements)}
    traces = chemins(carte_departements(valeurs, titre="Places"))

    assert traces["976"].get("fill") == PALETTE[-1]
    assert traces["01"].get("fill") == PALETTE[0]


def test_departements_without_data_get_the_no_data_colour() -> None:
    traces = chemins(carte_departements({"75": 10, "69": None}, titre="Places"))

    assert traces["75"].get("fill") in PALETTE
    for code in ("69", "2A", "976"):
        assert traces[code].get("fill").endswith(SANS_DONNEE)
        assert traces[code].get("class") == "abri-carte__sans-donnee"


def test_legend_shows_no_data_only_when_some_are_missing() -> None:
    tous = dict.fromkeys(fond_de_carte().departements, 5)

    assert "Aucune donnée" not in textes_legende(carte_departements(tous, titre="P"))
    assert "Aucune donnée" in textes_legende(carte_departements({"01": 5}, titre="P"))


def test_equal_values_make_a_single_class() -> None:
    assert seuils([Decimal(7)] * 20) == []


def test_thresholds_are_rounded_quantiles() -> None:
    assert seuils([Decimal(v) for v in range(1, 1001)]) == [
        Decimal(200),
        Decimal(400),
        Decimal(600),
        Decimal(800),
    ]


def test_code_unknown_to_the_map_is_not_drawn_but_listed() -> None:
    svg = carte_departements({"975": 8}, titre="Places")
    lignes = tableau_carte({"975": 8})

    assert "975" not in svg
    assert [ligne["code"] for ligne in lignes[-3:]] == ["974", "975", "976"]
    assert lignes[-2]["libelle"] == "8"


def test_table_lists_departements_in_insee_order() -> None:
    codes = [ligne["code"] for ligne in tableau_carte({})]

    assert codes.index("19") + 1 == codes.index("2A")
    assert codes.index("2B") + 1 == codes.index("21")
    assert codes[-5:] == ["971", "972", "973", "974", "976"]


def test_table_gives_names_french_values_and_links() -> None:
    lignes = tableau_carte(
        {"69": 1234}, {"69": "Rhône (métropole)"}, lien=lambda code: f"/d/{code}/"
    )
    rhone = next(ligne for ligne in lignes if ligne["code"] == "69")
    ain = lignes[0]

    assert rhone == {
        "code": "69",
        "nom": "Rhône (métropole)",
        "valeur": 1234,
        "libelle": "1\u202f234",
        "lien": "/d/69/",
    }
    assert ain["nom"] == "Ain" and ain["libelle"] == "Aucune donnée"


def test_two_maps_on_one_page_have_distinct_ids() -> None:
    une = analyser(carte_departements({"01": 1}, titre="Places autorisées"))
    autre = analyser(carte_departements({"01": 1}, titre="Places occupées"))

    assert une.get("aria-labelledby") != autre.get("aria-labelledby")


def test_map_template_renders_the_svg_and_an_escaped_table() -> None:
    contexte = carte_et_tableau(
        {"69": 1234},
        titre="Places & co",
        lien=lambda code: f"/d/{code}/",
        noms={"69": "Rhône <x>"},
    )

    html = render_to_string("ui/carte.html", {"carte": contexte})

    assert html.count("<svg") == 1
    assert html.count("<tr>") == 102
    assert '<a href="/d/69/">Rhône &lt;x&gt; (69)</a>' in html
    assert "<caption>Places &amp; co — données de la carte</caption>" in html
    assert "1\u202f234" in html


REGION_84 = ["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"]


def boite_vue(svg: str) -> tuple[float, float, float, float]:
    x, y, largeur, hauteur = (float(v) for v in analyser(svg).get("viewBox").split())
    return x, y, x + largeur, y + hauteur


def cadre_dessine(svg: str) -> tuple[float, float, float, float]:
    """The frame of the map itself (the clip rectangle), legend excluded."""
    rect = analyser(svg).find(f"{SVG}defs/{SVG}clipPath/{SVG}rect")
    x, y = float(rect.get("x")), float(rect.get("y"))
    return x, y, x + float(rect.get("width")), y + float(rect.get("height"))


def points_de(fichier: dict, code: str) -> list[tuple[float, float]]:
    nombres = [float(n) for n in NOMBRE.findall(fichier["departements"][code]["d"])]
    return list(zip(nombres[::2], nombres[1::2], strict=True))


def contient(boite: tuple[float, float, float, float], points) -> bool:
    x0, y0, x1, y1 = boite
    return all(x0 <= x <= x1 and y0 <= y <= y1 for x, y in points)


def test_framing_on_one_departement_narrows_the_viewbox_around_it(
    fichier: dict,
) -> None:
    svg = carte_departements({"44": 12}, titre="Places", cadrage=["44"])
    _, _, largeur, _ = (float(v) for v in analyser(svg).get("viewBox").split())

    assert largeur < 970
    assert contient(cadre_dessine(svg), points_de(fichier, "44"))
    assert contient(boite_vue(svg), [cadre_dessine(svg)[:2], cadre_dessine(svg)[2:]])


def test_framing_on_a_region_holds_all_its_departements(fichier: dict) -> None:
    svg = carte_departements({}, titre="Places", cadrage=REGION_84)
    cadre = cadre_dessine(svg)

    for code in REGION_84:
        assert contient(cadre, points_de(fichier, code)), code
    assert cadre[2] - cadre[0] < 970 / 2


def test_framing_keeps_a_margin_and_sensible_proportions(fichier: dict) -> None:
    x0, y0, x1, y1 = cadre_dessine(carte_departements({}, titre="P", cadrage=REGION_84))
    xs, ys = zip(*(p for c in REGION_84 for p in points_de(fichier, c)), strict=True)
    marge = 0.15 * max(max(xs) - min(xs), max(ys) - min(ys))

    assert x0 <= min(xs) - marge and max(xs) + marge <= x1
    assert y0 <= min(ys) - marge and max(ys) + marge <= y1
    assert 1.2 <= (x1 - x0) / (y1 - y0) <= 1.6


def test_small_departement_is_framed_with_its_neighbours() -> None:
    svg = carte_departements({"75": 5}, titre="Places", cadrage=["75"])
    x0, _, x1, _ = cadre_dessine(svg)

    assert x1 - x0 >= COTE_MINIMUM
    assert {"75", "92", "93", "94", "77", "78", "91", "95"} <= set(chemins(svg))


def test_framed_mainland_leaves_out_the_insets_and_faraway_departements() -> None:
    svg = carte_departements({}, titre="Places", cadrage=["44"])
    traces = chemins(svg)

    assert {"44", "35", "49", "56", "85"} <= set(traces)
    assert not {"2A", "59", "971", "974"} & set(traces)
    assert "Guadeloupe" not in svg and "Réunion" not in svg


def test_framing_on_974_frames_the_reunion_inset(fichier: dict) -> None:
    svg = carte_departements({"974": 3}, titre="Places", cadrage=["974"])
    reunion = next(e for e in fichier["encarts"] if e["code"] == "974")
    x, y, largeur, hauteur = reunion["cadre"]
    cadre = cadre_dessine(svg)

    assert contient(cadre, [(x, y), (x + largeur, y + hauteur)])
    assert cadre[2] - cadre[0] < largeur + 20 and cadre[3] - cadre[1] < hauteur + 20
    assert set(chemins(svg)) == {"974"}
    assert "La Réunion" in svg and "Mayotte" not in svg


def test_framing_on_mainland_and_overseas_holds_both(fichier: dict) -> None:
    svg = carte_departements({}, titre="Places", cadrage=["44", "974"])
    reunion = next(e for e in fichier["encarts"] if e["code"] == "974")
    x, y, largeur, hauteur = reunion["cadre"]

    assert contient(cadre_dessine(svg), points_de(fichier, "44"))
    assert contient(cadre_dessine(svg), [(x, y), (x + largeur, y + hauteur)])
    assert "974" in chemins(svg) and "971" not in chemins(svg)


def test_framing_keeps_links_and_tooltips() -> None:
    valeurs = {"44": 1234, "85": None}
    lien = "/d/{}/?a=1&b=2".format
    entiere = carte_departements(valeurs, titre="Places", lien=lien)
    cadree = carte_departements(valeurs, titre="Places", lien=lien, cadrage=["44"])

    liens = re.findall(r"<a [^>]*>", cadree)
    assert liens and all(a in entiere for a in liens)
    titres = re.findall(r"<title>[^<]*</title>", cadree)
    assert all(t in entiere for t in titres)
    assert "<title>Loire-Atlantique (44) : 1\u202f234\u00a0places</title>" in cadree
    assert 'href="/d/44/?a=1&amp;b=2"' in cadree


def test_framed_legend_keeps_its_size_on_screen() -> None:
    svg = carte_departements({"44": 12}, titre="Places", cadrage=["44"])
    x0, _, x1, y1 = cadre_dessine(svg)
    racine = analyser(svg)
    groupe = next(
        g for g in racine.iter(f"{SVG}g") if "scale(" in g.get("transform", "")
    )
    echelle = float(re.search(r"scale\(([\d.]+)\)", groupe.get("transform"))[1])

    assert echelle == pytest.approx((x1 - x0) / 970, rel=1e-3)
    assert f"translate({x0:g} {y1:g})" in groupe.get("transform")
    assert textes_legende(svg) == ["12", "Aucune donnée"]


def test_framed_legend_shows_no_data_only_for_what_is_drawn() -> None:
    svg = carte_departements({"974": 3}, titre="Places", cadrage=["974"])

    assert "Aucune donnée" not in textes_legende(svg)


def test_without_cadrage_the_map_is_the_full_one() -> None:
    valeurs = {"69": 1234, "13": 5}
    entiere = carte_departements(valeurs, titre="Places")

    assert analyser(entiere).get("viewBox").startswith("0 0 970 ")
    for cadrage in (None, [], ["975"]):
        assert carte_departements(valeurs, titre="Places", cadrage=cadrage) == entiere


def test_framed_and_full_maps_on_one_page_have_distinct_ids() -> None:
    entiere = analyser(carte_departements({"01": 1}, titre="Places"))
    cadree = analyser(carte_departements({"01": 1}, titre="Places", cadrage=["01"]))

    assert entiere.get("aria-labelledby") != cadree.get("aria-labelledby")


def test_framed_description_names_the_perimeter() -> None:
    une = analyser(carte_departements({}, titre="P", cadrage=["44"]))
    region = analyser(carte_departements({}, titre="P", cadrage=REGION_84))

    assert "cadrée sur Loire-Atlantique (44)" in une.find(f"{SVG}desc").text
    assert "les 12 départements du périmètre (01, 03" in region.find(f"{SVG}desc").text


def test_map_and_table_forward_the_cadrage() -> None:
    contexte = carte_et_tableau({"44": 1}, titre="Places", cadrage=["44"])

    assert contexte["svg"] == carte_departements(
        {"44": 1}, titre="Places", cadrage=["44"]
    )
    assert len(contexte["lignes"]) == 101


def test_vertices_are_read_from_absolute_and_relative_commands() -> None:
    assert sommets("M10 20 30 40ZM1 2 l3 4 h5 v-6 H0 V1 L2 2z") == [
        (10, 20),
        (30, 40),
        (1, 2),
        (4, 6),
        (9, 6),
        (9, 0),
        (0, 0),
        (0, 1),
        (2, 2),
    ]


def test_vertices_refuse_curves() -> None:
    with pytest.raises(ValueError, match="non prise en charge"):
        sommets("M0 0 C1 1 2 2 3 3Z")


def test_every_outline_of_the_file_is_read_whole(fichier: dict) -> None:
    for code, departement in fichier["departements"].items():
        assert sommets(departement["d"]) == points_de(fichier, code), code
