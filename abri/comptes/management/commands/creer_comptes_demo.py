from abri.communs.commandes import CommandeAbri
from abri.comptes.demo import MOT_DE_PASSE_DEMO, creer_comptes_demo


class Command(CommandeAbri):
    help = "Crée les comptes de démonstration (un par rôle) s'ils n'existent pas."

    def executer(self, *args: object, **options: object) -> None:
        comptes = creer_comptes_demo()
        for compte in comptes:
            self.stdout.write(f"  {compte.email:<28} {compte.description}")
        self.stdout.write(f"Mot de passe de tous les comptes : {MOT_DE_PASSE_DEMO}")
