import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from abri.communs.erreurs import ErreurMetier
from abri.communs.tests.stockage import bucket, cles
from abri.fabriques import StructureFactory
from abri.finances import services
from abri.finances.models import Budget, Campagne, DocumentBudget, StatutBudget
from abri.finances.views.tableau import EXPORTS

D = Decimal
PDF = b"%PDF-1.7\n% budget\n"
__all__ = ["bucket"]  # the fixture


def test_operator_types_french_amounts_and_saves_a_draft(
    client, operateur, budget_cada
):
    client.force_login(operateur)

    reponse = client.post(
        reverse("finances:proposition", args=[budget_cada.pk]),
        {
            "version": 1,
            "charges_proposees": "1\u00a0234\u00a0567,89 €",
            "etp": "6,5",
            "brouillon": "",
        },
    )

    assert reponse.status_code == 302
    budget = Budget.objects.get(pk=budget_cada.pk)
    assert budget.charges_proposees == D("1234567.89")
    assert budget.etp == D("6.5")
    assert budget.statut == StatutBudget.BROUILLON


def test_a_form_in_error_keeps_what_was_typed(client, operateur, budget_cada):
    client.force_login(operateur)

    reponse = client.post(
        reverse("finances:proposition", args=[budget_cada.pk]),
        {"version": 1, "charges_proposees": "12 34,5", "etp": "6,5"},
    )

    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    assert "Montant illisible" in contenu
    assert 'value="12 34,5"' in contenu
    assert 'value="6,5"' in contenu


def test_submitting_an_incomplete_proposal_says_what_is_missing(
    client, operateur, budget_cada
):
    client.force_login(operateur)

    reponse = client.post(
        reverse("finances:proposition", args=[budget_cada.pk]),
        {"version": 1, "charges_proposees": "100", "etape": ""},
    )

    assert "dotation demandée" in reponse.content.decode()
    assert Budget.objects.get(pk=budget_cada.pk).statut == StatutBudget.BROUILLON


def test_a_submitted_proposal_shows_locked_to_the_operator(
    client, operateur, budget_cada
):
    services.enregistrer_proposition(
        operateur,
        budget_cada.pk,
        {
            "charges_proposees": D(1),
            "produits_proposes": D(0),
            "dotation_demandee": D(1),
            "etp": D(1),
        },
        1,
        deposer=True,
    )
    client.force_login(operateur)

    reponse = client.get(reverse("finances:proposition", args=[budget_cada.pk]))

    assert "verrouillée" in reponse.content.decode()
    assert 'name="etape"' not in reponse.content.decode()


def test_budget_page_shows_who_set_each_figure(client, operateur, budget_cada):
    services.enregistrer_proposition(
        operateur, budget_cada.pk, {"charges_proposees": D(1000)}, 1
    )
    client.force_login(operateur)

    reponse = client.get(reverse("finances:budget", args=[budget_cada.pk]))

    contenu = reponse.content.decode()
    assert "Qui a saisi quoi" in contenu
    assert "Charges proposées" in contenu
    assert str(operateur) in contenu


def test_document_upload_checks_the_content(client, operateur, budget_cada, settings):
    client.force_login(operateur)
    url = reverse("finances:document", args=[budget_cada.pk])

    client.post(
        url,
        {
            "nature": "proposition",
            "fichier": SimpleUploadedFile("bp.pdf", b"not a pdf at all"),
        },
    )
    assert not DocumentBudget.objects.exists()

    client.post(
        url,
        {"nature": "proposition", "fichier": SimpleUploadedFile("bp.pdf", b"%PDF-1.7")},
    )
    document = DocumentBudget.objects.get()

    reponse = client.get(reverse("finances:telecharger", args=[document.pk]))
    assert b"".join(reponse.streaming_content) == b"%PDF-1.7"
    assert "attachment" in reponse["Content-Disposition"]
    assert document.fichier.name.startswith("budgets/")


