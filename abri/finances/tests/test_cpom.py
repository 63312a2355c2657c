"""Budgets at the level of a CPOM: one per year and type of structure of its members."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from abri.conventions.models import AdhesionCpom, Cpom, Etat
from abri.fabriques import StructureFactory
from abri.finances import services
from abri.finances.models import Budget, StatutBudget

D = datetime.date


def _cpom(parc, operateur=None, structures=()):
    cpom = Cpom.objects.create(
        operateur=operateur or parc.groupe,
        echelle="interdepartementale",
        intitule="Horizon Rhône-Alpes",
        date_debut=D(2023, 1, 1),
        date_fin=D(2027, 12, 31),
        etat=Etat.SIGNEE,
    )
    cpom.departements.set([parc.rhone])
    for structure in structures:
        AdhesionCpom.objects.create(
            cpom=cpom, structure=structure, date_entree=D(2023, 1, 1)
        )
    return cpom


@pytest.fixture
def cpom(parc):
    return _cpom(parc, structures=[parc.cada_rhone])


@pytest.fixture
def budget_cpom(cpom, national):
    services.ouvrir_campagne(national, 2025)
    return Budget.objects.get(cpom=cpom, annee=2025)


def test_campaign_opening_creates_one_budget_per_type_of_the_members(parc, national):
    second_cada = StructureFactory(
        nom="CADA de Vaise", departement=parc.rhone, operateur=parc.filiale
    )
    cph = StructureFactory(
        nom="CPH de Gerland",
        type="CPH",
        departement=parc.rhone,
        operateur=parc.filiale,
    )
    cpom = _cpom(parc, structures=[parc.cada_rhone, second_cada, cph])
    ancien = _cpom(parc, structures=[])
    ancien.date_fin = D(2024, 12, 31)
    ancien.save()

    services.ouvrir_campagne(national, 2025)

    assert sorted(
        Budget.objects.filter(cpom__isnull=False).values_list(
            "cpom_id", "type_structure"
        )
    ) == [(cpom.pk, "CADA"), (cpom.pk, "CPH")]
    # the structures keep their own budgets
    assert Budget.objects.filter(structure=parc.cada_rhone, annee=2025).exists()
    campagne = Budget.objects.filter(cpom=cpom).first().campagne
    assert services.completer_campagne(national, campagne.pk) == 0


def test_completing_a_campaign_adds_a_cpom_formed_later(parc, national):
    campagne = services.ouvrir_campagne(national, 2025)
    cpom = _cpom(parc, structures=[parc.cada_rhone])

    assert services.completer_campagne(national, campagne.pk) == 1
    assert Budget.objects.get(cpom=cpom).type_structure == "CADA"


def test_a_budget_is_of_a_structure_or_of_a_cpom_never_both(parc, cpom, national):
    campagne = services.ouvrir_campagne(national, 2026)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Budget.objects.create(
            campagne=campagne,
            structure=parc.huda_ain,
            cpom=cpom,
            type_structure="HUDA",
            annee=2026,
        )
    with transaction.atomic(), pytest.raises(IntegrityError):
        Budget.objects.create(campagne=campagne, annee=2026)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Budget.objects.create(campagne=campagne, cpom=cpom, annee=2026)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Budget.objects.create(
            campagne=campagne, cpom=cpom, type_structure="CADA", annee=2026
        )


def test_operator_sees_its_cpom_budget_and_another_departement_gets_404(
    client, budget_cpom, operateur, agent_rhone, agent_loire, parc
):
    assert budget_cpom in Budget.objects.for_user(operateur)
    assert budget_cpom in Budget.objects.for_user(agent_rhone)
    assert budget_cpom not in Budget.objects.for_user(agent_loire)

    client.force_login(operateur)
    page = client.get(reverse("finances:budget", args=[budget_cpom.pk]))
    assert page.status_code == 200
    assert "Horizon Rhône-Alpes (CPOM, CADA)" in page.content.decode()

    client.force_login(agent_loire)
    url = reverse("finances:budget", args=[budget_cpom.pk])
    assert client.get(url).status_code == 404


def test_another_operator_does_not_see_the_cpom_budget(budget_cpom, parc):
    from abri.comptes.models import Role
    from abri.fabriques import UtilisateurFactory

    autre = UtilisateurFactory(
        email="autre@abri.test", role=Role.OPERATEUR, operateur=parc.association
    )
    assert budget_cpom not in Budget.objects.for_user(autre)


def test_submitting_and_instructing_a_cpom_budget_through_the_pages(
    client, budget_cpom, operateur, agent_rhone
):
    client.force_login(operateur)
    reponse = client.post(
        reverse("finances:proposition", args=[budget_cpom.pk]),
        {
            "version": budget_cpom.version,
            "charges_proposees": "500 000",
            "produits_proposes": "20 000",
            "dotation_demandee": "480 000",
            "etp": "8",
            "etape": "",
        },
    )
    assert reponse.status_code == 302
    budget = Budget.objects.get(pk=budget_cpom.pk)
    assert budget.statut == StatutBudget.PROPOSITION_DEPOSEE

    client.force_login(agent_rhone)
    assert (
        client.get(reverse("finances:instruction", args=[budget.pk])).status_code == 200
    )
    reponse = client.post(
        reverse("finances:instruction", args=[budget.pk]),
        {
            "version": budget.version,
            "charges_retenues": "490 000",
            "produits_retenus": "20 000",
            "dotation_accordee": "470 000",
            "date_decision_tarifaire": "15/01/2025",
            "etape": "",
        },
    )
    assert reponse.status_code == 302
    budget = Budget.objects.get(pk=budget.pk)
    assert budget.statut == StatutBudget.INSTRUIT
    assert budget.dotation_accordee == Decimal("470000")

    page = client.get(reverse("finances:budget", args=[budget.pk])).content.decode()
    # 80 places of the CADA all the year: 490 000 / (80 x 365)
    assert "16,78" in page


def test_cpom_page_lists_its_budgets_in_constant_queries(
    client, parc, national, budget_cpom, cpom
):
    client.force_login(national)
    url = reverse("conventions:cpom", args=[cpom.pk])
    client.get(url)  # the session and the content types are read once
    with CaptureQueriesContext(connection) as avant:
        page = client.get(url)
    assert reverse("finances:budget", args=[budget_cpom.pk]) in page.content.decode()

    for annee in (2026, 2027):
        services.ouvrir_campagne(national, annee)
    for i in range(3):
        structure = StructureFactory(
            nom=f"CADA {i}", departement=parc.rhone, operateur=parc.filiale
        )
        AdhesionCpom.objects.create(
            cpom=cpom, structure=structure, date_entree=D(2023, 1, 1)
        )
    with CaptureQueriesContext(connection) as apres:
        client.get(url)
    assert Budget.objects.filter(cpom=cpom).count() == 3
    assert len(apres) == len(avant)
