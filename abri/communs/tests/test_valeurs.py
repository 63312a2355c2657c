import datetime
from decimal import Decimal

import pytest

from abri.communs.valeurs import (
    ValeurInvalide,
    lire_booleen,
    lire_code_departement,
    lire_code_postal,
    lire_date,
    lire_date_vraisemblable,
    lire_decimal,
    lire_entier,
    lire_montant,
    lire_siret,
    lire_texte,
)


@pytest.mark.parametrize("espace", [" ", "\u00a0", "\u202f"])
def test_amount_reads_thousands_separated_by_each_kind_of_space(espace):
    texte = f"1{espace}234{espace}567,89"

    assert lire_decimal(texte) == Decimal("1234567.89")


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [("1234.5", Decimal("1234.5")), ("1234", Decimal("1234")), ("-12,5", -12.5)],
)
def test_amount_reads_a_decimal_point_a_plain_integer_and_a_sign(texte, attendu):
    assert lire_decimal(texte) == Decimal(attendu)


@pytest.mark.parametrize("texte", ["1,234,567", "1.234,56", "1,234.56"])
def test_amount_with_ambiguous_separators_is_refused(texte):
    with pytest.raises(ValeurInvalide, match="séparateurs ambigus"):
        lire_decimal(texte)


def test_amount_with_misplaced_thousands_space_is_refused():
    with pytest.raises(ValeurInvalide, match="groupes de trois"):
        lire_decimal("12 34,5")


def test_amount_from_a_float_cell_is_a_decimal_not_a_float():
    montant = lire_decimal(1234.56)

    assert isinstance(montant, Decimal)
    assert montant == Decimal("1234.56")


def test_amount_to_the_cent_rounds_away_binary_noise():
    assert lire_montant(0.1 + 0.2) == Decimal("0.30")


def test_amount_with_more_than_two_decimals_is_refused():
    with pytest.raises(ValeurInvalide, match="2 décimales au plus"):
        lire_montant("12,345")


@pytest.mark.parametrize("valeur", ["0", 0, "0,00"])
def test_zero_is_a_value(valeur):
    assert lire_decimal(valeur) == 0
    assert lire_decimal(valeur) is not None


@pytest.mark.parametrize("valeur", [None, "", "   "])
def test_empty_cell_is_none(valeur):
    assert lire_decimal(valeur) is None
    assert lire_date(valeur) is None
    assert lire_booleen(valeur) is None


def test_integer_refuses_decimals():
    with pytest.raises(ValeurInvalide, match="entier"):
        lire_entier("12,5")


def test_integer_reads_thousands_and_whole_valued_float():
    assert lire_entier("1 200") == 1200
    assert lire_entier(12.0) == 12


def test_integer_below_minimum_is_refused():
    with pytest.raises(ValeurInvalide, match="supérieur ou égal à 0"):
        lire_entier("-3", minimum=0)


@pytest.mark.parametrize(
    "valeur",
    [
        "31/03/2024",
        "31/3/2024",
        "2024-03-31",
        45382,
        45382.0,
        "45382",
        datetime.datetime(2024, 3, 31, 14, 30),
    ],
)
def test_date_reads_french_iso_serial_and_datetime_forms(valeur):
    assert lire_date(valeur) == datetime.date(2024, 3, 31)


def test_excel_serial_around_the_1900_leap_year_bug():
    assert lire_date(59) == datetime.date(1900, 2, 28)
    assert lire_date(61) == datetime.date(1900, 3, 1)


def test_excel_serial_60_is_refused_as_29_february_1900():
    with pytest.raises(ValeurInvalide, match="29/02/1900"):
        lire_date(60)


@pytest.mark.parametrize(
    ("texte", "message"),
    [
        ("31/02/2024", "n'existe pas"),
        ("31/03/24", "quatre chiffres"),
        ("demain", "date attendue"),
        ("2024", "date attendue"),
    ],
)
def test_date_refuses_impossible_short_or_unreadable_text(texte, message):
    with pytest.raises(ValeurInvalide, match=message):
        lire_date(texte)