def test_budget_documents_refuse_csv_and_a_disguised_file(operateur, budget_cada):
    for nom, contenu in (("bp.csv", b"a;b\n"), ("bp.xlsx", b"%PDF-1.7")):
        with pytest.raises(ErreurMetier):
            services.deposer_document(
                operateur, budget_cada.pk, "autre", SimpleUploadedFile(nom, contenu)
            )
    assert not DocumentBudget.objects.exists()


def test_budget_document_limit_is_the_product_one_and_is_shown(
    client, operateur, budget_cada, settings
):
    settings.DOCUMENTS_MAX_BYTES = 1024 * 1024
    client.force_login(operateur)

    page = client.get(reverse("finances:budget", args=[budget_cada.pk]))
    with pytest.raises(ErreurMetier, match="1 Mo"):
        services.deposer_document(
            operateur,
            budget_cada.pk,
            "autre",
            SimpleUploadedFile("bp.pdf", b"%PDF-1.7" + b"x" * 1024 * 1024),
        )

    assert "Taille maximale : 1 Mo" in page.content.decode()


def test_budget_documents_go_to_the_bucket_and_download_from_it(
    client, operateur, budget_cada, bucket
):
    document = services.deposer_document(
        operateur, budget_cada.pk, "proposition", SimpleUploadedFile("bp.pdf", PDF)
    )
    client.force_login(operateur)

    reponse = client.get(reverse("finances:telecharger", args=[document.pk]))

    assert cles(bucket) == [f"documents/{document.fichier.name}"]
    assert document.fichier.name.startswith("budgets/")
    assert b"".join(reponse.streaming_content) == PDF


def test_operator_of_another_group_gets_404_on_a_document(
    client, operateur, budget_huda
):
    services.deposer_document(
        operateur,
        budget_huda.pk,
        "autre",
        SimpleUploadedFile("x.pdf", PDF),
    )
    document = DocumentBudget.objects.get()
    client.force_login(operateur)  # the Groupe Horizon does not run the HUDA of Bourg

    assert (
        client.get(reverse("finances:telecharger", args=[document.pk])).status_code
        == 404
    )


@time_machine.travel(datetime.datetime(2024, 11, 1, 12, tzinfo=datetime.UTC))
def test_campaign_page_counts_late_proposals_per_territory(client, national, campagne):
    client.force_login(national)

    reponse = client.get(reverse("finances:campagne", args=[campagne.pk]))

    suivi = {s.departement.code: s for s in reponse.context["suivi"]}
    assert suivi["69"].attendus == 1
    assert suivi["69"].propositions_en_retard == 1
    assert suivi["69"].comptes_en_retard == 0


def test_national_admin_opens_a_campaign_from_the_page(client, national, parc):
    client.force_login(national)

    reponse = client.post(reverse("finances:ouvrir_campagne"), {"annee": 2026})

    assert reponse.status_code == 302
    assert Campagne.objects.get().date_limite_comptes == datetime.date(2027, 4, 30)


def _deficitaire(structure, national, annees=(2023, 2024, 2025)):
    for annee in annees:
        campagne = Campagne.objects.filter(
            annee=annee
        ).first() or services.ouvrir_campagne(national, annee)
        Budget.objects.filter(campagne=campagne, structure=structure).update(
            charges_retenues=D(300000),
            charges_reelles=D(310000),
            produits_reels=D(300000),
            dotation_accordee=D(290000),
            etp=D(6),
        )


@time_machine.travel(datetime.date(2026, 3, 1))
def test_structure_in_deficit_is_flagged_on_sheet_list_and_finance_page(
    client, national, parc
):
    _deficitaire(parc.cada_rhone, national)
    client.force_login(national)

    fiche = client.get(reverse("structures:fiche", args=[parc.cada_rhone.pk]))
    liste = client.get(reverse("structures:liste"))
    page = client.get(reverse("finances:tableau"))

    assert "Structure en déficit" in fiche.content.decode()
    drapeaux = {s.nom: s.en_deficit for s in liste.context["page"].object_list}
    assert drapeaux == {
        "CADA des Pentes": True,
        "CPH de la Villette": False,
        "HUDA de Bourg": False,
        "HUDA de l'Erdre": False,
    }
    assert [d.structure.nom for d in page.context["figures"].deficits] == [
        "CADA des Pentes"
    ]


