from abri.appels.imports import (
    analyser_import_candidatures,
    appliquer_import_candidatures,
)
from abri.appels.models import Candidature
from abri.appels.tests.fabriques import appel

ENTETE = "Numéro de dossier;Opérateur;Département;Projet;Places;Date d'ouverture\n"


def _csv(*lignes: str) -> bytes:
    return (ENTETE + "\n".join(lignes) + "\n").encode()


def test_analysis_lists_dossiers_and_writes_nothing(parc, agent_rhone):
    a = appel(parc.rhone)
    analyse = analyser_import_candidatures(
        agent_rhone,
        a,
        _csv("D-1;Groupe Horizon;69;Trente places;30;01/09/2025"),
        "d.csv",
    )
    assert analyse.est_valide
    assert len(analyse.changements) == 1
    assert not Candidature.objects.exists()


def test_every_error_names_its_place(parc, agent_rhone):
    a = appel(parc.rhone)
    analyse = analyser_import_candidatures(
        agent_rhone,
        a,
        _csv(
            "D-1;Inconnu SA;69;Projet;30;01/09/2025",
            "D-2;Groupe Horizon;999;Projet;zéro;01/09/2025",
        ),
        "d.csv",
    )
    messages = [str(e) for e in analyse.rapport]
    assert messages[0].startswith("d.csv, ligne 2, colonne « Opérateur »")
    assert any("ligne 3, colonne « Places »" in m for m in messages)
    assert any("ligne 3, colonne « Département »" in m for m in messages)


def test_apply_is_all_or_nothing_and_idempotent(parc, agent_rhone):
    a = appel(parc.rhone)
    contenu = _csv(
        "D-1;Groupe Horizon;69;Trente places;30;01/09/2025",
        "D-2;Accueil Atlantique;69;Vingt places;20;01/10/2025",
    )
    assert not appliquer_import_candidatures(
        agent_rhone, a, contenu, "d.csv", empreinte=""
    ).applique
    analyse = analyser_import_candidatures(agent_rhone, a, contenu, "d.csv")
    resultat = appliquer_import_candidatures(
        agent_rhone, a, contenu, "d.csv", empreinte=analyse.empreinte
    )
    assert resultat.applique
    assert Candidature.objects.filter(recue_hors_ligne=True).count() == 2
    assert not analyser_import_candidatures(
        agent_rhone, a, contenu, "d.csv"
    ).changements


def test_operator_may_not_import(parc, operateur):
    a = appel(parc.rhone)
    analyse = analyser_import_candidatures(
        operateur, a, _csv("D-1;Groupe Horizon;69;P;30;01/09/2025"), "d.csv"
    )
    assert not analyse.est_valide


def test_import_page_previews_then_applies(client, parc, agent_rhone):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    a = appel(parc.rhone)
    client.force_login(agent_rhone)
    url = reverse("appels:import", args=[a.pk])
    fichier = SimpleUploadedFile(
        "d.csv", _csv("D-1;Groupe Horizon;69;Trente places;30;01/09/2025")
    )
    reponse = client.post(url, {"fichier": fichier})
    assert reponse.status_code == 200
    contexte = reponse.context
    assert contexte["jeton"]
    reponse = client.post(
        url, {"jeton": contexte["jeton"], "empreinte": contexte["analyse"].empreinte}
    )
    assert reponse.status_code == 200
    assert Candidature.objects.filter(recue_hors_ligne=True).count() == 1
