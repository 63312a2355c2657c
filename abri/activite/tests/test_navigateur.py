"""The monthly import in Debian's Chromium: upload, preview, confirm, read."""

import datetime

from abri.activite.tests.fichiers import classeur, ligne
from abri.fabriques import CodeDnaFactory
from abri.ui.tests.test_navigateur import pytestmark, se_connecter

__all__ = ["pytestmark"]


def test_agent_imports_the_monthly_file_and_reads_the_places(
    navigateur, serveur, agent_rhone, parc, tmp_path
):
    CodeDnaFactory(structure=parc.cada_rhone, code="C6901")
    mois = datetime.date.today().replace(day=1) - datetime.timedelta(days=1)
    fichier = tmp_path / f"Liste données par centre {mois:%m.%y} VF.xlsx"
    fichier.write_bytes(
        classeur({"Liste": [ligne("C6901", "Rhône", 80, 72, travaux=4)]})
    )
    page = navigateur.new_page()

    se_connecter(page, serveur, "rhone@abri.test")
    page.get_by_role("link", name="Places", exact=True).click()
    page.get_by_role("link", name="Importer le fichier mensuel").click()
    page.get_by_label("Fichier à importer").set_input_files(str(fichier))
    page.get_by_role("button", name="Analyser le fichier").click()
    assert "Aperçu : rien n'est encore enregistré" in page.content()
    page.get_by_role("button", name="Confirmer l'import").click()
    assert "Import enregistré" in page.content()
    page.get_by_role("link", name="Places", exact=True).click()

    assert "Vacantes (libres)" in page.content()
    assert page.locator(".abri-chiffre").nth(4).inner_text() == "4"


def test_import_errors_are_readable_at_1280_pixels(
    navigateur, serveur, agent_rhone, parc, tmp_path
):
    CodeDnaFactory(structure=parc.cada_rhone, code="C6901")
    mois = datetime.date.today().replace(day=1) - datetime.timedelta(days=1)
    fichier = tmp_path / f"Liste données par centre {mois:%m.%y} VF.xlsx"
    fichier.write_bytes(
        classeur(
            {
                "Liste": [
                    ligne("C6901", "Rhône", 80, 70, taux_bpi=1.5),
                    ligne("C6901", "Rhône", 80, "beaucoup"),
                ]
            }
        )
    )
    page = navigateur.new_page(viewport={"width": 1280, "height": 800})

    se_connecter(page, serveur, "rhone@abri.test")
    page.goto(f"{serveur}/activite/import/")
    page.get_by_label("Fichier à importer").set_input_files(str(fichier))
    page.get_by_role("button", name="Analyser le fichier").click()
    page.screenshot(path=str(tmp_path / "erreurs.png"), full_page=True)

    cellule = page.get_by_role("cell", name="taux invraisemblable", exact=False)
    boite = cellule.bounding_box()
    assert boite is not None
    assert boite["x"] + boite["width"] <= 1280
    largeur = page.evaluate("document.documentElement.scrollWidth")
    assert largeur <= 1280