@time_machine.travel(datetime.date(2026, 3, 1))
def test_finance_page_queries_do_not_grow_with_the_park(client, national, parc):
    _deficitaire(parc.cada_rhone, national)
    client.force_login(national)
    url = reverse("finances:tableau")
    with CaptureQueriesContext(connection) as avant:
        client.get(url)
    for _ in range(5):
        structure = StructureFactory(departement=parc.rhone, capacite=30)
        _deficitaire(structure, national)
    _deficitaire(parc.huda_ain, national)

    with CaptureQueriesContext(connection) as apres:
        reponse = client.get(url)

    assert reponse.status_code == 200
    assert len(apres) == len(avant)


@time_machine.travel(datetime.date(2026, 3, 1))
def test_every_figure_exports_in_both_formats(client, national, parc):
    _deficitaire(parc.cada_rhone, national)
    client.force_login(national)

    for figure in EXPORTS:
        for format in ("xlsx", "csv"):
            reponse = client.get(
                reverse("finances:export", args=[figure, format]), {"annee": 2025}
            )
            assert reponse.status_code == 200, (figure, format)
    csv = client.get(reverse("finances:export", args=["deficits", "csv"])).content
    assert "CADA des Pentes;CADA;69" in csv.decode("utf-8-sig")


def test_target_costs_are_read_by_all_and_set_by_national_admins(
    client, national, lecteur, parc
):
    client.force_login(lecteur)
    assert client.get(reverse("finances:tarifs")).status_code == 200
    assert (
        client.post(
            reverse("finances:tarifs"),
            {"type_structure": "CADA", "ile_de_france": "0", "annee": 2025,
             "montant": "19,50"},
        ).status_code
        == 403
    )  # fmt: skip

    client.force_login(national)
    client.post(
        reverse("finances:tarifs"),
        {"type_structure": "CADA", "ile_de_france": "1", "annee": 2025,
         "montant": "21,40 €"},
    )  # fmt: skip

    reponse = client.get(reverse("finances:tarifs"))
    assert "21,40" in reponse.content.decode()


def test_tariff_decision_is_a_pdf_with_the_amount_in_words(
    client, operateur, agent_rhone, budget_cada
):
    from abri.finances.documents import montant_en_lettres

    Budget.objects.filter(pk=budget_cada.pk).update(
        charges_retenues=D("293638.14"),
        produits_retenus=D(0),
        dotation_accordee=D("293638.14"),
    )
    client.force_login(agent_rhone)

    reponse = client.get(reverse("finances:decision_tarifaire", args=[budget_cada.pk]))

    assert reponse.status_code == 200
    assert reponse.content.startswith(b"%PDF")
    assert montant_en_lettres(D("293638.14")).startswith(
        "deux cent quatre-vingt-treize"
    )


def test_no_tariff_decision_before_the_dotation_is_set(
    client, agent_rhone, budget_cada
):
    client.force_login(agent_rhone)

    url = reverse("finances:decision_tarifaire", args=[budget_cada.pk])

    assert client.get(url).status_code == 404


def test_structure_sheet_queries_do_not_grow_with_its_budgets(client, national, parc):
    client.force_login(national)
    url = reverse("structures:fiche", args=[parc.cada_rhone.pk])
    _deficitaire(parc.cada_rhone, national, annees=(2023,))
    client.get(url)
    with CaptureQueriesContext(connection) as avant:
        client.get(url)

    _deficitaire(parc.cada_rhone, national, annees=(2024, 2025, 2026))
    for budget in Budget.objects.filter(structure=parc.cada_rhone):
        services.deposer_document(
            national, budget.pk, "autre", SimpleUploadedFile("a.pdf", PDF)
        )

    with CaptureQueriesContext(connection) as apres:
        reponse = client.get(url)

    assert len(reponse.context["bloc_finances"].annees) == 4
    assert len(apres) == len(avant)


