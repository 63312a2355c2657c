from abri.comptes.models import Role
from abri.fabriques import UtilisateurFactory
from abri.operateurs.models import Operateur
from abri.structures.models import Structure


def visibles(user) -> set[str]:
    return set(Structure.objects.for_user(user).values_list("nom", flat=True))


def test_national_sees_the_whole_park(national, parc):
    assert visibles(national) == {
        "CADA des Pentes",
        "HUDA de Bourg",
        "HUDA de l'Erdre",
        "CPH de la Villette",
    }


def test_regional_agent_sees_its_region_only(regional):
    assert visibles(regional) == {"CADA des Pentes", "HUDA de Bourg"}


def test_departmental_agent_sees_its_departement_only(agent_rhone):
    assert visibles(agent_rhone) == {"CADA des Pentes"}


def test_operator_sees_its_structures_and_its_subsidiaries(operateur):
    assert visibles(operateur) == {"CADA des Pentes", "CPH de la Villette"}


def test_subsidiary_user_does_not_see_its_parent_group(parc):
    user = UtilisateurFactory(role=Role.OPERATEUR, operateur=parc.filiale)
    assert visibles(user) == {"CADA des Pentes"}


def test_reader_sees_its_territory(lecteur):
    assert visibles(lecteur) == {"CPH de la Villette"}


def test_reader_without_territory_sees_the_whole_country(parc):
    user = UtilisateurFactory(role=Role.LECTEUR)
    assert len(visibles(user)) == 4


def test_departmental_agent_without_departement_sees_nothing(parc):
    user = UtilisateurFactory(role=Role.DEPARTEMENTAL)
    assert visibles(user) == set()


def test_operator_account_without_operator_sees_nothing(parc):
    user = UtilisateurFactory(role=Role.OPERATEUR)
    assert visibles(user) == set()


def test_operators_visible_to_an_agent_are_those_running_its_structures(agent_loire):
    noms = set(Operateur.objects.for_user(agent_loire).values_list("nom", flat=True))
    assert noms == {"Accueil Atlantique"}


def test_staff_flag_is_dropped_for_a_non_national_role(parc):
    user = UtilisateurFactory(role=Role.REGIONAL, region=parc.ara, is_staff=True)
    user.refresh_from_db()
    assert not user.is_staff
    assert not user.est_administrateur_national
