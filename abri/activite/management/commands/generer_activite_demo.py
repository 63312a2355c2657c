"""24 months of fictitious occupancy for the demonstration park, and a sample file."""

import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings

from abri.activite.demo import ecrire_fichier_exemple, generer_activite
from abri.communs.commandes import CommandeAbri
from abri.structures.models import Structure


class Command(CommandeAbri):
    help = (
        "Ajoute 24 mois d'occupation fictifs au parc de démonstration (rien si des "
        "chiffres d'occupation existent déjà), puis écrit le mois suivant comme "
        "fichier d'exemple à importer depuis l'interface. Les constats de qualité "
        "sont recalculés ensuite par initialiser_demo (ou recalculer_anomalies)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="Graine (2026).")
        parser.add_argument(
            "--dossier",
            type=Path,
            default=None,
            help="Dossier du fichier d'exemple (var/exemples par défaut).",
        )
        parser.add_argument(
            "--sans-fichier",
            action="store_true",
            help="Ne pas écrire le fichier d'exemple.",
        )

    def executer(self, *args: Any, **options: Any) -> str | None:
        if not Structure.objects.exists():
            self.stdout.write("Aucune structure : pas d'activité de démonstration.")
            return None
        debut = time.monotonic()
        compteurs = generer_activite(options["seed"])
        if compteurs["mois_structure"]:
            nombre = f"{compteurs['mois_structure']:,}".replace(",", "\u202f")
            self.stdout.write(
                f"Activité de démonstration : {nombre} mois de structure sur "
                f"{compteurs['mois']} mois, en {time.monotonic() - debut:.1f} s."
            )
        else:
            self.stdout.write(
                "Chiffres d'occupation déjà présents : rien n'est ajouté."
            )
        if options["sans_fichier"]:
            return None
        dossier = options["dossier"] or Path(settings.VAR_DIR) / "exemples"
        chemin = ecrire_fichier_exemple(dossier, options["seed"])
        if chemin is None:
            return None
        return f"Fichier mensuel d'exemple à importer (menu Places) : {chemin}"
