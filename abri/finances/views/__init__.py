"""Pages of finances: campaigns, budgets, the "Finances" page, target costs."""

from abri.finances.views.budgets import (
    affectation,
    budget,
    comptes,
    decision_tarifaire,
    document,
    instruction,
    proposition,
    renvoyer,
    rouvrir_instruction,
    telecharger,
    versement,
)
from abri.finances.views.campagnes import (
    campagne,
    campagnes,
    completer_campagne,
    ouvrir_campagne,
)
from abri.finances.views.tableau import export, tableau, tarifs

__all__ = [
    "affectation",
    "budget",
    "campagne",
    "campagnes",
    "completer_campagne",
    "comptes",
    "decision_tarifaire",
    "document",
    "export",
    "instruction",
    "ouvrir_campagne",
    "proposition",
    "renvoyer",
    "rouvrir_instruction",
    "tableau",
    "tarifs",
    "telecharger",
    "versement",
]
