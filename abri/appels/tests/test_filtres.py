import datetime

import time_machine
from django.urls import reverse

from abri.appels.models import EtatAppel, Lot
from abri.appels.tests.fabriques import appel
from abri.fabriques import StructureFactory
from abri.structures.models import TypeStructure


def _lot(parc, departement, type_structure, annee, places=10) -> Lot:
    structure = StructureFactory(
        departement=departement, operateur=parc.filiale, type=type_structure
    )
    return Lot.objects.create(
        structure=structure, places=places, date_prevue=datetime.date(annee, 3, 1)
    )


def _figures(client, **parametres):
    reponse = client.get(reverse("appels:ouverture"), parametres)
    assert reponse.status_code == 200
    return reponse.context["figures"]


@time_machine.travel(datetime.date(2026, 6, 1))
def test_filters_narrow_the_figures_and_the_exports(client, regional, parc):
    rhone = _lot(parc, parc.rhone, TypeStructure.CADA, 2025, places=10)
    _lot(parc, parc.ain, TypeStructure.CADA, 2025, places=20)
    _lot(parc, parc.rhone, TypeStructure.HUDA, 2026, places=30)
    client.force_login(regional)
    assert len(_figures(client).lignes) == 3
    figures = _figures(client, departement=parc.rhone.code)
    assert sum(ligne.lot.places for ligne in figures.lignes) == 40
    figures = _figures(client, type_structure="CADA", annee="2025")
    assert sum(ligne.lot.places for ligne in figures.lignes) == 30
    figures = _figures(
        client, departement=parc.rhone.code, type_structure="CADA", annee="2025"
    )
    assert [ligne.lot for ligne in figures.lignes] == [rhone]
    assert figures.nuitees == 10 * (datetime.date(2026, 6, 1) - rhone.date_prevue).days
    csv = client.get(
        reverse("appels:export", args=["csv"]),
        {"departement": parc.rhone.code, "type_structure": "HUDA"},
    ).content.decode("utf-8-sig")
    assert len(csv.strip().splitlines()) == 2  # header and the HUDA lot


def test_a_departement_outside_the_perimeter_is_ignored(client, agent_rhone, parc):
    _lot(parc, parc.rhone, TypeStructure.CADA, 2025)
    _lot(parc, parc.loire_atlantique, TypeStructure.CADA, 2025)
    client.force_login(agent_rhone)
    figures = _figures(client, departement=parc.loire_atlantique.code)
    assert [ligne.lot.structure.departement for ligne in figures.lignes] == [parc.rhone]


@time_machine.travel(datetime.date(2026, 6, 1))
def test_calls_follow_the_filters(client, regional, parc):
    appel(parc.rhone, intitule="Rhône", places_recherchees=15)
    appel(parc.ain, intitule="Ain", places_recherchees=25)
    client.force_login(regional)
    etapes = dict(_figures(client).etapes)
    assert etapes["Recherchées dans les appels en cours"] == 40
    etapes = dict(_figures(client, departement=parc.rhone.code).etapes)
    assert etapes["Recherchées dans les appels en cours"] == 15


@time_machine.travel(datetime.date(2026, 6, 1))
def test_operator_counts_only_the_calls_it_may_answer(
    client, operateur, agent_rhone, parc
):
    appel(
        parc.rhone,
        intitule="Publié",
        places_recherchees=15,
        date_cloture=datetime.date(2026, 5, 1),
    )
    appel(
        parc.rhone,
        intitule="En instruction",
        etat=EtatAppel.EN_INSTRUCTION,
        places_recherchees=25,
        date_decision=datetime.date(2026, 5, 1),
    )
    client.force_login(operateur)
    figures = _figures(client)
    assert dict(figures.etapes)["Recherchées dans les appels en cours"] == 15
    assert [a.intitule for a, _ in figures.appels_en_retard] == ["Publié"]
    client.force_login(agent_rhone)
    figures = _figures(client)
    assert dict(figures.etapes)["Recherchées dans les appels en cours"] == 40
    assert {a.intitule for a, _ in figures.appels_en_retard} == {
        "Publié",
        "En instruction",
    }


def test_filtered_page_query_count_does_not_grow(client, agent_rhone, parc):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(agent_rhone)
    parametres = {"departement": parc.rhone.code, "type_structure": "CADA"}

    def compte() -> int:
        with CaptureQueriesContext(connection) as requetes:
            assert (
                client.get(reverse("appels:ouverture"), parametres).status_code == 200
            )
        return len(requetes)

    _lot(parc, parc.rhone, TypeStructure.CADA, 2025)
    avant = compte()
    for annee in (2024, 2025, 2026):
        _lot(parc, parc.rhone, TypeStructure.CADA, annee)
    assert compte() == avant
