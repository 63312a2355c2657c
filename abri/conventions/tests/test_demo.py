import datetime

from django.core.management import call_command

from abri.conventions.demo import generer_actes
from abri.conventions.models import Acte, Cpom, Etat, NatureActe
from abri.fabriques import StructureFactory


def test_demo_acts_are_generated_once(parc):
    for _ in range(3):
        StructureFactory(departement=parc.ain, operateur=parc.association, capacite=30)

    premier = generer_actes(datetime.date(2026, 6, 1), graine=1)
    nombre = Acte.objects.count()

    assert premier is not None and premier.conventions > 0
    assert generer_actes(datetime.date(2026, 6, 1), graine=1) is None
    assert Acte.objects.count() == nombre
    assert Cpom.objects.count() == 1


def test_every_structure_has_a_chain_of_conventions(parc):
    generer_actes(datetime.date(2026, 6, 1), graine=3)

    for structure in (parc.cada_rhone, parc.huda_ain, parc.huda_loire, parc.cph_paris):
        conventions = list(
            Acte.objects.filter(
                structure=structure, nature=NatureActe.CONVENTION
            ).order_by("date_debut")
        )
        assert len(conventions) >= 2
        assert conventions[0].successeur == conventions[1]
        assert conventions[0].etat == Etat.RENOUVELEE


def test_command_runs_on_a_park_without_acts(parc):
    call_command("generer_conventions_demo", "--seed", "5")
    call_command("generer_conventions_demo", "--seed", "5")

    assert Acte.objects.filter(nature=NatureActe.AUTORISATION).count() == 2
