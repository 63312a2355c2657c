import datetime
import zoneinfo
from decimal import Decimal

import pytest

from abri.appels import regles
from abri.appels.regles import Critere, Ouverture

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
CLOTURE = datetime.date(2025, 3, 14)


def test_submitted_on_closing_day_at_23_30_paris_is_on_time():
    instant = datetime.datetime(2025, 3, 14, 23, 30, tzinfo=PARIS)
    assert regles.depot_dans_les_temps(CLOTURE, instant)


def test_submitted_at_00_01_the_next_day_is_late():
    instant = datetime.datetime(2025, 3, 15, 0, 1, tzinfo=PARIS)
    assert not regles.depot_dans_les_temps(CLOTURE, instant)


def test_closing_follows_paris_whatever_the_users_time_zone():
    # 07:30 on the 15th in Tokyo is 23:30 on the 14th in Paris.
    assert regles.depot_dans_les_temps(
        CLOTURE, datetime.datetime(2025, 3, 15, 7, 30, tzinfo=TOKYO)
    )
    assert not regles.depot_dans_les_temps(
        CLOTURE, datetime.datetime(2025, 3, 14, 23, 1, tzinfo=datetime.UTC)
    )


def test_naive_instant_is_refused():
    with pytest.raises(ValueError):
        regles.depot_dans_les_temps(CLOTURE, datetime.datetime(2025, 3, 14, 12))


CRITERES = [Critere("Projet", Decimal(3)), Critere("Coût", Decimal(1))]


def test_weighted_total():
    # (16 × 3 + 8 × 1) / 4 = 14
    assert regles.total_pondere(CRITERES, {0: Decimal(16), 1: Decimal(8)}) == Decimal(
        "14.00"
    )


def test_weighted_total_waits_for_every_criterion():
    assert regles.total_pondere(CRITERES, {0: Decimal(16)}) is None


def test_ranking_shares_ties_and_skips():
    rangs = regles.classement(
        {1: Decimal(12), 2: Decimal(15), 3: Decimal(12), 4: None, 5: Decimal(10)}
    )
    assert rangs == {2: 1, 1: 2, 3: 2, 5: 4}


def test_strong_disagreement_from_five_points():
    assert regles.desaccord_fort([Decimal(8), Decimal(13)])
    assert not regles.desaccord_fort([Decimal(9), Decimal(13)])
    assert not regles.desaccord_fort([Decimal(2)])


def test_forty_places_planned_1_march_opened_31_march_lose_1200_nights():
    nuitees = regles.nuitees_perdues(
        40,
        datetime.date(2025, 3, 1),
        [Ouverture(datetime.date(2025, 3, 31), 40)],
        datetime.date(2025, 6, 1),
    )
    assert nuitees == 1200


def test_partial_openings_count_each_step_and_the_rest_until_today():
    # 50 places planned 1 March: 30 open 1 March (0 night), 15 on 15 April
    # (15 × 45 = 675), 5 still closed on 1 May (5 × 61 = 305).
    nuitees = regles.nuitees_perdues(
        50,
        datetime.date(2025, 3, 1),
        [
            Ouverture(datetime.date(2025, 4, 15), 15),
            Ouverture(datetime.date(2025, 3, 1), 30),
        ],
        datetime.date(2025, 5, 1),
    )
    assert nuitees == 675 + 305


def test_places_opened_early_lose_no_night():
    assert (
        regles.nuitees_perdues(
            10,
            datetime.date(2025, 3, 1),
            [Ouverture(datetime.date(2025, 2, 1), 10)],
            datetime.date(2025, 5, 1),
        )
        == 0
    )


def test_places_not_yet_due_lose_no_night():
    assert (
        regles.nuitees_perdues(
            10, datetime.date(2025, 9, 1), [], datetime.date(2025, 5, 1)
        )
        == 0
    )


def test_cost_of_nights_at_the_daily_cost():
    assert regles.cout_nuitees(1200, Decimal("21.50")) == Decimal("25800.00")
    assert regles.cout_nuitees(1200, None) is None


def test_delays_in_months_median_and_mean():
    assert regles.en_mois(137) == Decimal("4.5")
    assert regles.mediane([10, 30, 20, 40]) == Decimal("25.0")
    assert regles.moyenne_jours([10, 20]) == Decimal("15.0")


def test_lateness_against_the_planned_date():
    prevue = datetime.date(2025, 3, 1)
    assert regles.retard_jours(prevue, datetime.date(2025, 3, 31), prevue) == 30
    assert regles.retard_jours(prevue, None, datetime.date(2025, 3, 11)) == 10
    assert regles.retard_jours(prevue, datetime.date(2025, 2, 1), prevue) == 0


def test_distribution_in_bands_of_months():
    distribution = dict(regles.distribution_mois([30, 100, 150, 400]))
    assert distribution["0 à 3 mois"] == 1
    assert distribution["3 à 4,5 mois"] == 1
    assert distribution["4,5 à 6 mois"] == 1
    assert distribution["12 mois et +"] == 1
