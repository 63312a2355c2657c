import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from abri.appels.models import (
    Candidature,
    Decision,
    EtatAppel,
    EtatCandidature,
    Lot,
)
from abri.appels.tests.fabriques import appel, candidature
from abri.fabriques import StructureFactory


def _requetes(client, url: str) -> int:
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(url).status_code == 200
    return len(requetes)


def _lots(parc, nombre: int) -> None:
    a = appel(parc.rhone, etat=EtatAppel.ATTRIBUE)
    for rang in range(nombre):
        structure = StructureFactory(departement=parc.rhone, operateur=parc.filiale)
        c = candidature(
            a,
            structure.operateur,
            recue_hors_ligne=True,
            decision=Decision.RETENUE,
            places_retenues=10,
        )
        Lot.objects.create(
            structure=structure,
            candidature=c,
            places=10,
            date_prevue=datetime.date(2025, 1, 1 + rang),
        )


def test_opening_page_query_count_does_not_grow(client, agent_rhone, parc):
    client.force_login(agent_rhone)
    _lots(parc, 2)
    avant = _requetes(client, reverse("appels:ouverture"))
    _lots(parc, 6)
    assert _requetes(client, reverse("appels:ouverture")) == avant


def test_call_list_query_count_does_not_grow(client, agent_rhone, parc):
    client.force_login(agent_rhone)
    appel(parc.rhone)
    avant = _requetes(client, reverse("appels:liste"))
    for _ in range(5):
        appel(parc.rhone)
    assert _requetes(client, reverse("appels:liste")) == avant


@time_machine.travel(datetime.date(2025, 6, 1))
def test_opening_page_shows_nights_lost_and_definitions(client, agent_rhone, parc):
    _lots(parc, 1)
    client.force_login(agent_rhone)
    contenu = client.get(reverse("appels:ouverture")).content.decode()
    # 10 places planned 1 January, still closed on 1 June: 10 × 151 nights.
    assert "1\u202f510" in contenu
    assert "Nuitées perdues" in contenu
    assert "40 × 30 = 1 200" in contenu


def test_opening_exports(client, agent_rhone, parc):
    _lots(parc, 1)
    client.force_login(agent_rhone)
    reponse = client.get(reverse("appels:export", args=["xlsx"]))
    assert reponse.status_code == 200
    csv = client.get(reverse("appels:export", args=["csv"])).content.decode("utf-8-sig")
    assert "Nuitées perdues" in csv


@time_machine.travel(datetime.datetime(2025, 2, 1, 10, tzinfo=datetime.UTC))
def test_operator_saves_a_draft_comes_back_and_submits(client, operateur, parc):
    a = appel(parc.rhone)
    client.force_login(operateur)
    url = reverse("appels:candidater", args=[a.pk])
    reponse = client.post(
        url, {"projet": "Trente places", "places_proposees": "30", "brouillon": ""}
    )
    assert reponse.status_code == 302
    c = Candidature.objects.get()
    assert c.etat == EtatCandidature.BROUILLON
    assert "Trente places" in client.get(url).content.decode()
    reponse = client.post(
        url,
        {
            "version": c.version,
            "projet": "Trente places",
            "departement": "69",
            "places_proposees": "30",
            "lots_texte": "30 ; 01/09/2025",
            "deposer": "",
        },
    )
    assert reponse.status_code == 302
    c.refresh_from_db()
    assert c.etat == EtatCandidature.DEPOSEE
    assert c.accuse in client.get(url).content.decode()


def test_illegal_step_button_shows_a_french_message(client, agent_rhone, parc):
    a = appel(parc.rhone, etat=EtatAppel.BROUILLON)
    client.force_login(agent_rhone)
    reponse = client.post(
        reverse("appels:etape", args=[a.pk, "terminer"]),
        {"version": a.version},
        follow=True,
    )
    assert "Étape impossible" in reponse.content.decode()


def test_instruction_page_scores_and_ranks(client, agent_rhone, parc):
    a = appel(parc.rhone, etat=EtatAppel.EN_INSTRUCTION)
    c = candidature(a, parc.filiale)
    client.force_login(agent_rhone)
    url = reverse("appels:instruction", args=[a.pk])
    assert "après votre notation" in client.get(url).content.decode()
    donnees = {"candidature": c.pk}
    for rang in range(3):
        donnees[f"c{c.pk}-note_{rang}"] = "12"
    assert client.post(url, donnees).status_code == 302
    assert (
        "12,00" in client.get(url).content.decode()
        or "12.00" in client.get(url).content.decode()
    )


def test_decision_form(client, agent_rhone, parc):
    a = appel(parc.rhone, etat=EtatAppel.EN_INSTRUCTION)
    c = candidature(a, parc.filiale)
    client.force_login(agent_rhone)
    reponse = client.post(
        reverse("appels:decider", args=[c.pk]),
        {"decision": "retenue", "places_retenues": "20", "motivation": "Solide."},
    )
    assert reponse.status_code == 302
    c.refresh_from_db()
    assert (c.decision, c.places_retenues) == (Decision.RETENUE, 20)
    assert c.cout_journalier_propose == Decimal("20.00")


@pytest.mark.parametrize("nom", ["liste", "nouvel_appel"])
def test_agent_pages_render(client, agent_rhone, parc, nom):
    client.force_login(agent_rhone)
    assert client.get(reverse(f"appels:{nom}")).status_code == 200


@pytest.mark.parametrize("format", ["pdf", "docx"])
def test_decision_letter(client, agent_rhone, parc, format):
    a = appel(parc.rhone, etat=EtatAppel.EN_INSTRUCTION)
    c = candidature(
        a,
        parc.filiale,
        decision=Decision.RETENUE,
        places_retenues=30,
        motivation="Projet solide.",
    )
    client.force_login(agent_rhone)
    reponse = client.get(reverse("appels:lettre", args=[c.pk, format]))
    assert reponse.status_code == 200
    assert reponse.content[:4] in {b"%PDF", b"PK\x03\x04"}


def test_letter_text_says_the_decision(parc):
    from abri.appels.documents import paragraphes

    a = appel(parc.rhone, etat=EtatAppel.EN_INSTRUCTION)
    c = candidature(
        a,
        parc.filiale,
        decision=Decision.RETENUE,
        places_retenues=30,
        motivation="Oui.",
    )
    lettre = paragraphes(c, datetime.date(2025, 6, 1))
    assert lettre["titre"] == "Notification de la décision de la commission"
    assert "retenue pour 30 places" in lettre["lignes"][0]


def test_agent_records_a_candidature_received_by_post(client, agent_rhone, parc):
    a = appel(parc.rhone)
    client.force_login(agent_rhone)
    reponse = client.post(
        reverse("appels:recevoir", args=[a.pk]),
        {
            "operateur": parc.association.pk,
            "projet": "Vingt places",
            "departement": "69",
            "places_proposees": "20",
            "lots_texte": "20 ; 01/10/2025",
        },
    )
    assert reponse.status_code == 302
    c = Candidature.objects.get()
    assert c.recue_hors_ligne and c.etat == EtatCandidature.DEPOSEE
