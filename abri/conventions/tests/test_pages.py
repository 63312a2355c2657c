import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from abri.conventions.models import (
    Acte,
    AdhesionCpom,
    ChampAmende,
    Cpom,
    Etat,
    NatureActe,
)
from abri.conventions.tests.conftest import acte, resultats_de
from abri.fabriques import StructureFactory

D = datetime.date


def test_act_page_shows_steps_as_post_buttons(client, agent_rhone, parc):
    brouillon = acte(
        parc.cada_rhone, debut=D(2027, 1, 1), fin=D(2031, 12, 31), etat=Etat.BROUILLON
    )
    client.force_login(agent_rhone)

    reponse = client.get(reverse("conventions:acte", args=[brouillon.pk]))

    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert reverse("conventions:etape", args=[brouillon.pk, "envoyer"]) in contenu
    assert "signer_etat" not in contenu


def test_posting_a_step_moves_the_act(client, agent_rhone, parc):
    brouillon = acte(parc.cada_rhone, etat=Etat.BROUILLON)
    client.force_login(agent_rhone)

    client.post(
        reverse("conventions:etape", args=[brouillon.pk, "envoyer"]),
        {"version": brouillon.version},
    )

    assert Acte.objects.get(pk=brouillon.pk).etat == Etat.ENVOYEE


@pytest.mark.parametrize("donnees", [{}, {"version": ""}, {"version": "x"}])
def test_a_step_without_the_version_is_refused_like_a_stale_one(
    client, agent_rhone, parc, donnees
):
    envoye = acte(parc.cada_rhone, etat=Etat.ENVOYEE)
    client.force_login(agent_rhone)

    reponse = client.post(
        reverse("conventions:etape", args=[envoye.pk, "signer_etat"]),
        donnees,
        follow=True,
    )

    assert "a changé depuis l&#x27;ouverture de la page" in reponse.content.decode()
    assert Acte.objects.get(pk=envoye.pk).etat == Etat.ENVOYEE


def test_an_illegal_step_is_refused_with_a_message(client, agent_rhone, parc):
    brouillon = acte(parc.cada_rhone, etat=Etat.ENVOYEE)
    client.force_login(agent_rhone)

    reponse = client.post(
        reverse("conventions:etape", args=[brouillon.pk, "signer_etat"]),
        {"version": brouillon.version},
        follow=True,
    )

    assert "L&#x27;opérateur n&#x27;a pas encore signé" in reponse.content.decode()
    assert Acte.objects.get(pk=brouillon.pk).etat == Etat.ENVOYEE


def test_new_act_form_keeps_what_was_typed_on_error(client, agent_rhone, parc):
    client.force_login(agent_rhone)

    reponse = client.post(
        reverse("conventions:nouvel_acte", args=[parc.cada_rhone.pk]),
        {
            "nature": "convention",
            "reference": "CONV-TAPEE",
            "date_debut": "2025-01-01",
            "date_fin": "2031-01-01",
        },
    )

    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    assert "au plus 5 ans" in contenu
    assert 'value="CONV-TAPEE"' in contenu


def test_new_act_is_created_as_draft(client, agent_rhone, parc):
    client.force_login(agent_rhone)

    reponse = client.post(
        reverse("conventions:nouvel_acte", args=[parc.cada_rhone.pk]),
        {
            "nature": "convention",
            "reference": "C-1",
            "date_debut": "2025-01-01",
            "date_fin": "2029-12-31",
            "places": "80",
        },
    )

    nouveau = Acte.objects.get(reference="C-1")
    assert reponse.status_code == 302
    assert nouveau.etat == Etat.BROUILLON


def test_avenant_form(client, agent_rhone, parc, convention_cada):
    client.force_login(agent_rhone)

    client.post(
        reverse("conventions:nouvel_avenant", args=[convention_cada.pk]),
        {
            "date_debut": "2026-01-01",
            "champs_amendes": [ChampAmende.DOTATION],
            "dotation": "1200",
        },
    )

    assert convention_cada.avenants.get().dotation == 1200


