import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from abri.conventions.models import AdhesionCpom, Cpom, Etat, NatureActe
from abri.conventions.tests.conftest import acte
from abri.fabriques import StructureFactory
from abri.pilotage.models import Anomalie
from abri.pilotage.regles_qualite import contextes
from abri.pilotage.services import recalculer_anomalies

D = datetime.date
JANVIER_2026 = D(2026, 1, 1)
DEBUT = D(2015, 1, 1)
FIN = D(2029, 12, 31)


def _constats(structure, date=JANVIER_2026) -> dict[str, list[str]]:
    recalculer_anomalies([structure], date=date)
    trouves: dict[str, list[str]] = {}
    for a in Anomalie.objects.filter(structure=structure, regle__startswith="ACTE"):
        trouves.setdefault(a.regle, []).append(a.message)
    return trouves


def _autorisation(structure, debut=DEBUT, fin=FIN, **autres):
    return acte(
        structure,
        NatureActe.AUTORISATION,
        debut,
        fin,
        date_ouverture=autres.pop("date_ouverture", debut),
        **autres,
    )


def test_act_ending_before_it_starts_is_a_finding(parc):
    _autorisation(parc.cada_rhone)
    acte(parc.cada_rhone, debut=D(2024, 1, 1), fin=D(2023, 12, 31), reference="X")

    assert "ACTE-01" in _constats(parc.cada_rhone)


def test_convention_longer_than_its_maximum_is_a_finding(parc):
    acte(parc.huda_ain, debut=D(2023, 1, 1), fin=D(2026, 1, 1), reference="H1")

    assert _constats(parc.huda_ain)["ACTE-02"] == [
        "Convention H1 (du 01/01/2023 au 01/01/2026) dure 3 ans et 1 jour, au plus "
        "3 ans pour un HUDA."
    ]


def test_exactly_five_years_is_not_a_finding(parc):
    _autorisation(parc.cada_rhone)
    acte(parc.cada_rhone, debut=D(2021, 3, 15), fin=D(2026, 3, 14))

    assert "ACTE-02" not in _constats(parc.cada_rhone)


def test_convention_outside_authorisation_is_a_finding(parc):
    _autorisation(parc.cada_rhone, debut=D(2023, 1, 1), fin=D(2037, 12, 31))
    acte(parc.cada_rhone, debut=D(2022, 1, 1), fin=D(2026, 12, 31))

    assert "ACTE-03" in _constats(parc.cada_rhone)


def test_convention_inside_authorisation_is_fine(parc):
    _autorisation(parc.cada_rhone)
    acte(parc.cada_rhone, debut=D(2022, 1, 1), fin=D(2026, 12, 31))

    assert _constats(parc.cada_rhone) == {}


def test_structure_in_two_cpom_at_once_is_a_finding(parc):
    un = Cpom.objects.create(
        operateur=parc.association,
        echelle="departementale",
        intitule="Ain 2022",
        date_debut=D(2022, 1, 1),
        date_fin=D(2026, 12, 31),
        etat=Etat.SIGNEE,
    )
    deux = Cpom.objects.create(
        operateur=parc.association,
        echelle="regionale",
        intitule="ARA 2024",
        date_debut=D(2024, 1, 1),
        date_fin=D(2028, 12, 31),
        etat=Etat.SIGNEE,
    )
    AdhesionCpom.objects.create(
        cpom=un, structure=parc.huda_ain, date_entree=D(2022, 1, 1)
    )
    AdhesionCpom.objects.create(
        cpom=deux, structure=parc.huda_ain, date_entree=D(2024, 1, 1)
    )

    assert _constats(parc.huda_ain)["ACTE-04"] == [
        "Dans les CPOM « Ain 2022 » et « ARA 2024 » à la fois à partir du 01/01/2024."
    ]


def test_expired_convention_without_successor_is_a_finding(parc):
    acte(parc.huda_ain, debut=D(2021, 1, 1), fin=D(2023, 12, 31))

    assert "ACTE-05" in _constats(parc.huda_ain, date=D(2024, 1, 1))
    assert "ACTE-05" not in _constats(parc.huda_ain, date=D(2023, 12, 31))


def test_renewed_convention_is_not_a_finding(parc):
    suivante = acte(
        parc.huda_ain, debut=D(2024, 1, 1), fin=D(2026, 12, 31), etat=Etat.BROUILLON
    )
    acte(
        parc.huda_ain,
        debut=D(2021, 1, 1),
        fin=D(2023, 12, 31),
        etat=Etat.RENOUVELEE,
        successeur=suivante,
    )

    assert "ACTE-05" not in _constats(parc.huda_ain, date=D(2024, 2, 1))


def test_authorisation_never_opened_lapses_after_four_years(parc):
    nouveau = StructureFactory(nom="CADA à ouvrir", departement=parc.rhone)
    _autorisation(nouveau, debut=D(2021, 6, 1), fin=D(2036, 5, 31), date_ouverture=None)

    assert "ACTE-06" not in _constats(nouveau, date=D(2025, 5, 31))
    assert "ACTE-06" in _constats(nouveau, date=D(2025, 6, 1))


def test_overlapping_conventions_are_a_finding(parc):
    acte(parc.huda_ain, debut=D(2021, 1, 1), fin=D(2023, 12, 31))
    acte(parc.huda_ain, debut=D(2023, 6, 1), fin=D(2025, 12, 31))

    assert "ACTE-07" in _constats(parc.huda_ain)


def test_findings_are_justifiable(parc, agent_rhone):
    from abri.pilotage.services import justifier_anomalie

    acte(parc.cada_rhone, debut=D(2024, 1, 1), fin=D(2023, 12, 31))
    _constats(parc.cada_rhone)
    anomalie = Anomalie.objects.get(structure=parc.cada_rhone, regle="ACTE-01")

    justifier_anomalie(agent_rhone, anomalie.pk, "Acte repris tel quel, à corriger.")

    assert _constats(parc.cada_rhone)
    assert Anomalie.objects.get(pk=anomalie.pk).justifiee


def _requetes_des_contextes() -> int:
    with CaptureQueriesContext(connection) as requetes:
        list(contextes())
    return len(requetes)


def test_collector_queries_do_not_grow_with_structures(parc):
    acte(parc.cada_rhone)
    avant = _requetes_des_contextes()
    for i in range(6):
        structure = StructureFactory(departement=parc.rhone, operateur=parc.filiale)
        acte(structure, reference=f"C{i}")

    assert _requetes_des_contextes() == avant
