import datetime
import zoneinfo
from decimal import Decimal

import pytest

from abri.communs.valeurs import lire_montant
from abri.finances import regles
from abri.finances.regles import (
    AffectationSubventionnee,
    AffectationTarifee,
    EcartAffectation,
)

D = Decimal
UTC = datetime.UTC


def test_result_is_revenues_minus_charges_and_a_deficit_is_negative():
    assert regles.resultat(D("100000.00"), D("103250.50")) == D("-3250.50")
    assert regles.resultat(D("103250.50"), D("100000.00")) == D("3250.50")


def test_one_cent_apart_is_equal_two_cents_are_not():
    assert regles.egaux(D("10.00"), D("10.01"))
    assert not regles.egaux(D("10.00"), D("10.02"))


def test_leap_year_daily_cost_of_47_places_at_17_07():
    assert regles.charges_annuelles(D("17.07"), 47, 2024) == D("293638.14")
    assert regles.cout_journalier(D("293638.14"), 47, 2024) == D("17.07")


def test_common_year_counts_365_days():
    assert regles.jours_de_l_annee(2025) == 365
    assert regles.charges_annuelles(D("17.07"), 47, 2025) == D("292835.85")


def test_daily_cost_is_unknown_without_places_or_charges():
    assert regles.cout_journalier(D("1000"), 0, 2025) is None
    assert regles.cout_journalier(None, 10, 2025) is None


def test_average_places_weight_each_capacity_by_its_days():
    # 40 places all year, 20 more from 1 July 2025 (184 days of 365).
    evenements = [(datetime.date(2020, 1, 1), 40), (datetime.date(2025, 7, 1), 20)]

    moyenne = regles.places_moyennes(evenements, 2025)

    assert moyenne == D(40 * 365 + 20 * 184) / 365


def test_average_places_of_a_structure_opened_during_a_leap_year():
    # Opened on 1 March 2024: 306 days of 366.
    moyenne = regles.places_moyennes([(datetime.date(2024, 3, 1), 61)], 2024)

    assert moyenne == D(61 * 306) / 366


def test_average_places_ignore_later_events_and_count_a_closure():
    evenements = [
        (datetime.date(2019, 5, 1), 30),
        (datetime.date(2025, 1, 1), -30),
        (datetime.date(2026, 1, 1), 99),
    ]

    assert regles.places_moyennes(evenements, 2025) == 0
    assert regles.places_moyennes(evenements, 2024) == 30


def test_staffing_ratio_is_places_per_fte():
    assert regles.taux_encadrement(D(60), D("4.5")) == D("13.33")
    assert regles.taux_encadrement(D(60), None) is None


@pytest.mark.parametrize(
    ("type_structure", "taux", "hors"),
    [
        ("CADA", D("1.99"), True),
        ("CADA", D(2), False),
        ("CADA", D(20), False),
        ("CADA", D("20.01"), True),
        ("HUDA", D("24.99"), False),
        ("HUDA", D("25.01"), True),
        ("PRAHDA", D(25), False),
    ],
)
def test_staffing_ratio_bounds_by_regime(type_structure, taux, hors):
    assert regles.taux_encadrement_hors_bornes(type_structure, taux) is hors


def test_regimes():
    assert regles.regime("CADA") == regles.regime("CPH") == regles.Regime.TARIFE
    assert regles.regime("HUDA") == regles.regime("CAES") == regles.Regime.SUBVENTIONNE
    assert regles.regime("PRAHDA") == regles.Regime.MARCHE


def test_tariffed_allocation_adding_up_to_a_surplus():
    affectation = AffectationTarifee(
        reprise_etat=D("5000"),
        reserve_investissement=D("3000"),
        reserve_compensation_deficits=D("1999.99"),
    )

    assert regles.controler_affectation_tarifee(D("10000"), affectation) == (
        EcartAffectation.JUSTE
    )


def test_tariffed_deficit_taken_over_by_the_state_is_negative():
    affectation = AffectationTarifee(
        reprise_etat=D("-8000"), report_a_nouveau=D("-2000")
    )

    assert regles.controler_affectation_tarifee(D("-10000"), affectation) == (
        EcartAffectation.JUSTE
    )


def test_tariffed_recovery_typed_with_the_wrong_sign_is_told_apart():
    # A deficit of 10 000 €: the recovery typed positive instead of negative.
    affectation = AffectationTarifee(
        reprise_etat=D("8000"), report_a_nouveau=D("-2000")
    )

    assert regles.controler_affectation_tarifee(D("-10000"), affectation) == (
        EcartAffectation.SIGNE_REPRISE_INVERSE
    )


def test_tariffed_surplus_recovery_typed_negative_is_an_inversion_too():
    affectation = AffectationTarifee(
        reprise_etat=D("-6000"), report_a_nouveau=D("4000")
    )

    assert regles.controler_affectation_tarifee(D("10000"), affectation) == (
        EcartAffectation.SIGNE_REPRISE_INVERSE
    )


def test_tariffed_allocation_not_adding_up():
    affectation = AffectationTarifee(reprise_etat=D("5000"), autre=D("1000"))

    assert regles.controler_affectation_tarifee(D("10000"), affectation) == (
        EcartAffectation.ECART
    )


def test_subsidised_surplus_fully_allocated():
    affectation = AffectationSubventionnee(
        excedent_reverse=D("1000"), excedent_reemploye=D("500"), fonds_dedies=D("0.50")
    )

    assert regles.controler_affectation_subventionnee(D("1500.50"), affectation) == []


