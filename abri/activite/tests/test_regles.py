import datetime
from decimal import Decimal

import pytest

from abri.activite import regles
from abri.activite.regles import Places, Seuils

D = datetime.date


@pytest.mark.parametrize(
    ("nom", "attendu"),
    [
        ("Liste données par centre 10.25 VF.xlsx", D(2025, 10, 1)),
        ("Liste données par centre 01.26.xlsx", D(2026, 1, 1)),
        ("occupation 3-2025.csv", D(2025, 3, 1)),
        ("Liste octobre 2025.xlsx", D(2025, 10, 1)),
        ("Liste données par centre VF.xlsx", None),
        ("Liste 13.25.xlsx", None),
    ],
)
def test_month_from_file_name(nom, attendu):
    assert regles.mois_du_nom_de_fichier(nom) == attendu


@pytest.mark.parametrize(
    ("nom", "attendu"),
    [
        ("10 25", D(2025, 10, 1)),
        ("1 26", D(2026, 1, 1)),
        ("octobre 2025", D(2025, 10, 1)),
        ("Février 2026", D(2026, 2, 1)),
        ("FEVRIER 26", D(2026, 2, 1)),
        ("sept. 2025", D(2025, 9, 1)),
        ("Liste", None),
        ("Feuil1", None),
        ("00 25", None),
    ],
)
def test_month_from_sheet_name(nom, attendu):
    assert regles.mois_du_nom_de_feuille(nom) == attendu


def test_available_vacant_and_rates():
    places = Places(capacite=100, indisponibles=5, occupees=90, bpi=3, deboutes=2)

    assert places.disponibles == 95
    assert places.vacantes == 5
    assert places.taux_occupation == Decimal("0.9474")
    assert places.taux_indisponibilite == Decimal("0.0500")
    assert places.taux_presences_indues == Decimal("0.0556")


def test_rates_over_zero_are_unknown():
    places = Places(capacite=0)

    assert places.taux_occupation is None
    assert places.taux_bpi is None


def test_aggregate_sums_places_and_recomputes_rates_never_averages():
    grande = Places(capacite=300, indisponibles=0, occupees=300)  # 100 %
    petite = Places(capacite=10, indisponibles=0, occupees=5)  # 50 %

    total = regles.agreger([grande, petite])

    assert total.capacite == 310
    assert total.occupees == 305
    assert total.structures == 2
    # 305 / 310, not the 75 % average of the two rates
    assert total.taux_occupation == Decimal("0.9839")


def test_aggregate_of_nothing_is_empty():
    assert regles.agreger([]).structures == 0


SEUILS = Seuils(Decimal("0.03"), Decimal("0.03"), Decimal("0.04"), Decimal("0.07"))


def test_threshold_exactly_reached_passes():
    places = Places(capacite=100, indisponibles=3, occupees=97)

    assert regles.seuils_depasses(places, SEUILS) == []


def test_thresholds_crossed_are_listed():
    places = Places(capacite=100, indisponibles=4, occupees=96, bpi=4, deboutes=5)

    cles = [cle for cle, _ in regles.seuils_depasses(places, SEUILS)]

    assert cles == ["indisponibilite", "bpi", "deboutes", "presences_indues"]


@pytest.mark.parametrize(
    ("mois", "date", "attendu"),
    [
        (D(2025, 10, 1), D(2025, 10, 15), True),
        (D(2025, 7, 1), D(2025, 10, 15), True),
        (D(2025, 6, 1), D(2025, 10, 15), False),
        (D(2025, 11, 1), D(2025, 10, 15), False),
    ],
)
def test_month_still_meaningful_three_months_later(mois, date, attendu):
    assert regles.mois_encore_significatif(mois, date, 3) is attendu


def test_month_arithmetic():
    assert regles.ajouter_mois(D(2025, 11, 1), 3) == D(2026, 2, 1)
    assert regles.dernier_jour(D(2024, 2, 1)) == D(2024, 2, 29)
    assert regles.mois_recents(D(2026, 1, 20), 3) == [
        D(2025, 11, 1),
        D(2025, 12, 1),
        D(2026, 1, 1),
    ]
    assert regles.libelle_mois(D(2025, 8, 1)) == "août 2025"


@pytest.mark.parametrize(
    "variante",
    ["Seine-St-Denis", "seine saint denis", "SEINE ST DENIS", "Seine-Saint Denis"],
)
def test_departement_name_variants_compare_equal(variante):
    assert regles.cle_departement(variante) == regles.cle_departement(
        "Seine-Saint-Denis"
    )


def test_vacant_places_are_never_negative_nor_eaten_by_an_excess():
    pleine = Places(capacite=76, occupees=9999)
    libre = Places(capacite=100, indisponibles=10, occupees=60)

    total = regles.agreger([pleine, libre])

    assert (pleine.vacantes, pleine.suroccupees) == (0, 9923)
    assert (total.vacantes, total.suroccupees) == (30, 9923)


@pytest.mark.parametrize(
    ("nom", "attendu"),
    [
        ("13 26", "il n'y a pas de mois 13 (de 1 à 12)"),
        ("00.2025", "il n'y a pas de mois 0 (de 1 à 12)"),
        ("10 25", None),
        ("Notes", None),
    ],
)
def test_why_a_sheet_name_is_not_a_month(nom, attendu):
    assert regles.defaut_nom_de_feuille(nom) == attendu