@time_machine.travel(D(2026, 10, 1))
def test_renewal_screen_says_figures_are_unknown(client, agent_rhone, convention_cada):
    client.force_login(agent_rhone)

    reponse = client.get(reverse("conventions:renouveler", args=[convention_cada.pk]))

    contenu = reponse.content.decode()
    assert "inconnu" in contenu
    assert 'value="2027-01-01"' in contenu


def test_renewal_proposal_reads_well_without_a_dotation(client, agent_rhone, parc):
    from abri.conventions.tests.conftest import acte

    sans_dotation = acte(parc.cada_rhone, reference="CONV-69-002", places=58)
    client.force_login(agent_rhone)

    reponse = client.get(reverse("conventions:renouveler", args=[sans_dotation.pk]))

    contenu = " ".join(reponse.content.decode().split())
    assert "Proposé à partir de l'acte en vigueur : 58 places. Il sera" in contenu


@time_machine.travel(D(2026, 10, 1))
def test_renewal_screen_shows_places_occupancy_results_and_asks_a_motivation(
    client, agent_rhone, parc, convention_cada
):
    from abri.activite.models import ActiviteMensuelle, Source

    ActiviteMensuelle.objects.create(
        structure=parc.cada_rhone,
        mois=D(2026, 8, 1),
        source=Source.FICHIER,
        capacite=80,
        places_indisponibles=0,
        places_occupees=76,
    )
    resultats_de(
        parc.cada_rhone,
        {2023: (100, 120), 2024: (100, 90), 2025: (300, 312)},
    )
    client.force_login(agent_rhone)
    url = reverse("conventions:renouveler", args=[convention_cada.pk])

    contenu = client.get(url).content.decode()
    refus = client.post(
        url,
        {
            "version": convention_cada.version,
            "date_debut": "2027-01-01",
            "date_fin": "2031-12-31",
            "motivation": "",
        },
    )

    assert "inconnu" not in contenu
    assert "95" in contenu and "76 places occupées" in contenu
    assert "2023 : -20" in contenu.replace("\u202f", " ").replace("\xa0", " ")
    assert "doit être motivé" in contenu
    assert refus.status_code == 200
    assert Acte.objects.get(pk=convention_cada.pk).successeur is None


@time_machine.travel(D(2026, 3, 1))
def test_structure_in_deficit_is_flagged_in_the_list_and_on_the_renewal_screen(
    client, national, parc, convention_cada
):
    acte(parc.huda_ain, reference="CONV-01-001")
    resultats_de(parc.cada_rhone, {2023: (1, 2), 2024: (1, 2), 2025: (2, 1)})
    resultats_de(parc.huda_ain, {2023: (1, 2), 2024: (2, 1), 2025: (2, 1)})
    client.force_login(national)

    liste = client.get(reverse("conventions:liste"))
    ecran = client.get(reverse("conventions:renouveler", args=[convention_cada.pk]))

    drapeaux = {a.reference: a.en_deficit for a in liste.context["page"].object_list}
    assert drapeaux == {"CONV-69-001": True, "CONV-01-001": False}
    assert liste.content.decode().count("En déficit</span>") == 1
    assert "En déficit</span>" in ecran.content.decode()


def test_renewal_through_the_screen(client, agent_rhone, convention_cada):
    client.force_login(agent_rhone)

    client.post(
        reverse("conventions:renouveler", args=[convention_cada.pk]),
        {
            "version": convention_cada.version,
            "date_debut": "2027-01-01",
            "date_fin": "2031-12-31",
            "motivation": "",
        },
    )

    assert Acte.objects.get(pk=convention_cada.pk).successeur.date_fin == D(
        2031, 12, 31
    )


def test_denunciation_through_the_form(client, operateur, parc):
    convention = acte(parc.cph_paris)
    client.force_login(operateur)

    client.post(
        reverse("conventions:denoncer", args=[convention.pk]),
        {
            "version": convention.version,
            "date_notification": "2026-01-10",
            "motif": "Fermeture du site",
        },
    )

    assert Acte.objects.get(pk=convention.pk).etat == Etat.DENONCEE


