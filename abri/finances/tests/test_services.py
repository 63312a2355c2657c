from decimal import Decimal

import pytest

from abri.communs.erreurs import ErreurMetier, ModificationConcurrente
from abri.finances import services
from abri.finances.models import Budget, Campagne, StatutBudget, TarifCible
from abri.journal.models import EntreeJournal

D = Decimal
PROPOSITION = {
    "charges_proposees": D("500000.00"),
    "produits_proposes": D("20000.00"),
    "dotation_demandee": D("480000.00"),
    "etp": D("6.5"),
}


def test_opening_a_campaign_creates_a_draft_budget_per_open_structure(national, parc):
    campagne = services.ouvrir_campagne(national, 2025)

    assert campagne.date_limite_proposition.isoformat() == "2024-10-31"
    assert Budget.objects.filter(campagne=campagne).count() == 4
    assert set(Budget.objects.values_list("statut", flat=True)) == {"brouillon"}


def test_only_national_admins_open_campaigns(agent_rhone, parc):
    with pytest.raises(ErreurMetier):
        services.ouvrir_campagne(agent_rhone, 2025)
    assert not Campagne.objects.exists()


def test_a_campaign_opens_once(national, campagne):
    with pytest.raises(ErreurMetier):
        services.ouvrir_campagne(national, 2025)


def test_operator_saves_a_draft_then_submits_and_it_locks(operateur, budget_cada):
    budget = services.enregistrer_proposition(
        operateur, budget_cada.pk, {"charges_proposees": D("500000")}, 1
    )
    assert budget.statut == StatutBudget.BROUILLON
    assert budget.saisies["charges_proposees"]["par_id"] == operateur.pk

    budget = services.enregistrer_proposition(
        operateur, budget.pk, PROPOSITION, budget.version, deposer=True
    )
    assert budget.statut == StatutBudget.PROPOSITION_DEPOSEE
    assert budget.proposition_deposee_le is not None

    with pytest.raises(ErreurMetier, match="déposée"):
        services.enregistrer_proposition(
            operateur, budget.pk, {"etp": D(7)}, budget.version
        )


def test_an_incomplete_proposal_is_not_submitted(operateur, budget_cada):
    with pytest.raises(ErreurMetier, match="dotation demandée"):
        services.enregistrer_proposition(
            operateur,
            budget_cada.pk,
            {"charges_proposees": D(1), "produits_proposes": D(1), "etp": D(1)},
            1,
            deposer=True,
        )
    assert Budget.objects.get(pk=budget_cada.pk).statut == StatutBudget.BROUILLON


def test_second_writer_on_a_stale_version_is_told(operateur, budget_cada):
    services.enregistrer_proposition(operateur, budget_cada.pk, {"etp": D(5)}, 1)

    with pytest.raises(ModificationConcurrente):
        services.enregistrer_proposition(operateur, budget_cada.pk, {"etp": D(6)}, 1)


def test_an_agent_does_not_submit_the_operators_proposal(agent_rhone, budget_cada):
    with pytest.raises(ErreurMetier):
        services.enregistrer_proposition(agent_rhone, budget_cada.pk, PROPOSITION, 1)


def _instruit(operateur, agent, budget: Budget) -> Budget:
    budget = services.enregistrer_proposition(
        operateur, budget.pk, PROPOSITION, budget.version, deposer=True
    )
    return services.enregistrer_instruction(
        agent,
        budget.pk,
        {
            "charges_retenues": D("490000"),
            "produits_retenus": D("20000"),
            "dotation_accordee": D("470000"),
        },
        budget.version,
        valider=True,
    )


def test_full_cycle_of_a_tariffed_budget(operateur, agent_rhone, budget_cada):
    budget = _instruit(operateur, agent_rhone, budget_cada)
    assert budget.statut == StatutBudget.INSTRUIT
    assert budget.saisies["dotation_accordee"]["par_id"] == agent_rhone.pk

    budget = services.enregistrer_comptes(
        operateur,
        budget.pk,
        {"charges_reelles": D("500000"), "produits_reels": D("510000")},
        {"reprise_etat": D("10000")},
        budget.version,
        deposer=True,
    )
    assert budget.statut == StatutBudget.COMPTES_DEPOSES
    assert budget.resultat == D("10000")

    with pytest.raises(ErreurMetier, match="mauvais signe"):
        services.decider_affectation(
            agent_rhone,
            budget.pk,
            {"reprise_etat": D("-4000"), "report_a_nouveau": D("6000")},
            budget.version,
            cloturer=True,
        )
    budget = services.decider_affectation(
        agent_rhone,
        budget.pk,
        {"reprise_etat": D("4000"), "report_a_nouveau": D("6000")},
        Budget.objects.get(pk=budget.pk).version,
        cloturer=True,
    )
    assert budget.statut == StatutBudget.CLOTURE
    entrees = EntreeJournal.objects.filter(
        content_type__model="budget", object_id=str(budget.pk)
    )
    assert entrees.count() == 4  # proposal, instruction, accounts, allocation


def test_agent_sends_a_proposal_back_with_a_reason(operateur, agent_rhone, budget_cada):
    budget = services.enregistrer_proposition(
        operateur, budget_cada.pk, PROPOSITION, 1, deposer=True
    )

    budget = services.renvoyer(agent_rhone, budget.pk, budget.version, "ETP à revoir")

    assert budget.statut == StatutBudget.BROUILLON
    entree = EntreeJournal.objects.filter(
        content_type__model="budget", object_id=str(budget.pk)
    ).latest("id")
    assert entree.commentaire == "ETP à revoir"


