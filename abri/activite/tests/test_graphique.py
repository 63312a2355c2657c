import datetime

from abri.ui.svg.graphiques import courbes_mensuelles, graphique_courbes_mensuelles

MOIS = [datetime.date(2025, 9, 1), datetime.date(2025, 10, 1)]


def test_monthly_lines_carry_a_legend_and_escaped_titles():
    svg = courbes_mensuelles(
        MOIS, {"Occupées <b>": [10, 1200]}, titre="Places & co", unite="places"
    )

    assert "Places &amp; co" in svg
    assert "Occupées &lt;b&gt;" in svg
    assert "<b>" not in svg
    assert "10/2025" in svg


def test_monthly_lines_without_data_say_so():
    assert "Aucune donnée" in courbes_mensuelles([], {}, titre="Vide", unite="")


def test_table_of_the_chart_has_one_row_per_month_and_a_column_per_series():
    graphique = graphique_courbes_mensuelles(
        MOIS, {"A": [1, 2], "B": [1000, 2000]}, titre="T", unite="places"
    )

    assert graphique["entetes"] == ("Mois", "A", "B")
    assert graphique["lignes"] == [
        ("09/2025", "1", "1\u202f000"),
        ("10/2025", "2", "2\u202f000"),
    ]
