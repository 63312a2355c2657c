import time

from django.core.management.base import BaseCommand

from abri.pilotage.services import recalculer_anomalies


class Command(BaseCommand):
    help = (
        "Applique les règles de qualité des données à tout le parc et enregistre les "
        "constats. Idempotent : peut être lancé par le planificateur autant que voulu."
    )

    def handle(self, *args: object, **options: object) -> None:
        debut = time.monotonic()
        compteurs = recalculer_anomalies()
        self.stdout.write(
            f"Constats : {compteurs['creees']} nouveaux, {compteurs['maintenues']} "
            f"maintenus, {compteurs['supprimees']} levés "
            f"({time.monotonic() - debut:.1f} s)."
        )
