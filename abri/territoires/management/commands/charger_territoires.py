"""Load or refresh régions, départements and communes from ``territoires/data/``."""

import logging
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.db import transaction

from abri.communs.commandes import CommandeAbri
from abri.territoires.services import CLES_CHANGEMENTS, charger_referentiel

logger = logging.getLogger(__name__)

LIBELLES = [
    ("regions", "régions", "regions_creees", "regions_modifiees"),
    ("departements", "départements", "departements_crees", "departements_modifies"),
    ("communes", "communes", "communes_creees", "communes_modifiees"),
]


class Command(CommandeAbri):
    help = (
        "Charge ou met à jour les régions, départements, communes et codes postaux "
        "depuis les fichiers du dépôt. Idempotent : peut être relancé sans risque."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--departement",
            action="append",
            dest="departements",
            metavar="CODE",
            help="Ne charger que les communes de ce département (répétable).",
        )
        parser.add_argument(
            "--sans-communes",
            action="store_true",
            help="Ne charger que les régions et les départements.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Calculer les changements sans les enregistrer.",
        )

    def executer(self, *args: Any, **options: Any) -> None:
        debut = time.monotonic()

        try:
            with transaction.atomic():
                compteurs = charger_referentiel(
                    departements=options["departements"],
                    communes=not options["sans_communes"],
                )
                if options["dry_run"]:
                    transaction.set_rollback(True)
        except ValueError as erreur:
            raise CommandError(str(erreur)) from erreur

        duree = time.monotonic() - debut
        for cle, libelle, creees, modifiees in LIBELLES:
            if cle in compteurs:
                self.stdout.write(
                    f"{libelle} : {compteurs[cle]} dans les fichiers, "
                    f"{compteurs[creees]} créé(e)s, {compteurs[modifiees]} modifié(e)s"
                )
        if "communes" in compteurs:
            self.stdout.write(
                f"communes absentes des fichiers (conservées) : "
                f"{compteurs['communes_absentes']}"
            )
            self.stdout.write(
                f"codes postaux : {compteurs['codes_postaux']} dans les fichiers, "
                f"{compteurs['codes_postaux_ajoutes']} ajoutés, "
                f"{compteurs['codes_postaux_supprimes']} supprimés"
            )
        changements = sum(compteurs.get(cle, 0) for cle in CLES_CHANGEMENTS)
        mode = " (simulation, rien n'est enregistré)" if options["dry_run"] else ""
        totaux = ", ".join(
            f"{compteurs[cle]} {libelle}"
            for cle, libelle, _, _ in LIBELLES
            if cle in compteurs
        )
        resume = (
            f"Référentiel territorial chargé en {duree:.1f} s{mode} : {totaux} ; "
            f"{changements} changement(s)."
        )
        self.stdout.write(self.style.SUCCESS(resume))
