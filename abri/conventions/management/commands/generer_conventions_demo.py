"""Acts of the demonstration park (see ``abri/conventions/demo.py``); idempotent."""

from django.core.management.base import CommandParser

from abri.communs.commandes import CommandeAbri
from abri.conventions.demo import generer_actes


class Command(CommandeAbri):
    help = (
        "Génère les actes du parc de démonstration (autorisations, conventions, "
        "CPOM, évaluations). Sans effet si des actes existent déjà."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026)

    def executer(self, *args: object, **options: object) -> str:
        graine = options["seed"]
        assert isinstance(graine, int)
        bilan = generer_actes(graine=graine)
        if bilan is None:
            return "Actes déjà présents : rien n'est ajouté."
        return (
            f"{bilan.autorisations} autorisations, {bilan.conventions} conventions, "
            f"{bilan.evaluations} évaluations, {bilan.cpom} CPOM "
            f"({bilan.adhesions} structures membres)."
        )
