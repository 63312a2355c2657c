import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from abri.activite.models import ActiviteMensuelle, CorrespondanceOperateur, Source
from abri.activite.regles import ajouter_mois
from abri.activite.tests.conftest import mois_de
from abri.activite.tests.fichiers import classeur, ligne
from abri.fabriques import StructureFactory

OCTOBRE = datetime.date(2025, 10, 1)


@pytest.fixture
def activite(parc):
    mois_de(parc.cada_rhone, OCTOBRE, 80, 70, presences_indues_bpi=5)
    mois_de(parc.huda_ain, OCTOBRE, 40, 40)
    mois_de(parc.huda_loire, OCTOBRE, 50, 20)
    mois_de(parc.cph_paris, OCTOBRE, 30, 30)
    mois_de(parc.cada_rhone, ajouter_mois(OCTOBRE, -1), 80, 60)


def _requetes(client, url):
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(url).status_code == 200
    return len(requetes)


def test_places_page_sums_the_perimeter_and_names_structures_above_thresholds(
    client, regional, activite
):
    client.force_login(regional)

    reponse = client.get(reverse("activite:places"))

    contexte = reponse.context
    assert contexte["libelle_mois"] == "octobre 2025"
    assert contexte["total"].capacite == 120  # Rhône + Ain, not Loire nor Paris
    assert contexte["total"].vacantes == 10
    assert [ligne.nom for ligne in contexte["au_dessus"]] == ["CADA des Pentes"]
    assert "HUDA de l&#x27;Erdre" not in reponse.content.decode()
    assert "recalculés à partir de ces sommes" in reponse.content.decode()


def test_places_page_without_figures_says_so(client, national, parc):
    client.force_login(national)

    reponse = client.get(reverse("activite:places"))

    assert "Aucun chiffre d'occupation" in reponse.content.decode()


def test_places_page_query_count_does_not_grow_with_the_data(
    client, national, activite, parc
):
    client.force_login(national)
    url = reverse("activite:places")
    _requetes(client, url)
    avant = _requetes(client, url)

    for i in range(20):
        structure = StructureFactory(departement=parc.ain, capacite=10)
        for k in range(3):
            mois_de(structure, ajouter_mois(OCTOBRE, -k), 10, 9 - i % 3)

    assert _requetes(client, url) == avant


@pytest.mark.parametrize(
    "tableau",
    ["structures", "region", "departement", "type", "operateur", "historique"],
)
def test_exports_of_every_table(client, national, activite, tableau):
    client.force_login(national)

    reponse = client.get(
        reverse("activite:export", args=["csv"]) + f"?tableau={tableau}"
    )

    assert reponse.status_code == 200
    assert len(reponse.content.decode("utf-8-sig").splitlines()) > 1


def test_xlsx_export(client, national, activite):
    client.force_login(national)

    reponse = client.get(reverse("activite:export", args=["xlsx"]))

    assert reponse["Content-Disposition"].endswith('places-structures-2025-10.xlsx"')


def test_structure_sheet_shows_its_months_and_where_they_come_from(
    client, national, activite, parc
):
    client.force_login(national)

    reponse = client.get(reverse("structures:fiche", args=[parc.cada_rhone.pk]))

    contenu = reponse.content.decode()
    assert "Dernier mois connu : <strong>octobre 2025</strong>" in contenu
    assert "Fichier mensuel d&#x27;occupation" in contenu
    assert "Département 69" in contenu


def test_structure_sheet_query_count_does_not_grow_with_months(
    client, national, activite, parc
):
    client.force_login(national)
    url = reverse("structures:fiche", args=[parc.cada_rhone.pk])
    _requetes(client, url)
    avant = _requetes(client, url)

    for k in range(2, 30):
        mois_de(parc.cada_rhone, ajouter_mois(OCTOBRE, -k), 80, 50)

    assert _requetes(client, url) == avant


def test_home_page_shows_free_places_and_occupancy_of_the_latest_month(
    client, agent_loire, activite
):
    client.force_login(agent_loire)

    contenu = client.get(reverse("pilotage:accueil")).content.decode()

    assert "Places vacantes" in contenu
    assert "en octobre 2025" in contenu
    assert "40,0\u00a0%" in contenu  # 20 / 50