def test_structure_sheet_shows_the_calendar(client, agent_rhone, parc, convention_cada):
    client.force_login(agent_rhone)

    reponse = client.get(reverse("structures:fiche", args=[parc.cada_rhone.pk]))

    contenu = reponse.content.decode()
    assert "Calendrier des actes" in contenu
    assert "CONV-69-001" in contenu


def _requetes_fiche(client, structure) -> int:
    with CaptureQueriesContext(connection) as requetes:
        assert (
            client.get(reverse("structures:fiche", args=[structure.pk])).status_code
            == 200
        )
    return len(requetes)


def test_structure_sheet_queries_do_not_grow_with_acts(client, agent_rhone, parc):
    client.force_login(agent_rhone)
    convention = acte(parc.cada_rhone)
    acte(parc.cada_rhone, NatureActe.AVENANT, D(2023, 1, 1), None, parent=convention)
    avant = _requetes_fiche(client, parc.cada_rhone)
    for annee in range(2000, 2020, 5):
        autre = acte(parc.cada_rhone, debut=D(annee, 1, 1), fin=D(annee + 4, 12, 31))
        acte(
            parc.cada_rhone,
            NatureActe.AVENANT,
            D(annee + 1, 1, 1),
            None,
            parent=autre,
            nouvelle_date_fin=D(annee + 4, 12, 31),
        )

    assert _requetes_fiche(client, parc.cada_rhone) == avant


def _requetes_liste(client, params=None) -> int:
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(reverse("conventions:liste"), params or {}).status_code == 200
    return len(requetes)


def test_list_queries_do_not_grow_with_acts(client, national, parc):
    client.force_login(national)
    acte(parc.cada_rhone)
    avant = _requetes_liste(client)
    for i in range(8):
        structure = StructureFactory(departement=parc.rhone)
        acte(structure, reference=f"C{i}")

    assert _requetes_liste(client) == avant


def test_cpom_list_queries_do_not_grow(client, national, parc):
    client.force_login(national)
    _cpom(parc, "Un")
    avant = _requetes_liste(client, {"nature": "cpom"})
    for i in range(5):
        _cpom(parc, f"Autre {i}")

    assert _requetes_liste(client, {"nature": "cpom"}) == avant


def test_list_filters_on_effective_end_dates(client, national, parc):
    acte(parc.cada_rhone, reference="FIN-2026")
    acte(parc.huda_ain, debut=D(2023, 1, 1), fin=D(2025, 12, 31), reference="FIN-2025")
    client.force_login(national)

    reponse = client.get(
        reverse("conventions:liste"), {"fin_du": "2026-01-01", "fin_au": "2026-12-31"}
    )

    assert [a.reference for a in reponse.context["page"].object_list] == ["FIN-2026"]


def test_list_filters_by_structure_type_and_state(client, national, parc):
    acte(parc.cada_rhone, reference="CADA")
    acte(
        parc.huda_ain,
        debut=D(2023, 1, 1),
        fin=D(2025, 12, 31),
        reference="HUDA",
        etat=Etat.BROUILLON,
    )
    client.force_login(national)

    reponse = client.get(
        reverse("conventions:liste"), {"type": "HUDA", "etat": "brouillon"}
    )

    assert [a.reference for a in reponse.context["page"].object_list] == ["HUDA"]


def test_export_csv(client, national, parc, convention_cada):
    client.force_login(national)

    reponse = client.get(reverse("conventions:export", args=["csv"]))

    assert "CONV-69-001" in reponse.content.decode("utf-8-sig")


def test_export_xlsx(client, national, parc, convention_cada):
    client.force_login(national)

    reponse = client.get(
        reverse("conventions:export", args=["xlsx"]), {"nature": "cpom"}
    )

    assert reponse.status_code == 200


