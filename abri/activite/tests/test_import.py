import datetime
from decimal import Decimal

import pytest

from abri.activite.imports import analyser_import_activite, appliquer_import_activite
from abri.activite.models import (
    ActiviteMensuelle,
    CorrespondanceOperateur,
    LigneEnAttente,
    Source,
)
from abri.activite.services import declarer_mois, rattacher_code
from abri.activite.tests.fichiers import classeur, ligne
from abri.journal.models import EntreeJournal
from abri.structures.models import CodeDna

OCTOBRE = datetime.date(2025, 10, 1)
NOVEMBRE = datetime.date(2025, 11, 1)
NOM_OCTOBRE = "Liste données par centre 10.25 VF.xlsx"


def importer(auteur, contenu, nom=NOM_OCTOBRE):
    analyse = analyser_import_activite(auteur, contenu, nom)
    assert analyse.est_valide, str(analyse.rapport)
    resultat = appliquer_import_activite(
        auteur, contenu, nom, empreinte=analyse.empreinte
    )
    assert resultat.applique, str(resultat.rapport)
    return resultat


def erreurs(auteur, contenu, nom=NOM_OCTOBRE):
    analyse = analyser_import_activite(auteur, contenu, nom)
    assert not analyse.est_valide
    return list(analyse.rapport)


def test_liste_sheet_takes_the_month_of_the_file_name(national, codes):
    contenu = classeur({"Liste": [ligne("C6901", "Rhône", 80, 70, travaux=4)]})

    resultat = importer(national, contenu)

    activite = ActiviteMensuelle.objects.get()
    assert resultat.mois == [OCTOBRE]
    assert activite.structure == codes["C6901"]
    assert activite.mois == OCTOBRE
    assert activite.source == Source.FICHIER
    assert (activite.capacite, activite.places_indisponibles) == (80, 4)
    assert activite.places.vacantes == 6


def test_one_sheet_per_month(national, codes):
    contenu = classeur(
        {
            "10 25": [ligne("C6901", "Rhône", 80, 70)],
            "novembre 2025": [ligne("C6901", "Rhône", 80, 75)],
        }
    )

    importer(national, contenu, "occupation.xlsx")

    assert list(
        ActiviteMensuelle.objects.order_by("mois").values_list(
            "mois", "places_occupees"
        )
    ) == [(OCTOBRE, 70), (NOVEMBRE, 75)]


def test_header_on_first_row_without_title(national, codes):
    contenu = classeur({"Liste": [ligne("C6901", "Rhône")]}, titre=False)

    importer(national, contenu)

    assert ActiviteMensuelle.objects.count() == 1


def test_empty_row_in_the_middle_and_total_row_are_skipped(national, codes):
    total = [None, "Total", None, None, None, None, 120, 0, 0, 0, 0, 0]
    contenu = classeur(
        {
            "Liste": [
                ligne("C6901", "Rhône"),
                None,
                ligne("H0101", "Ain", 40, 30),
                total,
            ]
        }
    )

    resultat = importer(national, contenu)

    assert resultat.structures == 2


def test_numbers_stored_as_text_and_percentages_as_text_or_share(national, codes):
    contenu = classeur(
        {
            "Liste": [
                ligne("C6901", "Rhône", "80", "1 0", taux_bpi="10 %", bpi=None),
                ligne("H0101", "Ain", "40", "20", taux_bpi=0.05, bpi=None),
            ]
        }
    )
    assert erreurs(national, contenu)[0].colonne == "Places occupées"

    contenu = classeur(
        {
            "Liste": [
                ligne("C6901", "Rhône", "80", "70", taux_bpi="10 %", bpi=None),
                ligne("H0101", "Ain", "40", "20", taux_bpi=0.05, bpi=None),
            ]
        }
    )
    importer(national, contenu)

    par_structure = dict(
        ActiviteMensuelle.objects.values_list("structure_id", "presences_indues_bpi")
    )
    assert par_structure == {codes["C6901"].pk: 7, codes["H0101"].pk: 1}


@pytest.mark.parametrize(
    "nom", ["Loire atlantique", "LOIRE-ATLANTIQUE", "loire  Atlantique", "44"]
)
def test_departement_variants_are_matched(national, codes, nom):
    importer(national, classeur({"Liste": [ligne("H4401", nom, 50, 40)]}))

    assert ActiviteMensuelle.objects.get().structure == codes["H4401"]


def test_unknown_departement_is_an_error_with_its_place_and_a_proposal(national, codes):
    (erreur,) = erreurs(national, classeur({"Liste": [ligne("C6901", "Rhonne")]}))

    assert erreur.feuille == "Liste"
    assert erreur.ligne == 4
    assert erreur.colonne == "Département"
    assert erreur.valeur == "Rhonne"
    assert "« Rhône » ?" in erreur.message


