"""Build the fictitious demonstration park (see ``abri/structures/demo.py``)."""

import logging
import time
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.core.management.base import CommandError
from django.db import transaction

from abri.communs.commandes import CommandeAbri
from abri.communs.erreurs import ErreurMetier
from abri.structures.demo import generer_parc, supprimer_parc_demo
from abri.structures.models import Structure

logger = logging.getLogger(__name__)

LIBELLES = [
    ("operateurs", "opérateurs"),
    ("groupes", "  dont groupes nationaux"),
    ("filiales", "  dont filiales"),
    ("associations", "  dont associations indépendantes"),
    ("structures", "structures"),
    ("places_autorisees", "places autorisées"),
    ("places_cada", "  dont CADA"),
    ("places_huda", "  dont HUDA"),
    ("places_caes", "  dont CAES"),
    ("places_cph", "  dont CPH"),
    ("places_prahda", "  dont PRAHDA"),
    ("codes_dna", "codes DNA"),
    ("evenements", "événements de capacité"),
    ("adresses", "adresses d'hébergement"),
    ("codes_dna_incoherents", "anomalies voulues : codes DNA incohérents"),
    ("structures_a_deux_codes_dna", "anomalies voulues : structures à deux codes DNA"),
    ("ecarts_adresses", "anomalies voulues : adresses à plus de 10 % des places"),
    ("places_specialisees_excessives", "anomalies voulues : places spécialisées"),
    ("structures_sans_code_dna", "structures sans code DNA (numérotation pleine)"),
]


def echelle_positive(valeur: str) -> float:
    try:
        echelle = float(valeur)
    except ValueError:
        raise ArgumentTypeError(f"« {valeur} » n'est pas un nombre.") from None
    if echelle <= 0:
        raise ArgumentTypeError("L'échelle doit être positive.")
    return echelle


def nombre(valeur: int) -> str:
    return f"{valeur:,}".replace(",", "\u202f")


class Command(CommandeAbri):
    help = (
        "Génère un parc de démonstration fictif à l'échelle nationale (~1 200 "
        "structures, ~113 000 places), identique pour une même graine. Refuse de "
        "tourner si des structures existent, sauf --si-vide ou --remplacer."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="Graine (2026).")
        parser.add_argument(
            "--scale",
            type=echelle_positive,
            default=1,
            help="Multiplie les places : 10 pour un parc de mesure (~1,1 M places).",
        )
        parser.add_argument(
            "--departement",
            action="append",
            dest="departements",
            metavar="CODE",
            help=(
                "Ne garder que les structures de ce département (répétable) : "
                "ce sont celles du parc entier."
            ),
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--si-vide",
            action="store_true",
            help="Ne rien faire si des structures existent déjà (pour make run).",
        )
        mode.add_argument(
            "--remplacer",
            action="store_true",
            help=(
                "Supprimer d'abord le parc de démonstration ; refuse si la base "
                "contient des structures venues d'ailleurs."
            ),
        )

    def executer(self, *args: Any, **options: Any) -> None:
        seed, echelle = options["seed"], options["scale"]
        existe = Structure.objects.exists()
        if existe and options["si_vide"]:
            self.stdout.write("Des structures existent déjà : rien n'est généré.")
            return
        if existe and not options["remplacer"]:
            raise CommandError(
                "Des structures existent déjà. --si-vide pour ne rien faire, "
                "--remplacer pour remplacer le parc de démonstration."
            )

        debut = time.monotonic()
        try:
            with transaction.atomic():
                if existe:
                    supprimes = supprimer_parc_demo()
                    self.stdout.write(
                        f"Parc de démonstration supprimé : "
                        f"{nombre(supprimes['structures'])} structures, "
                        f"{nombre(supprimes['operateurs'])} opérateurs."
                    )
                compteurs = generer_parc(
                    seed, echelle, departements=options["departements"]
                )
        except ErreurMetier as erreur:
            raise CommandError(erreur.message) from erreur
        duree = time.monotonic() - debut

        for cle, libelle in LIBELLES:
            self.stdout.write(f"{libelle} : {nombre(compteurs[cle])}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Parc de démonstration généré en {duree:.1f} s (graine {seed}, "
                f"échelle {echelle:g}) : {nombre(compteurs['structures'])} structures, "
                f"{nombre(compteurs['places_autorisees'])} places, "
                f"{nombre(compteurs['operateurs'])} opérateurs."
            )
        )
