import datetime

from django.core.management import call_command

from abri.appels.demo import generer_appels
from abri.appels.models import AppelAProjets, EtatAppel, Lot
from abri.appels.queries import figures_ouverture
from abri.fabriques import StructureFactory


def test_demo_fills_every_state_and_is_idempotent(parc, national):
    for rang in range(12):
        StructureFactory(departement=parc.rhone if rang % 2 else parc.loire_atlantique)
    bilan = generer_appels(datetime.date(2026, 12, 1))
    assert bilan is not None
    assert set(AppelAProjets.objects.values_list("etat", flat=True)) <= set(
        EtatAppel.values
    )
    assert Lot.objects.exists()
    assert generer_appels(datetime.date(2026, 12, 1)) is None
    figures = figures_ouverture(national, datetime.date(2026, 12, 1))
    assert figures.nuitees > 0


def test_demo_command_runs_twice(parc, capsys):
    call_command("generer_appels_demo")
    call_command("generer_appels_demo")
    assert "déjà présents" in capsys.readouterr().out
