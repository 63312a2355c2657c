"""The build script of the data files (run by developers, tested here)."""

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from abri.territoires.services import DOSSIER_DONNEES

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "construire_territoires.py"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("construire_territoires", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def commune(
    code: str, type_: str = "commune-actuelle", **autres: Any
) -> dict[str, Any]:
    return {
        "code": code,
        "nom": f"Commune {code}",
        "departement": code[:2],
        "type": type_,
        "population": 10,
        "codesPostaux": [],
        **autres,
    }


def test_insee_order_puts_corsica_between_29_and_30(script: ModuleType) -> None:
    codes = ["30", "2B", "971", "01", "2A", "29"]

    assert sorted(codes, key=script.cle_ordre_insee) == [
        "01",
        "29",
        "2A",
        "2B",
        "30",
        "971",
    ]


def test_communes_outside_the_departements_are_left_out(script: ModuleType) -> None:
    objets = [commune("01001"), commune("98735", departement="987")]

    communes, _ = script.construire_communes(objets, ["01"])

    assert [c["code_insee"] for c in communes] == ["01001"]


def test_communes_deleguees_are_left_out(script: ModuleType) -> None:
    objets = [commune("01001"), commune("01002", "commune-deleguee")]

    communes, _ = script.construire_communes(objets, ["01"])

    assert [c["code_insee"] for c in communes] == ["01001"]


def test_arrondissement_postal_code_missing_on_its_commune_is_added(
    script: ModuleType,
) -> None:
    objets = [
        commune("75056", codesPostaux=["75001"]),
        commune(
            "75101",
            "arrondissement-municipal",
            commune="75056",
            codesPostaux=["75001", "75099"],
        ),
    ]

    communes, ajoutes = script.construire_communes(objets, ["75"])

    assert (communes[0]["codes_postaux"], ajoutes) == ({"75001", "75099"}, 1)


def test_population_gap_between_communes_and_departement_is_reported(
    script: ModuleType,
) -> None:
    communes = [{"departement": "01", "population": 10}]
    departements = [{"code": "01", "population": 11}]

    assert script.verifier_populations(communes, departements) == [
        "01 : communes 10 ≠ département 11"
    ]


def test_shipped_communes_file_stays_below_3_mb() -> None:
    assert (DOSSIER_DONNEES / "communes.csv").stat().st_size < 3_000_000