@time_machine.travel(datetime.date(2026, 3, 1))
def test_home_page_shows_the_dotations_of_the_year_and_the_deficits(
    client, national, parc
):
    _deficitaire(parc.cada_rhone, national, annees=(2023, 2024, 2025, 2026))
    client.force_login(national)

    reponse = client.get(reverse("pilotage:accueil"))

    chiffres = reponse.context["finances"]
    assert chiffres.annee == 2026
    assert chiffres.accordee == D(290000)
    assert chiffres.structures_en_deficit == 1


def test_subsidised_accounts_with_their_allocation_then_the_decision(
    client, operateur, regional, budget_huda
):
    from abri.comptes.models import Role
    from abri.fabriques import UtilisateurFactory

    association = UtilisateurFactory(
        email="asso@abri.test",
        role=Role.OPERATEUR,
        operateur=budget_huda.structure.operateur,
    )
    Budget.objects.filter(pk=budget_huda.pk).update(
        statut=StatutBudget.INSTRUIT, charges_retenues=D(200000), version=2
    )
    client.force_login(association)
    url = reverse("finances:comptes", args=[budget_huda.pk])
    assert "Excédent reversé" in client.get(url).content.decode()

    reponse = client.post(
        url,
        {
            "version": 2,
            "charges_reelles": "200 000",
            "produits_reels": "203 000,00 €",
            "aff_excedent_reverse": "2 000",
            "aff_excedent_reemploye": "1 000",
            "etape": "",
        },
    )
    assert reponse.status_code == 302
    assert Budget.objects.get(pk=budget_huda.pk).statut == StatutBudget.COMPTES_DEPOSES

    client.force_login(regional)
    affectation = reverse("finances:affectation", args=[budget_huda.pk])
    page = client.get(affectation).content.decode()
    assert 'value="2\u00a0000,00"' in page  # the proposed allocation, as a start
    client.post(
        affectation,
        {"version": 3, "aff_excedent_reverse": "3 000", "etape": ""},
    )
    assert Budget.objects.get(pk=budget_huda.pk).statut == StatutBudget.CLOTURE