def test_every_error_has_sheet_row_column_and_value(national, codes):
    contenu = classeur(
        {
            "Liste": [
                ligne("C6901", "Rhône", "quatre-vingts", 70),
                ligne("XX", "Ain"),
                ligne("H4401", "Loire-Atlantique", 50, 40, travaux=60),
            ]
        }
    )

    liste = erreurs(national, contenu)

    assert [(e.ligne, e.colonne) for e in liste] == [
        (4, "Capacité"),
        (5, "Code"),
        (6, "Total de places indisponibles"),
    ]
    assert liste[0].valeur == "quatre-vingts"
    assert "Liste, ligne 4" in str(liste[0]).replace("feuille ", "")


def test_missing_month_is_an_error(national, codes):
    (erreur,) = erreurs(
        national, classeur({"Liste": [ligne("C6901", "Rhône")]}), "Liste VF.xlsx"
    )

    assert "mois n'est pas dans le nom du fichier" in erreur.message


def test_missing_column_is_named(national, codes):
    entetes = ["Code", "Département", "Capacité"]
    contenu = classeur({"Liste": [["C6901", "Rhône", 80]]}, entetes=entetes)

    (erreur,) = erreurs(national, contenu)

    assert erreur.feuille == "Liste"
    assert "« Places occupées »" in erreur.message


def test_same_code_twice_in_a_month_is_an_error(national, codes):
    contenu = classeur({"Liste": [ligne("C6901", "Rhône"), ligne("C 6901", "Rhône")]})

    (erreur,) = erreurs(national, contenu)

    assert erreur.ligne == 5
    assert "ligne 4" in erreur.message


def test_nothing_is_written_when_one_row_fails(national, codes):
    contenu = classeur({"Liste": [ligne("C6901", "Rhône"), ligne("H0101", "Ain", -1)]})

    analyse = analyser_import_activite(national, contenu, NOM_OCTOBRE)
    resultat = appliquer_import_activite(
        national, contenu, NOM_OCTOBRE, empreinte=analyse.empreinte
    )

    assert not resultat.applique
    assert not ActiviteMensuelle.objects.exists()


def test_reimporting_a_month_replaces_that_month_only(national, codes):
    importer(
        national,
        classeur(
            {
                "10 25": [ligne("C6901", "Rhône", 80, 70), ligne("H0101", "Ain")],
                "11 25": [ligne("C6901", "Rhône", 80, 72)],
            }
        ),
        "occupation.xlsx",
    )

    resultat = importer(
        national, classeur({"Liste": [ligne("C6901", "Rhône", 80, 60)]})
    )

    assert "à la place des 2 structure(s)" in str(resultat.changements[0])
    assert sorted(
        ActiviteMensuelle.objects.values_list("structure_id", "mois", "places_occupees")
    ) == sorted([(codes["C6901"].pk, OCTOBRE, 60), (codes["C6901"].pk, NOVEMBRE, 72)])


def test_two_codes_of_one_structure_are_summed(national, codes):
    CodeDna.objects.create(structure=codes["C6901"], code="C6902")
    contenu = classeur(
        {"Liste": [ligne("C6901", "Rhône", 80, 70), ligne("C6902", "Rhône", 20, 10)]}
    )

    importer(national, contenu)

    activite = ActiviteMensuelle.objects.get()
    assert (activite.capacite, activite.places_occupees) == (100, 80)


def test_unknown_code_is_kept_pending_then_linked(national, codes, parc):
    contenu = classeur({"Liste": [ligne("C6977", "Rhône", 30, 25, nom="CADA nouveau")]})

    resultat = importer(national, contenu)

    assert resultat.en_attente == 1
    assert "code DNA C6977 inconnu" in str(resultat.changements[-1])
    attente = LigneEnAttente.objects.get()
    assert (attente.code_dna, attente.mois, attente.departement) == (
        "C6977",
        OCTOBRE,
        parc.rhone,
    )
    assert not ActiviteMensuelle.objects.exists()

    assert rattacher_code(national, "C6977", codes["C6901"]) == 1

    assert not LigneEnAttente.objects.exists()
    assert codes["C6901"].codes_dna.filter(code="C6977").exists()
    activite = ActiviteMensuelle.objects.get()
    assert (activite.structure, activite.capacite) == (codes["C6901"], 30)


def test_unknown_operator_spelling_is_a_warning_proposing_the_closest(national, codes):
    contenu = classeur(
        {"Liste": [ligne("C6901", "Rhône", operateur="GROUPE HORIZONS")]}
    )

    analyse = analyser_import_activite(national, contenu, NOM_OCTOBRE)

    assert analyse.est_valide
    (avertissement,) = analyse.avertissements
    assert "Opérateur « GROUPE HORIZONS » inconnu (Liste ligne 4)" in avertissement
    assert "« Groupe Horizon »" in avertissement