def _cpom(parc, intitule):
    cpom = Cpom.objects.create(
        operateur=parc.association,
        echelle="regionale",
        intitule=intitule,
        date_debut=D(2024, 1, 1),
        date_fin=D(2028, 12, 31),
        etat=Etat.SIGNEE,
    )
    cpom.departements.set([parc.ain, parc.loire_atlantique])
    AdhesionCpom.objects.create(
        cpom=cpom,
        structure=parc.huda_ain,
        date_entree=D(2024, 1, 1),
        date_sortie=D(2024, 1, 1),
    )
    return cpom


def test_cpom_page_shows_its_composition(client, national, parc):
    cpom = _cpom(parc, "Accueil Atlantique 2024")
    client.force_login(national)

    reponse = client.get(reverse("conventions:cpom", args=[cpom.pk]))

    assert "HUDA de Bourg" in reponse.content.decode()


def test_cpom_page_shows_the_budgets_of_its_members_by_year_and_type(
    client, national, parc
):
    from decimal import Decimal

    cpom = _cpom(parc, "Accueil Atlantique 2024")
    AdhesionCpom.objects.create(
        cpom=cpom, structure=parc.huda_loire, date_entree=D(2025, 1, 1)
    )
    # huda_ain is a member in 2024 only, huda_loire from 2025 on.
    resultats_de(parc.huda_ain, {2024: (100, 130), 2025: (1, 1)})
    resultats_de(
        parc.huda_loire,
        {2024: (5, 5), 2025: (200, 190)},
        charges_proposees=Decimal(210),
        charges_retenues=Decimal(195),
    )
    resultats_de(parc.cada_rhone, {2025: (9, 99)})  # not a member
    client.force_login(national)
    url = reverse("conventions:cpom", args=[cpom.pk])

    client.get(url)
    with CaptureQueriesContext(connection) as peu:
        client.get(url)
    AdhesionCpom.objects.create(
        cpom=cpom, structure=parc.huda_ain, date_entree=D(2026, 1, 1)
    )
    resultats_de(parc.huda_ain, {2026: (50, 40), 2027: (50, 60)})
    with CaptureQueriesContext(connection) as beaucoup:
        reponse = client.get(url)

    lignes = {
        (b.annee, b.type_structure): (b.structures, b.charges_retenues, b.resultat)
        for b in reponse.context["budgets"]
    }
    assert lignes == {
        (2027, "HUDA"): (1, None, Decimal(-10)),
        (2026, "HUDA"): (1, None, Decimal(10)),
        (2025, "HUDA"): (1, Decimal(195), Decimal(10)),
        (2024, "HUDA"): (1, None, Decimal(-30)),
    }
    assert "Budgets des structures membres" in reponse.content.decode()
    assert len(beaucoup) == len(peu)


def test_structure_joins_a_cpom_through_its_page(client, national, parc):
    cpom = _cpom(parc, "Accueil Atlantique 2024")
    client.force_login(national)

    client.post(
        reverse("conventions:cpom_adhesion", args=[cpom.pk]),
        {"structure": parc.huda_loire.pk, "date_entree": "2024-03-01"},
    )

    assert cpom.adhesions.filter(structure=parc.huda_loire).exists()


@time_machine.travel(D(2026, 9, 1))
def test_deadlines_page_lists_by_criticity(client, agent_rhone, parc):
    acte(parc.cada_rhone, debut=D(2022, 1, 1), fin=D(2026, 12, 31), reference="PROCHE")
    client.force_login(agent_rhone)

    reponse = client.get(reverse("conventions:echeances"))

    contenu = reponse.content.decode()
    assert "PROCHE" in contenu
    assert "Important" in contenu


@time_machine.travel(D(2026, 9, 1))
def test_home_page_shows_deadlines(client, agent_rhone, parc):
    acte(parc.cada_rhone, debut=D(2021, 1, 1), fin=D(2025, 12, 31), reference="PASSEE")
    client.force_login(agent_rhone)

    reponse = client.get(reverse("pilotage:accueil"))

    assert reponse.context["bloc_conventions"]["urgentes"] == 1
    assert "PASSEE" in reponse.content.decode()


