import io

import pytest
import xlsxwriter

from abri.comptes.models import Role, Utilisateur
from abri.journal.models import Action, EntreeJournal
from abri.operateurs.models import Operateur
from abri.structures.imports import (
    analyser_import_adresses,
    appliquer_import_adresses,
)
from abri.structures.models import AdresseHebergement, Structure, TypeBati
from abri.territoires.models import CodePostal, Commune, Departement, Region

pytestmark = pytest.mark.django_db

ENTETES_DIFFUS = [
    "Adresse",
    "Code postal",
    "Ville",
    "Places autorisées",
    "Logement social",
    "QPV",
]
ENTETES_MIXTE = [*ENTETES_DIFFUS, "Type de bâti"]
AIDE = [
    "Ex : '12 rue des Lilas'",
    "Ex : '35000'",
    "Ex : 'Rennes'",
    "Nombre de places autorisées de l'adresse. Ex : '52'",
    "Logement loué à un bailleur social : 'Oui' ou 'Non'",
    "Adresse en quartier prioritaire : 'Oui' ou 'Non'",
    "'Collectif' ou 'Diffus'",
]


def modele(entetes, *lignes):
    """A file in the operators' layout: headers, help row, prompt row, data."""
    tampon = io.BytesIO()
    classeur = xlsxwriter.Workbook(tampon, {"in_memory": True})
    onglet = classeur.add_worksheet("Feuille1")
    contenu = [entetes, AIDE[: len(entetes)], ["Saisissez les adresses ci-dessous"]]
    for i, valeurs in enumerate([*contenu, *lignes]):
        for j, valeur in enumerate(valeurs):
            if isinstance(valeur, str):
                onglet.write_string(i, j, valeur)
            elif valeur is not None:
                onglet.write_number(i, j, valeur)
    classeur.close()
    return tampon.getvalue()


def confirmer(agent, structure, fichier, nom="adresses.xlsx"):
    """Preview the file, then confirm that preview, as the page does."""
    analyse = analyser_import_adresses(agent, structure, fichier, nom)
    return appliquer_import_adresses(
        agent, structure, fichier, nom, empreinte=analyse.empreinte
    )


@pytest.fixture
def agent():
    Region.objects.create(code="53", nom="Bretagne")
    Departement.objects.create(code="35", nom="Ille-et-Vilaine", region_id="53")
    for insee, nom, code_postal in [
        ("35238", "Rennes", "35000"),
        ("35238", "Rennes", "35200"),
        ("35281", "Saint-Malo", "35400"),
    ]:
        commune, _ = Commune.objects.get_or_create(
            code_insee=insee,
            defaults={"nom": nom, "nom_recherche": nom.lower(), "departement_id": "35"},
        )
        CodePostal.objects.create(code=code_postal, commune=commune)
    return Utilisateur.objects.create_user("agent@example.org", role=Role.NATIONAL)


@pytest.fixture
def structure(agent):
    return Structure.objects.create(
        nom="CADA de Rennes",
        type="CADA",
        public="familles",
        departement_id="35",
        operateur=Operateur.objects.create(nom="Association Accueil"),
    )


@pytest.fixture
def adresse_existante(structure):
    return AdresseHebergement.objects.create(
        structure=structure,
        adresse="3 place Ancienne",
        code_postal="35000",
        commune_id="35238",
        places_autorisees=10,
        type_bati=TypeBati.COLLECTIF,
    )


def test_diffus_template_replaces_the_addresses_and_skips_its_help_rows(
    agent, structure, adresse_existante
):
    fichier = modele(
        ENTETES_DIFFUS,
        ["12 rue des Lilas", "35000", "Rennes", 4, "Oui", "non"],
        ["5 quai Duguay-Trouin", "35400", "St Malo", 6, " NON ", "Oui"],
    )

    resultat = confirmer(agent, structure, fichier, "adresses.xlsx")

    assert resultat.applique, str(resultat.rapport)
    assert resultat.lignes_ignorees == [2, 3]
    assert list(
        structure.adresses.order_by("adresse").values_list(
            "adresse",
            "commune_id",
            "places_autorisees",
            "type_bati",
            "logement_social",
            "qpv",
        )
    ) == [
        ("12 rue des Lilas", "35238", 4, "diffus", True, False),
        ("5 quai Duguay-Trouin", "35281", 6, "diffus", False, True),
    ]


