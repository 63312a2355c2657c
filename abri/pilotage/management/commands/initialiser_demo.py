"""Everything `make run` needs on top of the migrations, idempotent."""

from django.core.management import call_command
from django.core.management.base import CommandParser

from abri.communs.commandes import CommandeAbri
from abri.comptes.demo import MOT_DE_PASSE_DEMO, creer_comptes_demo
from abri.structures.models import Structure


class Command(CommandeAbri):
    help = (
        "Charge le référentiel des territoires, puis, si la base est vide, le parc et "
        "les comptes de démonstration. Sans effet la deuxième fois."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def executer(self, *args: object, **options: str) -> None:
        call_command("charger_territoires", stdout=self.stdout)
        if Structure.objects.exists():
            self.stdout.write("Parc déjà présent : rien n'est ajouté.")
        else:
            call_command("generer_parc_demo", "--si-vide", stdout=self.stdout)
            call_command("recalculer_anomalies", stdout=self.stdout)
        call_command("generer_activite_demo", stdout=self.stdout)
        call_command("generer_conventions_demo", stdout=self.stdout)
        comptes = creer_comptes_demo()
        call_command("generer_finances_demo", stdout=self.stdout)
        call_command("generer_appels_demo", stdout=self.stdout)

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"abri est servi sur {options['url']}"))
        self.stdout.write("Comptes de démonstration :")
        for compte in comptes:
            self.stdout.write(f"  {compte.email:<28} {compte.description}")
        self.stdout.write(f"Mot de passe de tous ces comptes : {MOT_DE_PASSE_DEMO}")
        self.stdout.write("")
