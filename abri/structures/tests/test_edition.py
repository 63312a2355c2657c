import io

import xlsxwriter
from django.urls import reverse

from abri.fabriques import CodeDnaFactory
from abri.journal.models import EntreeJournal
from abri.structures.models import Structure


def formulaire(structure: Structure, **champs: object) -> dict[str, object]:
    donnees = {
        "nom": structure.nom,
        "type": structure.type,
        "public": structure.public,
        "operateur": structure.operateur_id,
        "adresse": structure.adresse,
        "code_postal": structure.code_postal,
        "commune": "",
        "finess": structure.finess,
        "codes_dna": "",
        "version": structure.version,
    }
    donnees.update(champs)
    return donnees


def test_agent_renames_a_structure_of_its_departement(client, agent_rhone, parc):
    client.force_login(agent_rhone)
    url = reverse("structures:modifier", args=[parc.cada_rhone.pk])

    reponse = client.post(url, formulaire(parc.cada_rhone, nom="CADA Croix-Rousse"))

    assert reponse.status_code == 302
    parc.cada_rhone.refresh_from_db()
    assert parc.cada_rhone.nom == "CADA Croix-Rousse"


def test_second_writer_sees_what_changed_and_keeps_its_input(
    client, agent_rhone, regional, parc
):
    url = reverse("structures:modifier", args=[parc.cada_rhone.pk])
    formulaire_charge = formulaire(parc.cada_rhone)
    client.force_login(agent_rhone)
    client.post(url, {**formulaire_charge, "nom": "Nom du premier"})

    client.force_login(regional)
    reponse = client.post(url, {**formulaire_charge, "nom": "Nom du second"})

    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert "modifiée pendant votre saisie" in contenu
    assert "Nom du premier" in contenu  # what changed meanwhile
    assert 'value="Nom du second"' in contenu  # what the second writer typed
    parc.cada_rhone.refresh_from_db()
    assert parc.cada_rhone.nom == "Nom du premier"


def test_second_writer_confirming_after_the_warning_saves(
    client, agent_rhone, regional, parc
):
    url = reverse("structures:modifier", args=[parc.cada_rhone.pk])
    formulaire_charge = formulaire(parc.cada_rhone)
    client.force_login(agent_rhone)
    client.post(url, {**formulaire_charge, "nom": "Nom du premier"})
    client.force_login(regional)
    avertissement = client.post(url, {**formulaire_charge, "nom": "Nom du second"})

    version = avertissement.context["form"]["version"].value()
    client.post(url, {**formulaire_charge, "nom": "Nom du second", "version": version})

    parc.cada_rhone.refresh_from_db()
    assert parc.cada_rhone.nom == "Nom du second"


def test_operator_outside_the_perimeter_cannot_be_chosen(client, agent_rhone, parc):
    client.force_login(agent_rhone)
    url = reverse("structures:modifier", args=[parc.cada_rhone.pk])

    reponse = client.post(
        url, formulaire(parc.cada_rhone, operateur=parc.association.pk)
    )

    assert "operateur" in reponse.context["form"].errors
    parc.cada_rhone.refresh_from_db()
    assert parc.cada_rhone.operateur == parc.filiale


def test_refused_dna_code_leaves_the_identity_unchanged(client, agent_rhone, parc):
    CodeDnaFactory(structure=parc.huda_ain, code="H0101")
    client.force_login(agent_rhone)
    url = reverse("structures:modifier", args=[parc.cada_rhone.pk])

    reponse = client.post(
        url, formulaire(parc.cada_rhone, nom="Nouveau nom", codes_dna="H0101")
    )

    assert "déjà attribué" in reponse.content.decode()
    parc.cada_rhone.refresh_from_db()
    assert parc.cada_rhone.nom == "CADA des Pentes"
    assert parc.cada_rhone.version == 1


def test_stale_form_does_not_overwrite_dna_codes(client, agent_rhone, regional, parc):
    url = reverse("structures:modifier", args=[parc.cada_rhone.pk])
    charge = formulaire(parc.cada_rhone)
    client.force_login(agent_rhone)
    client.post(url, {**charge, "codes_dna": "C6999"})

    client.force_login(regional)
    reponse = client.post(url, {**charge, "nom": "Autre nom"})

    assert "modifiée pendant votre saisie" in reponse.content.decode()
    codes = list(parc.cada_rhone.codes_dna.values_list("code", flat=True))
    assert codes == ["C6999"]


def test_capacity_change_form_records_an_event(client, agent_rhone, parc):
    client.force_login(agent_rhone)
    url = reverse("structures:evenement", args=[parc.cada_rhone.pk])

    reponse = client.post(
        url,
        {
            "nature": "extension",
            "date_effet": "2025-03-01",
            "acte": "Arrêté n° 2025-1",
            "places_autorisees": "15",
            "places_pmr": "0",
            "places_lgbt": "0",
            "places_fvv_teh": "0",
        },
    )

    assert reponse.status_code == 302
    assert parc.cada_rhone.evenements.count() == 2


