"""Demonstration budgets for the demonstration park (see ``abri/finances/demo.py``)."""

from typing import Any

from django.core.management.base import CommandParser

from abri.communs.commandes import CommandeAbri
from abri.finances.demo import generer_finances


class Command(CommandeAbri):
    help = (
        "Ajoute au parc des campagnes budgétaires de démonstration sur plusieurs "
        "années (budgets, affectations, versements, coûts cibles de démonstration). "
        "Sans effet si des campagnes existent déjà."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026)

    def executer(self, *args: Any, **options: Any) -> str:
        compteurs = generer_finances(options["seed"])
        if not compteurs:
            return "Campagnes budgétaires déjà présentes : rien n'est ajouté."
        if "campagnes" not in compteurs:
            return (
                f"Finances de démonstration : {compteurs['budgets_cpom']} budgets de "
                "CPOM ajoutés aux campagnes existantes."
            )
        return (
            f"Finances de démonstration : {compteurs['campagnes']} campagnes, "
            f"{compteurs['budgets']} budgets, "
            f"{compteurs['affectations']} affectations, "
            f"{compteurs['versements']} versements, {compteurs['tarifs_cibles']} coûts "
            f"cibles de démonstration, {compteurs['structures_en_deficit']} structures "
            f"tirées en déficit, {compteurs['budgets_cpom']} budgets de CPOM."
        )
