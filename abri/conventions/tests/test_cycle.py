import datetime
from decimal import Decimal

import pytest
import time_machine

from abri.communs.erreurs import ErreurMetier
from abri.conventions import services
from abri.conventions.models import Acte, ChampAmende, Etat, NatureActe
from abri.conventions.tests.conftest import acte, resultats_de
from abri.journal.models import EntreeJournal

D = datetime.date


def _brouillon(parc, agent_rhone, **autres):
    return services.creer_acte(
        agent_rhone,
        parc.cada_rhone,
        {
            "nature": NatureActe.CONVENTION,
            "date_debut": D(2025, 1, 1),
            "date_fin": D(2029, 12, 31),
            "places": 80,
            **autres,
        },
    )


def test_a_convention_goes_through_every_step(parc, agent_rhone, operateur):
    convention = _brouillon(parc, agent_rhone)

    services.franchir(agent_rhone, convention, "envoyer", date=D(2024, 11, 2))
    services.franchir(operateur, convention, "signer_operateur", date=D(2024, 11, 20))
    convention = services.franchir(
        agent_rhone, convention, "signer_etat", date=D(2024, 12, 1)
    )

    assert convention.etat == Etat.SIGNEE
    assert (
        convention.date_envoi,
        convention.date_signature_operateur,
        convention.date_signature_etat,
    ) == (D(2024, 11, 2), D(2024, 11, 20), D(2024, 12, 1))
    assert convention.en_vigueur_le(D(2025, 1, 1))
    assert not convention.en_vigueur_le(D(2024, 12, 31))


def test_each_step_is_journaled_with_its_author(parc, agent_rhone):
    convention = _brouillon(parc, agent_rhone)

    services.franchir(agent_rhone, convention, "envoyer")

    entree = EntreeJournal.objects.filter(object_id=str(convention.pk)).first()
    assert entree.auteur == agent_rhone
    assert entree.changements["etat"] == [Etat.BROUILLON, Etat.ENVOYEE]
    assert entree.structure_id == parc.cada_rhone.pk


def test_state_cannot_sign_before_the_operator(parc, agent_rhone):
    convention = _brouillon(parc, agent_rhone)
    services.franchir(agent_rhone, convention, "envoyer")

    with pytest.raises(ErreurMetier, match="L'opérateur n'a pas encore signé"):
        services.franchir(agent_rhone, convention, "signer_etat")


def test_a_draft_cannot_be_signed_by_the_operator(parc, agent_rhone, operateur):
    convention = _brouillon(parc, agent_rhone)

    with pytest.raises(ErreurMetier, match="Étape impossible"):
        services.franchir(operateur, convention, "signer_operateur")
    assert Acte.objects.get(pk=convention.pk).etat == Etat.BROUILLON


def test_operator_may_not_send_nor_sign_for_the_state(parc, agent_rhone, operateur):
    convention = _brouillon(parc, agent_rhone)

    with pytest.raises(ErreurMetier, match="Vous ne pouvez pas"):
        services.franchir(operateur, convention, "envoyer")


def test_an_order_is_signed_by_the_state_alone(parc, agent_rhone):
    arrete = services.creer_acte(
        agent_rhone,
        parc.cada_rhone,
        {
            "nature": NatureActe.AUTORISATION,
            "date_debut": D(2020, 1, 1),
            "date_fin": D(2034, 12, 31),
        },
    )
    with pytest.raises(ErreurMetier, match="signé par l'État seul"):
        services.franchir(agent_rhone, arrete, "envoyer")

    arrete = services.franchir(agent_rhone, arrete, "signer_etat")

    assert arrete.etat == Etat.SIGNEE


def test_start_after_end_is_refused(parc, agent_rhone):
    with pytest.raises(ErreurMetier, match="précède la date de début"):
        _brouillon(parc, agent_rhone, date_debut=D(2026, 1, 1), date_fin=D(2025, 1, 1))


def test_a_cada_convention_over_five_years_is_refused(parc, agent_rhone):
    with pytest.raises(ErreurMetier, match="au plus 5 ans"):
        _brouillon(parc, agent_rhone, date_fin=D(2030, 1, 1))


