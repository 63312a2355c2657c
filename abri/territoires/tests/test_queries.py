import pytest
from pytest_django import DjangoAssertNumQueries

from abri.territoires.queries import (
    CommuneIntrouvable,
    departement_de_commune,
    designees,
    forme_comparable,
    normaliser_code_postal,
    trouver_commune,
)

pytestmark = pytest.mark.usefixtures("referentiel")


def test_20000_ajaccio_is_in_corse_du_sud() -> None:
    assert trouver_commune("20000", "Ajaccio").departement_id == "2A"


def test_20200_bastia_is_in_haute_corse() -> None:
    assert trouver_commune("20200", "Bastia").departement_id == "2B"


def test_97400_saint_denis_is_in_la_reunion() -> None:
    assert trouver_commune("97400", "Saint-Denis").departement_id == "974"


def test_05110_claret_is_in_alpes_de_haute_provence() -> None:
    assert trouver_commune("05110", "Claret").departement_id == "04"


def test_paris_arrondissement_postal_code_resolves_to_paris() -> None:
    assert trouver_commune("75011", "Paris").code_insee == "75056"


def test_paris_16_second_postal_code_resolves_to_paris() -> None:
    assert trouver_commune("75116", "Paris").code_insee == "75056"


def test_arrondissement_in_the_town_name_is_ignored() -> None:
    assert trouver_commune("69003", "LYON 3EME ARRONDISSEMENT").code_insee == "69123"


def test_marseille_arrondissement_postal_code_resolves_to_marseille() -> None:
    assert trouver_commune("13008", "Marseille 8e").code_insee == "13055"


def test_cedex_in_the_town_name_is_ignored() -> None:
    assert trouver_commune("97400", "ST DENIS CEDEX 9").code_insee == "97411"


def test_postal_code_with_leading_zero_resolves() -> None:
    assert trouver_commune("01310", "Polliat").code_insee == "01301"


def test_postal_code_that_lost_its_leading_zero_resolves() -> None:
    assert trouver_commune("1310", "Polliat").code_insee == "01301"


def test_name_is_found_whatever_the_accents_case_and_hyphens() -> None:
    assert trouver_commune("05110", "MONETIER ALLEMONT").code_insee == "05078"


def test_st_stands_for_saint() -> None:
    assert trouver_commune("01600", "St Didier de Formans").code_insee == "01347"


def test_ste_stands_for_sainte() -> None:
    assert trouver_commune("01600", "Ste-Euphemie").code_insee == "01353"


def test_start_of_a_name_designating_one_commune_resolves() -> None:
    assert trouver_commune("04160", "Chateau Arnoux").code_insee == "04049"


def test_name_may_be_omitted_when_the_postal_code_serves_one_commune() -> None:
    assert trouver_commune("20000", None).code_insee == "2A004"


def test_name_may_be_slightly_off_when_the_postal_code_serves_one_commune() -> None:
    assert trouver_commune("20000", "Ajacio").code_insee == "2A004"


def test_start_of_the_name_resolves_when_the_code_serves_one_commune() -> None:
    assert trouver_commune("05460", "Abriès").code_insee == "05001"


def test_part_of_the_name_resolves_when_the_code_serves_one_commune() -> None:
    assert trouver_commune("69310", "Pierre-Bénite").code_insee == "69149"


def test_longer_name_resolves_when_the_code_serves_one_commune() -> None:
    assert trouver_commune("20000", "Ajaccio Mezzavia").code_insee == "2A004"


def test_name_of_another_commune_is_refused_even_for_a_single_commune_code() -> None:
    with pytest.raises(CommuneIntrouvable, match=r"« Bastia ».*20000.*Ajaccio"):
        trouver_commune("20000", "Bastia")


def test_postal_code_serving_several_communes_needs_a_name() -> None:
    with pytest.raises(CommuneIntrouvable) as erreur:
        trouver_commune("05110", None)

    assert len(erreur.value.candidates) == 8
    assert "Claret (04)" in erreur.value.message
    assert "La Saulce (05)" in erreur.value.message


def test_unknown_name_lists_the_communes_of_the_postal_code() -> None:
    with pytest.raises(CommuneIntrouvable, match=r"« Gap ».*05110.*Vitrolles"):
        trouver_commune("05110", "Gap")


def test_name_starting_several_communes_is_ambiguous() -> None:
    with pytest.raises(CommuneIntrouvable) as erreur:
        trouver_commune("69460", "Saint-Étienne")

    assert [c.code_insee for c in erreur.value.candidates] == ["69197", "69198"]


def test_unknown_postal_code_is_named_in_the_error() -> None:
    with pytest.raises(CommuneIntrouvable, match=r"Code postal 99999 inconnu.*Nulle"):
        trouver_commune("99999", "Nulle-Part")


def test_malformed_postal_code_is_refused() -> None:
    with pytest.raises(CommuneIntrouvable, match="invalide"):
        trouver_commune("75O11", "Paris")


def test_error_keeps_the_postal_code_and_town_asked() -> None:
    with pytest.raises(CommuneIntrouvable) as erreur:
        trouver_commune("99999", "Nulle-Part")

    assert (erreur.value.code_postal, erreur.value.ville) == ("99999", "Nulle-Part")


def test_departement_de_commune_is_the_commune_departement() -> None:
    assert departement_de_commune(trouver_commune("20200", "Bastia")).code == "2B"


def test_found_commune_comes_with_its_departement(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    with django_assert_num_queries(1):
        commune = trouver_commune("97400", "St-Denis")
        assert commune.departement.nom == "La Réunion"


@pytest.mark.parametrize(
    ("donne", "officiel"),
    [
        ("COEUVRES ET VALSERY", "Cœuvres-et-Valsery"),
        ("l'abergement clemenciat", "L'Abergement-Clémenciat"),
        ("Labergement-Clemenciat", "L'Abergement-Clémenciat"),
        ("ST JEAN DE BOEUF", "Saint-Jean-de-Bœuf"),
    ],
)
def test_spellings_of_one_name_compare_equal(donne: str, officiel: str) -> None:
    assert forme_comparable(donne) == forme_comparable(officiel)


def test_different_names_compare_different() -> None:
    assert forme_comparable("Saint-Denis") != forme_comparable("Sainte-Denise")


def test_exact_name_wins_over_a_longer_one_it_starts() -> None:
    assert designees("Saint-Martin", ["Saint-Martin-le-Châtel", "Saint-Martin"]) == [1]


def test_postal_code_spaces_are_removed() -> None:
    assert normaliser_code_postal(" 75 011 ") == "75011"
