import pytest

from abri.fabriques import CodeDnaFactory
from abri.ui.tests.test_navigateur import navigateur, serveur  # noqa: F401 - fixtures


@pytest.fixture
def codes(parc):
    """DNA codes of the park's four structures."""
    return {
        "C6901": CodeDnaFactory(structure=parc.cada_rhone, code="C6901").structure,
        "H0101": CodeDnaFactory(structure=parc.huda_ain, code="H0101").structure,
        "H4401": CodeDnaFactory(structure=parc.huda_loire, code="H4401").structure,
        "R7501": CodeDnaFactory(structure=parc.cph_paris, code="R7501").structure,
    }


def mois_de(structure, mois, capacite=80, occupees=70, **autres):
    """A month of the file for a structure."""
    from abri.activite.models import ActiviteMensuelle, Source

    return ActiviteMensuelle.objects.create(
        structure=structure,
        mois=mois,
        source=autres.pop("source", Source.FICHIER),
        capacite=capacite,
        places_indisponibles=autres.pop("places_indisponibles", 0),
        places_occupees=occupees,
        **autres,
    )
