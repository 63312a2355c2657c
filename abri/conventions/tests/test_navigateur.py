"""The life cycle of a convention in Debian's Chromium: steps are POST buttons."""

import datetime

from abri.conventions.models import Acte, Etat
from abri.conventions.tests.conftest import acte
from abri.ui.tests import test_navigateur as commun

# The browser and live-server fixtures, and the skip when Chromium is absent.
navigateur = commun.navigateur
serveur = commun.serveur
pytestmark = commun.pytestmark
se_connecter = commun.se_connecter

D = datetime.date


def test_agent_sends_a_draft_from_the_structure_calendar(
    navigateur, serveur, agent_rhone, parc
):
    brouillon = acte(
        parc.cada_rhone,
        debut=D(2027, 1, 1),
        fin=D(2031, 12, 31),
        etat=Etat.BROUILLON,
        reference="CONV-NAV",
    )
    page = navigateur.new_page()
    se_connecter(page, serveur, "rhone@abri.test")

    page.goto(f"{serveur.url}/structures/{parc.cada_rhone.pk}/")
    assert page.locator(".abri-frise svg").is_visible()
    page.get_by_role("link", name="Convention CONV-NAV").click()
    page.get_by_role("button", name="Envoyer à l'opérateur").click()

    assert page.get_by_text("Envoyer à l'opérateur : fait.").is_visible()
    assert Acte.objects.get(pk=brouillon.pk).etat == Etat.ENVOYEE