def test_a_huda_convention_over_three_years_is_refused(parc, agent_rhone):
    with pytest.raises(ErreurMetier, match="au plus 3 ans"):
        services.creer_acte(
            agent_rhone,
            parc.huda_ain,
            {
                "nature": NatureActe.CONVENTION,
                "date_debut": D(2025, 1, 1),
                "date_fin": D(2028, 1, 1),
            },
        )


@time_machine.travel(D(2027, 3, 1))
def test_expiry_is_recorded_only_once_the_end_has_passed(parc, agent_rhone):
    en_cours = acte(parc.cada_rhone, debut=D(2023, 1, 1), fin=D(2027, 12, 31))
    passee = acte(parc.cada_rhone, debut=D(2021, 1, 1), fin=D(2025, 12, 31))

    with pytest.raises(ErreurMetier, match="pas encore échu"):
        services.franchir(agent_rhone, en_cours, "constater_echeance")
    assert (
        services.franchir(agent_rhone, passee, "constater_echeance").etat == Etat.ECHUE
    )


def test_avenant_pushing_the_end_beyond_the_maximum_is_refused(
    parc, agent_rhone, convention_cada
):
    with pytest.raises(ErreurMetier, match="au plus 5 ans"):
        services.creer_avenant(
            agent_rhone,
            convention_cada,
            {
                "date_debut": D(2026, 6, 1),
                "champs_amendes": [ChampAmende.DATE_FIN],
                "nouvelle_date_fin": D(2027, 6, 30),
            },
        )


def test_avenant_extends_parent_end_once_signed(parc, agent_rhone):
    convention = acte(parc.cada_rhone, debut=D(2022, 1, 1), fin=D(2025, 12, 31))
    avenant = services.creer_avenant(
        agent_rhone,
        convention,
        {
            "date_debut": D(2025, 6, 1),
            "champs_amendes": [ChampAmende.DATE_FIN],
            "nouvelle_date_fin": D(2026, 12, 31),
        },
    )
    assert Acte.objects.get(pk=convention.pk).date_fin_effective == D(2025, 12, 31)

    for etape in ("envoyer", "signer_operateur", "signer_etat"):
        services.franchir(agent_rhone, avenant, etape)

    assert Acte.objects.get(pk=convention.pk).date_fin_effective == D(2026, 12, 31)


def test_denunciation_of_a_cada_convention_takes_six_months(
    parc, operateur, convention_cada
):
    denoncee = services.denoncer(
        operateur,
        convention_cada,
        date_notification=D(2025, 3, 15),
        motif="Fin d'activité",
    )

    assert denoncee.etat == Etat.DENONCEE
    assert denoncee.denoncee_par == "operateur"
    assert denoncee.date_effet_denonciation == D(2025, 9, 15)
    assert denoncee.en_vigueur_le(D(2025, 9, 14))
    assert not denoncee.en_vigueur_le(D(2025, 9, 15))


def test_denunciation_needs_a_motive(parc, agent_rhone, convention_cada):
    with pytest.raises(ErreurMetier, match="motif"):
        services.denoncer(
            agent_rhone, convention_cada, date_notification=D(2025, 3, 15), motif=" "
        )


def test_a_draft_cannot_be_denounced(parc, agent_rhone):
    convention = _brouillon(parc, agent_rhone)
    with pytest.raises(ErreurMetier, match="Étape impossible"):
        services.denoncer(
            agent_rhone, convention, date_notification=D(2025, 3, 15), motif="x"
        )


def _signer(agent, acte_):
    for etape in ("envoyer", "signer_operateur", "signer_etat"):
        acte_ = services.franchir(agent, acte_, etape)
    return acte_


def test_renewal_chain_over_three_conventions(parc, agent_rhone):
    premiere = acte(
        parc.cada_rhone,
        debut=D(2015, 1, 1),
        fin=D(2019, 12, 31),
        places=80,
        dotation=Decimal("900000.00"),
        reference="C1",
    )

    seconde = services.renouveler(agent_rhone, premiere)
    assert (seconde.date_debut, seconde.date_fin) == (D(2020, 1, 1), D(2024, 12, 31))
    assert (seconde.places, seconde.dotation) == (80, Decimal("900000.00"))
    assert seconde.etat == Etat.BROUILLON
    seconde = _signer(agent_rhone, seconde)

    troisieme = services.renouveler(agent_rhone, seconde)
    assert (troisieme.date_debut, troisieme.date_fin) == (
        D(2025, 1, 1),
        D(2029, 12, 31),
    )

    premiere.refresh_from_db()
    seconde.refresh_from_db()
    assert premiere.etat == seconde.etat == Etat.RENOUVELEE
    assert premiere.successeur == seconde
    assert seconde.successeur == troisieme
    assert troisieme.predecesseur.predecesseur == premiere


