"""Calls for projects of the demonstration park (see ``abri/appels/demo.py``)."""

from django.core.management.base import CommandParser

from abri.appels.demo import generer_appels
from abri.communs.commandes import CommandeAbri


class Command(CommandeAbri):
    help = (
        "Génère les appels à projets du parc de démonstration (candidatures, notes, "
        "décisions, lots de places). Sans effet si des appels existent déjà."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026)

    def executer(self, *args: object, **options: object) -> str:
        graine = options["seed"]
        assert isinstance(graine, int)
        bilan = generer_appels(graine=graine)
        if bilan is None:
            return "Appels à projets déjà présents : rien n'est ajouté."
        return (
            f"{bilan.appels} appels à projets, {bilan.candidatures} candidatures, "
            f"{bilan.notes} notes, {bilan.lots} lots de places "
            f"({bilan.ouvertures} ouvertures), {bilan.objectifs} objectifs régionaux."
        )