@time_machine.travel(datetime.date(2025, 11, 5))
def test_operator_declares_a_month_missing_from_the_file(client, operateur, parc):
    client.force_login(operateur)

    reponse = client.post(
        reverse("activite:declarer", args=[parc.cph_paris.pk]),
        {
            "mois": "2025-10",
            "capacite": 30,
            "places_indisponibles": 2,
            "places_travaux": 2,
            "places_occupees": 25,
        },
    )

    assert reponse.status_code == 302
    activite = ActiviteMensuelle.objects.get()
    assert (activite.source, activite.declare_par) == (Source.DECLARATION, operateur)
    fiche = client.get(reverse("structures:fiche", args=[parc.cph_paris.pk]))
    assert "Déclaration de l&#x27;opérateur" in fiche.content.decode()


@time_machine.travel(datetime.date(2025, 11, 5))
def test_declaration_of_more_occupied_than_available_places_is_refused(
    client, operateur, parc
):
    client.force_login(operateur)

    reponse = client.post(
        reverse("activite:declarer", args=[parc.cph_paris.pk]),
        {
            "mois": "2025-10",
            "capacite": 50,
            "places_indisponibles": 0,
            "places_occupees": 9999,
        },
    )

    assert reponse.status_code == 200
    assert "plus de places occupées (9999) que de places disponibles (50" in (
        reponse.content.decode()
    )
    assert not ActiviteMensuelle.objects.exists()


@time_machine.travel(datetime.date(2025, 11, 5))
def test_declaration_of_a_month_the_file_carries_is_refused(client, operateur, parc):
    mois_de(parc.cph_paris, OCTOBRE, 30, 30)
    client.force_login(operateur)

    reponse = client.post(
        reverse("activite:declarer", args=[parc.cph_paris.pk]),
        {
            "mois": "2025-10",
            "capacite": 30,
            "places_indisponibles": 0,
            "places_occupees": 10,
        },
    )

    assert reponse.status_code == 200
    assert "font foi" in reponse.content.decode()
    assert ActiviteMensuelle.objects.get().places_occupees == 30


def test_agent_records_an_operator_spelling(client, national, parc):
    client.force_login(national)

    reponse = client.post(
        reverse("activite:correspondances"),
        {"libelle": "ACCUEIL ATLANTIQUE ASSO", "operateur": parc.association.pk},
    )

    assert reponse.status_code == 302
    assert CorrespondanceOperateur.objects.get().cle == "accueil atlantique asso"


def test_import_through_the_pages_then_link_the_unknown_code(client, national, parc):
    client.force_login(national)
    url = reverse("activite:import")
    contenu = classeur(
        {"Liste": [ligne("C6901", "Rhône", 80, 70), ligne("C6999", "Rhône", 20, 10)]}
    )
    from abri.fabriques import CodeDnaFactory

    CodeDnaFactory(structure=parc.cada_rhone, code="C6901")

    apercu = client.post(
        url,
        {
            "fichier": SimpleUploadedFile(
                "Liste données par centre 10.25 VF.xlsx", contenu
            )
        },
    )
    analyse = apercu.context["analyse"]
    assert analyse.est_valide
    confirmation = client.post(
        url, {"jeton": apercu.context["jeton"], "empreinte": analyse.empreinte}
    )

    assert confirmation.context["resultat"].applique
    assert "Le dernier import" in confirmation.content.decode()
    assert ActiviteMensuelle.objects.count() == 1
    page = client.get(reverse("activite:en_attente")).content.decode()
    assert "C6999" in page

    from abri.activite.models import LigneEnAttente

    attente = LigneEnAttente.objects.get()
    reponse = client.post(
        reverse("activite:rattacher", args=[attente.pk]),
        {"structure": parc.cada_rhone.pk},
    )

    assert reponse.status_code == 302
    assert ActiviteMensuelle.objects.get().capacite == 100


def test_declaration_form_with_an_impossible_month_in_the_address(
    client, operateur, parc
):
    client.force_login(operateur)

    reponse = client.get(
        reverse("activite:declarer", args=[parc.cph_paris.pk]) + "?mois=2025-13"
    )

    assert reponse.status_code == 200


def test_agent_may_not_take_over_a_spelling_of_an_operator_it_does_not_see(
    agent_loire, parc
):
    from abri.activite.services import enregistrer_correspondance
    from abri.communs.erreurs import ErreurMetier

    CorrespondanceOperateur.objects.create(
        libelle="HORIZON", cle="horizon", operateur=parc.groupe
    )

    with pytest.raises(ErreurMetier):
        enregistrer_correspondance(agent_loire, "Horizon", parc.association)

    assert CorrespondanceOperateur.objects.get().operateur == parc.groupe


def test_export_of_structures_stays_in_the_perimeter(client, agent_rhone, activite):
    client.force_login(agent_rhone)

    contenu = client.get(reverse("activite:export", args=["csv"])).content.decode(
        "utf-8-sig"
    )

    assert "CADA des Pentes" in contenu
    assert "HUDA de Bourg" not in contenu
    assert "CPH de la Villette" not in contenu


