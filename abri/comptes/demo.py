"""Demonstration accounts, one per role, for `make run` and the demo platform."""

from dataclasses import dataclass

from django.db import transaction

from abri.comptes.models import Role, Utilisateur
from abri.operateurs.models import Operateur
from abri.territoires.models import Departement, Region

MOT_DE_PASSE_DEMO = "abri-demo-2026"


@dataclass(frozen=True)
class CompteDemo:
    email: str
    prenom: str
    nom: str
    role: str
    description: str


COMPTES = (
    CompteDemo(
        "national@abri.local",
        "Nadia",
        "Martin",
        Role.NATIONAL,
        "administration centrale, administratrice nationale",
    ),
    CompteDemo(
        "regional@abri.local",
        "Romain",
        "Bernard",
        Role.REGIONAL,
        "service régional, Auvergne-Rhône-Alpes",
    ),
    CompteDemo(
        "departemental@abri.local",
        "Denise",
        "Petit",
        Role.DEPARTEMENTAL,
        "service départemental, Loire-Atlantique (44)",
    ),
    CompteDemo(
        "operateur@abri.local",
        "Omar",
        "Robert",
        Role.OPERATEUR,
        "opérateur, le plus grand groupe du parc et ses filiales",
    ),
    CompteDemo(
        "lecteur@abri.local",
        "Léa",
        "Richard",
        Role.LECTEUR,
        "partenaire en lecture seule, Île-de-France",
    ),
)


def creer_comptes_demo() -> list[CompteDemo]:
    """Create the demonstration accounts that do not exist yet (idempotent)."""
    with transaction.atomic():
        for compte in COMPTES:
            if Utilisateur.objects.filter(email=compte.email).exists():
                continue
            user = Utilisateur(
                email=compte.email,
                prenom=compte.prenom,
                nom=compte.nom,
                role=compte.role,
            )
            if compte.role == Role.NATIONAL:
                user.is_staff = user.is_superuser = True
            elif compte.role == Role.REGIONAL:
                user.region = Region.objects.get(code="84")
            elif compte.role == Role.LECTEUR:
                user.region = Region.objects.get(code="11")
            elif compte.role == Role.OPERATEUR:
                user.operateur = _plus_grand_groupe()
            user.set_password(MOT_DE_PASSE_DEMO)
            user.save()
            if compte.role == Role.DEPARTEMENTAL:
                user.departements.set([Departement.objects.get(code="44")])
    return list(COMPTES)


def _plus_grand_groupe() -> Operateur | None:
    from django.db.models import Count

    return (
        Operateur.objects.filter(groupe__isnull=True)
        .annotate(n=Count("filiales"))
        .order_by("-n", "id")
        .first()
    )
