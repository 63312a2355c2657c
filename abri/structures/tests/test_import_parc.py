import datetime
import io

import pytest
import xlsxwriter
from django.db.models import F
from python_calamine import CalamineWorkbook

from abri.communs.erreurs import ErreurMetier
from abri.comptes.models import Role, Utilisateur
from abri.journal.models import Action, EntreeJournal
from abri.operateurs.models import Operateur
from abri.structures import services
from abri.structures.imports import (
    analyser_import_parc,
    appliquer_import_parc,
    modele_import_parc,
    parc,
)
from abri.structures.models import (
    CodeDna,
    EvenementCapacite,
    NatureEvenement,
    Structure,
)
from abri.structures.services import capacite_au
from abri.territoires.models import CodePostal, Commune, Departement, Region

pytestmark = pytest.mark.django_db

ENTETES = [
    "Opérateur (raison sociale)",
    "SIRET de l'opérateur",
    "Nom de la structure",
    "Type",
    "Département",
    "Public",
    "Adresse administrative",
    "Code postal",
    "Commune",
    "Codes DNA",
    "FINESS",
    "Places autorisées",
    "Places PMR",
    "Places LGBT",
    "Places FVV-TEH",
    "Date d'effet",
    "Acte administratif",
]
SIRET_LA_POSTE = "35600000009075"


def ligne(**champs):
    """A row of a valid structure; ``champs`` replace cells, named by their header."""
    valeurs = {
        "Opérateur (raison sociale)": "Association Accueil",
        "SIRET de l'opérateur": SIRET_LA_POSTE,
        "Nom de la structure": "CADA de Rennes",
        "Type": "CADA",
        "Département": "35",
        "Public": "Familles",
        "Adresse administrative": "1 rue Haute",
        "Code postal": "35000",
        "Commune": "Rennes",
        "Codes DNA": "C3501",
        "FINESS": "350000001",
        "Places autorisées": 100,
        "Places PMR": 5,
        "Places LGBT": None,
        "Places FVV-TEH": 2,
        "Date d'effet": datetime.date(2024, 1, 1),
        "Acte administratif": "Arrêté 2024-001",
    }
    assert set(champs) <= set(valeurs)
    valeurs.update(champs)
    return [valeurs[e] for e in ENTETES]


def xlsx(*lignes):
    return classeur([ENTETES, *lignes])


def classeur(lignes):
    tampon = io.BytesIO()
    classeur = xlsxwriter.Workbook(tampon, {"in_memory": True})
    onglet = classeur.add_worksheet("Parc")
    format_date = classeur.add_format({"num_format": "dd/mm/yyyy"})
    for i, valeurs in enumerate(lignes):
        for j, valeur in enumerate(valeurs):
            if isinstance(valeur, str):
                onglet.write_string(i, j, valeur)
            elif isinstance(valeur, datetime.date):
                onglet.write_datetime(i, j, valeur, format_date)
            elif valeur is not None:
                onglet.write_number(i, j, valeur)
    classeur.close()
    return tampon.getvalue()


@pytest.fixture
def territoires():
    Region.objects.create(code="53", nom="Bretagne")
    Region.objects.create(code="93", nom="Provence-Alpes-Côte d'Azur")
    Region.objects.create(code="94", nom="Corse")
    Region.objects.create(code="84", nom="Auvergne-Rhône-Alpes")
    for code, nom, region in [
        ("35", "Ille-et-Vilaine", "53"),
        ("04", "Alpes-de-Haute-Provence", "93"),
        ("05", "Hautes-Alpes", "93"),
        ("2A", "Corse-du-Sud", "94"),
        ("01", "Ain", "84"),
    ]:
        Departement.objects.create(code=code, nom=nom, region_id=region)
    for insee, nom, departement, code_postal in [
        ("35238", "Rennes", "35", "35000"),
        ("04058", "Claret", "04", "05110"),
        ("2A004", "Ajaccio", "2A", "20000"),
        ("01301", "Polliat", "01", "01310"),
        ("01065", "Buellas", "01", "01310"),
    ]:
        commune = Commune.objects.create(
            code_insee=insee,
            nom=nom,
            nom_recherche=nom.lower(),
            departement_id=departement,
        )
        CodePostal.objects.create(code=code_postal, commune=commune)


