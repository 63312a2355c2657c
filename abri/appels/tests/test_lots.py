import datetime

import time_machine
from django.urls import reverse

from abri.appels.models import Lot
from abri.fabriques import StructureFactory


def _lot(parc, departement=None) -> Lot:
    structure = StructureFactory(
        departement=departement or parc.rhone, operateur=parc.filiale
    )
    return Lot.objects.create(
        structure=structure, places=50, date_prevue=datetime.date(2025, 9, 1)
    )


def _ouvrir(client, lot, date, places):
    return client.post(
        reverse("appels:lot", args=[lot.pk]),
        {"date": date, "places": places, "acte": "Arrêté n° 1"},
    )


@time_machine.travel(datetime.date(2025, 6, 1))
def test_a_lot_not_yet_due_opens_in_two_steps(client, agent_rhone, parc):
    lot = _lot(parc)
    client.force_login(agent_rhone)
    assert lot.pk in [x.pk for x in client.get(reverse("appels:lots")).context["page"]]
    assert _ouvrir(client, lot, "2025-05-01", 30).status_code == 302
    assert _ouvrir(client, lot, "2025-06-01", 20).status_code == 302
    assert [(o.date.day, o.places) for o in lot.ouvertures.all()] == [(1, 30), (1, 20)]
    assert lot.pk not in [
        x.pk for x in client.get(reverse("appels:lots")).context["page"]
    ]


@time_machine.travel(datetime.date(2025, 6, 1))
def test_more_than_remains_and_future_dates_are_refused(client, agent_rhone, parc):
    lot = _lot(parc)
    client.force_login(agent_rhone)
    assert _ouvrir(client, lot, "2025-05-01", 30).status_code == 302
    reponse = _ouvrir(client, lot, "2025-05-02", 21)
    assert reponse.status_code == 200
    assert "Il reste 20 places" in reponse.content.decode()
    reponse = _ouvrir(client, lot, "2025-06-02", 10)
    assert reponse.status_code == 200
    assert "futur" in reponse.content.decode()
    assert lot.ouvertures.count() == 1


def test_agent_of_another_departement_gets_404(client, agent_loire, parc):
    lot = _lot(parc)
    client.force_login(agent_loire)
    assert client.get(reverse("appels:lot", args=[lot.pk])).status_code == 404
    assert _ouvrir(client, lot, "2025-05-01", 30).status_code == 404
    assert lot.pk not in [
        x.pk for x in client.get(reverse("appels:lots")).context["page"]
    ]


def test_reader_sees_the_lot_but_may_not_open(client, lecteur, parc):
    lot = _lot(parc)
    client.force_login(lecteur)
    if not Lot.objects.for_user(lecteur).filter(pk=lot.pk).exists():
        return
    assert client.get(reverse("appels:lot", args=[lot.pk])).status_code == 200
    assert _ouvrir(client, lot, "2025-05-01", 30).status_code == 403


def test_lot_list_query_count_does_not_grow(client, agent_rhone, parc):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(agent_rhone)
    _lot(parc)

    def compte() -> int:
        with CaptureQueriesContext(connection) as requetes:
            assert client.get(reverse("appels:lots")).status_code == 200
        return len(requetes)

    avant = compte()
    for _ in range(4):
        _lot(parc)
    assert compte() == avant