def test_instalments_need_a_granted_dotation(operateur, agent_rhone, budget_cada):
    import datetime

    with pytest.raises(ErreurMetier):
        services.ajouter_versement(
            agent_rhone, budget_cada.pk, datetime.date(2025, 1, 15), D(1000)
        )
    budget = _instruit(operateur, agent_rhone, budget_cada)

    versement = services.ajouter_versement(
        agent_rhone, budget.pk, datetime.date(2025, 1, 15), D("117500")
    )

    assert versement.montant == D("117500")


def test_target_cost_changes_keep_their_history(national, parc):
    services.enregistrer_tarif_cible(national, "CADA", False, 2025, D("19.50"))
    services.enregistrer_tarif_cible(national, "CADA", False, 2025, D("20.00"))

    tarif = TarifCible.objects.get()
    assert tarif.montant == D("20.00")
    assert tarif.history.count() == 2


def test_only_national_admins_set_target_costs(agent_rhone, parc):
    with pytest.raises(ErreurMetier):
        services.enregistrer_tarif_cible(agent_rhone, "CADA", False, 2025, D(20))


def test_no_target_cost_is_shipped(db):
    assert not TarifCible.objects.exists()


def test_completing_a_campaign_adds_structures_opened_since(national, campagne, parc):
    from abri.fabriques import StructureFactory

    StructureFactory(departement=parc.rhone, capacite=20)

    assert services.completer_campagne(national, campagne.pk) == 1
    assert services.completer_campagne(national, campagne.pk) == 0


def test_a_closed_instruction_is_locked(operateur, agent_rhone, budget_cada):
    budget = _instruit(operateur, agent_rhone, budget_cada)

    with pytest.raises(ErreurMetier, match="L'instruction est close"):
        services.enregistrer_instruction(
            agent_rhone, budget.pk, {"dotation_accordee": D("999000")}, budget.version
        )

    assert Budget.objects.get(pk=budget.pk).dotation_accordee == D("470000")


def test_reopening_the_instruction_needs_a_reason_and_is_journaled(
    operateur, agent_rhone, budget_cada
):
    budget = _instruit(operateur, agent_rhone, budget_cada)
    with pytest.raises(ErreurMetier, match="pourquoi"):
        services.rouvrir_instruction(agent_rhone, budget.pk, budget.version, " ")
    with pytest.raises(ErreurMetier):
        services.rouvrir_instruction(operateur, budget.pk, budget.version, "erreur")

    budget = services.rouvrir_instruction(
        agent_rhone, budget.pk, budget.version, "Erreur de saisie des charges"
    )
    assert budget.statut == StatutBudget.PROPOSITION_DEPOSEE
    assert budget.instruit_le is None
    entree = EntreeJournal.objects.filter(
        content_type__model="budget", object_id=str(budget.pk)
    ).latest("id")
    assert entree.commentaire == "Instruction rouverte : Erreur de saisie des charges"

    budget = services.enregistrer_instruction(
        agent_rhone,
        budget.pk,
        {"dotation_accordee": D("460000")},
        budget.version,
        valider=True,
    )
    assert budget.statut == StatutBudget.INSTRUIT
    assert budget.dotation_accordee == D("460000")


def test_instalments_do_not_exceed_the_granted_dotation(
    operateur, agent_rhone, budget_cada
):
    import datetime

    budget = _instruit(operateur, agent_rhone, budget_cada)
    jour = datetime.date(2025, 3, 1)
    services.ajouter_versement(agent_rhone, budget.pk, jour, D("400000"))

    with pytest.raises(ErreurMetier, match="au-delà de la dotation accordée") as exc:
        services.ajouter_versement(agent_rhone, budget.pk, jour, D("99000000"))
    assert "470\u00a0000,00\u00a0€" in exc.value.message
    assert "70\u00a0000,00\u00a0€" in exc.value.message  # left to pay

    services.ajouter_versement(agent_rhone, budget.pk, jour, D("70000.01"))
    assert sum(v.montant for v in budget.versements.all()) == D("470000.01")
    with pytest.raises(ErreurMetier):
        services.ajouter_versement(agent_rhone, budget.pk, jour, D("0.01"))


def test_no_instalment_without_a_granted_dotation(agent_rhone, budget_cada):
    import datetime

    with pytest.raises(ErreurMetier, match="Aucune dotation n'est accordée"):
        services.ajouter_versement(
            agent_rhone, budget_cada.pk, datetime.date(2025, 1, 15), D(1000)
        )


def test_a_dotation_is_not_lowered_below_what_was_paid(
    operateur, agent_rhone, budget_cada
):
    import datetime

    budget = _instruit(operateur, agent_rhone, budget_cada)
    services.ajouter_versement(
        agent_rhone, budget.pk, datetime.date(2025, 3, 1), D("300000")
    )
    budget = services.rouvrir_instruction(agent_rhone, budget.pk, budget.version, "x")

    with pytest.raises(ErreurMetier, match="inférieure aux versements"):
        services.enregistrer_instruction(
            agent_rhone, budget.pk, {"dotation_accordee": D("200000")}, budget.version
        )


def test_a_negative_count_is_refused_as_a_count(operateur, budget_cada):
    with pytest.raises(ErreurMetier, match="Nombre de places positif attendu"):
        services.enregistrer_proposition(
            operateur, budget_cada.pk, {"places_declarees": D("-3")}, 1
        )
