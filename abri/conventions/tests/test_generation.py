from decimal import Decimal

import pytest

from abri.conventions.generation import (
    PARAGRAPHES_DEFAUT,
    adresse_postale,
    contexte_brouillon,
    euros_en_lettres,
)
from abri.conventions.tests.conftest import acte
from abri.fabriques import CommuneFactory


@pytest.mark.parametrize(
    ("montant", "attendu"),
    [
        ("1000", "mille euros"),
        ("1000.00", "mille euros"),
        ("1", "un euro"),
        ("1000000", "un million d'euros"),
        ("2000000", "deux millions d'euros"),
        ("1234.50", "mille deux cent trente-quatre euros et cinquante centimes"),
        ("10.01", "dix euros et un centime"),
    ],
)
def test_amount_in_words_has_no_zero_cents(montant, attendu):
    assert euros_en_lettres(Decimal(montant)) == attendu


def test_the_address_carries_the_commune(parc):
    structure = parc.cada_rhone
    structure.adresse = "53 boulevard Voltaire"
    structure.code_postal = "44380"
    structure.commune = CommuneFactory(code_insee="44132", nom="Pornichet")

    assert adresse_postale(structure) == "53 boulevard Voltaire, 44380 Pornichet"


def test_draft_context_reads_as_french(parc):
    convention = acte(parc.cada_rhone, places=58, dotation=Decimal("1000.00"))

    contexte = contexte_brouillon(convention)

    assert contexte["dotation_en_lettres"] == "mille euros"
    assert contexte["departement"] == parc.cada_rhone.departement.nom
    texte = " ".join(t for _, t in PARAGRAPHES_DEFAUT)
    assert "préfet du département {{" not in texte
    assert "préfet (département : {{ departement }})" in texte