def test_mixed_template_takes_each_type_de_bati(agent, structure):
    fichier = modele(
        ENTETES_MIXTE,
        ["12 rue des Lilas", "35000", "Rennes", 40, "Non", "Non", "Collectif"],
        ["8 rue Basse", "35200", "Rennes", 5, "Oui", "Non", "diffus"],
    )

    confirmer(agent, structure, fichier, "adresses.xlsx")

    structure.refresh_from_db()
    assert structure.type_bati == TypeBati.MIXTE
    assert sorted(structure.adresses.values_list("type_bati", flat=True)) == [
        "collectif",
        "diffus",
    ]


def test_mixed_template_without_type_de_bati_in_a_row_is_an_error(agent, structure):
    fichier = modele(ENTETES_MIXTE, ["8 rue Basse", "35200", "Rennes", 5, "Oui", "Non"])

    analyse = analyser_import_adresses(agent, structure, fichier, "adresses.xlsx")

    assert [str(e) for e in analyse.rapport] == [
        "adresses.xlsx, feuille Feuille1, ligne 4, colonne « Type de bâti », valeur "
        "vide : valeur obligatoire"
    ]


def test_empty_sheet_is_refused_and_the_addresses_stay(
    agent, structure, adresse_existante
):
    resultat = confirmer(agent, structure, modele(ENTETES_DIFFUS), "adresses.xlsx")

    assert not resultat.applique
    assert [e.message for e in resultat.rapport] == [
        "aucune adresse dans le fichier : les adresses enregistrées sont conservées"
    ]
    assert list(structure.adresses.all()) == [adresse_existante]


def test_dry_run_describes_the_replacement_and_writes_nothing(
    agent, structure, adresse_existante
):
    fichier = modele(
        ENTETES_DIFFUS, ["12 rue des Lilas", "35000", "Rennes", 4, "Oui", "Non"]
    )

    analyse = analyser_import_adresses(agent, structure, fichier, "adresses.xlsx")

    assert str(analyse.changements[0]) == (
        "les 1 adresse(s) enregistrée(s) de « CADA de Rennes » sont remplacées par "
        "les 1 du fichier (4 places)"
    )
    assert list(structure.adresses.all()) == [adresse_existante]
    assert not EntreeJournal.objects.exists()


def test_one_bad_row_writes_nothing_and_every_error_is_reported(
    agent, structure, adresse_existante
):
    fichier = modele(
        ENTETES_DIFFUS,
        ["12 rue des Lilas", "35000", "Rennes", 4, "Oui", "Non"],
        ["8 rue Basse", "7501", "Paris", "2,5", "Peut-être", "Non"],
    )

    resultat = confirmer(agent, structure, fichier, "adresses.xlsx")

    assert not resultat.applique
    assert [(e.ligne, e.colonne, e.valeur) for e in resultat.rapport] == [
        (5, "Code postal", "7501"),
        (5, "Places autorisées", "2,5"),
        (5, "Logement social", "Peut-être"),
    ]
    assert list(structure.adresses.all()) == [adresse_existante]


def test_unknown_town_of_a_postal_code_is_an_error(agent, structure):
    fichier = modele(ENTETES_DIFFUS, ["1 rue Haute", "35000", "Renes", 4, "Oui", "Non"])

    analyse = analyser_import_adresses(agent, structure, fichier, "adresses.xlsx")

    assert [e.message for e in analyse.rapport] == [
        "pas de commune de ce nom au code postal 35000 (communes : Rennes)"
    ]


