from collections.abc import Callable
from pathlib import Path

import pytest
from django.db.models import Sum

from abri.journal.models import EntreeJournal
from abri.territoires.models import CodePostal, Commune, Departement, Region
from abri.territoires.services import CLES_CHANGEMENTS, charger_referentiel

Remplacer = Callable[[str, str, str | None], None]


def test_loads_18_regions(referentiel: dict[str, int]) -> None:
    assert Region.objects.count() == 18


def test_loads_101_departements(referentiel: dict[str, int]) -> None:
    assert Departement.objects.count() == 101


def test_corsican_departements_come_between_29_and_30(
    referentiel: dict[str, int],
) -> None:
    codes = list(Departement.objects.order_by("rang").values_list("code", flat=True))

    suite = codes.index("29")
    assert codes[suite : suite + 4] == ["29", "2A", "2B", "30"]


def test_overseas_departements_come_last(referentiel: dict[str, int]) -> None:
    codes = list(Departement.objects.order_by("rang").values_list("code", flat=True))

    assert codes[-6:] == ["95", "971", "972", "973", "974", "976"]


def test_rang_numbers_departements_from_1_to_101(referentiel: dict[str, int]) -> None:
    rangs = sorted(Departement.objects.values_list("rang", flat=True))

    assert rangs == list(range(1, 102))


def test_population_of_ain_is_the_insee_one(referentiel: dict[str, int]) -> None:
    assert Departement.objects.get(code="01").population == 679_344


def test_population_of_a_region_is_the_sum_of_its_departements(
    referentiel: dict[str, int],
) -> None:
    somme = Departement.objects.filter(region_id="84").aggregate(s=Sum("population"))

    assert Region.objects.get(code="84").population == somme["s"] == 8_205_557


def test_departement_belongs_to_its_region(referentiel: dict[str, int]) -> None:
    assert Departement.objects.get(code="2B").region.nom == "Corse"


def test_communes_are_loaded_only_for_the_departements_asked(db: None) -> None:
    charger_referentiel(departements=["2A", "974"])

    assert set(Commune.objects.values_list("departement_id", flat=True)) == {
        "2A",
        "974",
    }


def test_loaded_communes_are_counted(db: None) -> None:
    compteurs = charger_referentiel(departements=["974"])

    assert compteurs["communes"] == compteurs["communes_creees"] == 24


def test_insee_code_keeps_its_leading_zero(referentiel: dict[str, int]) -> None:
    assert Commune.objects.get(code_insee="01310").nom == "Prémeyzel"


def test_postal_code_keeps_its_leading_zero(referentiel: dict[str, int]) -> None:
    assert CodePostal.objects.filter(code="01310", commune__nom="Polliat").exists()


def test_commune_gets_all_its_postal_codes(referentiel: dict[str, int]) -> None:
    codes = CodePostal.objects.filter(commune_id="2A004").values_list("code", flat=True)

    assert sorted(codes) == ["20000", "20090", "20167"]


def test_paris_carries_the_postal_codes_of_its_arrondissements(
    referentiel: dict[str, int],
) -> None:
    codes = set(
        CodePostal.objects.filter(commune_id="75056").values_list("code", flat=True)
    )

    assert {"75001", "75011", "75116", "75020"} <= codes


def test_arrondissements_municipaux_are_not_communes(
    referentiel: dict[str, int],
) -> None:
    assert not Commune.objects.filter(code_insee__in=["75111", "69383", "13208"])


def test_commune_population_is_loaded(referentiel: dict[str, int]) -> None:
    assert Commune.objects.get(code_insee="01001").population == 860


def test_nom_recherche_is_the_normalised_name(referentiel: dict[str, int]) -> None:
    assert Commune.objects.get(code_insee="2A004").nom_recherche == "ajaccio"


def test_without_communes_loads_regions_and_departements_only(db: None) -> None:
    charger_referentiel(communes=False)

    assert (Departement.objects.count(), Commune.objects.count()) == (101, 0)


def test_unknown_departement_is_refused(db: None) -> None:
    with pytest.raises(ValueError, match="99"):
        charger_referentiel(departements=["99"])


def test_second_load_changes_nothing(referentiel: dict[str, int]) -> None:
    compteurs = charger_referentiel(departements=["01", "2A", "75"])

    assert [compteurs[cle] for cle in CLES_CHANGEMENTS] == [0] * len(CLES_CHANGEMENTS)


def test_second_load_writes_no_journal_entry(referentiel: dict[str, int]) -> None:
    avant = EntreeJournal.objects.count()

    charger_referentiel(departements=["01", "2A", "75"])

    assert EntreeJournal.objects.count() == avant


