import datetime

import time_machine

from abri.activite.tests.conftest import mois_de
from abri.pilotage.models import Anomalie
from abri.pilotage.services import recalculer_anomalies

OCTOBRE = datetime.date(2025, 10, 1)


def regles_de(structure):
    return set(
        Anomalie.objects.filter(
            structure=structure, regle__startswith="ACT"
        ).values_list("regle", flat=True)
    )


@time_machine.travel(datetime.date(2025, 11, 20))
def test_each_threshold_crossed_is_a_finding(parc):
    structure = parc.cada_rhone  # 80 authorised places
    mois_de(
        structure,
        OCTOBRE,
        capacite=80,
        places_indisponibles=3,  # 3.75 % > 3 %
        occupees=70,
        presences_indues_bpi=3,  # 4.3 % > 3 %
        presences_indues_deboutes=3,  # 4.3 % > 4 %; 8.6 % in all > 7 %
    )

    recalculer_anomalies([structure])

    assert regles_de(structure) == {"ACT-01", "ACT-02", "ACT-03", "ACT-04"}
    message = Anomalie.objects.get(structure=structure, regle="ACT-01").message
    assert (
        message
        == "Octobre 2025 : 3,8\u00a0% de places indisponibles (seuil 3,0\u00a0%)."
    )


@time_machine.travel(datetime.date(2025, 11, 20))
def test_rates_at_the_thresholds_are_no_finding(parc):
    mois_de(parc.cada_rhone, OCTOBRE, capacite=80, occupees=80)

    recalculer_anomalies([parc.cada_rhone])

    assert regles_de(parc.cada_rhone) == set()


@time_machine.travel(datetime.date(2026, 2, 10))
def test_a_month_older_than_three_months_says_nothing(parc):
    mois_de(parc.cada_rhone, OCTOBRE, capacite=50, places_indisponibles=20)

    recalculer_anomalies([parc.cada_rhone])

    assert regles_de(parc.cada_rhone) == set()


@time_machine.travel(datetime.date(2026, 1, 10))
def test_the_latest_recent_month_is_read(parc):
    mois_de(parc.cada_rhone, OCTOBRE, capacite=80, places_indisponibles=20)
    mois_de(parc.cada_rhone, datetime.date(2025, 11, 1), capacite=80)

    recalculer_anomalies([parc.cada_rhone])

    assert regles_de(parc.cada_rhone) == set()


@time_machine.travel(datetime.date(2025, 11, 20))
def test_capacity_of_the_file_differing_from_authorised_places(parc):
    mois_de(parc.cada_rhone, OCTOBRE, capacite=90, occupees=80)

    recalculer_anomalies([parc.cada_rhone])

    anomalie = Anomalie.objects.get(structure=parc.cada_rhone, regle="ACT-05")
    assert "90 places dans le fichier" in anomalie.message
    assert "80 places autorisées" in anomalie.message


@time_machine.travel(datetime.date(2025, 11, 20))
def test_more_occupied_than_available_places_is_a_finding(parc):
    mois_de(parc.cada_rhone, OCTOBRE, capacite=80, occupees=78, places_indisponibles=4)

    recalculer_anomalies([parc.cada_rhone])

    anomalie = Anomalie.objects.get(structure=parc.cada_rhone, regle="ACT-06")
    assert "78 places occupées pour 76 places disponibles" in anomalie.message
