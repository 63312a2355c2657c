import datetime

from abri.ui.svg.frise import LigneFrise, Periode, frise_periodes

D = datetime.date


def test_calendar_draws_one_bar_per_period_with_its_dates():
    svg = frise_periodes(
        [
            LigneFrise(
                "Conventions",
                [
                    Periode(D(2020, 1, 1), D(2024, 12, 31), "Convention C1", "passee"),
                    Periode(D(2025, 1, 1), D(2029, 12, 31), "Convention C2"),
                ],
            ),
            LigneFrise("CPOM", [Periode(D(2023, 1, 1), None, "CPOM Ain")]),
        ],
        titre="Calendrier des actes",
        aujourdhui=D(2026, 1, 1),
    )

    assert svg.count("<rect") == 3 + 3  # bars and legend swatches
    assert "Convention C1, du 01/01/2020 au 31/12/2024" in svg
    assert "CPOM Ain, du 01/01/2023, sans fin" in svg
    assert "Aujourd’hui" in svg


def test_calendar_without_periods_says_so():
    svg = frise_periodes([], titre="Calendrier", aujourdhui=D(2026, 1, 1))

    assert "Aucune donnée" in svg


def test_texts_are_escaped():
    svg = frise_periodes(
        [LigneFrise("<b>", [Periode(D(2020, 1, 1), D(2021, 1, 1), "<script>")])],
        titre="t",
        aujourdhui=D(2020, 6, 1),
    )

    assert "<script>" not in svg and "&lt;script&gt;" in svg
