import datetime
import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from abri.communs.tableurs import (
    Colonne,
    ErreurImport,
    FichierRefuse,
    LectureLigne,
    RapportImport,
    lire_classeur,
    lire_tableau,
)
from abri.communs.valeurs import lire_code_postal, lire_entier

COLONNES = (
    Colonne("adresse", "Adresse"),
    Colonne("code_postal", "Code postal"),
    Colonne("places", "Places autorisées"),
    Colonne("qpv", "QPV", obligatoire=False),
)


def xlsx(lignes, *, feuille="Feuille1", cachee=None):
    tampon = io.BytesIO()
    classeur = xlsxwriter.Workbook(tampon, {"in_memory": True})
    onglet = classeur.add_worksheet(feuille)
    if cachee:
        listes = classeur.add_worksheet("Listes")
        listes.write_string(0, 0, cachee)
        listes.hide()
    for i, ligne in enumerate(lignes):
        for j, valeur in enumerate(ligne):
            if isinstance(valeur, str):
                onglet.write_string(i, j, valeur)
            elif isinstance(valeur, datetime.date):
                onglet.write_datetime(
                    i, j, valeur, classeur.add_format({"num_format": "dd/mm/yyyy"})
                )
            elif valeur is not None:
                onglet.write_number(i, j, valeur)
    classeur.close()
    return tampon.getvalue()


@pytest.mark.parametrize("separateur", [";", ","])
def test_csv_separator_is_sniffed_from_the_header(separateur):
    contenu = separateur.join(["Adresse", "Code postal", "Places autorisées"]) + "\n"
    contenu += separateur.join(["1 rue Haute", "35000", "12"]) + "\n"

    tableau = lire_tableau(contenu.encode(), "adresses.csv", COLONNES)

    assert [tableau.valeur(tableau.lignes[0], c) for c in ("adresse", "places")] == [
        "1 rue Haute",
        "12",
    ]


def test_csv_with_utf8_bom_reads_its_first_header():
    contenu = "\ufeffAdresse;Code postal;Places autorisées\n1 rue Haute;35000;12\n"

    tableau = lire_tableau(contenu.encode("utf-8"), "adresses.csv", COLONNES)

    assert tableau.positions["adresse"] == 0


def test_csv_in_windows_1252_is_decoded():
    contenu = "Adresse;Code postal;Places autorisées\nPlace Étienne;35000;12\n"

    tableau = lire_tableau(contenu.encode("cp1252"), "adresses.csv", COLONNES)

    assert tableau.valeur(tableau.lignes[0], "adresse") == "Place Étienne"


def test_csv_with_quoted_separator_keeps_the_cell_whole():
    contenu = 'Adresse;Code postal;Places autorisées\n"Bât. A; 2e étage";35000;3\n'

    tableau = lire_tableau(contenu.encode(), "adresses.csv", COLONNES)

    assert tableau.valeur(tableau.lignes[0], "adresse") == "Bât. A; 2e étage"


def test_xlsx_whole_numbers_become_int_and_row_numbers_are_kept():
    contenu = xlsx(
        [["Adresse", "Code postal", "Places autorisées"], [], ["a", 1310, 12]]
    )

    tableau = lire_tableau(contenu, "adresses.xlsx", COLONNES)

    ligne = tableau.lignes[0]
    assert ligne.numero == 3
    assert tableau.valeur(ligne, "places") == 12
    assert isinstance(tableau.valeur(ligne, "places"), int)


def test_xlsx_date_cell_is_a_date():
    classeur = lire_classeur(xlsx([["Date"], [datetime.date(2024, 3, 31)]]), "a.xlsx")

    assert classeur.feuilles[0].lignes[1].cellules[0] == datetime.date(2024, 3, 31)


def test_hidden_sheet_is_ignored():
    classeur = lire_classeur(xlsx([["Adresse"]], cachee="Oui"), "a.xlsx")

    assert [f.nom for f in classeur.feuilles] == ["Feuille1"]


def test_header_matching_ignores_accents_case_and_spaces():
    contenu = "  ADRESSE ;code  POSTAL;places autorisees *\na;35000;1\n"

    tableau = lire_tableau(contenu.encode(), "a.csv", COLONNES)

    assert tableau.positions == {"adresse": 0, "code_postal": 1, "places": 2}


