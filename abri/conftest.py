"""Personas and a small park reused across the suite.

The park: régions Auvergne-Rhône-Alpes (Rhône 69, Ain 01), Pays de la Loire
(Loire-Atlantique 44), Île-de-France (Paris 75); a group of operators with one
subsidiary, and an independent association.
"""

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.template.base import Node

from abri.comptes.models import Role, Utilisateur
from abri.fabriques import (
    DepartementFactory,
    OperateurFactory,
    RegionFactory,
    StructureFactory,
    UtilisateurFactory,
)
from abri.operateurs.models import Operateur
from abri.structures.models import Structure, TypeStructure
from abri.territoires.models import Departement, Region

RACINE_ABRI = str(Path(__file__).resolve().parent)


def _gabarit_en_cours() -> str:
    """Name of the template whose node is being rendered, found up the call stack."""
    frame = sys._getframe(2)
    while frame is not None:
        noeud = frame.f_locals.get("self")
        if isinstance(noeud, Node) and getattr(noeud, "origin", None) is not None:
            return noeud.origin.name or ""
        frame = frame.f_back
    return ""


class VariableIndefinie(str):
    """Makes an undefined variable in one of abri's templates fail the test instead of
    rendering empty. Third-party templates (django-dsfr, the admin) rely on undefined
    variables with ``default`` and are left alone."""

    def __mod__(self, nom: object) -> str:
        if _gabarit_en_cours().startswith(RACINE_ABRI):
            raise AssertionError(f"Variable de gabarit indéfinie : {nom}")
        return ""


@pytest.fixture(autouse=True)
def _gabarits_stricts(settings):
    settings.TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = VariableIndefinie("%s")
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
        "documents": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


@dataclass
class Parc:
    ara: Region
    pdl: Region
    idf: Region
    rhone: Departement
    ain: Departement
    loire_atlantique: Departement
    paris: Departement
    groupe: Operateur
    filiale: Operateur
    association: Operateur
    cada_rhone: Structure
    huda_ain: Structure
    huda_loire: Structure
    cph_paris: Structure


@pytest.fixture
def parc(db) -> Parc:
    ara = RegionFactory(code="84", nom="Auvergne-Rhône-Alpes")
    pdl = RegionFactory(code="52", nom="Pays de la Loire")
    idf = RegionFactory(code="11", nom="Île-de-France")
    rhone = DepartementFactory(code="69", nom="Rhône", region=ara, rang=70)
    ain = DepartementFactory(code="01", nom="Ain", region=ara, rang=1)
    loire = DepartementFactory(code="44", nom="Loire-Atlantique", region=pdl, rang=45)
    paris = DepartementFactory(code="75", nom="Paris", region=idf, rang=76)
    groupe = OperateurFactory(nom="Groupe Horizon")
    filiale = OperateurFactory(nom="Horizon Rhône", groupe=groupe)
    association = OperateurFactory(nom="Accueil Atlantique")
    return Parc(
        ara=ara,
        pdl=pdl,
        idf=idf,
        rhone=rhone,
        ain=ain,
        loire_atlantique=loire,
        paris=paris,
        groupe=groupe,
        filiale=filiale,
        association=association,
        cada_rhone=StructureFactory(
            nom="CADA des Pentes", departement=rhone, operateur=filiale, capacite=80
        ),
        huda_ain=StructureFactory(
            nom="HUDA de Bourg",
            type=TypeStructure.HUDA,
            departement=ain,
            operateur=association,
            capacite=40,
        ),
        huda_loire=StructureFactory(
            nom="HUDA de l'Erdre",
            type=TypeStructure.HUDA,
            departement=loire,
            operateur=association,
            capacite=50,
        ),
        cph_paris=StructureFactory(
            nom="CPH de la Villette",
            type=TypeStructure.CPH,
            departement=paris,
            operateur=groupe,
            capacite=30,
        ),
    )


@pytest.fixture
def national(parc: Parc) -> Utilisateur:
    return UtilisateurFactory(
        email="national@abri.test", role=Role.NATIONAL, is_staff=True, is_superuser=True
    )


@pytest.fixture
def regional(parc: Parc) -> Utilisateur:
    return UtilisateurFactory(
        email="regional@abri.test", role=Role.REGIONAL, region=parc.ara
    )


@pytest.fixture
def agent_rhone(parc: Parc) -> Utilisateur:
    return UtilisateurFactory(email="rhone@abri.test", departements=[parc.rhone])


@pytest.fixture
def agent_loire(parc: Parc) -> Utilisateur:
    return UtilisateurFactory(
        email="loire@abri.test", departements=[parc.loire_atlantique]
    )


@pytest.fixture
def operateur(parc: Parc) -> Utilisateur:
    return UtilisateurFactory(
        email="operateur@abri.test", role=Role.OPERATEUR, operateur=parc.groupe
    )


@pytest.fixture
def lecteur(parc: Parc) -> Utilisateur:
    return UtilisateurFactory(
        email="lecteur@abri.test", role=Role.LECTEUR, region=parc.idf
    )