def test_campaign_page_queries_do_not_grow_with_the_budgets(client, national, parc):
    campagne = services.ouvrir_campagne(national, 2025)
    client.force_login(national)
    url = reverse("finances:campagne", args=[campagne.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as avant:
        client.get(url)
    for _ in range(6):
        StructureFactory(departement=parc.loire_atlantique, capacite=12)
    services.completer_campagne(national, campagne.pk)

    with CaptureQueriesContext(connection) as apres:
        reponse = client.get(url)

    assert reponse.context["page"].paginator.count == 10
    assert len(apres) == len(avant)


@time_machine.travel(datetime.date(2026, 3, 1))
def test_a_structure_opened_mid_year_shows_its_unspent_credits(client, national, parc):
    from abri.structures.models import EvenementCapacite, NatureEvenement

    ouverte = StructureFactory(nom="CADA Neuve", departement=parc.rhone)
    EvenementCapacite.objects.create(
        structure=ouverte,
        nature=NatureEvenement.CREATION,
        date_effet=datetime.date(2025, 7, 2),
        acte="Arrêté",
        places_autorisees=40,
    )
    _deficitaire(ouverte, national, annees=(2025,))
    client.force_login(national)

    reponse = client.get(reverse("finances:tableau"), {"annee": 2025})

    ouvertures = reponse.context["figures"].ouvertures
    assert [c.structure.nom for c in ouvertures] == ["CADA Neuve"]
    assert ouvertures[0].figures.mois_non_consommes == D("6.0")


def test_a_closed_instruction_shows_its_figures_read_only(
    client, operateur, agent_rhone, budget_cada
):
    from abri.finances.tests.test_services import _instruit

    budget = _instruit(operateur, agent_rhone, budget_cada)
    client.force_login(agent_rhone)
    url = reverse("finances:instruction", args=[budget.pk])

    contenu = client.get(url).content.decode()
    assert "L&#x27;instruction est close" in contenu
    assert "470\u202f000,00\u00a0€" in contenu
    assert 'name="dotation_accordee"' not in contenu

    reponse = client.post(
        url, {"version": budget.version, "dotation_accordee": "999 000"}
    )
    assert Budget.objects.get(pk=budget.pk).dotation_accordee == D("470000")
    assert reponse.status_code == 200

    page = client.get(reverse("finances:budget", args=[budget.pk])).content.decode()
    assert "Rouvrir l'instruction" in page
    reponse = client.post(
        reverse("finances:rouvrir_instruction", args=[budget.pk]),
        {"version": budget.version, "motif": "Charges mal reprises"},
    )
    assert reponse.status_code == 302
    assert Budget.objects.get(pk=budget.pk).statut == StatutBudget.PROPOSITION_DEPOSEE


def test_negative_counts_get_a_message_fitting_the_field(
    client, operateur, budget_cada
):
    client.force_login(operateur)

    reponse = client.post(
        reverse("finances:proposition", args=[budget_cada.pk]),
        {"version": 1, "etp": "-2", "places_declarees": "-40"},
    )

    contenu = reponse.content.decode()
    assert "Nombre d&#x27;ETP positif attendu" in contenu
    assert "Nombre positif attendu" in contenu
    assert "Montant positif attendu" not in contenu


def test_money_sums_export_to_the_cent(client, national, budget_cada, budget_huda):
    # 0.1 + 0.2 added as floating point numbers is 0.30000000000000004.
    Budget.objects.filter(pk=budget_cada.pk).update(dotation_accordee=D("0.10"))
    Budget.objects.filter(pk=budget_huda.pk).update(dotation_accordee=D("0.20"))
    for montant in ("0.10", "0.20"):
        budget_cada.versements.create(
            date=datetime.date(2025, 3, 5), montant=D(montant)
        )
    client.force_login(national)

    def exporter(figure: str, format: str = "csv") -> bytes:
        url = reverse("finances:export", args=[figure, format])
        return client.get(url, {"annee": 2025}).content

    dotations = exporter("dotations").decode("utf-8-sig")
    assert ";0,30;0,30;1,0000" in dotations
    mois = exporter("mois").decode("utf-8-sig")
    assert "Mars 2025;0,30;0,30" in mois.replace("mars", "Mars")
    assert "0,3000000" not in dotations + mois

    from abri.communs.tableurs import lire_classeur

    feuille = lire_classeur(exporter("dotations", "xlsx"), "d.xlsx").feuilles[0]
    assert list(feuille.lignes[1].cellules[1:3]) == [0.3, 0.3]


def test_a_late_proposal_is_accepted_and_shown_late(
    client, operateur, national, budget_cada
):
    from abri.finances.tests.test_services import PROPOSITION

    # The 2025 deadline is 31/10/2024; the proposal comes in November.
    with time_machine.travel(datetime.datetime(2024, 11, 12, 9, tzinfo=datetime.UTC)):
        budget = services.enregistrer_proposition(
            operateur, budget_cada.pk, PROPOSITION, 1, deposer=True
        )
    assert budget.statut == StatutBudget.PROPOSITION_DEPOSEE
    client.force_login(national)

    page = client.get(reverse("finances:budget", args=[budget.pk])).content.decode()
    assert "Proposition déposée en retard" in page

    url = reverse("finances:campagne", args=[budget.campagne_id])
    campagne = client.get(url).content.decode()
    assert "Proposition déposée en retard, le 12/11/2024" in campagne