@pytest.fixture
def agent(territoires):
    return Utilisateur.objects.create_user("agent@example.org", role=Role.NATIONAL)


@pytest.fixture
def agent_du_05(territoires):
    utilisateur = Utilisateur.objects.create_user(
        "agent05@example.org", role=Role.DEPARTEMENTAL
    )
    utilisateur.departements.add("05")
    return utilisateur


def confirmer(agent, contenu, nom="parc.xlsx"):
    """Preview the file, then confirm that preview, as the page does."""
    analyse = analyser_import_parc(agent, contenu, nom)
    return appliquer_import_parc(agent, contenu, nom, empreinte=analyse.empreinte)


def importer(agent, *lignes):
    return confirmer(agent, xlsx(*lignes))


def test_dry_run_lists_the_changes_and_writes_nothing(agent):
    analyse = analyser_import_parc(agent, xlsx(ligne()), "parc.xlsx")

    assert analyse.est_valide
    assert [str(c) for c in analyse.changements] == [
        "Ligne 2 : création de l'opérateur « Association Accueil » "
        f"(SIRET {SIRET_LA_POSTE})",
        "Ligne 2 : création de la structure « CADA de Rennes » (CADA, "
        "Ille-et-Vilaine (35)), 100 places autorisées dont 5 PMR, 2 FVV-TEH au "
        "01/01/2024",
    ]
    assert (analyse.crees, analyse.modifies) == (2, 0)
    assert not Operateur.objects.exists()
    assert not Structure.objects.exists()
    assert not EntreeJournal.objects.exists()


def test_import_creates_operator_structure_codes_and_initial_capacity(agent):
    resultat = importer(agent, ligne())

    assert resultat.applique
    structure = Structure.objects.get()
    assert (structure.operateur.siret, structure.commune_id, structure.finess) == (
        SIRET_LA_POSTE,
        "35238",
        "350000001",
    )
    assert list(structure.codes_dna.values_list("code", flat=True)) == ["C3501"]
    evenement = EvenementCapacite.objects.get()
    assert (evenement.nature, evenement.places_autorisees, evenement.acte) == (
        NatureEvenement.CREATION,
        100,
        "Arrêté 2024-001",
    )


def test_every_write_of_an_import_is_journaled(agent):
    importer(agent, ligne())

    actions = sorted(EntreeJournal.objects.values_list("action", flat=True))
    assert actions == sorted(
        [Action.CREATION, Action.CREATION, Action.MODIFICATION, Action.EVENEMENT]
    )
    assert set(EntreeJournal.objects.values_list("auteur", flat=True)) == {agent.pk}


def test_report_lists_every_error_with_its_place(agent):
    analyse = analyser_import_parc(
        agent,
        xlsx(
            ligne(Type="CADX", **{"Code postal": "7501"}),
            ligne(**{"Nom de la structure": "CADA 2", "Codes DNA": "C3502"}),
            ligne(
                **{
                    "Nom de la structure": "CADA 3",
                    "Codes DNA": "C3503",
                    "SIRET de l'opérateur": "3.31254E+13",
                    "Date d'effet": "31/02/2024",
                }
            ),
        ),
        "parc.xlsx",
    )

    assert [str(e) for e in analyse.rapport] == [
        "parc.xlsx, feuille Parc, ligne 2, colonne « Type », valeur « CADX » : type "
        "inconnu (CADA, HUDA, CAES, CPH ou PRAHDA)",
        "parc.xlsx, feuille Parc, ligne 2, colonne « Code postal », valeur « 7501 » : "
        "code postal invalide (5 chiffres attendus)",
        "parc.xlsx, feuille Parc, ligne 4, colonne « SIRET de l'opérateur », valeur "
        "« 3.31254E+13 » : SIRET lu comme un nombre en notation scientifique : "
        "saisissez-le comme du texte",
        "parc.xlsx, feuille Parc, ligne 4, colonne « Date d'effet », valeur "
        "« 31/02/2024 » : cette date n'existe pas",
    ]


def test_one_bad_row_writes_nothing(agent):
    resultat = importer(
        agent,
        ligne(),
        ligne(**{"Nom de la structure": "CADA 2", "Codes DNA": "C3502", "Type": "?"}),
    )

    assert not resultat.applique
    assert len(resultat.rapport) == 1
    assert not Structure.objects.exists()
    assert not Operateur.objects.exists()


