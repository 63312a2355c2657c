import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine

from abri.appels import queries, services
from abri.appels.models import (
    AppelAProjets,
    Candidature,
    Decision,
    EtatAppel,
    EtatCandidature,
    Lot,
)
from abri.appels.tests.fabriques import CRITERES, appel, candidature
from abri.communs.erreurs import ErreurMetier
from abri.conventions.models import Etat, NatureActe
from abri.fabriques import UtilisateurFactory
from abri.journal.models import EntreeJournal
from abri.structures.models import NatureEvenement
from abri.structures.services import capacite_au

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture
def brouillon(parc, agent_rhone):
    return services.creer_appel(
        agent_rhone,
        {
            "intitule": "CADA du Rhône 2025",
            "region": parc.ara,
            "departement": parc.rhone,
            "type_structure": "CADA",
            "public": "tous",
            "places_recherchees": 80,
            "criteres": CRITERES,
            "date_publication": datetime.date(2025, 1, 6),
            "date_cloture": datetime.date(2025, 3, 14),
        },
    )


def _franchir(user, a, etape, jour=datetime.date(2025, 3, 20)):
    a.refresh_from_db()
    return services.franchir(user, a.pk, etape, a.version, jour=jour)


def test_call_is_created_as_a_journaled_draft(brouillon):
    assert brouillon.etat == EtatAppel.BROUILLON
    assert EntreeJournal.objects.filter(object_id=str(brouillon.pk)).exists()
    assert brouillon.etapes.get().etat == EtatAppel.BROUILLON


def test_operator_may_not_create_a_call(operateur, parc):
    with pytest.raises(ErreurMetier):
        services.creer_appel(operateur, {"intitule": "x"})


def test_publishing_dates_the_step_and_records_its_author(brouillon, agent_rhone):
    _franchir(agent_rhone, brouillon, "publier", datetime.date(2025, 1, 6))
    brouillon.refresh_from_db()
    assert brouillon.etat == EtatAppel.PUBLIE
    assert brouillon.publie_le == datetime.date(2025, 1, 6)
    etape = brouillon.etapes.last()
    assert (etape.etat, etape.auteur) == (EtatAppel.PUBLIE, agent_rhone)


def test_illegal_step_is_refused_in_french(brouillon, agent_rhone):
    with pytest.raises(
        ErreurMetier, match="Étape impossible : l'appel est « Brouillon »"
    ):
        _franchir(agent_rhone, brouillon, "instruire")


def test_call_cannot_close_before_its_closing_day_is_over(brouillon, agent_rhone):
    _franchir(agent_rhone, brouillon, "publier", datetime.date(2025, 1, 6))
    with pytest.raises(ErreurMetier, match="ouvertes jusqu'au 14/03/2025 inclus"):
        _franchir(agent_rhone, brouillon, "clore", datetime.date(2025, 3, 14))
    _franchir(agent_rhone, brouillon, "clore", datetime.date(2025, 3, 15))


def _donnees():
    return {
        "projet": "Quarante places en diffus à Villeurbanne.",
        "places_proposees": 40,
        "cout_journalier_propose": Decimal("20.50"),
        "lots_proposes": [{"places": 40, "date": "2025-09-01"}],
    }


@pytest.fixture
def publie(parc):
    return appel(parc.rhone)


def test_draft_is_saved_then_completed(publie, operateur, parc):
    c = services.enregistrer_brouillon(
        operateur, publie, parc.groupe, {"projet": "Début"}
    )
    assert c.etat == EtatCandidature.BROUILLON
    c = services.enregistrer_brouillon(
        operateur, publie, parc.groupe, {"places_proposees": 40}, version=c.version
    )
    assert (c.projet, c.places_proposees, Candidature.objects.count()) == (
        "Début",
        40,
        1,
    )


@pytest.mark.parametrize(
    ("instant", "accepte"),
    [
        (datetime.datetime(2025, 3, 14, 23, 30, tzinfo=PARIS), True),
        (datetime.datetime(2025, 3, 15, 0, 1, tzinfo=PARIS), False),
    ],
)
def test_submission_on_the_closing_day_boundary(
    publie, operateur, parc, instant, accepte
):
    donnees = {**_donnees(), "departement": parc.rhone}
    c = services.enregistrer_brouillon(operateur, publie, parc.groupe, donnees)
    if accepte:
        c = services.deposer(operateur, c.pk, c.version, instant=instant)
        assert c.etat == EtatCandidature.DEPOSEE
        assert c.accuse.startswith(f"AAP{publie.pk}-C{c.pk}")
    else:
        with pytest.raises(ErreurMetier, match="14/03/2025 à 23 h 59"):
            services.deposer(operateur, c.pk, c.version, instant=instant)