def test_subsidised_surplus_not_adding_up_and_compensated():
    affectation = AffectationSubventionnee(
        excedent_reverse=D("1000"), deficit_compense=D("-200")
    )

    problemes = regles.controler_affectation_subventionnee(D("1500"), affectation)

    assert len(problemes) == 2


def test_subsidised_deficit_with_surpluses_allocated():
    affectation = AffectationSubventionnee(excedent_reemploye=D("300"))

    assert regles.controler_affectation_subventionnee(D("-300"), affectation) == [
        "des excédents affectés sur un déficit"
    ]


def test_subsidised_deficit_compensated_within_the_deficit():
    dans = AffectationSubventionnee(deficit_compense=D("-300"))
    au_dela = AffectationSubventionnee(deficit_compense=D("-301"))
    inverse = AffectationSubventionnee(deficit_compense=D("300"))

    assert regles.controler_affectation_subventionnee(D("-300"), dans) == []
    assert regles.controler_affectation_subventionnee(D("-300"), au_dela)
    assert regles.controler_affectation_subventionnee(D("-300"), inverse)


@pytest.mark.parametrize(
    ("resultats", "attendu"),
    [
        ([D(-1), D(-1), D(5)], True),
        ([D(-1), None, D(-2)], True),
        ([D(-1), D(5), D(5)], False),
        ([D(0), D(0), D(-1)], False),
        ([None, None, D(-1)], False),
        ([None, None, None], None),
        ([], None),
    ],
)
def test_deficit_in_two_of_the_last_three_closed_years(resultats, attendu):
    assert regles.en_deficit(resultats) is attendu


def test_closed_years_are_the_three_before_the_current_one():
    assert regles.annees_closes(datetime.date(2026, 1, 1)) == [2023, 2024, 2025]


@pytest.mark.parametrize(
    ("instant", "depasse"),
    [
        # 31 October 2025 is in winter time (UTC+1).
        (datetime.datetime(2025, 10, 31, 22, 59, 59, tzinfo=UTC), False),
        (datetime.datetime(2025, 10, 31, 23, 0, 0, tzinfo=UTC), True),
        # The same instants seen from Cayenne (UTC−3) and Nouméa (UTC+11).
        (
            datetime.datetime(
                2025, 10, 31, 19, 59, 59, tzinfo=zoneinfo.ZoneInfo("America/Cayenne")
            ),
            False,
        ),
        (
            datetime.datetime(
                2025, 11, 1, 10, 0, 0, tzinfo=zoneinfo.ZoneInfo("Pacific/Noumea")
            ),
            True,
        ),
        (
            datetime.datetime(
                2025, 11, 1, 9, 59, 59, tzinfo=zoneinfo.ZoneInfo("Pacific/Noumea")
            ),
            False,
        ),
    ],
)
def test_proposal_deadline_holds_until_the_end_of_the_day_in_paris(instant, depasse):
    assert regles.echeance_depassee(datetime.date(2025, 10, 31), instant) is depasse


def test_accounts_deadline_in_summer_time():
    limite = datetime.date(2026, 4, 30)  # summer time, UTC+2

    assert not regles.echeance_depassee(
        limite, datetime.datetime(2026, 4, 30, 21, 59, 59, tzinfo=UTC)
    )
    assert regles.echeance_depassee(
        limite, datetime.datetime(2026, 4, 30, 22, 0, tzinfo=UTC)
    )


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError):
        regles.echeance_depassee(datetime.date(2025, 10, 31), datetime.datetime.now())


def test_default_deadlines_of_a_campaign():
    echeances = regles.echeances_par_defaut(2026)

    assert echeances["date_limite_proposition"] == datetime.date(2025, 10, 31)
    assert echeances["date_limite_comptes"] == datetime.date(2027, 4, 30)


def test_mean_and_median():
    assert regles.mediane([D(3), D(1), D(2)]) == D(2)
    assert regles.mediane([D(1), D(2)]) == D("1.50")
    assert regles.moyenne([D(1), D(2), D(4)]) == D("2.33")
    assert regles.mediane([]) is None


@pytest.mark.parametrize(
    ("saisie", "montant"),
    [
        ("1 234,56", D("1234.56")),
        ("1\u00a0234,56\u00a0€", D("1234.56")),
        ("1\u202f234\u202f567,8 €", D("1234567.8")),
        ("-3 250,50 €", D("-3250.50")),
        ("−3 250,50", D("-3250.50")),
        ("12,5", D("12.5")),
    ],
)
def test_amounts_typed_in_french(saisie, montant):
    assert lire_montant(saisie) == montant


def test_places_opened_on_1_july_leave_six_months_unspent():
    evenements = [(datetime.date(2025, 7, 2), 40)]
    moyenne = regles.places_moyennes(evenements, 2025)  # 40 × 183 / 365

    assert regles.places_au(evenements, datetime.date(2025, 12, 31)) == 40
    assert regles.mois_non_consommes(moyenne, 40) == D("6.0")


def test_no_unspent_month_when_the_capacity_did_not_grow():
    assert regles.mois_non_consommes(D(40), 40) == 0
    assert regles.mois_non_consommes(D(45), 40) == 0
    assert regles.mois_non_consommes(D(0), 0) == 0