def test_structure_imported_twice_is_not_duplicated_and_changes_nothing(agent):
    importer(agent, ligne())
    entrees = EntreeJournal.objects.count()

    resultat = importer(agent, ligne())

    assert resultat.applique
    assert resultat.changements == []
    assert Structure.objects.count() == 1
    assert EntreeJournal.objects.count() == entrees


def test_structure_without_codes_is_recognised_by_operator_name_and_departement(
    agent,
):
    importer(agent, ligne(**{"Codes DNA": None, "FINESS": None}))

    resultat = importer(
        agent,
        ligne(
            **{
                "Codes DNA": None,
                "FINESS": None,
                "Nom de la structure": "cada de RENNES",
            }
        ),
    )

    assert resultat.nombre("structure", "creation") == 0
    assert Structure.objects.count() == 1


def test_capacity_change_becomes_an_extension_at_the_given_date(agent):
    importer(agent, ligne())

    resultat = importer(
        agent,
        ligne(
            **{
                "Places autorisées": 120,
                "Date d'effet": datetime.date(2025, 7, 1),
                "Acte administratif": "Arrêté 2025-042",
            }
        ),
    )

    assert resultat.applique
    structure = Structure.objects.get()
    extension = structure.evenements.get(nature=NatureEvenement.EXTENSION)
    assert (extension.date_effet, extension.places_autorisees, extension.acte) == (
        datetime.date(2025, 7, 1),
        20,
        "Arrêté 2025-042",
    )
    assert capacite_au(structure, datetime.date(2025, 6, 30)).places_autorisees == 100


def test_capacity_decrease_becomes_a_reduction(agent):
    importer(agent, ligne())

    importer(agent, ligne(**{"Places autorisées": 80, "Date d'effet": "01/01/2025"}))

    reduction = EvenementCapacite.objects.get(nature=NatureEvenement.REDUCTION)
    assert reduction.places_autorisees == -20


def test_structure_recognised_by_dna_code_takes_the_new_name(agent):
    importer(agent, ligne())

    importer(agent, ligne(**{"Nom de la structure": "CADA Rennes Nord"}))

    assert list(Structure.objects.values_list("nom", flat=True)) == ["CADA Rennes Nord"]


def test_operator_is_recognised_by_name_and_gets_its_siret(agent):
    Operateur.objects.create(nom="Association  ACCUEIL")

    importer(agent, ligne())

    operateur = Operateur.objects.get()
    assert operateur.siret == SIRET_LA_POSTE


def test_operator_known_with_another_siret_is_an_error(agent):
    Operateur.objects.create(nom="Association Accueil", siret="73282932000074")

    analyse = analyser_import_parc(agent, xlsx(ligne()), "parc.xlsx")

    assert [e.colonne for e in analyse.rapport] == ["SIRET de l'opérateur"]


def test_two_rows_of_the_same_structure_are_an_error(agent):
    analyse = analyser_import_parc(
        agent, xlsx(ligne(), ligne(**{"Nom de la structure": "Autre nom"})), "parc.xlsx"
    )

    assert [e.message for e in analyse.rapport] == [
        "cette structure figure déjà à la ligne 2 du fichier"
    ]


def test_commune_is_found_without_deriving_the_departement_from_the_postal_code(
    agent,
):
    importer(
        agent,
        ligne(
            **{
                "Département": "2a",
                "Code postal": "20000",
                "Commune": "AJACCIO",
                "Codes DNA": "C2001",
                "FINESS": None,
            }
        ),
    )

    structure = Structure.objects.get()
    assert (structure.departement_id, structure.commune_id) == ("2A", "2A004")


def test_commune_of_another_departement_is_an_error_naming_both(agent):
    analyse = analyser_import_parc(
        agent,
        xlsx(
            ligne(
                **{
                    "Département": "5",
                    "Code postal": "05110",
                    "Commune": "Claret",
                    "Codes DNA": "C0501",
                    "FINESS": None,
                }
            )
        ),
        "parc.xlsx",
    )

    assert [e.message for e in analyse.rapport] == [
        "la commune Claret est dans le département Alpes-de-Haute-Provence (04), "
        "pas dans celui de la structure, Hautes-Alpes (05)"
    ]


