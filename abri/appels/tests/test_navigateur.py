"""The operator's candidature in Debian's Chromium (skipped where Chromium is
missing): open a published call, save a draft, come back, submit."""

import datetime

from abri.appels.models import Candidature, EtatCandidature
from abri.appels.tests.fabriques import appel
from abri.ui.tests.test_navigateur import pytestmark, se_connecter

__all__ = ["pytestmark"]


def test_operator_saves_a_draft_comes_back_and_submits(
    navigateur, serveur, operateur, parc
):
    a = appel(
        parc.rhone,
        intitule="Appel CADA Rhône",
        date_publication=datetime.date.today(),
        date_cloture=datetime.date.today() + datetime.timedelta(days=30),
    )
    page = navigateur.new_page()
    se_connecter(page, serveur, "operateur@abri.test")

    page.goto(f"{serveur.url}/appels/")
    page.get_by_role("link", name="Appel CADA Rhône").click()
    page.get_by_role("link", name="Candidater").click()
    page.get_by_label("Projet").fill("Trente places en diffus à Villeurbanne.")
    page.get_by_label("Places proposées").fill("30")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    assert "Brouillon enregistré" in page.content()
    assert Candidature.objects.get().etat == EtatCandidature.BROUILLON

    page.goto(f"{serveur.url}/appels/{a.pk}/")
    page.get_by_role("link", name="Ma candidature").click()
    assert page.get_by_label("Projet").input_value().startswith("Trente places")
    page.get_by_label("Département d'implantation").select_option("69")
    page.get_by_label("Ouvertures proposées").fill("30 ; 01/09/2027")
    page.screenshot(path="var/appels-candidature.png", full_page=True)
    page.get_by_role("button", name="Déposer la candidature").click()

    assert "Candidature déposée" in page.content()
    candidature = Candidature.objects.get()
    assert candidature.etat == EtatCandidature.DEPOSEE
    assert candidature.accuse in page.content()
