import time

from abri.communs.commandes import CommandeAbri
from abri.pilotage.services import recalculer_anomalies


class Command(CommandeAbri):
    help = (
        "Applique les règles de qualité des données à tout le parc et enregistre les "
        "constats. Idempotent : peut être lancé par le planificateur autant que voulu."
    )

    def executer(self, *args: object, **options: object) -> None:
        debut = time.monotonic()
        compteurs = recalculer_anomalies()
        self.stdout.write(
            f"Constats : {compteurs['creees']} nouveaux, {compteurs['maintenues']} "
            f"maintenus, {compteurs['supprimees']} levés "
            f"({time.monotonic() - debut:.1f} s)."
        )