def test_recorded_spelling_resolves_the_operator(national, codes, parc):
    CorrespondanceOperateur.objects.create(
        libelle="GPE HORIZON", cle="gpe horizon", operateur=parc.filiale
    )
    contenu = classeur({"Liste": [ligne("C6901", "Rhône", operateur="GPE HORIZON")]})

    analyse = analyser_import_activite(national, contenu, NOM_OCTOBRE)

    assert analyse.avertissements == []


def test_agent_imports_only_the_rows_of_its_perimeter(agent_rhone, codes):
    contenu = classeur(
        {
            "Liste": [
                ligne("C6901", "Rhône"),
                ligne("H0101", "Ain", "illisible"),
                ligne("H4401", "Loire-Atlantique"),
                ligne("C0199", "Ain"),
            ]
        }
    )

    resultat = importer(agent_rhone, contenu)

    assert resultat.hors_perimetre == 3
    assert "3 ligne(s)" in resultat.avertissements[0]
    assert list(ActiviteMensuelle.objects.values_list("structure", flat=True)) == [
        codes["C6901"].pk
    ]
    assert not LigneEnAttente.objects.exists()


def test_agent_reimport_keeps_the_months_of_other_territories(
    national, agent_rhone, codes
):
    importer(
        national,
        classeur({"Liste": [ligne("C6901", "Rhône"), ligne("H0101", "Ain")]}),
    )

    importer(agent_rhone, classeur({"Liste": [ligne("C6901", "Rhône", 80, 10)]}))

    assert ActiviteMensuelle.objects.count() == 2


def test_confirmation_is_refused_when_the_base_changed_since_the_preview(
    national, codes
):
    contenu = classeur({"Liste": [ligne("C6901", "Rhône")]})
    analyse = analyser_import_activite(national, contenu, NOM_OCTOBRE)
    importer(national, classeur({"Liste": [ligne("H0101", "Ain")]}))

    resultat = appliquer_import_activite(
        national, contenu, NOM_OCTOBRE, empreinte=analyse.empreinte
    )

    assert not resultat.applique
    assert "ont changé depuis l'aperçu" in str(resultat.rapport)


def test_confirmation_without_fingerprint_is_refused(national, codes):
    contenu = classeur({"Liste": [ligne("C6901", "Rhône")]})

    resultat = appliquer_import_activite(national, contenu, NOM_OCTOBRE, empreinte="")

    assert not resultat.applique


def test_the_file_replaces_an_operator_declaration(national, operateur, codes):
    structure = codes["C6901"]
    declarer_mois(
        operateur,
        structure,
        OCTOBRE,
        {"capacite": 80, "places_indisponibles": 0, "places_occupees": 50},
        aujourd_hui=datetime.date(2025, 11, 5),
    )

    resultat = importer(national, classeur({"Liste": [ligne("C6901", "Rhône")]}))

    assert "1 déclaration(s)" in resultat.avertissements[0]
    activite = ActiviteMensuelle.objects.get()
    assert activite.source == Source.FICHIER
    assert activite.places_occupees == 70
    assert EntreeJournal.objects.filter(
        structure_id=structure.pk, commentaire__contains="remplacée par le fichier"
    ).exists()


def test_import_is_journaled_once(national, codes):
    importer(national, classeur({"Liste": [ligne("C6901", "Rhône")]}))

    entree = EntreeJournal.objects.get(action="import")
    assert entree.changements["structures"] == [None, 1]


def test_operator_account_may_not_import(operateur, codes):
    (erreur,) = erreurs(operateur, classeur({"Liste": [ligne("R7501", "Paris")]}))

    assert "ne permet pas" in erreur.message


def test_hotel_nights_are_spelled_out():
    from abri.activite.regles import libelle_type_centre

    assert libelle_type_centre("NUITEE HOTELIERE") == "Nuitées hôtelières"
    assert libelle_type_centre("CADA") == "CADA"


def test_two_sheets_of_the_same_month_are_an_error(national, codes):
    contenu = classeur(
        {
            "10 25": [ligne("C6901", "Rhône")],
            "octobre 2025": [ligne("C6901", "Rhône")],
        }
    )

    (erreur,) = erreurs(national, contenu, "occupation.xlsx")

    assert erreur.feuille == "octobre 2025"
    assert "deux feuilles portent le mois octobre 2025" in erreur.message


def test_a_sheet_not_named_by_a_month_is_ignored_with_a_warning(national, codes):
    contenu = classeur(
        {"10 25": [ligne("C6901", "Rhône")], "Notes": [["rien", "à", "lire"]]}
    )

    analyse = analyser_import_activite(national, contenu, "occupation.xlsx")

    assert analyse.est_valide
    assert analyse.avertissements == [
        "Feuille « Notes » ignorée : son nom n'est pas un mois."
    ]