@pytest.mark.parametrize("format_", ["docx", "pdf"])
def test_draft_generation(client, agent_rhone, convention_cada, format_):
    client.force_login(agent_rhone)

    reponse = client.get(
        reverse("conventions:brouillon", args=[convention_cada.pk, format_])
    )

    assert reponse.status_code == 200
    assert reponse.content[:4] in {b"PK\x03\x04", b"%PDF"}


def test_national_admin_maintains_the_word_model(client, national, convention_cada):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from docx import Document as DocumentWord

    from abri.conventions.models import ModeleDocument

    modele = DocumentWord()
    modele.add_paragraph("Modèle national pour {{ structure }} : {{ places }} places.")
    tampon = io.BytesIO()
    modele.save(tampon)
    client.force_login(national)

    client.post(
        reverse("admin:conventions_modeledocument_add"),
        {
            "nom": "Modèle 2026",
            "actif": "on",
            "fichier": SimpleUploadedFile("modele.docx", tampon.getvalue()),
        },
    )
    reponse = client.get(
        reverse("conventions:brouillon", args=[convention_cada.pk, "docx"])
    )

    assert ModeleDocument.objects.get().nom == "Modèle 2026"
    texte = "\n".join(
        p.text for p in DocumentWord(io.BytesIO(reponse.content)).paragraphs
    )
    assert texte == "Modèle national pour CADA des Pentes : 80 places."


def test_admin_refuses_a_model_that_is_no_word_document(client, national):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from abri.conventions.models import ModeleDocument

    client.force_login(national)
    reponse = client.post(
        reverse("admin:conventions_modeledocument_add"),
        {
            "nom": "Faux",
            "actif": "on",
            "fichier": SimpleUploadedFile("modele.docx", b"%PDF-1.4"),
        },
    )

    assert reponse.status_code == 200
    assert not ModeleDocument.objects.exists()


def _requetes_echeances(client) -> int:
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(reverse("conventions:echeances")).status_code == 200
    return len(requetes)


def test_deadlines_page_queries_do_not_grow(client, national, parc):
    client.force_login(national)
    acte(parc.cada_rhone, NatureActe.AUTORISATION, D(2015, 1, 1), D(2029, 12, 31))
    acte(parc.cada_rhone)
    _cpom(parc, "Un")
    avant = _requetes_echeances(client)
    for i in range(5):
        structure = StructureFactory(departement=parc.rhone, operateur=parc.filiale)
        acte(structure, NatureActe.AUTORISATION, D(2015, 1, 1), D(2029, 12, 31))
        acte(structure, reference=f"C{i}")
        _cpom(parc, f"Autre {i}")

    assert _requetes_echeances(client) == avant


def test_new_cpom_through_its_form(client, agent_loire, parc):
    client.force_login(agent_loire)

    reponse = client.post(
        reverse("conventions:nouveau_cpom"),
        {
            "operateur": parc.association.pk,
            "intitule": "Loire 2026",
            "echelle": "departementale",
            "departements": [parc.loire_atlantique.pk],
            "date_debut": "2026-01-01",
            "date_fin": "2030-12-31",
        },
    )

    cpom = Cpom.objects.get()
    assert reponse.status_code == 302
    assert (cpom.intitule, cpom.etat) == ("Loire 2026", Etat.BROUILLON)


def test_cpom_over_five_years_keeps_the_form(client, agent_loire, parc):
    client.force_login(agent_loire)

    reponse = client.post(
        reverse("conventions:nouveau_cpom"),
        {
            "operateur": parc.association.pk,
            "intitule": "Trop long",
            "echelle": "departementale",
            "departements": [parc.loire_atlantique.pk],
            "date_debut": "2026-01-01",
            "date_fin": "2031-01-01",
        },
    )

    assert "au plus 5 ans" in reponse.content.decode()
    assert 'value="Trop long"' in reponse.content.decode()


