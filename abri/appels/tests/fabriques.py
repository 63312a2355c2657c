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
