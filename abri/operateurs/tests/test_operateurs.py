from django.urls import reverse

from abri.operateurs.models import Operateur


def test_operator_search_finds_a_siret(client, national, parc):
    Operateur.objects.filter(pk=parc.association.pk).update(siret="73282932000074")
    client.force_login(national)

    reponse = client.get(reverse("operateurs:liste"), {"q": "732 829 320"})

    assert [o.nom for o in reponse.context["page"].object_list] == [
        "Accueil Atlantique"
    ]


def test_national_admin_manages_accounts_in_the_admin(client, national, parc):
    client.force_login(national)

    reponse = client.get(reverse("admin:comptes_utilisateur_changelist"))

    assert reponse.status_code == 200
    assert "national@abri.test" in reponse.content.decode()


def test_group_sheet_counts_the_places_of_its_subsidiaries(client, national, parc):
    client.force_login(national)

    reponse = client.get(reverse("operateurs:fiche", args=[parc.groupe.pk]))

    assert reponse.context["places"] == 30
    assert reponse.context["places_du_groupe"] == 110


def test_departmental_account_without_departement_is_refused_in_the_admin(
    client, national, parc
):
    client.force_login(national)

    reponse = client.post(
        reverse("admin:comptes_utilisateur_add"),
        {
            "email": "sans-perimetre@abri.test",
            "role": "departemental",
            "password1": "un-mot-de-passe-assez-long",
            "password2": "un-mot-de-passe-assez-long",
        },
    )

    assert "au moins un département" in reponse.content.decode()


def test_operator_form_accepts_a_siret_typed_with_spaces(client, national, parc):
    client.force_login(national)

    client.post(
        reverse("operateurs:modifier", args=[parc.association.pk]),
        {"nom": "Accueil Atlantique", "siret": "732 829 320 00074", "version": 1},
    )

    parc.association.refresh_from_db()
    assert parc.association.siret == "73282932000074"


def test_operator_sheet_journal_shows_its_contacts(client, national, parc):
    client.force_login(national)

    client.post(
        reverse("operateurs:ajouter_contact", args=[parc.association.pk]),
        {
            "nom": "Camille Martin",
            "fonction": "Directrice",
            "email": "",
            "telephone": "",
        },
    )
    reponse = client.get(reverse("operateurs:fiche", args=[parc.association.pk]))

    assert [e.libelle_objet for e in reponse.context["journal"]] == ["Camille Martin"]


def test_second_writer_of_an_operator_is_told_what_changed(parc, national, regional):
    import pytest

    from abri.communs.erreurs import ModificationConcurrente
    from abri.operateurs import services

    services.modifier_operateur(national, parc.filiale.pk, {"nom": "Horizon Lyon"}, 1)

    with pytest.raises(ModificationConcurrente) as erreur:
        services.modifier_operateur(regional, parc.filiale.pk, {"nom": "Autre"}, 1)

    assert erreur.value.changements[0]["changements"] == [
        ("Raison sociale", "Horizon Rhône", "Horizon Lyon")
    ]
    parc.filiale.refresh_from_db()
    assert parc.filiale.nom == "Horizon Lyon"
