import datetime

from abri.conventions import regles
from abri.conventions.echeances import echeances_de
from abri.conventions.models import AdhesionCpom, Cpom, Etat, Evaluation, NatureActe
from abri.conventions.tests.conftest import acte

D = datetime.date


def _par_nature(user, date):
    return {(e.nature, e.criticite) for e in echeances_de(user, date)}


def test_convention_renewal_is_important_six_months_ahead(parc, agent_rhone):
    acte(parc.cada_rhone, debut=D(2022, 1, 1), fin=D(2026, 12, 31))

    assert _par_nature(agent_rhone, D(2026, 6, 29)) == {
        ("Renouvellement de convention", regles.PLUS_TARD)
    }
    assert _par_nature(agent_rhone, D(2026, 6, 30)) == {
        ("Renouvellement de convention", regles.IMPORTANT)
    }
    assert _par_nature(agent_rhone, D(2027, 1, 1)) == {
        ("Renouvellement de convention", regles.URGENT)
    }


def test_a_renewed_convention_hands_its_deadline_to_its_successor(parc, agent_rhone):
    suivante = acte(parc.cada_rhone, debut=D(2027, 1, 1), fin=D(2031, 12, 31))
    acte(
        parc.cada_rhone,
        debut=D(2022, 1, 1),
        fin=D(2026, 12, 31),
        etat=Etat.RENOUVELEE,
        successeur=suivante,
    )

    echeances = echeances_de(agent_rhone, D(2026, 10, 1))

    assert [e.date for e in echeances] == [D(2031, 12, 31)]


def test_only_the_current_convention_counts(parc, agent_rhone):
    acte(parc.cada_rhone, debut=D(2012, 1, 1), fin=D(2016, 12, 31))
    acte(parc.cada_rhone, debut=D(2022, 1, 1), fin=D(2026, 12, 31))

    assert [e.date for e in echeances_de(agent_rhone, D(2024, 1, 1))] == [
        D(2026, 12, 31)
    ]


def test_missing_external_evaluation_warns_eighteen_months_ahead(parc, agent_rhone):
    acte(
        parc.cada_rhone,
        NatureActe.AUTORISATION,
        D(2015, 1, 1),
        D(2029, 12, 31),
        date_ouverture=D(2015, 1, 1),
    )
    Evaluation.objects.create(structure=parc.cada_rhone, date=D(2019, 6, 1))

    evaluations = [
        e
        for e in echeances_de(agent_rhone, D(2026, 7, 1))
        if e.nature == "Évaluation externe"
    ]

    assert [(e.date, e.criticite) for e in evaluations] == [
        (D(2027, 12, 31), regles.IMPORTANT)
    ]


def test_authorisation_end_is_important_twelve_months_ahead(parc, agent_rhone):
    acte(
        parc.cada_rhone,
        NatureActe.AUTORISATION,
        D(2012, 1, 1),
        D(2026, 12, 31),
        date_ouverture=D(2012, 1, 1),
    )
    Evaluation.objects.create(structure=parc.cada_rhone, date=D(2015, 1, 1))
    Evaluation.objects.create(structure=parc.cada_rhone, date=D(2022, 1, 1))

    assert _par_nature(agent_rhone, D(2026, 1, 1)) == {
        ("Renouvellement de l'autorisation", regles.IMPORTANT)
    }


def test_caducity_of_an_authorisation_not_opened(parc, agent_rhone):
    acte(parc.cada_rhone, NatureActe.AUTORISATION, D(2023, 1, 1), D(2037, 12, 31))

    caducites = [
        e
        for e in echeances_de(agent_rhone, D(2026, 2, 1))
        if e.nature == "Caducité de l'autorisation"
    ]

    assert [(e.date, e.criticite) for e in caducites] == [
        (D(2027, 1, 1), regles.IMPORTANT)
    ]


def test_cpom_renewal_and_perimeter(parc, agent_loire, agent_rhone):
    cpom = Cpom.objects.create(
        operateur=parc.association,
        echelle="departementale",
        intitule="Loire",
        date_debut=D(2022, 1, 1),
        date_fin=D(2026, 12, 31),
        etat=Etat.SIGNEE,
    )
    cpom.departements.set([parc.loire_atlantique])
    AdhesionCpom.objects.create(
        cpom=cpom, structure=parc.huda_loire, date_entree=D(2022, 1, 1)
    )

    assert _par_nature(agent_loire, D(2026, 8, 1)) == {
        ("Renouvellement de CPOM", regles.IMPORTANT)
    }
    assert echeances_de(agent_rhone, D(2026, 8, 1)) == []


def test_agent_of_another_departement_sees_no_deadline(parc, agent_loire):
    acte(parc.cada_rhone, debut=D(2021, 1, 1), fin=D(2025, 12, 31))

    assert echeances_de(agent_loire, D(2026, 3, 1)) == []