def test_header_below_a_title_row_is_found():
    contenu = xlsx(
        [["Adresses du CADA"], ["Adresse", "Code postal", "Places autorisées"]]
    )

    tableau = lire_tableau(contenu, "a.xlsx", COLONNES)

    assert tableau.entete.numero == 2


def test_missing_required_columns_are_all_listed():
    with pytest.raises(FichierRefuse) as refus:
        lire_tableau(b"Adresse;Ville\na;b\n", "a.csv", COLONNES)

    assert refus.value.message == (
        "colonnes obligatoires absentes : « Code postal », « Places autorisées »"
    )


@pytest.mark.parametrize("nom", ["adresses.pdf", "adresses", "adresses.xlsx.exe"])
def test_unknown_file_type_is_refused(nom):
    with pytest.raises(FichierRefuse, match="type de fichier non pris en charge"):
        lire_classeur(b"Adresse\n", nom)


def test_old_excel_format_is_refused_with_advice():
    with pytest.raises(FichierRefuse, match=r"format \.xlsx"):
        lire_classeur(b"\xd0\xcf\x11\xe0", "adresses.xls")


def test_empty_file_is_refused():
    with pytest.raises(FichierRefuse, match="vide"):
        lire_classeur(b"", "adresses.csv")


def test_file_over_the_size_limit_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 10

    with pytest.raises(FichierRefuse, match="taille maximale"):
        lire_classeur(io.BytesIO(b"Adresse;Code postal\n"), "adresses.csv")


def test_workbook_renamed_as_csv_is_refused():
    with pytest.raises(FichierRefuse, match="pas un fichier texte"):
        lire_classeur(xlsx([["Adresse"]]), "adresses.csv")


def test_damaged_workbook_is_refused():
    with pytest.raises(FichierRefuse, match="illisible"):
        lire_classeur(b"PK\x03\x04 pas un zip", "adresses.xlsx")


def test_error_reads_with_file_sheet_row_column_and_value():
    erreur = ErreurImport(
        "adresses.xlsx",
        "Feuille1",
        5,
        "Code postal",
        "7501",
        "code postal invalide (5 chiffres attendus)",
    )

    assert str(erreur) == (
        "adresses.xlsx, feuille Feuille1, ligne 5, colonne « Code postal », "
        "valeur « 7501 » : code postal invalide (5 chiffres attendus)"
    )


def test_report_collects_every_error_of_every_row():
    contenu = xlsx(
        [
            ["Adresse", "Code postal", "Places autorisées"],
            ["a", "7501", "douze"],
            ["b", "35000", 3],
            ["c", "350", 2.5],
        ]
    )
    tableau = lire_tableau(contenu, "adresses.xlsx", COLONNES)
    rapport = RapportImport("adresses.xlsx")

    for ligne in tableau.lignes:
        lecture = LectureLigne(tableau, ligne, rapport)
        lecture.lire("code_postal", lire_code_postal)
        lecture.lire("places", lire_entier)

    assert [(e.ligne, e.colonne, e.valeur) for e in rapport] == [
        (2, "Code postal", "7501"),
        (2, "Places autorisées", "douze"),
        (4, "Code postal", "350"),
        (4, "Places autorisées", "2.5"),
    ]


def test_required_value_missing_is_reported_as_empty():
    tableau = lire_tableau(
        b"Adresse;Code postal;Places autorisees\n;35000;1\n", "a.csv", COLONNES
    )
    rapport = RapportImport("a.csv")

    LectureLigne(tableau, tableau.lignes[0], rapport).lire("adresse", obligatoire=True)

    assert str(rapport) == (
        "a.csv, ligne 2, colonne « Adresse », valeur vide : valeur obligatoire"
    )


def test_django_uploaded_file_is_read():
    fichier = SimpleUploadedFile("a.csv", b"Adresse;Code postal;Places autorisees\n")

    classeur = lire_classeur(fichier, fichier.name)

    assert classeur.feuilles[0].lignes[0].cellules[0] == "Adresse"
