import datetime

from abri.conventions.imports import analyser_import_actes, appliquer_import_actes
from abri.conventions.models import Acte, Etat
from abri.fabriques import CodeDnaFactory
from abri.pilotage.models import Anomalie

D = datetime.date
ENTETE = "Code DNA;Structure;Nature;Date de début;Date de fin;Référence;Places\n"


def _csv(*lignes: str) -> bytes:
    return (ENTETE + "\n".join(lignes) + "\n").encode()


def test_analysis_lists_acts_to_create_and_writes_nothing(parc, agent_rhone):
    CodeDnaFactory(structure=parc.cada_rhone, code="C6901")

    analyse = analyser_import_actes(
        agent_rhone, _csv("C 6901;;Convention;01/01/2022;31/12/2026;C-1;80"), "a.csv"
    )

    assert analyse.est_valide
    assert [str(c) for c in analyse.changements] == [
        "Ligne 2 : création de « Convention C-1 » de CADA des Pentes, du 01/01/2022 "
        "au 31/12/2026"
    ]
    assert not Acte.objects.exists()


def test_every_error_names_its_place(parc, agent_rhone):
    analyse = analyser_import_actes(
        agent_rhone,
        _csv(
            "X9999;;Convention;01/01/2022;31/12/2026;C-1;",
            ";CADA des Pentes;Bail;32/01/2022;31/12/2026;C-2;",
            ";HUDA de l'Erdre;Convention;01/01/2022;;C-3;",
        ),
        "actes.csv",
    )

    assert [str(e) for e in analyse.rapport] == [
        "actes.csv, ligne 2, colonne « Code DNA », valeur « X9999 » : code DNA inconnu "
        "dans votre périmètre",
        "actes.csv, ligne 3, colonne « Nature », valeur « Bail » : nature inconnue "
        "(Arrêté d'autorisation, Convention, Arrêté de tarification ou Autre acte)",
        "actes.csv, ligne 3, colonne « Date de début », valeur « 32/01/2022 » : "
        + analyse.rapport.erreurs[2].message,
        "actes.csv, ligne 4, colonne « Structure », valeur « HUDA de l'Erdre » : "
        "structure inconnue dans votre périmètre",
        "actes.csv, ligne 4, colonne « Date de fin », valeur vide : valeur obligatoire "
        "pour cette nature d'acte",
    ]


def test_apply_is_all_or_nothing_and_needs_the_preview(parc, agent_rhone):
    contenu = _csv(
        ";CADA des Pentes;Arrêté d'autorisation;01/01/2015;31/12/2029;A-1;",
        ";CADA des Pentes;Convention;01/01/2022;31/12/2026;C-1;80",
    )
    refuse = appliquer_import_actes(agent_rhone, contenu, "a.csv", empreinte="")
    assert not refuse.applique
    assert not Acte.objects.exists()

    analyse = analyser_import_actes(agent_rhone, contenu, "a.csv")
    resultat = appliquer_import_actes(
        agent_rhone, contenu, "a.csv", empreinte=analyse.empreinte
    )

    assert resultat.applique
    assert Acte.objects.filter(etat=Etat.SIGNEE).count() == 2


def test_a_second_import_creates_nothing(parc, agent_rhone):
    contenu = _csv(";CADA des Pentes;Convention;01/01/2022;31/12/2026;C-1;80")
    analyse = analyser_import_actes(agent_rhone, contenu, "a.csv")
    appliquer_import_actes(agent_rhone, contenu, "a.csv", empreinte=analyse.empreinte)

    assert analyser_import_actes(agent_rhone, contenu, "a.csv").changements == []


def test_legacy_act_ending_before_start_is_taken_over_and_flagged(parc, regional):
    contenu = _csv(";HUDA de Bourg;Convention;01/01/2024;31/12/2023;H-1;")
    analyse = analyser_import_actes(regional, contenu, "a.csv")
    assert analyse.est_valide and analyse.avertissements

    appliquer_import_actes(regional, contenu, "a.csv", empreinte=analyse.empreinte)

    assert Anomalie.objects.filter(structure=parc.huda_ain, regle="ACTE-01").exists()


def test_structure_outside_the_perimeter_is_unknown(parc, agent_rhone):
    contenu = _csv(";HUDA de Bourg;Convention;01/01/2024;31/12/2026;H-1;")

    analyse = analyser_import_actes(agent_rhone, contenu, "a.csv")

    assert "structure inconnue dans votre périmètre" in str(analyse.rapport)


def test_legacy_act_too_long_is_accepted_with_a_finding(parc, regional):
    contenu = _csv(";HUDA de Bourg;Convention;01/01/2020;31/12/2024;H-1;")
    analyse = analyser_import_actes(regional, contenu, "a.csv")
    assert analyse.est_valide and analyse.avertissements

    appliquer_import_actes(regional, contenu, "a.csv", empreinte=analyse.empreinte)

    assert Anomalie.objects.filter(structure=parc.huda_ain, regle="ACTE-02").exists()


def test_operators_cannot_import(parc, operateur):
    analyse = analyser_import_actes(
        operateur,
        _csv(";CPH de la Villette;Convention;01/01/2022;31/12/2026;X;"),
        "a.csv",
    )
    assert not analyse.est_valide


def test_import_page_preview_then_confirm(client, agent_rhone, parc):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(agent_rhone)
    contenu = _csv(";CADA des Pentes;Convention;01/01/2022;31/12/2026;C-1;80")

    apercu = client.post(
        reverse("conventions:import"),
        {"fichier": SimpleUploadedFile("actes.csv", contenu)},
    )
    assert not Acte.objects.exists()
    client.post(
        reverse("conventions:import"),
        {
            "jeton": apercu.context["jeton"],
            "empreinte": apercu.context["analyse"].empreinte,
        },
    )

    assert Acte.objects.get().reference == "C-1"
