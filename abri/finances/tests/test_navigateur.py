"""The operator's proposal in Debian's Chromium (skipped where Chromium is missing)."""

from decimal import Decimal

from abri.finances.models import Budget
from abri.ui.tests.test_navigateur import pytestmark, se_connecter

__all__ = ["pytestmark"]


def test_operator_saves_a_proposal_typed_in_french_then_submits_it(
    navigateur,
    serveur,
    operateur,
    budget_cada,
):
    page = navigateur.new_page()
    se_connecter(page, serveur, "operateur@abri.test")

    page.goto(f"{serveur.url}/finances/budgets/{budget_cada.pk}/")
    page.get_by_role("link", name="Saisir la proposition").click()
    page.get_by_label("Charges proposées (€)").fill("512 345,67 €")
    page.get_by_label("Produits proposés hors dotation (€)").fill("12 000")
    page.get_by_label("Dotation demandée (€)").fill("500 345,67")
    page.get_by_label("Effectif (ETP)").fill("6,5")
    page.get_by_role("button", name="Déposer la proposition").click()

    assert "Proposition déposée" in page.content()
    budget = Budget.objects.get(pk=budget_cada.pk)
    assert budget.charges_proposees == Decimal("512345.67")
    assert budget.statut == "proposition_deposee"