def test_submitted_candidature_is_locked(publie, operateur, parc):
    donnees = {**_donnees(), "departement": parc.rhone}
    c = services.enregistrer_brouillon(operateur, publie, parc.groupe, donnees)
    services.deposer(
        operateur,
        c.pk,
        c.version,
        instant=datetime.datetime(2025, 2, 1, tzinfo=PARIS),
    )
    with pytest.raises(ErreurMetier, match="déposée ne se modifie plus"):
        services.enregistrer_brouillon(
            operateur, publie, parc.groupe, {"projet": "Autre"}
        )


def test_incomplete_candidature_is_not_submitted(publie, operateur, parc):
    c = services.enregistrer_brouillon(operateur, publie, parc.groupe, _donnees())
    with pytest.raises(ErreurMetier, match="département"):
        services.deposer(
            operateur,
            c.pk,
            c.version,
            instant=datetime.datetime(2025, 2, 1, tzinfo=PARIS),
        )


@pytest.fixture
def en_instruction(parc):
    a = appel(parc.rhone, etat=EtatAppel.EN_INSTRUCTION, places_recherchees=80)
    return a, candidature(a, parc.groupe), candidature(a, parc.association)


def _notes(*valeurs):
    return {i: (Decimal(v), "") for i, v in enumerate(valeurs)}


def test_instructor_sees_others_scores_only_after_giving_theirs(
    en_instruction, agent_rhone, regional
):
    a, c1, _ = en_instruction
    services.noter(regional, c1, _notes(16, 10, 10))
    ligne = next(
        lg for lg in queries.instruction(a, agent_rhone) if lg.candidature == c1
    )
    assert not ligne.a_note and ligne.notes == {}
    services.noter(agent_rhone, c1, _notes(10, 10, 10))
    ligne = next(
        lg for lg in queries.instruction(a, agent_rhone) if lg.candidature == c1
    )
    # (16×3 + 10×2 + 10) / 6 = 13 and 10: mean 11.5; 16 vs 10 is a strong gap.
    assert ligne.totaux[regional.pk] == Decimal("13.00")
    assert ligne.moyenne == Decimal("11.50")
    assert ligne.desaccords == ["Qualité du projet"]


def test_ranking_follows_the_mean_weighted_total(en_instruction, agent_rhone):
    a, c1, c2 = en_instruction
    services.noter(agent_rhone, c1, _notes(10, 10, 10))
    services.noter(agent_rhone, c2, _notes(15, 15, 15))
    lignes = queries.instruction(a, agent_rhone)
    assert [(lg.candidature, lg.rang) for lg in lignes] == [(c2, 1), (c1, 2)]


def test_scores_range_from_0_to_20(en_instruction, agent_rhone):
    _, c1, _ = en_instruction
    with pytest.raises(ErreurMetier, match="de 0 à 20"):
        services.noter(agent_rhone, c1, _notes(21, 10, 10))


def test_retained_candidature_becomes_a_structure_with_lots_and_draft_convention(
    en_instruction, agent_rhone, parc
):
    a, c1, c2 = en_instruction
    c1.lots_proposes = [
        {"places": 30, "date": "2025-09-01"},
        {"places": 20, "date": "2025-11-01"},
    ]
    c1.save()
    services.decider(agent_rhone, c1, Decision.RETENUE, 40, "Projet solide.")
    services.decider(agent_rhone, c2, Decision.NON_RETENUE, None, "Coût trop élevé.")
    with pytest.raises(ErreurMetier, match="attribué partiellement"):
        _franchir(agent_rhone, a, "attribuer")
    _franchir(agent_rhone, a, "attribuer_partiellement")
    c1.refresh_from_db()
    assert c1.structure.operateur == parc.groupe
    assert c1.structure.departement == parc.rhone
    assert [(lot.places, lot.date_prevue) for lot in c1.lots.all()] == [
        (30, datetime.date(2025, 9, 1)),
        (10, datetime.date(2025, 11, 1)),
    ]
    assert c1.convention.nature == NatureActe.CONVENTION
    assert c1.convention.etat == Etat.BROUILLON
    assert c1.convention.places == 40


