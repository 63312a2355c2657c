import datetime

from django.core.management import call_command

from abri.comptes.demo import creer_comptes_demo
from abri.finances.demo import generer_finances
from abri.finances.models import Budget, Campagne, TarifCible
from abri.finances.queries import tarifs_de_demonstration

AUJOURDHUI = datetime.date(2026, 12, 4)


def test_demo_finances_cover_several_years_and_are_idempotent(parc):
    compteurs = generer_finances(7, AUJOURDHUI)

    assert compteurs["campagnes"] == 6
    assert Budget.objects.filter(annee=2025, statut="cloture").count() == 4
    assert Budget.objects.filter(annee=2026, statut="instruit").count() == 4
    assert not generer_finances(7, AUJOURDHUI)
    assert Campagne.objects.count() == 6


def test_demo_target_costs_are_entered_by_the_demo_national_admin(parc, settings):
    from abri.territoires.models import Region

    Region.objects.get_or_create(code="11", defaults={"nom": "Île-de-France"})
    creer_comptes_demo()

    generer_finances(7, AUJOURDHUI)

    tarif = TarifCible.objects.select_related("modifie_par").first()
    assert tarif.modifie_par.email == "national@abri.local"
    assert tarif.history.first().history_user.email == "national@abri.local"
    assert tarifs_de_demonstration()


def test_same_seed_same_budgets(parc):
    generer_finances(3, AUJOURDHUI)
    premiers = list(
        Budget.objects.order_by("structure_id", "annee").values_list(
            "charges_retenues", "charges_reelles"
        )
    )
    for modele in (Budget, Campagne, TarifCible):
        modele.objects.all().delete()

    generer_finances(3, AUJOURDHUI)

    assert premiers == list(
        Budget.objects.order_by("structure_id", "annee").values_list(
            "charges_retenues", "charges_reelles"
        )
    )


def test_command_says_when_there_is_nothing_to_add(parc, capsys):
    call_command("generer_finances_demo")
    call_command("generer_finances_demo")

    assert "rien n'est ajouté" in capsys.readouterr().out


def test_demo_adds_cpom_budgets_also_to_an_existing_database(parc):
    from abri.conventions.models import AdhesionCpom, Cpom, Etat

    cpom = Cpom.objects.create(
        operateur=parc.groupe,
        echelle="departementale",
        intitule="Démonstration",
        date_debut=datetime.date(2021, 1, 1),
        date_fin=datetime.date(2030, 12, 31),
        etat=Etat.SIGNEE,
    )
    cpom.departements.set([parc.rhone])
    AdhesionCpom.objects.create(
        cpom=cpom, structure=parc.cada_rhone, date_entree=datetime.date(2021, 1, 1)
    )

    compteurs = generer_finances(7, AUJOURDHUI)

    assert compteurs["budgets_cpom"] == 6
    membre = Budget.objects.get(structure=parc.cada_rhone, annee=2026)
    du_cpom = Budget.objects.get(cpom=cpom, annee=2026)
    assert du_cpom.type_structure == "CADA"
    assert du_cpom.dotation_accordee == membre.dotation_accordee
    assert not generer_finances(7, AUJOURDHUI)

    Budget.objects.filter(cpom__isnull=False).delete()
    assert generer_finances(7, AUJOURDHUI)["budgets_cpom"] == 6
    assert not generer_finances(7, AUJOURDHUI)