def test_operator_sees_only_its_structures_on_the_places_page(
    client, operateur, activite
):
    client.force_login(operateur)

    reponse = client.get(reverse("activite:places"))

    assert reponse.context["total"].capacite == 80 + 30  # Pentes (subsidiary), CPH


def test_latest_activity_of_a_structure_for_other_parts(activite, parc):
    from abri.activite.queries import derniere_activite, taux_occupation_moyen

    derniere = derniere_activite(parc.cada_rhone)

    assert derniere is not None
    assert (derniere.mois, derniere.occupees, derniere.vacantes) == (OCTOBRE, 70, 10)
    assert str(derniere.taux_occupation) == "0.8750"
    assert derniere_activite(StructureFactory()) is None
    # (70 + 40) / (80 + 40), from the sums
    assert (
        str(taux_occupation_moyen([parc.cada_rhone.pk, parc.huda_ain.pk], OCTOBRE))
        == "0.9167"
    )
    assert (
        taux_occupation_moyen([parc.cada_rhone.pk], datetime.date(2020, 1, 1)) is None
    )


def test_import_page_lists_the_agents_own_imports(client, agent_rhone, national, parc):
    from abri.activite.models import ImportActivite

    ImportActivite.objects.create(
        nom_fichier="mien.xlsx", mois=["2025-10-01"], auteur=agent_rhone
    )
    ImportActivite.objects.create(
        nom_fichier="national.xlsx", mois=["2025-10-01"], auteur=national
    )
    client.force_login(agent_rhone)

    contenu = client.get(reverse("activite:import")).content.decode()

    assert "mien.xlsx" in contenu
    assert "octobre 2025" in contenu
    assert "national.xlsx" not in contenu


def test_preview_links_an_unknown_spelling_to_its_correspondence(
    client, national, parc
):
    from abri.fabriques import CodeDnaFactory

    CodeDnaFactory(structure=parc.cada_rhone, code="C6901")
    client.force_login(national)
    contenu = classeur(
        {"Liste": [ligne("C6901", "Rhône", operateur="HORIZON RHONE 2")]}
    )

    apercu = client.post(
        reverse("activite:import"),
        {"fichier": SimpleUploadedFile("Liste 10.25.xlsx", contenu)},
    ).content.decode()

    assert f"?libelle=HORIZON%20RHONE%202&amp;operateur={parc.filiale.pk}" in apercu


def test_places_page_says_where_the_figures_come_from(client, national, parc):
    mois_de(parc.cada_rhone, OCTOBRE, 80, 70)
    mois_de(parc.huda_ain, OCTOBRE, 40, 30, source=Source.DECLARATION)
    client.force_login(national)

    contenu = client.get(reverse("activite:places")).content.decode()

    assert "fichier mensuel d&#x27;occupation pour 1 structure, " in contenu
    assert "déclaration de l&#x27;opérateur pour 1 structure." in contenu


def test_home_page_figures_follow_the_date_asked(client, national, activite):
    client.force_login(national)

    contenu = client.get(reverse("pilotage:accueil") + "?au=2025-09-30").content
    assert "en septembre 2025" in contenu.decode()


def test_pending_code_taken_since_by_a_structure_is_shown_and_linked(
    client, national, parc
):
    from abri.activite.models import ImportActivite, LigneEnAttente
    from abri.fabriques import CodeDnaFactory

    ligne_attente = LigneEnAttente.objects.create(
        code_dna="C6955",
        mois=OCTOBRE,
        operateur_libelle="X",
        departement=parc.rhone,
        donnees={"capacite": 80, "places_indisponibles": 0, "places_occupees": 60},
        import_activite=ImportActivite.objects.create(nom_fichier="f.xlsx"),
    )
    CodeDnaFactory(structure=parc.cada_rhone, code="C6955")
    client.force_login(national)

    page = client.get(reverse("activite:en_attente")).content.decode()
    assert "désormais celui de CADA des Pentes" in page
    formulaire = client.get(reverse("activite:rattacher", args=[ligne_attente.pk]))
    assert formulaire.context["form"].initial["structure"] == parc.cada_rhone.pk

    client.post(
        reverse("activite:rattacher", args=[ligne_attente.pk]),
        {"structure": parc.cada_rhone.pk},
    )

    assert ActiviteMensuelle.objects.get().places_occupees == 60
    assert list(parc.cada_rhone.codes_dna.values_list("code", flat=True)) == ["C6955"]
