"""Calls for projects in the usual states, built without going through every step."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from abri.appels.models import AppelAProjets, Candidature, EtatAppel, EtatCandidature
from abri.structures.models import Public, TypeStructure

CRITERES = [
    {"libelle": "Qualité du projet", "poids": 3},
    {"libelle": "Coût", "poids": 2},
    {"libelle": "Délai d'ouverture", "poids": 1},
]


def appel(departement: Any = None, region: Any = None, **champs: Any) -> AppelAProjets:
    valeurs: dict[str, Any] = {
        "intitule": "Création de places de CADA",
        "departement": departement,
        "region": region or (departement.region if departement else None),
        "type_structure": TypeStructure.CADA,
        "public": Public.TOUS,
        "places_recherchees": 100,
        "cout_journalier_cible": Decimal("21.50"),
        "criteres": CRITERES,
        "date_publication": datetime.date(2025, 1, 6),
        "date_cloture": datetime.date(2025, 3, 14),
        "date_decision": datetime.date(2025, 5, 30),
        "date_ouverture": datetime.date(2025, 9, 1),
        "etat": EtatAppel.PUBLIE,
        "publie_le": datetime.date(2025, 1, 6),
    }
    valeurs.update(champs)
    return AppelAProjets.objects.create(**valeurs)


def candidature(appel: AppelAProjets, operateur: Any, **champs: Any) -> Candidature:
    valeurs: dict[str, Any] = {
        "projet": "Cinquante places en diffus.",
        "departement": appel.departement,
        "places_proposees": 50,
        "cout_journalier_propose": Decimal("20.00"),
        "lots_proposes": [{"places": 50, "date": "2025-09-01"}],
        "etat": EtatCandidature.DEPOSEE,
    }
    valeurs.update(champs)
    return Candidature.objects.create(appel=appel, operateur=operateur, **valeurs)


def appels_du_parc() -> None:
    """Calls, candidatures and lots across the test park, for the walks of every
    URL by every role."""
    from abri.appels.models import Lot, ObjectifRegional
    from abri.structures.models import Structure
    from abri.territoires.models import Departement

    rhone = Departement.objects.get(code="69")
    loire = Departement.objects.get(code="44")
    paris = Departement.objects.get(code="75")
    publie = appel(rhone, intitule="Appel Rhône")
    brouillon = appel(loire, intitule="Appel Loire", etat=EtatAppel.BROUILLON)
    instruction = appel(paris, intitule="Appel Paris", etat=EtatAppel.EN_INSTRUCTION)
    appel(None, intitule="Appel national")
    for a in (publie, instruction):
        for structure in Structure.objects.filter(departement=a.departement):
            candidature(a, structure.operateur, departement=a.departement)
    candidature(
        brouillon,
        Structure.objects.filter(departement=loire).first().operateur,  # type: ignore[union-attr]
        etat=EtatCandidature.BROUILLON,
    )
    for structure in Structure.objects.all():
        Lot.objects.create(
            structure=structure, places=10, date_prevue=datetime.date(2025, 3, 1)
        )
    for departement in (rhone, loire):
        ObjectifRegional.objects.create(
            region=departement.region, annee=2026, type_structure="CADA", places=20
        )