def test_cpom_renewal_carries_its_members_over(client, national, parc):
    cpom = _cpom(parc, "Un")
    AdhesionCpom.objects.create(
        cpom=cpom, structure=parc.huda_loire, date_entree=D(2024, 2, 1)
    )
    client.force_login(national)

    client.post(
        reverse("conventions:cpom_renouveler", args=[cpom.pk]),
        {"version": cpom.version},
    )

    suivant = Cpom.objects.get(pk=cpom.pk).successeur
    assert (suivant.date_debut, suivant.date_fin) == (D(2029, 1, 1), D(2033, 12, 31))
    assert [a.structure for a in suivant.adhesions.all()] == [parc.huda_loire]


def test_evaluation_recorded_from_the_sheet(client, agent_rhone, parc):
    from abri.conventions.models import Evaluation

    client.force_login(agent_rhone)

    client.post(
        reverse("conventions:ajouter_evaluation", args=[parc.cada_rhone.pk]),
        {"evaluation-date": "2024-05-02", "evaluation-nature": "externe"},
    )

    assert Evaluation.objects.get().date == D(2024, 5, 2)


def test_cpom_avenant_extends_the_cpom_once_signed(client, national, parc):
    from abri.conventions import services

    cpom = _cpom(parc, "Un")
    client.force_login(national)

    client.post(
        reverse("conventions:cpom_avenant", args=[cpom.pk]),
        {
            "date_debut": "2028-06-01",
            "champs_amendes": [ChampAmende.DATE_FIN],
            "nouvelle_date_fin": "2028-12-31",
        },
    )
    avenant = cpom.avenants.get()
    for etape in ("envoyer", "signer_operateur", "signer_etat"):
        avenant = services.franchir(national, avenant, etape)

    assert Cpom.objects.get(pk=cpom.pk).date_fin_effective == D(2028, 12, 31)


def test_document_of_a_cpom(client, national, parc):
    from django.core.files.uploadedfile import SimpleUploadedFile

    cpom = _cpom(parc, "Un")
    client.force_login(national)

    client.post(
        reverse("conventions:cpom_deposer", args=[cpom.pk]),
        {"fichier": SimpleUploadedFile("cpom.pdf", b"%PDF-1.4 cpom")},
    )

    assert cpom.documents.get().nom == "cpom.pdf"
    assert (
        "cpom.pdf"
        in client.get(reverse("conventions:cpom", args=[cpom.pk])).content.decode()
    )


def test_a_step_on_a_stale_page_is_refused(client, agent_rhone, parc):
    brouillon = acte(parc.cada_rhone, etat=Etat.BROUILLON)
    client.force_login(agent_rhone)
    client.post(
        reverse("conventions:etape", args=[brouillon.pk, "envoyer"]),
        {"version": brouillon.version},
    )

    reponse = client.post(
        reverse("conventions:etape", args=[brouillon.pk, "signer_operateur"]),
        {"version": brouillon.version},
        follow=True,
    )

    assert "a changé depuis l&#x27;ouverture de la page" in reponse.content.decode()
    assert Acte.objects.get(pk=brouillon.pk).etat == Etat.ENVOYEE


@pytest.mark.parametrize("reference", ["", "Convention", " convention "])
def test_an_act_without_reference_is_titled_by_its_date_and_structure(
    client, agent_rhone, parc, reference
):
    sans = acte(parc.cada_rhone, reference=reference)
    client.force_login(agent_rhone)

    contenu = client.get(reverse("conventions:acte", args=[sans.pk])).content.decode()

    titre = f"Convention du {sans.date_debut:%d/%m/%Y} — {parc.cada_rhone.nom}"
    assert f'<h1 class="fr-mb-1w">{titre}</h1>' in contenu
    assert "Convention Convention" not in contenu
    assert str(acte(parc.cada_rhone, reference="CONV-1")) == "Convention CONV-1"
