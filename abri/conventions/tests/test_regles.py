import datetime

import pytest
from dateutil.relativedelta import relativedelta

from abri.conventions import regles
from abri.conventions.regles import DureesMaximales

D = datetime.date
CINQ_ANS = relativedelta(years=5)


@pytest.mark.parametrize(
    ("debut", "fin"),
    [
        (D(2020, 1, 1), D(2024, 12, 31)),
        (D(2021, 3, 15), D(2026, 3, 14)),
        (D(2020, 2, 29), D(2025, 2, 28)),
        (D(2019, 3, 1), D(2024, 2, 29)),
    ],
)
def test_five_calendar_years(debut, fin):
    assert regles.duree(debut, fin) == CINQ_ANS
    assert regles.fin_pour_duree(debut, CINQ_ANS) == fin
    assert not regles.depasse_duree(debut, fin, CINQ_ANS)


def test_one_day_more_exceeds_the_maximum():
    assert regles.depasse_duree(D(2020, 1, 1), D(2025, 1, 1), CINQ_ANS)
    assert regles.depasse_duree(D(2020, 2, 29), D(2025, 3, 1), CINQ_ANS)


def test_a_day_less_than_five_years_from_29_february():
    assert regles.duree(D(2020, 2, 29), D(2025, 2, 27)) == relativedelta(
        years=4, months=11, days=30
    )


def test_single_day_lasts_one_day():
    assert regles.duree(D(2020, 2, 29), D(2020, 2, 29)) == relativedelta(days=1)
    assert regles.duree_lisible(D(2024, 1, 1), D(2024, 1, 1)) == "1 jour"


def test_readable_duration():
    assert regles.duree_lisible(D(2020, 1, 1), D(2024, 12, 31)) == "5 ans"
    assert (
        regles.duree_lisible(D(2020, 1, 1), D(2022, 7, 4)) == "2 ans, 6 mois et 4 jours"
    )


@pytest.mark.parametrize(
    ("nature", "type_structure", "annees"),
    [
        ("autorisation", "CADA", 15),
        ("convention", "CADA", 5),
        ("convention", "CPH", 5),
        ("convention", "HUDA", 3),
        ("convention", "CAES", 3),
        ("cpom", None, 5),
        ("tarification", "CADA", 1),
    ],
)
def test_maximum_durations(nature, type_structure, annees):
    assert regles.duree_maximale(
        nature, type_structure, DureesMaximales()
    ) == relativedelta(years=annees)


def test_avenant_has_no_maximum_of_its_own():
    assert regles.duree_maximale("avenant", "CADA", DureesMaximales()) is None


def test_huda_convention_of_three_years_and_a_day_exceeds():
    maximum = regles.duree_maximale("convention", "HUDA", DureesMaximales())
    assert not regles.depasse_duree(D(2024, 1, 1), D(2026, 12, 31), maximum)
    assert regles.depasse_duree(D(2024, 1, 1), D(2027, 1, 1), maximum)


QUATRE_ANS = relativedelta(years=4)


def test_authorisation_lapses_when_not_opened_within_four_years():
    debut = D(2020, 6, 1)
    assert not regles.est_caduque(debut, None, D(2024, 5, 31), QUATRE_ANS)
    assert regles.est_caduque(debut, None, D(2024, 6, 1), QUATRE_ANS)


def test_authorisation_opened_in_time_never_lapses():
    assert not regles.est_caduque(
        D(2020, 6, 1), D(2024, 5, 31), D(2030, 1, 1), QUATRE_ANS
    )
    assert regles.est_caduque(D(2020, 6, 1), D(2024, 6, 1), D(2030, 1, 1), QUATRE_ANS)


class P:
    def __init__(self, debut, fin, nom=""):
        self.date_debut = debut
        self.date_fin_effective = fin
        self.nom = nom


def test_current_act_contains_today():
    actes = [
        P(D(2015, 1, 1), D(2019, 12, 31), "ancien"),
        P(D(2020, 1, 1), D(2024, 12, 31), "en cours"),
        P(D(2025, 1, 1), D(2029, 12, 31), "futur"),
    ]
    assert regles.acte_courant(actes, D(2023, 5, 1)).nom == "en cours"


def test_current_act_is_the_most_recent_when_none_contains_today():
    actes = [
        P(D(2010, 1, 1), D(2014, 12, 31), "ancien"),
        P(D(2015, 1, 1), D(2019, 12, 31), "dernier"),
    ]
    assert regles.acte_courant(actes, D(2023, 5, 1)).nom == "dernier"
    assert regles.acte_courant([], D(2023, 5, 1)) is None


def test_signed_avenant_end_date_becomes_the_effective_end():
    assert regles.fin_effective(
        D(2024, 12, 31), [(D(2024, 6, 1), D(2025, 6, 30)), (D(2024, 3, 1), None)]
    ) == D(2025, 6, 30)
    assert regles.fin_effective(D(2024, 12, 31), []) == D(2024, 12, 31)


def test_notice_is_six_months_for_a_cada_convention():
    preavis = regles.preavis_denonciation("convention", "CADA", 6, 3)
    assert preavis == relativedelta(months=6)
    assert regles.date_effet_denonciation(D(2025, 8, 31), preavis) == D(2026, 2, 28)
    assert regles.preavis_denonciation("convention", "HUDA", 6, 3) == relativedelta(
        months=3
    )


@pytest.mark.parametrize(
    ("echeance", "attendu"),
    [
        (D(2025, 12, 31), regles.URGENT),
        (D(2026, 1, 1), regles.IMPORTANT),
        (D(2026, 7, 1), regles.IMPORTANT),
        (D(2026, 7, 2), regles.PLUS_TARD),
    ],
)
def test_criticity_of_a_deadline(echeance, attendu):
    assert regles.criticite(echeance, D(2026, 1, 1), relativedelta(months=6)) == attendu


def test_evaluation_periods_of_a_fifteen_year_authorisation():
    periodes = regles.periodes_evaluation(
        D(2015, 1, 1),
        D(2029, 12, 31),
        relativedelta(years=7),
        relativedelta(years=2),
    )
    assert [(p.debut, p.fin) for p in periodes] == [
        (D(2015, 1, 1), D(2021, 12, 31)),
        (D(2022, 1, 1), D(2027, 12, 31)),
    ]
    manquantes = regles.evaluations_manquantes(periodes, [D(2020, 5, 1)])
    assert [p.rang for p in manquantes] == [2]


def test_overlapping_periods():
    assert regles.chevauchent(D(2020, 1, 1), D(2020, 12, 31), D(2020, 12, 31), None)
    assert not regles.chevauchent(D(2020, 1, 1), D(2020, 12, 30), D(2020, 12, 31), None)
    assert regles.chevauchent(D(2020, 1, 1), None, D(2030, 1, 1), None)
