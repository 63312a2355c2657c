"""Everything `make run` needs on top of the migrations, idempotent.

In order: the territories, the park (only on an empty database), the demonstration
accounts, then the demonstration step of each app (each adds nothing when its data
exist, so that an existing database gets the data of a new app at the next run),
and last the data-quality findings, recomputed once, only when a step added data.
"""

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandParser
from django.db.models import Model

from abri.activite.models import ActiviteMensuelle
from abri.communs.commandes import CommandeAbri
from abri.comptes.demo import MOT_DE_PASSE_DEMO, creer_comptes_demo
from abri.conventions.models import Acte, AdhesionCpom, Cpom, Evaluation
from abri.finances.models import Budget, Campagne, Versement
from abri.structures.models import EvenementCapacite, Structure

ETAPES_DES_APPLICATIONS = (
    "generer_activite_demo",
    "generer_conventions_demo",
    "generer_finances_demo",
    "generer_appels_demo",
)
# What the data-quality rules read and the demonstration steps add.
DONNEES_DES_REGLES: tuple[type[Model], ...] = (
    Structure,
    EvenementCapacite,
    ActiviteMensuelle,
    Acte,
    Cpom,
    AdhesionCpom,
    Evaluation,
    Campagne,
    Budget,
    Versement,
)


def empreinte() -> tuple[int, ...]:
    """Row counts of the data the rules read: the demonstration steps only add."""
    return tuple(modele._default_manager.count() for modele in DONNEES_DES_REGLES)


class Command(CommandeAbri):
    help = (
        "Charge le référentiel des territoires, le parc de démonstration si la base "
        "est vide, les comptes de démonstration, les données de démonstration de "
        "chaque application qui n'en a pas encore, puis recalcule les constats de "
        "qualité si quelque chose a été ajouté. Sans effet la deuxième fois."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/")
        parser.add_argument(
            "--departement",
            action="append",
            dest="departements",
            metavar="CODE",
            help="Parc réduit aux structures de ce département (répétable).",
        )

    def executer(self, *args: Any, **options: Any) -> None:
        debut = time.monotonic()
        call_command("charger_territoires", stdout=self.stdout)
        avant = empreinte()
        if Structure.objects.exists():
            self.stdout.write("Parc déjà présent : rien n'est ajouté.")
        else:
            parc = ["--si-vide"]
            for code in options["departements"] or []:
                parc += ["--departement", code]
            call_command("generer_parc_demo", *parc, stdout=self.stdout)
        comptes = creer_comptes_demo()
        for etape in ETAPES_DES_APPLICATIONS:
            call_command(etape, stdout=self.stdout)
        if empreinte() != avant:
            call_command("recalculer_anomalies", stdout=self.stdout)
        else:
            self.stdout.write("Aucune donnée ajoutée : constats inchangés.")

        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"abri est servi sur {options['url']} "
                f"(prêt en {time.monotonic() - debut:.1f} s)"
            )
        )
        self.stdout.write("Comptes de démonstration :")
        for compte in comptes:
            self.stdout.write(f"  {compte.email:<28} {compte.description}")
        self.stdout.write(f"Mot de passe de tous ces comptes : {MOT_DE_PASSE_DEMO}")
        self.stdout.write("")
