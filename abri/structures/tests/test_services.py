import datetime

import pytest

from abri.communs.erreurs import ErreurMetier, ModificationConcurrente
from abri.journal.models import EntreeJournal
from abri.structures import services
from abri.structures.models import EvenementCapacite, NatureEvenement
from abri.structures.regles import Capacite
from abri.structures.services import Variation

JANVIER_2020 = datetime.date(2020, 1, 1)


def test_capacity_at_a_date_sums_events_effective_by_then(parc, agent_rhone):
    cada = parc.cada_rhone
    services.enregistrer_evenement(
        agent_rhone,
        cada,
        NatureEvenement.EXTENSION,
        datetime.date(2024, 3, 1),
        "Arrêté n° 2024-12",
        Variation(20, places_pmr=2),
    )

    assert services.capacite_au(cada, datetime.date(2024, 2, 29)) == Capacite(80)
    assert services.capacite_au(cada, datetime.date(2024, 3, 1)) == Capacite(100, 2)
    assert services.capacite_au(cada, datetime.date(2019, 12, 31)) == Capacite(0)


def test_closure_brings_capacity_to_zero(parc, agent_rhone):
    services.enregistrer_evenement(
        agent_rhone,
        parc.cada_rhone,
        NatureEvenement.FERMETURE,
        datetime.date(2025, 6, 30),
        "Arrêté de fermeture",
        Variation(),
    )

    assert (
        services.capacite_au(parc.cada_rhone, datetime.date(2025, 6, 30)) == Capacite()
    )


def test_reduction_below_zero_is_refused(parc, agent_rhone):
    with pytest.raises(ErreurMetier, match="négative"):
        services.enregistrer_evenement(
            agent_rhone,
            parc.cada_rhone,
            NatureEvenement.REDUCTION,
            datetime.date(2024, 1, 1),
            "Arrêté",
            Variation(-81),
        )
    assert EvenementCapacite.objects.filter(structure=parc.cada_rhone).count() == 1


def test_event_that_would_break_a_later_capacity_is_refused(parc, agent_rhone):
    services.enregistrer_evenement(
        agent_rhone,
        parc.cada_rhone,
        NatureEvenement.REDUCTION,
        datetime.date(2024, 1, 1),
        "Arrêté",
        Variation(-70),
    )
    with pytest.raises(ErreurMetier):
        services.enregistrer_evenement(
            agent_rhone,
            parc.cada_rhone,
            NatureEvenement.REQUALIFICATION,
            datetime.date(2023, 1, 1),
            "Arrêté",
            Variation(0, places_pmr=20),
        )


def test_event_without_act_is_refused(parc, agent_rhone):
    with pytest.raises(ErreurMetier, match="acte"):
        services.enregistrer_evenement(
            agent_rhone,
            parc.cada_rhone,
            NatureEvenement.EXTENSION,
            JANVIER_2020,
            "  ",
            Variation(5),
        )


def test_transfer_moves_places_between_two_linked_events(parc, agent_rhone):
    sortant, entrant = services.transferer_places(
        agent_rhone,
        parc.cada_rhone,
        parc.huda_ain,
        datetime.date(2024, 7, 1),
        "Arrêté de transfert",
        Variation(10),
    )

    jour = datetime.date(2024, 7, 1)
    assert services.capacite_au(parc.cada_rhone, jour).places_autorisees == 70
    assert services.capacite_au(parc.huda_ain, jour).places_autorisees == 50
    sortant.refresh_from_db()
    assert sortant.evenement_lie == entrant


def test_every_capacity_event_is_journaled(parc, agent_rhone):
    evenement = services.enregistrer_evenement(
        agent_rhone,
        parc.cada_rhone,
        NatureEvenement.EXTENSION,
        datetime.date(2024, 3, 1),
        "Arrêté n° 2024-12",
        Variation(20),
    )

    entree = EntreeJournal.objects.get(object_id=str(evenement.pk))
    assert entree.auteur == agent_rhone
    assert entree.structure_id == parc.cada_rhone.pk
    assert entree.changements == {"Places autorisées": [80, 100]}


def test_identity_change_records_old_and_new_values(parc, agent_rhone):
    services.modifier_structure(
        agent_rhone, parc.cada_rhone.pk, {"nom": "CADA de la Croix-Rousse"}, version=1
    )

    entree = EntreeJournal.objects.filter(action="modification").get()
    assert entree.changements == {"nom": ["CADA des Pentes", "CADA de la Croix-Rousse"]}
    assert entree.version == 2


def test_second_writer_with_a_stale_version_is_told_what_changed(
    parc, agent_rhone, regional
):
    services.modifier_structure(agent_rhone, parc.cada_rhone.pk, {"nom": "Premier"}, 1)

    with pytest.raises(ModificationConcurrente) as erreur:
        services.modifier_structure(regional, parc.cada_rhone.pk, {"nom": "Second"}, 1)

    parc.cada_rhone.refresh_from_db()
    assert parc.cada_rhone.nom == "Premier"
    assert erreur.value.version_actuelle == 2
    assert erreur.value.changements[0]["changements"] == [
        ("Nom", "CADA des Pentes", "Premier")
    ]


