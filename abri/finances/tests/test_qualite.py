import datetime
from decimal import Decimal

import pytest

from abri.finances import regles
from abri.finances.indicateurs import AnneeFinanciere, DonneesFinancieres
from abri.finances.models import Affectation, Budget, EtapeAffectation
from abri.pilotage.models import Anomalie
from abri.pilotage.regles_qualite import REGLES, ContexteStructure
from abri.pilotage.services import recalculer_anomalies
from abri.structures.regles import Capacite

D = Decimal
AUJOURDHUI = datetime.date(2026, 6, 1)


def _annee(annee=2025, type_structure="CADA", **figures) -> AnneeFinanciere:
    figures.setdefault("places_moyennes", D(50))
    return AnneeFinanciere(
        budget_id=annee, annee=annee, statut="cloture", type_structure=type_structure,
        **figures,
    )  # fmt: skip


def _constats(code, *annees, type_structure="CADA", ouverture=2010):
    donnees = DonneesFinancieres(
        structure_id=1,
        type_structure=type_structure,
        ile_de_france=False,
        annee_ouverture=ouverture,
        annees={a.annee: a for a in annees},
    )
    contexte = ContexteStructure(
        structure_id=1,
        type=type_structure,
        departement_code="69",
        finess="",
        capacite=Capacite(50),
        places_adresses=0,
        nombre_adresses=0,
        date=AUJOURDHUI,
        donnees={"finances": donnees},
    )
    return REGLES[code].constats(contexte)


def _comptes(resultat: str) -> dict:
    return {"charges_reelles": D(100000), "produits_reels": D(100000) + D(resultat)}


def test_a_result_of_exactly_zero_is_flagged():
    assert _constats("BUD-01", _annee(**_comptes("0")))
    assert not _constats("BUD-01", _annee(**_comptes("0.01")))


def test_the_current_year_and_years_before_opening_are_not_checked():
    assert not _constats("BUD-01", _annee(2026, **_comptes("0")))
    assert not _constats("BUD-01", _annee(2015, **_comptes("0")), ouverture=2016)


def test_a_result_without_allocation_is_flagged():
    assert _constats("BUD-02", _annee(**_comptes("500")))


def test_prahda_results_are_not_allocated():
    assert not _constats("BUD-02", _annee(type_structure="PRAHDA", **_comptes("500")))


def test_tariffed_allocation_not_adding_up():
    affectation = regles.AffectationTarifee(reprise_etat=D(300))
    annee = _annee(affectation_decidee=affectation, **_comptes("500"))

    assert _constats("BUD-03", annee)
    assert not _constats("BUD-04", annee)


def test_tariffed_recovery_with_inverted_sign_is_its_own_finding():
    affectation = regles.AffectationTarifee(
        reprise_etat=D(300), report_a_nouveau=D(-200)
    )
    annee = _annee(affectation_decidee=affectation, **_comptes("-500"))

    assert not _constats("BUD-03", annee)
    assert _constats("BUD-04", annee)


def test_decided_allocation_prevails_over_the_proposed_one():
    annee = _annee(
        affectation_proposee=regles.AffectationTarifee(reprise_etat=D(1)),
        affectation_decidee=regles.AffectationTarifee(reprise_etat=D(500)),
        **_comptes("500"),
    )

    assert not _constats("BUD-03", annee)


def test_subsidised_surplus_not_fully_allocated():
    affectation = regles.AffectationSubventionnee(excedent_reverse=D(100))
    annee = _annee(type_structure="HUDA", affectation_decidee=affectation,
                   **_comptes("500"))  # fmt: skip

    assert _constats("BUD-03", annee, type_structure="HUDA")


def test_subsidised_deficit_with_surpluses_allocated():
    affectation = regles.AffectationSubventionnee(excedent_reemploye=D(100))
    annee = _annee(type_structure="HUDA", affectation_decidee=affectation,
                   **_comptes("-500"))  # fmt: skip

    assert _constats("BUD-05", annee, type_structure="HUDA")


def test_subsidised_surplus_with_a_state_compensation():
    affectation = regles.AffectationSubventionnee(
        excedent_reverse=D(500), deficit_compense=D(-100)
    )
    annee = _annee(type_structure="CAES", affectation_decidee=affectation,
                   **_comptes("500"))  # fmt: skip

    assert _constats("BUD-06", annee, type_structure="CAES")


@pytest.mark.parametrize(
    ("type_structure", "etp", "signale"),
    [
        ("CADA", D("2.4"), True),  # 20.83 places per FTE
        ("CADA", D("2.5"), False),  # 20
        ("HUDA", D("2.4"), False),
        ("HUDA", D("1.9"), True),  # 26.3
        ("CADA", D(26), True),  # 1.92
    ],
)
def test_staffing_ratio_bounds(type_structure, etp, signale):
    annee = _annee(type_structure=type_structure, etp=etp)

    assert bool(_constats("BUD-07", annee, type_structure=type_structure)) is signale


def test_daily_cost_below_15_euros():
    # 50 places × 365 days × 14.99 €.
    annee = _annee(charges_retenues=D("273567.50"))

    assert "moins de" in _constats("BUD-08", annee)[0].message


def test_daily_cost_above_target():
    au_dessus = _annee(charges_retenues=D(400000), tarif_cible=D("21.00"))  # 21.92
    dessous = _annee(charges_retenues=D(380000), tarif_cible=D("21.00"))  # 20.82

    assert "coût cible" in _constats("BUD-08", au_dessus)[0].message
    assert not _constats("BUD-08", dessous)


def test_deficit_in_two_of_the_last_three_years():
    annees = [
        _annee(2023, **_comptes("-1")),
        _annee(2024, **_comptes("10")),
        _annee(2025, **_comptes("-2")),
    ]

    assert _constats("BUD-09", *annees)
    assert not _constats("BUD-09", *annees[:2])


def test_findings_are_stored_per_year_and_recomputed(budget_cada, parc):
    Budget.objects.filter(pk=budget_cada.pk).update(
        charges_reelles=D(1000), produits_reels=D(1000), statut="cloture"
    )
    Affectation.objects.create(budget=budget_cada, etape=EtapeAffectation.DECIDEE)

    recalculer_anomalies([parc.cada_rhone], AUJOURDHUI)

    assert set(
        Anomalie.objects.filter(structure=parc.cada_rhone).values_list("regle", "cle")
    ) >= {("BUD-01", "2025")}


def test_collector_runs_in_constant_queries(django_assert_max_num_queries, parc):
    from abri.finances.qualite import collecter

    ids = [parc.cada_rhone.pk, parc.huda_ain.pk, parc.cph_paris.pk]
    with django_assert_max_num_queries(5):
        collecter(ids, AUJOURDHUI)
