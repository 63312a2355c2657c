import pytest

from abri.fabriques import CodeDnaFactory


@pytest.fixture
def codes(parc):
    """DNA codes of the park's four structures."""
    return {
        "C6901": CodeDnaFactory(structure=parc.cada_rhone, code="C6901").structure,
        "H0101": CodeDnaFactory(structure=parc.huda_ain, code="H0101").structure,
        "H4401": CodeDnaFactory(structure=parc.huda_loire, code="H4401").structure,
        "R7501": CodeDnaFactory(structure=parc.cph_paris, code="R7501").structure,
    }
