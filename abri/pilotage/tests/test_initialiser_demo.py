import io

import pytest
from django.core.management import call_command

from abri.activite.models import ActiviteMensuelle
from abri.conventions.models import Acte
from abri.finances.models import Budget
from abri.pilotage.management.commands import recalculer_anomalies as commande
from abri.pilotage.models import Anomalie
from abri.structures.models import Structure


@pytest.fixture
def recalculs(monkeypatch):
    """The findings recomputations the demo runs."""
    appels = []
    origine = commande.recalculer_anomalies

    def compter(*args, **kwargs):
        appels.append(1)
        return origine(*args, **kwargs)

    monkeypatch.setattr(commande, "recalculer_anomalies", compter)
    return appels


def _initialiser() -> str:
    sortie = io.StringIO()
    call_command("initialiser_demo", "--departement", "48", stdout=sortie)
    return sortie.getvalue()


@pytest.mark.django_db(transaction=True)
def test_demo_twice_second_run_adds_nothing_and_recomputes_nothing(
    settings, tmp_path, recalculs
):
    settings.VAR_DIR = tmp_path

    _initialiser()
    comptes = (
        Structure.objects.count(),
        ActiviteMensuelle.objects.count(),
        Acte.objects.count(),
        Budget.objects.count(),
        Anomalie.objects.count(),
    )
    assert recalculs == [1]
    assert all(comptes[:4])
    assert call_command("recalculer_anomalies", stdout=io.StringIO()) is None
    assert Anomalie.objects.count() == comptes[4]

    sortie = _initialiser()

    assert "Aucune donnée ajoutée" in sortie
    assert recalculs == [1, 1]  # only the explicit one above
    assert (
        Structure.objects.count(),
        ActiviteMensuelle.objects.count(),
        Acte.objects.count(),
        Budget.objects.count(),
        Anomalie.objects.count(),
    ) == comptes


@pytest.mark.django_db(transaction=True)
def test_an_existing_database_gets_the_data_of_a_new_app_and_its_findings(
    settings, tmp_path, recalculs
):
    settings.VAR_DIR = tmp_path
    _initialiser()
    ActiviteMensuelle.objects.all().delete()

    _initialiser()

    assert ActiviteMensuelle.objects.exists()
    assert recalculs == [1, 1]
