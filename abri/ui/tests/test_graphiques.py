import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal

from django.template.loader import render_to_string

from abri.ui.svg import BLEU
from abri.ui.svg.graphiques import (
    barres,
    courbe_en_escalier,
    graduations,
    graphique_barres,
    graphique_escalier,
)

SVG = "{http://www.w3.org/2000/svg}"


def analyser(svg: str) -> ET.Element:
    """Parse an SVG drawn by our code (trusted), failing if it is not well formed."""
    return ET.fromstring(svg)  # noqa: S314


TYPES = [("CADA", 44_123), ("HUDA", 51_880), ("CAES", 7_012)]


def textes(svg: str) -> list[str]:
    return [t.text for t in analyser(svg).iter(f"{SVG}text")]


def barres_bleues(svg: str) -> list[ET.Element]:
    return [r for r in analyser(svg).iter(f"{SVG}rect") if r.get("fill") == BLEU]


def test_bars_without_data_say_aucune_donnee() -> None:
    svg = barres([], titre="Places par type", unite="places")

    assert textes(svg) == ["Aucune donnée"]
    assert barres_bleues(svg) == []


def test_one_bar_per_item() -> None:
    assert len(barres_bleues(barres(TYPES[:1], titre="P", unite="places"))) == 1
    assert len(barres_bleues(barres(TYPES, titre="P", unite="places"))) == 3


def test_longest_bar_for_largest_value() -> None:
    largeurs = [
        float(r.get("width"))
        for r in barres_bleues(barres(TYPES, titre="P", unite="places"))
    ]

    assert largeurs[1] == max(largeurs)
    assert largeurs[2] == min(largeurs)


def test_bars_have_title_desc_and_labelled_axis() -> None:
    svg = barres(TYPES, titre="Places par type", unite="places")
    racine = analyser(svg)

    assert racine.get("role") == "img"
    assert racine.find(f"{SVG}title").text == "Places par type"
    assert "CADA : 44\u202f123\u00a0places" in racine.find(f"{SVG}desc").text
    assert {"0", "20\u202f000", "40\u202f000", "60\u202f000", "Places"} <= set(
        textes(svg)
    )


def test_bar_labels_are_escaped() -> None:
    svg = barres([("<CADA> & co", 3)], titre="A & <b>", unite="places")

    assert "<CADA>" not in svg and "<b>" not in svg
    assert "&lt;CADA&gt; &amp; co" in svg
    analyser(svg)


def test_decimal_amounts_render_without_float_artefacts() -> None:
    somme = Decimal("0.1") + Decimal("0.2")
    svg = barres(
        [("Reliquat", somme), ("Dotation", Decimal("1234.50"))], titre="B", unite="€"
    )

    assert "0,3" in textes(svg)
    assert "1\u202f234,50" in textes(svg)
    assert "0000000" not in svg and "9999999" not in svg


def test_negative_value_draws_left_of_zero() -> None:
    svg = barres([("Excédent", 100), ("Déficit", -50)], titre="Résultat", unite="€")
    excedent, deficit = barres_bleues(svg)

    assert float(deficit.get("x")) + float(deficit.get("width")) == float(
        excedent.get("x")
    )
    assert "-50" in textes(svg)


def test_ticks_of_counts_are_whole_numbers() -> None:
    assert graduations(Decimal(0), Decimal(3), entieres=True) == [0, 1, 2, 3]
    assert graduations(Decimal(0), Decimal("0.3"), entieres=False)[-1] == Decimal("0.3")


def test_step_line_without_points_says_aucune_donnee() -> None:
    svg = courbe_en_escalier([], titre="Capacité", unite="places")

    assert textes(svg) == ["Aucune donnée"]


def test_step_line_with_one_point_draws_one_dot() -> None:
    svg = courbe_en_escalier(
        [(datetime.date(2025, 3, 1), 40)], titre="C", unite="places"
    )
    racine = analyser(svg)

    assert len(list(racine.iter(f"{SVG}circle"))) == 1
    assert "01/03/2025" in textes(svg)
    assert "40" in textes(svg)


def test_step_line_holds_each_value_until_the_next_date() -> None:
    points = [
        (datetime.date(2020, 1, 1), 80),
        (datetime.date(2022, 1, 1), 120),
        (datetime.date(2024, 1, 1), 0),
    ]
    svg = courbe_en_escalier(
        points, titre="C", unite="places", jusqu_au=datetime.date(2025, 1, 1)
    )
    trace = next(
        p.get("d") for p in analyser(svg).iter(f"{SVG}path") if p.get("fill") == "none"
    )

    # Horizontal first (the value holds), then vertical (it changes), ending flat.
    assert [c for c in trace if c.isalpha()] == ["M", "H", "V", "H", "V", "H"]
    assert len(list(analyser(svg).iter(f"{SVG}circle"))) == 3


def test_long_time_axis_shows_years() -> None:
    points = [(datetime.date(2019, 3, 1), 80), (datetime.date(2023, 1, 1), 95)]
    svg = courbe_en_escalier(points, titre="C", unite="places")

    assert {"2020", "2021", "2022", "2023"} <= set(textes(svg))


def test_short_time_axis_shows_dates_in_french() -> None:
    points = [(datetime.date(2025, 1, 10), 40), (datetime.date(2025, 6, 1), 55)]
    svg = courbe_en_escalier(
        points, titre="C", unite="places", jusqu_au=datetime.date(2025, 11, 3)
    )

    assert "01/02/2025" in textes(svg)
    assert "du 10/01/2025 au 03/11/2025" in analyser(svg).find(f"{SVG}desc").text


def test_of_two_points_on_one_date_the_last_wins() -> None:
    jour = datetime.date(2025, 1, 1)
    contexte = graphique_escalier([(jour, 10), (jour, 12)], titre="C", unite="places")

    assert contexte["lignes"] == [("01/01/2025", "12")]


def test_step_line_values_in_french() -> None:
    svg = courbe_en_escalier(
        [(datetime.date(2025, 1, 1), 1234)], titre="C", unite="places"
    )

    assert "1\u202f234" in textes(svg)


def test_chart_template_renders_the_svg_and_its_table() -> None:
    contexte = graphique_barres(
        TYPES, titre="Places <par> type", unite="places", entete="Type"
    )

    html = render_to_string("ui/graphique.html", {"graphique": contexte})

    assert html.count("<svg") == 1
    assert '<th scope="col">Type</th>' in html
    assert '<th scope="row">CADA</th>' in html
    assert "44\u202f123" in html
    assert "Places &lt;par&gt; type — données du graphique" in html


def test_chart_template_without_data_says_so() -> None:
    contexte = graphique_escalier([], titre="C", unite="places")

    html = render_to_string("ui/graphique.html", {"graphique": contexte})

    assert "Aucune donnée" in html
