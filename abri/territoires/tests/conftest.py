"""Fixtures of the territoires tests: reference data loaded for a few départements."""

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from abri.territoires.services import DOSSIER_DONNEES, charger_referentiel

# Enough to cover Corsica, overseas, Paris/Lyon/Marseille and the 04/05 postal codes.
DEPARTEMENTS_ESSAI = ["01", "04", "05", "13", "2A", "2B", "69", "75", "974"]


@pytest.fixture
def referentiel(db: None) -> dict[str, int]:
    return charger_referentiel(departements=DEPARTEMENTS_ESSAI)


@pytest.fixture
def dossier_copie(tmp_path: Path) -> Path:
    """A copy of the shipped data files, which a test may change."""
    for nom in ("regions.csv", "departements.csv", "communes.csv"):
        shutil.copy(DOSSIER_DONNEES / nom, tmp_path / nom)
    return tmp_path


@pytest.fixture
def remplacer_ligne(dossier_copie: Path) -> Callable[[str, str, str | None], None]:
    """Replace, in one file of the copy, the line that starts with a given prefix."""

    def remplacer(fichier: str, debut: str, nouvelle: str | None) -> None:
        chemin = dossier_copie / fichier
        lignes = chemin.read_text(encoding="utf-8").splitlines(keepends=True)
        trouvees = [i for i, ligne in enumerate(lignes) if ligne.startswith(debut)]
        assert len(trouvees) == 1, f"{debut!r} doit désigner une seule ligne"
        if nouvelle is None:
            del lignes[trouvees[0]]
        else:
            lignes[trouvees[0]] = nouvelle + "\n"
        chemin.write_text("".join(lignes), encoding="utf-8")

    return remplacer