@pytest.mark.parametrize(
    "valeur", ["Oui", "oui", " OUI ", "o", "Vrai", "TRUE", "1", 1, True]
)
def test_yes_variants_are_true(valeur):
    assert lire_booleen(valeur) is True


@pytest.mark.parametrize("valeur", ["Non", "non ", "N", "faux", "False", "0", 0, False])
def test_no_variants_are_false(valeur):
    assert lire_booleen(valeur) is False


def test_unclear_yes_no_is_refused():
    with pytest.raises(ValeurInvalide, match="Oui"):
        lire_booleen("peut-être")


def test_postal_code_keeps_its_leading_zero():
    assert lire_code_postal("01310") == "01310"


def test_postal_code_from_a_numeric_cell_gets_its_zero_back():
    assert lire_code_postal(1310) == "01310"


def test_postal_code_of_four_digits_typed_as_text_is_refused():
    with pytest.raises(ValeurInvalide, match="5 chiffres attendus"):
        lire_code_postal("7501")


def test_siret_in_scientific_notation_is_refused_with_a_clear_message():
    with pytest.raises(ValeurInvalide) as erreur:
        lire_siret("3.31254E+13")

    assert erreur.value.message == (
        "SIRET lu comme un nombre en notation scientifique : saisissez-le comme du "
        "texte"
    )


def test_siret_of_a_number_that_lost_digits_is_refused():
    with pytest.raises(ValeurInvalide, match="saisissez-le comme du texte"):
        lire_siret(33125400000000)


def test_siret_of_la_poste_is_accepted():
    assert lire_siret("356 000 000 09075") == "35600000009075"


def test_siret_with_a_wrong_check_key_is_refused():
    with pytest.raises(ValeurInvalide, match="clé de contrôle"):
        lire_siret("73282932000075")


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [("1", "01"), ("01", "01"), (1, "01"), ("2a", "2A"), ("974", "974")],
)
def test_departement_code_is_normalised(valeur, attendu):
    assert lire_code_departement(valeur) == attendu


@pytest.mark.parametrize("valeur", ["20", "0", "2C", "999"])
def test_departement_code_that_cannot_exist_is_refused(valeur):
    with pytest.raises(ValeurInvalide, match="département"):
        lire_code_departement(valeur)


@pytest.mark.parametrize("valeur", ["100000000000000000000", 10**20, "100 001"])
def test_integer_above_maximum_is_refused(valeur):
    with pytest.raises(ValeurInvalide, match="invraisemblable : 100\u00a0000 au plus"):
        lire_entier(valeur, minimum=0, maximum=100_000)


def test_integer_at_the_maximum_is_accepted():
    assert lire_entier("100 000", maximum=100_000) == 100_000


@pytest.mark.parametrize(
    ("parseur", "valeur"),
    [
        (lire_entier, "١٢"),  # Arabic-Indic digits
        (lire_entier, "１２"),  # fullwidth digits
        (lire_code_postal, "３５０００"),
        (lire_code_postal, "٣٥٠٠٠"),
        (lire_code_departement, "٣٥"),
        (lire_siret, "３５６０００００００９０７５"),
        (lire_date, "٣١/٠٣/٢٠٢٤"),
        (lire_date, "٤٥٣٨٢"),
    ],
)
def test_non_ascii_digits_are_refused(parseur, valeur):
    with pytest.raises(ValeurInvalide):
        parseur(valeur)


@pytest.mark.parametrize("texte", ["01/01/0001", "0001-01-01", "31/12/1949"])
def test_date_before_1950_is_implausible(texte):
    with pytest.raises(ValeurInvalide, match="date invraisemblable"):
        lire_date_vraisemblable(texte)


def test_date_more_than_15_years_ahead_is_implausible():
    aujourd_hui = datetime.date(2025, 6, 1)

    assert lire_date_vraisemblable("31/12/2040", aujourd_hui=aujourd_hui)
    with pytest.raises(ValeurInvalide, match="entre 1950 et 2040"):
        lire_date_vraisemblable("01/01/2041", aujourd_hui=aujourd_hui)


def test_year_one_is_written_with_four_digits():
    assert lire_texte(datetime.date(1, 1, 1)) == "01/01/0001"