def test_capacity_change_refused_keeps_what_was_typed(client, agent_rhone, parc):
    client.force_login(agent_rhone)
    url = reverse("structures:evenement", args=[parc.cada_rhone.pk])

    reponse = client.post(
        url,
        {
            "nature": "reduction",
            "date_effet": "2025-03-01",
            "acte": "Arrêté n° 2025-2",
            "places_autorisees": "-500",
            "places_pmr": "0",
            "places_lgbt": "0",
            "places_fvv_teh": "0",
        },
    )

    assert reponse.status_code == 200
    assert "Arrêté n° 2025-2" in reponse.content.decode()
    assert parc.cada_rhone.evenements.count() == 1


def classeur_adresses(lignes: list[list[object]]) -> bytes:
    tampon = io.BytesIO()
    classeur = xlsxwriter.Workbook(tampon)
    feuille = classeur.add_worksheet("Feuille1")
    entetes = [
        "Adresse",
        "Code postal",
        "Ville",
        "Places autorisées",
        "Logement social",
        "QPV",
    ]
    feuille.write_row(0, 0, entetes)
    feuille.write_row(
        1, 0, ["Numéro et voie", "5 chiffres", "", "", "Oui/Non", "Oui/Non"]
    )
    feuille.write_row(2, 0, ["Saisissez une adresse par ligne"])
    for numero, ligne in enumerate(lignes, start=3):
        feuille.write_row(numero, 0, ligne)
    classeur.close()
    return tampon.getvalue()


def test_address_import_previews_then_applies_on_confirmation(
    client, agent_rhone, parc
):
    from abri.fabriques import CommuneFactory
    from abri.territoires.models import CodePostal

    lyon = CommuneFactory(code_insee="69123", nom="Lyon", departement=parc.rhone)
    CodePostal.objects.create(code="69001", commune=lyon)
    client.force_login(agent_rhone)
    url = reverse("structures:import_adresses", args=[parc.cada_rhone.pk])
    fichier = io.BytesIO(
        classeur_adresses([["1 rue A", "69001", "Lyon", 80, "Non", "Oui"]])
    )
    fichier.name = "adresses.xlsx"

    apercu = client.post(url, {"fichier": fichier})

    assert parc.cada_rhone.adresses.count() == 0
    analyse = apercu.context["analyse"]
    assert analyse.est_valide
    client.post(url, {"jeton": apercu.context["jeton"], "empreinte": analyse.empreinte})
    assert parc.cada_rhone.adresses.count() == 1


def test_address_import_with_an_unknown_token_writes_nothing(client, agent_rhone, parc):
    client.force_login(agent_rhone)
    url = reverse("structures:import_adresses", args=[parc.cada_rhone.pk])

    reponse = client.post(url, {"jeton": "0" * 32, "empreinte": "x"})

    assert "déposez-le à nouveau" in reponse.content.decode()
    assert not EntreeJournal.objects.filter(action="import").exists()


def test_agent_adds_then_removes_a_site(client, agent_rhone, parc):
    client.force_login(agent_rhone)

    client.post(
        reverse("structures:ajouter_site", args=[parc.cada_rhone.pk]),
        {"libelle": "Siège", "adresse": "3 quai Perrache", "code_postal": "69002"},
    )
    site = parc.cada_rhone.sites.get()
    client.post(reverse("structures:supprimer_site", args=[site.pk]))

    assert not parc.cada_rhone.sites.exists()
    actions = list(
        EntreeJournal.objects.filter(structure_id=parc.cada_rhone.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == ["creation", "suppression"]


def test_site_with_a_bad_postal_code_is_refused_and_kept_in_the_form(
    client, agent_rhone, parc
):
    client.force_login(agent_rhone)

    reponse = client.post(
        reverse("structures:ajouter_site", args=[parc.cada_rhone.pk]),
        {"libelle": "Antenne", "adresse": "3 quai Perrache", "code_postal": "6902"},
    )

    assert "5 chiffres" in reponse.content.decode()
    assert 'value="3 quai Perrache"' in reponse.content.decode()
    assert not parc.cada_rhone.sites.exists()


def test_a_day_typed_in_martinique_reads_the_same_day(
    client, agent_rhone, parc, settings
):
    # Days are dates, not timestamps: no time zone moves them.
    settings.TIME_ZONE = "America/Martinique"
    client.force_login(agent_rhone)
    evenement = {
        "nature": "extension",
        "date_effet": "2025-03-01",
        "acte": "Arrêté n° 2025-3",
        "places_autorisees": "0",
        "places_pmr": "0",
        "places_lgbt": "0",
        "places_fvv_teh": "0",
    }

    for places in ("5", "6"):
        client.post(
            reverse("structures:evenement", args=[parc.cada_rhone.pk]),
            {**evenement, "places_autorisees": places},
        )

    fiche = client.get(reverse("structures:fiche", args=[parc.cada_rhone.pk]))
    dates = [ligne["evenement"].date_effet for ligne in fiche.context["historique"]]
    assert [d.isoformat() for d in dates] == ["2020-01-01", "2025-03-01", "2025-03-01"]
    assert "<td>01/03/2025</td>" in fiche.content.decode()