def test_replacement_is_journaled_as_an_import(agent, structure):
    fichier = modele(
        ENTETES_DIFFUS, ["1 rue Haute", "35000", "Rennes", 4, "Oui", "Non"]
    )

    confirmer(agent, structure, fichier, "adresses.xlsx")

    entree = EntreeJournal.objects.get()
    assert (entree.action, entree.structure_id, entree.changements) == (
        Action.IMPORT,
        structure.pk,
        {"adresses": [0, 1]},
    )


def test_same_addresses_again_change_nothing(agent, structure):
    fichier = modele(
        ENTETES_DIFFUS, ["1 rue Haute", "35000", "Rennes", 4, "Oui", "Non"]
    )
    confirmer(agent, structure, fichier, "adresses.xlsx")

    resultat = confirmer(agent, structure, fichier, "adresses.xlsx")

    assert resultat.changements == []
    assert EntreeJournal.objects.count() == 1


def test_csv_in_windows_1252_with_semicolons_is_imported(agent, structure):
    contenu = (
        "Adresse;Code postal;Ville;Places autorisées;Logement social;QPV\r\n"
        "2 allée des Érables;35000;Rennes;3;Oui;Non\r\n"
    ).encode("cp1252")

    resultat = confirmer(agent, structure, contenu, "adresses.csv")

    assert resultat.applique, str(resultat.rapport)
    assert structure.adresses.get().adresse == "2 allée des Érables"


def test_structure_outside_the_perimeter_is_refused(structure):
    lecteur = Utilisateur.objects.create_user("lecteur@example.org", role=Role.LECTEUR)
    fichier = modele(
        ENTETES_DIFFUS, ["1 rue Haute", "35000", "Rennes", 4, "Oui", "Non"]
    )

    resultat = confirmer(lecteur, structure, fichier, "adresses.xlsx")

    assert not resultat.applique
    assert not structure.adresses.exists()


def sans_aide(entetes, *lignes):
    """A file with the data right under the headers."""
    tampon = io.BytesIO()
    classeur = xlsxwriter.Workbook(tampon, {"in_memory": True})
    onglet = classeur.add_worksheet("Feuille1")
    for i, valeurs in enumerate([entetes, *lignes]):
        for j, valeur in enumerate(valeurs):
            if isinstance(valeur, str):
                onglet.write_string(i, j, valeur)
            elif valeur is not None:
                onglet.write_number(i, j, valeur)
    classeur.close()
    return tampon.getvalue()


def test_first_row_with_bad_places_and_postal_code_is_reported_not_skipped(
    agent, structure
):
    fichier = sans_aide(
        ENTETES_DIFFUS,
        ["8 rue Basse", "7501", "Rennes", -5, "Oui", "Non"],
        ["12 rue des Lilas", "35000", "Rennes", 4, "Oui", "Non"],
    )

    analyse = analyser_import_adresses(agent, structure, fichier, "adresses.xlsx")

    assert analyse.lignes_ignorees == []
    assert [(e.ligne, e.colonne) for e in analyse.rapport] == [
        (2, "Code postal"),
        (2, "Places autorisées"),
    ]