def test_infructueux_refused_when_places_are_retained(en_instruction, agent_rhone):
    a, c1, c2 = en_instruction
    services.decider(agent_rhone, c1, Decision.RETENUE, 40, "Bien.")
    services.decider(agent_rhone, c2, Decision.LISTE_COMPLEMENTAIRE, None, "Attente.")
    with pytest.raises(ErreurMetier, match="pas infructueux"):
        _franchir(agent_rhone, a, "declarer_infructueux")


def test_decision_needs_a_motivation(en_instruction, agent_rhone):
    _, c1, _ = en_instruction
    with pytest.raises(ErreurMetier, match="Motivez"):
        services.decider(agent_rhone, c1, Decision.NON_RETENUE, None, " ")


@pytest.fixture
def lot_de_40(parc):
    a = appel(parc.rhone, etat=EtatAppel.ATTRIBUE, publie_le=datetime.date(2024, 11, 1))
    c = candidature(a, parc.groupe, decision=Decision.RETENUE, places_retenues=40)
    return Lot.objects.create(
        structure=parc.cada_rhone,
        candidature=c,
        places=40,
        date_prevue=datetime.date(2025, 3, 1),
    )


def test_opening_a_lot_records_a_capacity_event(lot_de_40, agent_rhone, parc):
    ouverture = services.ouvrir_places(
        agent_rhone, lot_de_40, datetime.date(2025, 3, 31), 40, "Arrêté d'extension"
    )
    assert ouverture.evenement.nature == NatureEvenement.EXTENSION
    assert (
        capacite_au(parc.cada_rhone, datetime.date(2025, 3, 31)).places_autorisees
        == 120
    )


def test_lot_cannot_open_more_than_its_places(lot_de_40, agent_rhone):
    services.ouvrir_places(
        agent_rhone, lot_de_40, datetime.date(2025, 3, 1), 30, "Arrêté"
    )
    with pytest.raises(ErreurMetier, match="Il reste 10 places"):
        services.ouvrir_places(
            agent_rhone, lot_de_40, datetime.date(2025, 4, 15), 20, "Arrêté"
        )


@time_machine.travel(datetime.date(2025, 6, 1))
def test_page_figures_hand_checked(lot_de_40, agent_rhone):
    services.ouvrir_places(
        agent_rhone, lot_de_40, datetime.date(2025, 3, 31), 40, "Arrêté"
    )
    figures = queries.figures_ouverture(agent_rhone, datetime.date(2025, 6, 1))
    ligne = figures.lignes[0]
    assert ligne.nuitees == 1200
    # No accounts known: the daily cost proposed at the call, 20 €.
    assert ligne.cout == Decimal("24000.00")
    assert ligne.source_cout == "Coût proposé à l'appel"
    # Published 1 November 2024, opened 31 March 2025: 150 days.
    assert figures.delais.total == [150] * 40
    assert dict(figures.etapes)["Ouvertes"] == 40


def test_call_scoping(parc, agent_rhone, agent_loire, operateur):
    brouillon_rhone = appel(parc.rhone, etat=EtatAppel.BROUILLON)
    publie_rhone = appel(parc.rhone)
    regional = appel(None, region=parc.ara)
    national = appel(None)
    assert set(AppelAProjets.objects.for_user(agent_loire)) == {national}
    assert set(AppelAProjets.objects.for_user(agent_rhone)) == {
        brouillon_rhone,
        publie_rhone,
        regional,
        national,
    }
    assert brouillon_rhone not in AppelAProjets.objects.for_user(operateur)
    assert publie_rhone in AppelAProjets.objects.for_user(operateur)


def test_regional_objective_lot_is_tracked(parc, regional):
    objectif = services.creer_objectif(
        regional, parc.ara, 2025, "CADA", 30, datetime.date(2025, 1, 15)
    )
    lot = services.planifier_lot_objectif(
        regional, objectif, parc.cada_rhone, 30, datetime.date(2025, 4, 1)
    )
    with pytest.raises(ErreurMetier, match="déjà planifiées"):
        services.planifier_lot_objectif(
            regional, objectif, parc.cada_rhone, 1, datetime.date(2025, 4, 1)
        )
    figures = queries.figures_ouverture(regional, datetime.date(2025, 4, 11))
    assert figures.lignes[0].lot == lot
    assert figures.lignes[0].nuitees == 300


def test_agent_records_a_candidature_received_otherwise(publie, agent_rhone, parc):
    c = services.enregistrer_candidature_recue(
        agent_rhone,
        publie,
        parc.association,
        {**_donnees(), "departement": parc.rhone},
    )
    assert c.est_deposee and c.recue_hors_ligne
    _ = UtilisateurFactory