def test_first_load_journals_each_region_and_departement_created(db: None) -> None:
    charger_referentiel(communes=False)

    assert EntreeJournal.objects.filter(action="creation").count() == 18 + 101


def test_load_journals_the_communes_of_each_departement_loaded(db: None) -> None:
    charger_referentiel(departements=["2A", "2B"])

    entrees = EntreeJournal.objects.filter(action="import")
    assert sorted(e.object_id for e in entrees) == ["2A", "2B"]


def test_renamed_commune_is_updated(
    db: None, dossier_copie: Path, remplacer_ligne: Remplacer
) -> None:
    charger_referentiel(departements=["01"], dossier=dossier_copie)
    remplacer_ligne("communes.csv", "01001;", "01001;Nouveau-Nom;01;860;01400")

    compteurs = charger_referentiel(departements=["01"], dossier=dossier_copie)

    commune = Commune.objects.get(code_insee="01001")
    assert (commune.nom, commune.nom_recherche) == ("Nouveau-Nom", "nouveau nom")
    assert compteurs["communes_modifiees"] == 1


def test_changed_commune_population_is_updated(
    db: None, dossier_copie: Path, remplacer_ligne: Remplacer
) -> None:
    charger_referentiel(departements=["01"], dossier=dossier_copie)
    remplacer_ligne(
        "communes.csv", "01001;", "01001;L'Abergement-Clémenciat;01;900;01400"
    )

    charger_referentiel(departements=["01"], dossier=dossier_copie)

    assert Commune.objects.get(code_insee="01001").population == 900


def test_changed_departement_population_is_updated(
    db: None, dossier_copie: Path, remplacer_ligne: Remplacer
) -> None:
    charger_referentiel(communes=False, dossier=dossier_copie)
    remplacer_ligne("departements.csv", "01;", "01;Ain;84;700000;1")

    charger_referentiel(communes=False, dossier=dossier_copie)

    assert Departement.objects.get(code="01").population == 700_000


def test_departement_change_is_journaled_with_its_values(
    db: None, dossier_copie: Path, remplacer_ligne: Remplacer
) -> None:
    charger_referentiel(communes=False, dossier=dossier_copie)
    remplacer_ligne("departements.csv", "01;", "01;Ain;84;700000;1")

    charger_referentiel(communes=False, dossier=dossier_copie)

    entree = EntreeJournal.objects.get(action="modification", object_id="01")
    assert entree.changements == {"population": [679_344, 700_000]}


def test_renamed_region_is_updated(
    db: None, dossier_copie: Path, remplacer_ligne: Remplacer
) -> None:
    charger_referentiel(communes=False, dossier=dossier_copie)
    remplacer_ligne("regions.csv", "94;", "94;Collectivité de Corse;355486")

    charger_referentiel(communes=False, dossier=dossier_copie)

    assert Region.objects.get(code="94").nom == "Collectivité de Corse"


def test_postal_code_removed_from_the_file_is_removed(
    db: None, dossier_copie: Path, remplacer_ligne: Remplacer
) -> None:
    charger_referentiel(departements=["2A"], dossier=dossier_copie)
    remplacer_ligne("communes.csv", "2A004;", "2A004;Ajaccio;2A;76320;20000 20090")

    charger_referentiel(departements=["2A"], dossier=dossier_copie)

    codes = CodePostal.objects.filter(commune_id="2A004").values_list("code", flat=True)
    assert sorted(codes) == ["20000", "20090"]


def test_commune_absent_from_the_file_is_kept(
    db: None, dossier_copie: Path, remplacer_ligne: Remplacer
) -> None:
    charger_referentiel(departements=["2A"], dossier=dossier_copie)
    remplacer_ligne("communes.csv", "2A004;", None)

    compteurs = charger_referentiel(departements=["2A"], dossier=dossier_copie)

    assert Commune.objects.filter(code_insee="2A004").exists()
    assert compteurs["communes_absentes"] == 1


def test_commune_absent_from_the_file_loses_its_postal_codes(
    db: None, dossier_copie: Path, remplacer_ligne: Remplacer
) -> None:
    charger_referentiel(departements=["2A"], dossier=dossier_copie)
    remplacer_ligne("communes.csv", "2A004;", None)

    charger_referentiel(departements=["2A"], dossier=dossier_copie)

    assert not CodePostal.objects.filter(commune_id="2A004").exists()


@pytest.mark.django_db
def test_full_load_brings_every_commune_and_postal_code() -> None:
    compteurs = charger_referentiel()

    assert (Commune.objects.count(), CodePostal.objects.count()) == (34_875, 35_359)
    assert compteurs["communes_creees"] == 34_875
