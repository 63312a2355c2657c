import datetime

import pytest

from abri.finances import services
from abri.finances.models import Budget, Campagne
from abri.ui.tests.test_navigateur import navigateur, serveur

__all__ = ["navigateur", "serveur"]  # the browser fixtures, for test_navigateur


@pytest.fixture(autouse=True)
def _documents_temporaires(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents")},
        },
    }


@pytest.fixture
def campagne(national) -> Campagne:
    return services.ouvrir_campagne(national, 2025)


@pytest.fixture
def budget_cada(parc, campagne) -> Budget:
    return Budget.objects.get(structure=parc.cada_rhone, annee=2025)


@pytest.fixture
def budget_huda(parc, campagne) -> Budget:
    return Budget.objects.get(structure=parc.huda_ain, annee=2025)


AUJOURDHUI = datetime.date(2026, 6, 1)