def test_help_and_prompt_rows_of_the_operators_template_are_skipped(agent, structure):
    tampon = io.BytesIO()
    classeur = xlsxwriter.Workbook(tampon, {"in_memory": True})
    onglet = classeur.add_worksheet("Feuille1")
    onglet.write_row(0, 0, ENTETES_DIFFUS)
    onglet.write_row(
        1,
        0,
        [
            "Ex : '123 rue de l’Europe'",
            "Ex : '35000'",
            "Ex : 'Rennes'",
            "Renseignez le nombre de places autorisées théorique pour chaque "
            "adresse. Ex : '52'",
            "Les logements sociaux correspondent aux logement loués à un bailleur "
            "social. Précisez pour chaque adresse 'Oui' ou 'Non'",
            "Vous pouvez vérifier si une adresse fait partie d’un Quartier "
            "Prioritaire de la politique de la Ville (QPV) sur ce lien.",
        ],
    )
    onglet.write_string(2, 0, "Veuillez saisir vos adresses ici")
    onglet.write_row(3, 0, ["12 rue des Lilas", "35000", "Rennes", 4, "Oui", "Non"])
    classeur.close()

    analyse = analyser_import_adresses(
        agent, structure, tampon.getvalue(), "adresses.xlsx"
    )

    assert analyse.est_valide, str(analyse.rapport)
    assert analyse.lignes_ignorees == [2, 3]
    assert analyse.message_lignes_ignorees == (
        "Lignes 2 et 3 ignorées (aide ou exemple du modèle)."
    )
    assert analyse.lignes_lues == 1


def test_preview_is_stale_when_other_addresses_of_the_same_count_were_imported(
    agent, structure, adresse_existante
):
    a_moi = modele(ENTETES_DIFFUS, ["1 rue Haute", "35000", "Rennes", 4, "Oui", "Non"])
    apercu = analyser_import_adresses(agent, structure, a_moi, "a.xlsx")
    d_un_autre = modele(
        ENTETES_DIFFUS, ["9 rue Neuve", "35000", "Rennes", 4, "Non", "Non"]
    )
    confirmer(agent, structure, d_un_autre, "b.xlsx")

    resultat = appliquer_import_adresses(
        agent, structure, a_moi, "a.xlsx", empreinte=apercu.empreinte
    )

    assert not resultat.applique
    assert "les données ont changé depuis l'aperçu" in str(resultat.rapport)
    assert list(structure.adresses.values_list("adresse", flat=True)) == ["9 rue Neuve"]


@pytest.mark.parametrize("empreinte", ["", None])
def test_confirmation_without_the_preview_fingerprint_is_refused(
    agent, structure, empreinte
):
    fichier = modele(
        ENTETES_DIFFUS, ["1 rue Haute", "35000", "Rennes", 4, "Oui", "Non"]
    )

    resultat = appliquer_import_adresses(
        agent, structure, fichier, "a.xlsx", empreinte=empreinte
    )

    assert not resultat.applique
    assert "relancez l'analyse" in str(resultat.rapport)
    assert not structure.adresses.exists()


@pytest.mark.parametrize("places", ["100000000000000000000", 1e20])
def test_places_beyond_100000_are_refused_instead_of_crashing(agent, structure, places):
    fichier = modele(
        ENTETES_DIFFUS, ["1 rue Haute", "35000", "Rennes", places, "Oui", "Non"]
    )

    resultat = confirmer(agent, structure, fichier)

    assert not resultat.applique
    assert [(e.colonne, e.message) for e in resultat.rapport] == [
        ("Places autorisées", "nombre invraisemblable : 100\u00a0000 au plus")
    ]


def test_csv_row_using_commas_under_a_semicolon_header_is_an_error(agent, structure):
    contenu = (
        "Adresse;Code postal;Ville;Places autorisées;Logement social;QPV\n"
        "2 allée des Érables,35000,Rennes,3,Oui,Non\n"
    ).encode()

    analyse = analyser_import_adresses(agent, structure, contenu, "adresses.csv")

    assert [(e.ligne, e.colonne, e.valeur) for e in analyse.rapport] == [
        (2, "Adresse", "2 allée des Érables,35000,Rennes,3,Oui,Non")
    ]


def test_postal_code_in_fullwidth_digits_is_refused(agent, structure):
    fichier = modele(
        ENTETES_DIFFUS, ["1 rue Haute", "３５０００", "Rennes", 4, "Oui", "Non"]
    )

    analyse = analyser_import_adresses(agent, structure, fichier, "adresses.xlsx")

    assert [e.colonne for e in analyse.rapport] == ["Code postal"]