def test_administrative_departement_cannot_change(parc, agent_rhone):
    with pytest.raises(ErreurMetier, match="département"):
        services.modifier_structure(
            agent_rhone, parc.cada_rhone.pk, {"departement": parc.ain}, 1
        )


def test_dna_codes_are_normalised_when_defined(parc, agent_rhone):
    services.definir_codes_dna(agent_rhone, parc.cada_rhone, ["c 6901", "C6902"])

    codes = list(parc.cada_rhone.codes_dna.values_list("code", flat=True))
    assert codes == ["C6901", "C6902"]


def test_a_dna_code_belongs_to_one_structure(parc, agent_rhone):
    services.definir_codes_dna(agent_rhone, parc.cada_rhone, ["C6901"])

    with pytest.raises(ErreurMetier, match="autre structure"):
        services.definir_codes_dna(agent_rhone, parc.huda_ain, ["C6901"])


def test_empty_address_list_keeps_existing_addresses(parc, agent_rhone):
    services.remplacer_adresses(
        agent_rhone,
        parc.cada_rhone,
        [services.NouvelleAdresse("1 rue A", "69001", None, 80, "collectif")],
    )

    with pytest.raises(ErreurMetier):
        services.remplacer_adresses(agent_rhone, parc.cada_rhone, [])
    assert parc.cada_rhone.adresses.count() == 1


def test_type_bati_is_derived_from_the_addresses(parc, agent_rhone):
    services.remplacer_adresses(
        agent_rhone,
        parc.cada_rhone,
        [
            services.NouvelleAdresse("1 rue A", "69001", None, 60, "collectif"),
            services.NouvelleAdresse("2 rue B", "69002", None, 20, "diffus"),
        ],
    )

    parc.cada_rhone.refresh_from_db()
    assert parc.cada_rhone.type_bati == "mixte"


def test_second_initial_capacity_is_refused(parc, agent_rhone):
    with pytest.raises(ErreurMetier, match="déjà enregistrée"):
        services.enregistrer_evenement(
            agent_rhone,
            parc.cada_rhone,
            NatureEvenement.CREATION,
            datetime.date(2024, 1, 1),
            "Arrêté",
            Variation(5),
        )


def test_closing_a_closed_structure_is_refused(parc, agent_rhone):
    fermeture = (NatureEvenement.FERMETURE, datetime.date(2024, 1, 1), "Arrêté")
    services.enregistrer_evenement(
        agent_rhone, parc.cada_rhone, *fermeture, Variation()
    )

    with pytest.raises(ErreurMetier, match="rien à fermer"):
        services.enregistrer_evenement(
            agent_rhone, parc.cada_rhone, *fermeture, Variation()
        )


@pytest.mark.parametrize("annee", [1, 1900, 9999])
def test_implausible_date_of_effect_is_refused(parc, agent_rhone, annee):
    with pytest.raises(ErreurMetier, match="date d'effet"):
        services.enregistrer_evenement(
            agent_rhone,
            parc.cada_rhone,
            NatureEvenement.EXTENSION,
            datetime.date(annee, 1, 1),
            "Arrêté",
            Variation(5),
        )


def test_change_before_the_initial_capacity_is_refused(parc, agent_rhone):
    with pytest.raises(ErreurMetier, match="aucun changement ne peut la précéder"):
        services.enregistrer_evenement(
            agent_rhone,
            parc.cada_rhone,
            NatureEvenement.EXTENSION,
            datetime.date(2010, 1, 1),
            "Arrêté",
            Variation(3),
        )


def test_transfer_before_the_initial_capacity_of_its_destination_is_refused(
    parc, agent_rhone
):
    with pytest.raises(ErreurMetier, match="aucun changement ne peut la précéder"):
        services.transferer_places(
            agent_rhone,
            parc.cada_rhone,
            parc.huda_ain,
            datetime.date(2019, 6, 1),
            "Arrêté de transfert",
            Variation(5),
        )


def test_implausible_date_of_the_act_is_refused(parc, agent_rhone):
    with pytest.raises(ErreurMetier, match="date de l'acte"):
        services.enregistrer_evenement(
            agent_rhone,
            parc.cada_rhone,
            NatureEvenement.EXTENSION,
            datetime.date(2024, 1, 1),
            "Arrêté",
            Variation(3),
            date_acte=datetime.date(9999, 12, 31),
        )


def test_journal_reads_choices_and_codes_as_a_user_would(parc, agent_rhone):
    services.modifier_structure(
        agent_rhone, parc.cada_rhone.pk, {"public": "familles"}, 1, codes_dna=["C6901"]
    )

    entree = EntreeJournal.objects.filter(action="modification").get()
    assert sorted(entree.changements_lisibles()) == [
        ("Codes DNA", "aucun", "C6901"),
        ("Public", "Tout public", "Familles"),
    ]
