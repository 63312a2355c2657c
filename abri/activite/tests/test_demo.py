import datetime

from django.core.management import call_command

from abri.activite.demo import (
    ecrire_fichier_exemple,
    generer_activite,
    mois_demo,
)
from abri.activite.imports import analyser_import_activite, appliquer_import_activite
from abri.activite.models import ActiviteMensuelle, LigneEnAttente

AUJOURD_HUI = datetime.date(2026, 3, 15)


def test_demo_months_end_two_months_ago_and_the_sample_is_the_next_one():
    mois, exemple = mois_demo(AUJOURD_HUI)

    assert len(mois) == 24
    assert mois[-1] == datetime.date(2026, 1, 1)
    assert exemple == datetime.date(2026, 2, 1)


def test_demo_gives_24_months_to_every_structure_with_places(codes):
    compteurs = generer_activite(aujourd_hui=AUJOURD_HUI)

    assert compteurs["mois_structure"] == 4 * 24
    for activite in ActiviteMensuelle.objects.all():
        assert activite.places_indisponibles <= activite.capacite
        assert activite.places.presences_indues <= activite.places_occupees


def test_demo_is_deterministic_and_adds_nothing_the_second_time(codes):
    generer_activite(seed=7, aujourd_hui=AUJOURD_HUI)
    premiers = list(ActiviteMensuelle.objects.values_list("places_occupees", flat=True))

    assert generer_activite(seed=7, aujourd_hui=AUJOURD_HUI)["mois_structure"] == 0
    ActiviteMensuelle.objects.all().delete()
    generer_activite(seed=7, aujourd_hui=AUJOURD_HUI)

    assert (
        list(ActiviteMensuelle.objects.values_list("places_occupees", flat=True))
        == premiers
    )


def test_the_sample_file_imports_from_the_interface(national, codes, tmp_path):
    chemin = ecrire_fichier_exemple(tmp_path, aujourd_hui=datetime.date.today())
    assert chemin is not None
    contenu = chemin.read_bytes()

    analyse = analyser_import_activite(national, contenu, chemin.name)
    resultat = appliquer_import_activite(
        national, contenu, chemin.name, empreinte=analyse.empreinte
    )

    assert resultat.applique, str(resultat.rapport)
    assert ActiviteMensuelle.objects.count() == 4
    assert LigneEnAttente.objects.count() == 2


def test_command_runs_on_a_base_with_the_park_but_no_activity(codes, tmp_path, capsys):
    call_command("generer_activite_demo", "--dossier", str(tmp_path))

    sortie = capsys.readouterr().out
    assert "Fichier mensuel d'exemple" in sortie
    assert ActiviteMensuelle.objects.exists()
    assert list(tmp_path.glob("Liste données par centre *.xlsx"))