def test_postal_code_shared_by_several_communes_needs_the_town(agent):
    analyse = analyser_import_parc(
        agent,
        xlsx(
            ligne(
                **{
                    "Département": "1",
                    "Code postal": "01310",
                    "Commune": None,
                    "FINESS": None,
                }
            )
        ),
        "parc.xlsx",
    )

    assert [e.message for e in analyse.rapport] == [
        "plusieurs communes ont le code postal 01310 : précisez la ville (Buellas, "
        "Polliat)"
    ]


def test_town_picks_its_commune_among_those_of_the_postal_code(agent):
    analyse = analyser_import_parc(
        agent,
        xlsx(
            ligne(
                **{
                    "Département": "01",
                    "Code postal": 1310,
                    "Commune": "polliat",
                    "FINESS": None,
                }
            )
        ),
        "parc.xlsx",
    )

    assert analyse.changements[1].details["commune"] == [None, "Polliat (01)"]


def test_structure_outside_the_perimeter_is_refused(agent_du_05):
    analyse = analyser_import_parc(agent_du_05, xlsx(ligne()), "parc.xlsx")

    assert [e.message for e in analyse.rapport] == [
        "ce département est hors de votre périmètre"
    ]


def test_confirmation_checks_the_base_again_and_writes_nothing_on_error(agent):
    analyse = analyser_import_parc(agent, xlsx(ligne()), "parc.xlsx")
    autre = Structure.objects.create(
        nom="CADA de Claret",
        type="CADA",
        public="familles",
        departement_id="04",
        operateur=Operateur.objects.create(nom="Autre"),
    )
    CodeDna.objects.create(structure=autre, code="C3501")

    resultat = appliquer_import_parc(
        agent, xlsx(ligne()), "parc.xlsx", empreinte=analyse.empreinte
    )

    assert analyse.est_valide
    assert not resultat.applique
    assert "département administratif" in resultat.rapport.erreurs[0].message
    assert Structure.objects.count() == 1


def test_confirmation_is_refused_when_the_changes_differ_from_the_preview(agent):
    analyse = analyser_import_parc(agent, xlsx(ligne()), "parc.xlsx")
    Operateur.objects.create(nom="Association Accueil")

    resultat = appliquer_import_parc(
        agent, xlsx(ligne()), "parc.xlsx", empreinte=analyse.empreinte
    )

    assert not resultat.applique
    assert "relancez l'analyse" in str(resultat.rapport)
    assert not Structure.objects.exists()


def test_template_without_data_is_refused_its_help_and_example_rows_skipped(agent):
    analyse = analyser_import_parc(agent, modele_import_parc(), "modele.xlsx")

    assert analyse.lignes_ignorees == [2, 3]
    assert [e.message for e in analyse.rapport] == [
        "le fichier ne contient aucune structure"
    ]


def test_template_filled_under_its_example_row_is_imported(agent):
    modele = CalamineWorkbook.from_filelike(io.BytesIO(modele_import_parc()))
    lignes = modele.get_sheet_by_index(0).to_python()

    resultat = confirmer(agent, classeur([*lignes, ligne()]))

    assert resultat.applique, str(resultat.rapport)
    assert list(Structure.objects.values_list("nom", flat=True)) == ["CADA de Rennes"]


def test_csv_file_with_commas_is_imported(agent):
    entete = ",".join(f'"{e}"' for e in ENTETES)
    valeurs = (
        f'"Association Accueil","{SIRET_LA_POSTE}","CADA de Rennes",CADA,35,'
        'Familles,"1 rue Haute",35000,Rennes,C3501,350000001,100,5,,2,'
        '01/01/2024,"Arrêté 2024-001"'
    )

    resultat = confirmer(agent, f"{entete}\r\n{valeurs}\r\n".encode(), "parc.csv")

    assert resultat.applique, str(resultat.rapport)
    assert Structure.objects.get().nom == "CADA de Rennes"


def test_specialised_places_above_authorised_places_are_an_error(agent):
    analyse = analyser_import_parc(
        agent, xlsx(ligne(**{"Places autorisées": 4, "Places PMR": 5})), "parc.xlsx"
    )

    assert [(e.colonne, e.message) for e in analyse.rapport] == [
        ("Places PMR", "plus de places spécialisées que de places autorisées (4)")
    ]