def test_an_act_is_renewed_once(parc, agent_rhone, convention_cada):
    services.renouveler(agent_rhone, convention_cada)
    with pytest.raises(ErreurMetier):
        services.renouveler(agent_rhone, Acte.objects.get(pk=convention_cada.pk))


def test_renewal_takes_the_places_of_the_last_signed_avenant(
    parc, agent_rhone, convention_cada
):
    avenant = services.creer_avenant(
        agent_rhone,
        convention_cada,
        {
            "date_debut": D(2024, 1, 1),
            "champs_amendes": [ChampAmende.PLACES],
            "places": 95,
        },
    )
    _signer(agent_rhone, avenant)

    successeur = services.renouveler(agent_rhone, convention_cada)

    assert successeur.places == 95


@time_machine.travel(D(2026, 3, 1))
def test_renewal_of_a_structure_in_deficit_needs_a_motivation(
    parc, agent_rhone, convention_cada
):
    resultats_de(
        parc.cada_rhone,
        {2023: (100, 110), 2024: (100, 95), 2025: (100, 101)},
    )

    assert services.motivation_requise(convention_cada, D(2026, 3, 1)) is True
    with pytest.raises(ErreurMetier, match="motivez"):
        services.renouveler(agent_rhone, convention_cada)
    successeur = services.renouveler(
        agent_rhone, convention_cada, motivation="Plan de retour à l'équilibre signé."
    )

    assert Acte.objects.get(pk=convention_cada.pk).successeur == successeur


@time_machine.travel(D(2026, 3, 1))
def test_one_deficit_in_three_years_needs_no_motivation(
    parc, agent_rhone, convention_cada
):
    resultats_de(parc.cada_rhone, {2023: (100, 110), 2025: (100, 90)})

    assert services.motivation_requise(convention_cada, D(2026, 3, 1)) is False
    services.renouveler(agent_rhone, convention_cada)


def test_unknown_results_need_no_motivation(parc, agent_rhone, convention_cada):
    assert services.motivation_requise(convention_cada, D(2026, 1, 1)) is None
    services.renouveler(agent_rhone, convention_cada)


@pytest.mark.parametrize(
    ("donnees", "champ"),
    [
        # effect date after the parent's end
        (
            {"date_debut": D(2040, 12, 1), "champs_amendes": ["places"], "places": 9},
            "date_debut",
        ),
        # effect date before the parent's start
        (
            {"date_debut": D(2000, 1, 1), "champs_amendes": ["places"], "places": 9},
            "date_debut",
        ),
        # a ticked clause without its value
        ({"date_debut": D(2024, 6, 1), "champs_amendes": ["dotation"]}, "dotation"),
        ({"date_debut": D(2024, 6, 1), "champs_amendes": ["places"]}, "places"),
        ({"date_debut": D(2024, 6, 1), "champs_amendes": ["clause"]}, "objet"),
        # a value without its clause ticked, never dropped silently
        (
            {
                "date_debut": D(2024, 6, 1),
                "champs_amendes": ["dotation"],
                "dotation": 5,
                "places": 10,
            },
            "places",
        ),
    ],
)
def test_incomplete_or_incoherent_avenant_is_refused(
    parc, agent_rhone, convention_cada, donnees, champ
):
    with pytest.raises(ErreurMetier) as refus:
        services.creer_avenant(agent_rhone, convention_cada, donnees)

    assert refus.value.champ == champ
    assert not convention_cada.avenants.exists()


def test_avenant_clauses_are_named_in_words(parc, agent_rhone, convention_cada):
    avenant = services.creer_avenant(
        agent_rhone,
        convention_cada,
        {"date_debut": D(2024, 6, 1), "champs_amendes": ["places"], "places": 90},
    )

    assert avenant.libelles_champs_amendes == ["Capacité"]