def test_a_month_not_begun_is_an_error(national, codes):
    (erreur,) = erreurs(
        national, classeur({"12 99": [ligne("C6901", "Rhône")]}), "occupation.xlsx"
    )

    assert "n'est pas encore commencé" in erreur.message


def test_csv_file_takes_the_month_of_its_name(national, codes):
    contenu = (
        "Code;Département;Capacité;Places occupées;% de BPI en PI\r\n"
        "C6901;Rhône;80;70;2,5 %\r\n"
    ).encode()

    importer(national, contenu, "Liste données par centre 10.25.csv")

    assert ActiviteMensuelle.objects.get().presences_indues_bpi == 2


def test_impossible_rate_and_too_many_undue_presences_are_errors(national, codes):
    contenu = classeur(
        {
            "Liste": [
                ligne("C6901", "Rhône", 80, 70, taux_bpi="450 %"),
                ligne("H0101", "Ain", 40, 10, bpi=8, deboutes=5),
            ]
        }
    )

    liste = erreurs(national, contenu)

    assert [(e.ligne, e.colonne) for e in liste] == [
        (4, "% de BPI en PI"),
        (5, "Places occupées"),
    ]


def test_other_sheets_beside_liste_are_ignored_with_a_warning(national, codes):
    contenu = classeur(
        {"Liste": [ligne("C6901", "Rhône")], "09 25": [ligne("C6901", "Rhône")]}
    )

    analyse = analyser_import_activite(national, contenu, NOM_OCTOBRE)

    assert analyse.mois == [OCTOBRE]
    assert "Feuille « 09 25 » ignorée" in analyse.avertissements[0]


def test_more_occupied_places_than_capacity_is_an_error_naming_the_cell(
    national, codes
):
    contenu = classeur({"10 25": [ligne("C6901", "Rhône", 76, 9999)]})

    (erreur,) = erreurs(national, contenu, "occupation.xlsx")

    assert (erreur.feuille, erreur.ligne, erreur.colonne) == (
        "10 25",
        4,
        "Places occupées",
    )
    assert "9999" in str(erreur.valeur)
    assert "plus de places occupées que de places (76)" in erreur.message
    assert not ActiviteMensuelle.objects.exists()


def test_occupied_above_available_within_capacity_is_kept_with_a_warning(
    national, codes
):
    contenu = classeur({"10 25": [ligne("C6901", "Rhône", 80, 78, travaux=4)]})

    analyse = analyser_import_activite(national, contenu, "occupation.xlsx")

    assert analyse.est_valide
    assert analyse.avertissements == [
        "Feuille « 10 25 », ligne 4, colonne « Places occupées » : 78 places "
        "occupées pour 76 places disponibles (capacité moins places "
        "indisponibles) ; les chiffres sont repris tels quels."
    ]


@pytest.mark.parametrize("valeur", [1.5, 2.5, "150 %", "-5 %", 150])
def test_a_rate_above_100_percent_is_an_error_naming_the_cell(national, codes, valeur):
    contenu = classeur({"Liste": [ligne("C6901", "Rhône", taux_bpi=valeur)]})

    (erreur,) = erreurs(national, contenu)

    assert (erreur.ligne, erreur.colonne) == (4, "% de BPI en PI")
    assert "entre 0 % et 100 %" in erreur.message


def test_a_file_rate_inconsistent_with_its_count_is_ignored(national, codes):
    contenu = (
        "Code;Département;Capacité;Places occupées;Taux d'occupation;"
        "% de BPI en PI;Nb de BPI en PI\r\n"
        "C6901;Rhône;80;40;100 %;0,9;2\r\n"
    ).encode()

    importer(national, contenu, "Liste données par centre 10.25.csv")

    activite = ActiviteMensuelle.objects.get()
    assert (activite.presences_indues_bpi, activite.places.taux_occupation) == (
        2,
        Decimal("0.5"),
    )


@pytest.mark.parametrize(
    ("nom", "defaut"),
    [("13 26", "il n'y a pas de mois 13"), ("10 1999", "l'année 1999")],
)
def test_a_sheet_named_by_an_impossible_month_says_so(national, codes, nom, defaut):
    (erreur,) = erreurs(national, classeur({nom: [ligne("C6901", "Rhône")]}), "a.xlsx")

    assert f"la feuille « {nom} » n'est pas un mois réel" in erreur.message
    assert defaut in erreur.message
    assert "nom du fichier" not in erreur.message


def test_text_in_a_count_is_named_once(national, codes):
    contenu = classeur({"Liste": [ligne("C6901", "Rhône", 80, "beaucoup")]})

    (erreur,) = erreurs(national, contenu)

    assert erreur.message == "nombre entier attendu"