def test_capacity_date_before_the_first_recorded_change_is_an_error(agent):
    importer(agent, ligne())

    analyse = analyser_import_parc(
        agent,
        xlsx(ligne(**{"Places autorisées": 90, "Date d'effet": "01/01/2020"})),
        "parc.xlsx",
    )

    assert [e.colonne for e in analyse.rapport] == ["Date d'effet"]


def test_change_making_a_later_capacity_negative_is_found_in_the_dry_run(agent):
    importer(agent, ligne())
    importer(agent, ligne(**{"Places autorisées": 10, "Date d'effet": "01/01/2026"}))

    analyse = analyser_import_parc(
        agent,
        xlsx(ligne(**{"Places autorisées": 50, "Date d'effet": "01/01/2025"})),
        "parc.xlsx",
    )

    assert [e.message for e in analyse.rapport] == [
        "avec ce changement, la capacité au 01/01/2026 serait négative ou aurait "
        "plus de places spécialisées que de places autorisées"
    ]


def test_failure_while_applying_rolls_back_the_rows_already_written(agent, monkeypatch):
    appels = []

    def enregistrer_evenement(*args, **kwargs):
        appels.append(args)
        if len(appels) == 2:
            raise ErreurMetier("Refus simulé.")
        return services.enregistrer_evenement(*args, **kwargs)

    monkeypatch.setattr(parc, "enregistrer_evenement", enregistrer_evenement)

    resultat = importer(
        agent,
        ligne(),
        ligne(
            **{"Nom de la structure": "CADA 2", "Codes DNA": "C3502", "FINESS": None}
        ),
    )

    assert not resultat.applique
    assert [str(e) for e in resultat.rapport] == ["parc.xlsx, ligne 3 : Refus simulé."]
    assert not Structure.objects.exists()
    assert not EntreeJournal.objects.exists()


@pytest.mark.parametrize(
    ("places", "message"),
    [
        (-5, "nombre supérieur ou égal à 0 attendu"),
        (None, "valeur obligatoire"),
        ("douze", "nombre entier attendu"),
        ("12.5", "nombre entier attendu, sans décimales"),
    ],
)
def test_first_row_with_unreadable_places_is_reported_not_skipped(
    agent, places, message
):
    analyse = analyser_import_parc(
        agent,
        xlsx(
            ligne(**{"Places autorisées": places}),
            ligne(**{"Nom de la structure": "CADA 2", "Codes DNA": "C3502"}),
        ),
        "parc.xlsx",
    )

    assert analyse.lignes_ignorees == []
    assert [(e.ligne, e.colonne, e.message) for e in analyse.rapport] == [
        (2, "Places autorisées", message)
    ]


def test_operator_help_rows_are_skipped_and_listed(agent):
    aide = ["Raison sociale", "Ex : '35600000009075'", "Nom", "Ex : 'CADA'"]
    aide += ["Ex : '35'", "Oui/Non", None, "Ex : '35000'", None, None, None]
    aide += ["Nombre de places", None, None, None, "jj/mm/aaaa", None]
    consigne = ["Veuillez saisir les structures ci-dessous"]

    analyse = analyser_import_parc(
        agent, classeur([ENTETES, aide, consigne, ligne()]), "parc.xlsx"
    )

    assert analyse.est_valide, str(analyse.rapport)
    assert analyse.lignes_ignorees == [2, 3]
    assert analyse.nombre("structure") == 1


@pytest.mark.parametrize("places", ["100000000000000000000", 1e20, 100_001])
def test_places_beyond_100000_are_refused_instead_of_crashing(agent, places):
    contenu = xlsx(ligne(**{"Places autorisées": places}))

    resultat = appliquer_import_parc(agent, contenu, "parc.xlsx", empreinte="x")

    assert not resultat.applique
    assert [(e.colonne, e.message) for e in resultat.rapport] == [
        ("Places autorisées", "nombre invraisemblable : 100\u00a0000 au plus")
    ]


