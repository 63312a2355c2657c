from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from abri.territoires.models import Commune


def lancer(*args: str) -> str:
    sortie = StringIO()
    call_command("charger_territoires", *args, stdout=sortie)
    return sortie.getvalue()


@pytest.mark.django_db
def test_command_prints_the_counts() -> None:
    sortie = lancer("--departement", "2A")

    assert "communes : 124 dans les fichiers, 124 créé(e)s, 0 modifié(e)s" in sortie


@pytest.mark.django_db
def test_command_ends_with_a_summary_line() -> None:
    sortie = lancer("--departement", "2A", "--departement", "2B")

    derniere = sortie.strip().splitlines()[-1]
    assert derniere.startswith("Référentiel territorial chargé en ")
    assert "18 régions, 101 départements, 360 communes" in derniere


@pytest.mark.django_db
def test_dry_run_saves_nothing() -> None:
    lancer("--departement", "2A", "--dry-run")

    assert not Commune.objects.exists()


@pytest.mark.django_db
def test_unknown_departement_is_a_command_error() -> None:
    with pytest.raises(CommandError, match="20"):
        lancer("--departement", "20")
