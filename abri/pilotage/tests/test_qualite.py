import pytest

from abri.communs.erreurs import ErreurMetier
from abri.fabriques import AdresseFactory, CodeDnaFactory
from abri.pilotage.models import Anomalie
from abri.pilotage.regles_qualite import REGLES
from abri.pilotage.services import justifier_anomalie, recalculer_anomalies
from abri.structures.models import EvenementCapacite, NatureEvenement


def constats(structure) -> set[tuple[str, str]]:
    recalculer_anomalies([structure])
    return set(Anomalie.objects.filter(structure=structure).values_list("regle", "cle"))


def ajouter(structure, **places: int) -> None:
    EvenementCapacite.objects.create(
        structure=structure,
        nature=NatureEvenement.REQUALIFICATION,
        date_effet="2021-01-01",
        acte="Arrêté",
        **places,
    )


def test_first_rules_are_registered():
    assert {"CAP-01", "CAP-02", "DNA-01", "DNA-02", "FIN-01"} <= set(REGLES)


def test_each_kind_of_specialised_place_above_authorised_is_one_finding(parc):
    ajouter(parc.huda_ain, places_pmr=41, places_lgbt=41, places_fvv_teh=40)

    assert {c for c in constats(parc.huda_ain) if c[0] == "CAP-01"} == {
        ("CAP-01", "pmr"),
        ("CAP-01", "lgbt"),
    }


def test_specialised_places_equal_to_authorised_pass(parc):
    ajouter(parc.huda_ain, places_pmr=40)

    assert not any(regle == "CAP-01" for regle, _ in constats(parc.huda_ain))


def test_address_places_exactly_ten_percent_away_pass(parc):
    AdresseFactory(structure=parc.huda_ain, places_autorisees=44)

    assert ("CAP-02", "") not in constats(parc.huda_ain)


def test_address_places_more_than_ten_percent_away_are_a_finding(parc):
    AdresseFactory(structure=parc.huda_ain, places_autorisees=45)

    assert ("CAP-02", "") in constats(parc.huda_ain)


def test_dna_code_of_another_departement_is_a_finding(parc):
    CodeDnaFactory(structure=parc.cada_rhone, code="C4401")

    assert ("DNA-01", "C4401") in constats(parc.cada_rhone)


def test_several_dna_codes_are_a_finding(parc):
    CodeDnaFactory(structure=parc.cada_rhone, code="C6901")
    CodeDnaFactory(structure=parc.cada_rhone, code="C6902")

    assert ("DNA-02", "") in constats(parc.cada_rhone)


def test_finess_rule_applies_to_authorised_structures_only(parc):
    assert ("FIN-01", "absent") in constats(parc.cada_rhone)
    assert not any(regle == "FIN-01" for regle, _ in constats(parc.huda_ain))


def test_recomputing_twice_changes_nothing(parc):
    CodeDnaFactory(structure=parc.cada_rhone, code="C4401")
    recalculer_anomalies()

    compteurs = recalculer_anomalies()

    assert compteurs["creees"] == 0
    assert compteurs["supprimees"] == 0


def test_justification_is_kept_while_the_finding_stands(parc, agent_rhone):
    CodeDnaFactory(structure=parc.cada_rhone, code="C4401")
    recalculer_anomalies()
    anomalie = Anomalie.objects.get(regle="DNA-01")
    justifier_anomalie(agent_rhone, anomalie.pk, "Code historique conservé par l'OFII.")

    recalculer_anomalies()

    anomalie.refresh_from_db()
    assert anomalie.justifiee
    assert anomalie.justification == "Code historique conservé par l'OFII."


def test_finding_that_no_longer_stands_is_removed(parc):
    code = CodeDnaFactory(structure=parc.cada_rhone, code="C4401")
    recalculer_anomalies()
    code.delete()

    recalculer_anomalies()

    assert not Anomalie.objects.filter(regle="DNA-01").exists()


def test_justification_needs_a_comment(parc, agent_rhone):
    CodeDnaFactory(structure=parc.cada_rhone, code="C4401")
    recalculer_anomalies()

    with pytest.raises(ErreurMetier):
        justifier_anomalie(agent_rhone, Anomalie.objects.get(regle="DNA-01").pk, " ")


def test_reader_cannot_justify(parc, lecteur):
    CodeDnaFactory(structure=parc.cph_paris, code="R7501")
    CodeDnaFactory(structure=parc.cph_paris, code="R7502")
    recalculer_anomalies()

    with pytest.raises(ErreurMetier):
        justifier_anomalie(lecteur, Anomalie.objects.get(regle="DNA-02").pk, "Vu.")


def test_agent_of_another_departement_cannot_justify(parc, agent_loire):
    CodeDnaFactory(structure=parc.cada_rhone, code="C4401")
    recalculer_anomalies()

    with pytest.raises(Anomalie.DoesNotExist):
        justifier_anomalie(agent_loire, Anomalie.objects.get(regle="DNA-01").pk, "Vu.")


@pytest.fixture
def regle_sur_donnees_collectees():
    """A throw-away collector and rule, removed after the test."""
    from abri.pilotage import regles_qualite

    appels: list[list[int]] = []

    @regles_qualite.collecteur("essai")
    def collecter(ids, date):
        appels.append(list(ids))
        return {ids[0]: f"vu le {date:%d/%m/%Y}"}

    @regles_qualite.regle("ESSAI-01", "Règle d'essai", "Essai")
    def signaler(contexte):
        if "essai" in contexte.donnees:
            yield regles_qualite.Constat(contexte.donnees["essai"])

    yield appels
    del regles_qualite.COLLECTEURS["essai"]
    del regles_qualite.REGLES["ESSAI-01"]


def test_collector_feeds_its_data_to_the_rules_of_its_structures(
    parc, regle_sur_donnees_collectees
):
    import datetime

    structures = sorted([parc.cada_rhone, parc.huda_ain], key=lambda s: s.pk)
    recalculer_anomalies(structures, date=datetime.date(2026, 3, 1))

    trouvees = Anomalie.objects.filter(regle="ESSAI-01")
    assert [(a.structure_id, a.message) for a in trouvees] == [
        (structures[0].pk, "vu le 01/03/2026")
    ]
    assert regle_sur_donnees_collectees == [[s.pk for s in structures]]


def test_collector_is_called_once_per_batch(parc, regle_sur_donnees_collectees):
    from abri.pilotage.regles_qualite import contextes

    list(contextes(taille_lot=2))

    assert len(regle_sur_donnees_collectees) == 2