@pytest.mark.parametrize("date", ["01/01/0001", "0001-01-01", "31/12/1949"])
def test_implausible_date_d_effet_is_refused(agent, date):
    analyse = analyser_import_parc(
        agent, xlsx(ligne(**{"Date d'effet": date})), "parc.xlsx"
    )

    erreur = analyse.rapport.erreurs[0]
    assert (erreur.colonne, erreur.valeur) == ("Date d'effet", date)
    assert erreur.message.startswith("date invraisemblable")
    assert "01/01/1 " not in str(analyse.rapport)


def test_csv_rows_using_another_separator_are_each_an_error(agent):
    entete = ";".join(ENTETES)
    valeurs = ",".join(
        str(v) for v in ligne(**{"Date d'effet": "01/01/2024"}) if v is not None
    )

    analyse = analyser_import_parc(
        agent, f"{entete}\n{valeurs}\n{valeurs}\n".encode(), "parc.csv"
    )

    assert [(e.ligne, e.colonne) for e in analyse.rapport] == [
        (2, "Opérateur (raison sociale)"),
        (3, "Opérateur (raison sociale)"),
    ]
    assert "séparées par « , »" in analyse.rapport.erreurs[0].message


@pytest.mark.parametrize(
    ("colonne", "valeur"),
    [
        ("Codes DNA", "H٤٤٠١"),
        ("Codes DNA", "Ｃ３５０１"),
        ("FINESS", "４４ÉÉÉÉÉÉÉ"),
        ("FINESS", "３５００００００１"),
    ],
)
def test_codes_with_non_ascii_digits_or_letters_are_refused(agent, colonne, valeur):
    analyse = analyser_import_parc(agent, xlsx(ligne(**{colonne: valeur})), "parc.xlsx")

    assert [(e.colonne, e.valeur) for e in analyse.rapport] == [(colonne, valeur)]


def test_structure_outside_the_perimeter_is_never_named(agent, agent_du_05):
    importer(agent, ligne(**{"Nom de la structure": "CADA La Roseraie"}))

    analyse = analyser_import_parc(agent_du_05, xlsx(ligne()), "parc.xlsx")

    assert [(e.colonne, e.message) for e in analyse.rapport] == [
        ("Codes DNA", "ce code DNA désigne une structure hors de votre périmètre")
    ]
    assert "Roseraie" not in str(analyse.rapport)
    assert analyse.changements == []


def test_codes_of_several_structures_do_not_name_one_outside_the_perimeter(agent):
    importer(
        agent,
        ligne(),
        ligne(
            **{
                "Nom de la structure": "CADA La Roseraie",
                "Département": "01",
                "Code postal": "01310",
                "Commune": "Polliat",
                "Codes DNA": "C0101",
                "FINESS": None,
            }
        ),
    )
    agent_du_35 = Utilisateur.objects.create_user(
        "agent35@example.org", role=Role.DEPARTEMENTAL
    )
    agent_du_35.departements.add("35")

    analyse = analyser_import_parc(
        agent_du_35, xlsx(ligne(**{"Codes DNA": "C3501, C0101"})), "parc.xlsx"
    )

    assert [e.message for e in analyse.rapport] == [
        "ces codes DNA sont ceux de plusieurs structures, dont une au moins hors de "
        "votre périmètre"
    ]
    assert "Roseraie" not in str(analyse.rapport)


@pytest.mark.parametrize("empreinte", ["", None])
def test_confirmation_without_the_preview_fingerprint_is_refused(agent, empreinte):
    resultat = appliquer_import_parc(
        agent, xlsx(ligne()), "parc.xlsx", empreinte=empreinte
    )

    assert not resultat.applique
    assert "relancez l'analyse" in str(resultat.rapport)
    assert not Structure.objects.exists()


def test_confirmation_is_refused_when_a_structure_was_edited_since_the_preview(agent):
    importer(agent, ligne())
    contenu = xlsx(ligne(**{"Places autorisées": 120, "Date d'effet": "01/07/2025"}))
    analyse = analyser_import_parc(agent, contenu, "parc.xlsx")
    Structure.objects.update(version=F("version") + 1)  # edited meanwhile

    resultat = appliquer_import_parc(
        agent, contenu, "parc.xlsx", empreinte=analyse.empreinte
    )

    assert not resultat.applique
    assert "les données ont changé depuis l'aperçu" in str(resultat.rapport)
    assert EvenementCapacite.objects.count() == 1
