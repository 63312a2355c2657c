import datetime

from django.urls import reverse

from abri.appels.models import Lot, ObjectifRegional


def _creer(client, region, places=40):
    return client.post(
        reverse("appels:nouvel_objectif"),
        {
            "region": region.pk,
            "annee": 2026,
            "type_structure": "CADA",
            "places": places,
            "date_decision": "2026-01-15",
        },
    )


def test_regional_agent_creates_an_objective_of_its_region(client, regional, parc):
    client.force_login(regional)
    reponse = _creer(client, parc.ara)
    objectif = ObjectifRegional.objects.get()
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("appels:objectif", args=[objectif.pk])
    assert objectif.places == 40
    assert objectif in client.get(reverse("appels:objectifs")).context["page"]


def test_regional_agent_may_not_choose_another_region(client, regional, parc):
    client.force_login(regional)
    autre = parc.loire_atlantique.region
    assert _creer(client, autre).status_code == 200
    assert not ObjectifRegional.objects.exists()


def test_national_agent_creates_anywhere(client, national, parc):
    client.force_login(national)
    assert _creer(client, parc.loire_atlantique.region).status_code == 302


def test_departmental_agent_and_operator_may_not_create(
    client, agent_rhone, operateur, parc
):
    for user in (agent_rhone, operateur):
        client.force_login(user)
        assert client.get(reverse("appels:nouvel_objectif")).status_code == 403
        assert _creer(client, parc.ara).status_code == 403
    assert not ObjectifRegional.objects.exists()


def _objectif(parc, places=30) -> ObjectifRegional:
    return ObjectifRegional.objects.create(
        region=parc.ara, annee=2026, type_structure="CADA", places=places
    )


def _planifier(client, objectif, structure, places):
    return client.post(
        reverse("appels:planifier", args=[objectif.pk]),
        {"structure": structure.pk, "places": places, "date_prevue": "2026-09-01"},
    )


def test_agent_plans_a_lot_within_the_objective(client, agent_rhone, parc):
    objectif = _objectif(parc)
    client.force_login(agent_rhone)
    assert _planifier(client, objectif, parc.cada_rhone, 20).status_code == 302
    lot = Lot.objects.get(objectif=objectif)
    assert (lot.structure, lot.places) == (parc.cada_rhone, 20)
    assert lot.date_prevue == datetime.date(2026, 9, 1)
    reponse = _planifier(client, objectif, parc.cada_rhone, 11)
    assert reponse.status_code == 200
    assert "déjà planifiées" in reponse.content.decode()
    contenu = client.get(reverse("appels:objectif", args=[objectif.pk]))
    assert "10 restent à planifier" in contenu.content.decode()


def test_objectives_are_scoped_and_planning_needs_an_agent(
    client, agent_loire, lecteur, operateur, parc
):
    objectif = _objectif(parc)
    for user in (agent_loire, operateur):
        client.force_login(user)
        assert (
            client.get(reverse("appels:objectif", args=[objectif.pk])).status_code
            == 404
        )
        assert _planifier(client, objectif, parc.cada_rhone, 5).status_code == 404
        assert objectif not in client.get(reverse("appels:objectifs")).context["page"]
    client.force_login(lecteur)
    if ObjectifRegional.objects.for_user(lecteur).filter(pk=objectif.pk).exists():
        assert _planifier(client, objectif, parc.cada_rhone, 5).status_code == 403
    assert not Lot.objects.filter(objectif=objectif).exists()
