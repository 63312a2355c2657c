"""Daily digest of deadlines, run by the host's scheduler; idempotent."""

import datetime

from django.core.management.base import CommandParser

from abri.communs.commandes import CommandeAbri
from abri.conventions.rappels import envoyer_rappels
from abri.conventions.services import constater_echeances


class Command(CommandeAbri):
    help = (
        "Constate l'échéance des actes signés dont la fin est passée, puis envoie à "
        "chaque agent les échéances de son périmètre devenues urgentes ou "
        "importantes. Sans effet la deuxième fois le même jour."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            default=None,
            help="Date du calcul (AAAA-MM-JJ), aujourd'hui par défaut.",
        )
        parser.add_argument(
            "--url",
            default=None,
            help="Adresse du service dans les liens des courriels "
            "(ABRI_URL_PUBLIQUE par défaut).",
        )
        parser.add_argument("--dry-run", action="store_true")

    def executer(self, *args: object, **options: object) -> str:
        date = options["date"] or datetime.date.today()
        assert isinstance(date, datetime.date)
        echues = 0 if options["dry_run"] else constater_echeances(date)
        url = options["url"]
        assert url is None or isinstance(url, str)
        bilan = envoyer_rappels(date, dry_run=bool(options["dry_run"]), url=url)
        verbe = "seraient envoyées" if options["dry_run"] else "envoyées"
        return (
            f"{echues} acte(s) constaté(s) échu(s) ; {bilan.echeances} échéance(s) "
            f"{verbe} à {bilan.destinataires} agent(s)."
        )
