from django.urls import reverse


def test_home_shows_the_places_in_force_on_the_chosen_date(client, national, parc):
    client.force_login(national)

    avant = client.get(reverse("pilotage:accueil"), {"au": "2019-12-31"})
    apres = client.get(reverse("pilotage:accueil"), {"au": "2020-01-01"})

    assert avant.context["total_places"] == 0
    assert apres.context["total_places"] == 200


def test_home_counts_only_the_perimeter(client, agent_rhone, parc):
    client.force_login(agent_rhone)

    reponse = client.get(reverse("pilotage:accueil"))

    assert reponse.context["total_structures"] == 1
    assert reponse.context["total_places"] == 80


def test_home_counts_structures_whose_capacity_has_begun(client, national, parc):
    client.force_login(national)

    reponse = client.get(reverse("pilotage:accueil"), {"au": "2019-12-31"})

    assert reponse.context["total_structures"] == 0


def test_departmental_agent_map_is_framed_on_its_departement(client, agent_rhone, parc):
    client.force_login(agent_rhone)

    carte = str(client.get(reverse("pilotage:accueil")).context["carte"])

    assert 'viewBox="0 0 970' not in carte
    assert 'data-code="69"' in carte


def test_national_map_shows_the_whole_country(client, national, parc):
    client.force_login(national)

    carte = str(client.get(reverse("pilotage:accueil")).context["carte"])

    assert 'viewBox="0 0 970' in carte
