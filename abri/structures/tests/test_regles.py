import pytest

from abri.operateurs.regles import siret_valide
from abri.structures import regles
from abri.structures.regles import Capacite


@pytest.mark.parametrize("saisie", ["H 0209", "h209", "H-0209", " H0209 ", "h0209"])
def test_typed_variants_of_a_dna_code_are_normalised(saisie):
    assert regles.normaliser_code_dna(saisie) == "H0209"


@pytest.mark.parametrize("saisie", ["", "0209", "HH0209", "H02091", "H 02 09x"])
def test_what_is_not_a_dna_code_is_refused(saisie):
    assert regles.normaliser_code_dna(saisie) is None


def test_dna_code_digits_name_the_departement():
    assert regles.code_dna_coherent("C6901", "69")
    assert not regles.code_dna_coherent("C4401", "69")


def test_corsican_dna_codes_start_with_20():
    assert regles.code_dna_coherent("H2001", "2A")
    assert regles.code_dna_coherent("H2002", "2B")


def test_overseas_dna_codes_start_with_97():
    assert regles.code_dna_coherent("H9701", "974")


@pytest.mark.parametrize(
    ("finess", "departement"),
    [
        ("690012345", "69"),
        ("2A0001234", "2A"),
        ("974000123", "974"),
        ("980000123", "976"),
    ],
)
def test_finess_starts_with_its_departement(finess, departement):
    assert regles.finess_valide(finess, departement)


def test_finess_of_another_departement_is_invalid():
    assert not regles.finess_valide("440012345", "69")


def test_mayotte_finess_does_not_start_with_976():
    assert not regles.finess_valide("976000123", "976")


def test_la_poste_siret_with_digit_sum_multiple_of_5_is_valid():
    assert siret_valide("35600000009075")


def test_siret_failing_luhn_is_invalid():
    assert not siret_valide("73282932000075")


def test_siret_passing_luhn_is_valid():
    assert siret_valide("73282932000074")


def test_type_bati_of_collective_and_scattered_addresses_is_mixed():
    assert regles.type_bati_des_adresses(["collectif", "diffus"]) == "mixte"
    assert regles.type_bati_des_adresses(["diffus", "diffus"]) == "diffus"
    assert regles.type_bati_des_adresses([]) == ""


def test_exactly_ten_percent_gap_passes():
    assert not regles.ecart_adresses_excessif(110, 100)
    assert not regles.ecart_adresses_excessif(90, 100)


def test_more_than_ten_percent_gap_is_excessive():
    assert regles.ecart_adresses_excessif(111, 100)
    assert regles.ecart_adresses_excessif(89, 100)


def test_capacity_with_specialised_places_above_total_is_invalid():
    assert not Capacite(10, places_pmr=11).est_valide
    assert Capacite(10, places_pmr=10, places_lgbt=10).est_valide
