import datetime
import io
import re
import zipfile

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from abri.communs import tableurs
from abri.communs.tableurs import (
    Colonne,
    ErreurImport,
    FichierRefuse,
    LectureLigne,
    RapportImport,
    afficher_cellule,
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


def _remplie_a_l_extremite(tmp_path):
    """A tiny workbook whose only cells are A1 and XFD4000 (calamine would allocate
    the 65 million cells between them)."""
    chemin = tmp_path / "extreme.xlsx"
    classeur = xlsxwriter.Workbook(str(chemin))
    onglet = classeur.add_worksheet("Parc")
    onglet.write_string(0, 0, "Adresse")
    onglet.write_string(3999, 16383, "loin")
    classeur.close()
    return chemin.read_bytes()


def test_sheet_wider_than_the_maximum_is_refused_before_its_cells_are_read(
    tmp_path, monkeypatch
):
    contenu = _remplie_a_l_extremite(tmp_path)

    def lecture_interdite(*args):
        raise AssertionError("the sheet must be refused before calamine loads it")

    monkeypatch.setattr(
        tableurs.python_calamine.CalamineWorkbook,
        "get_sheet_by_name",
        lecture_interdite,
    )

    with pytest.raises(FichierRefuse) as refus:
        lire_classeur(contenu, "extreme.xlsx")

    assert len(contenu) < 10_000
    assert refus.value.message.startswith(
        "la feuille « Parc » a une cellule remplie en XFD4000, au-delà de 200 colonnes"
    )


def test_sheet_taller_than_the_maximum_is_refused(monkeypatch):
    monkeypatch.setattr(tableurs, "LIGNES_MAX", 10)

    with pytest.raises(
        FichierRefuse, match="cellule remplie en A11, au-delà de 10 lignes"
    ):
        lire_classeur(xlsx([["Adresse"], *[["a"]] * 11]), "a.xlsx")


def test_sheet_of_too_many_cells_is_refused(monkeypatch):
    monkeypatch.setattr(tableurs, "CELLULES_MAX", 20)

    with pytest.raises(FichierRefuse, match="trop grande"):
        lire_classeur(xlsx([["a", "b", "c", "d", "e"]] * 5), "a.xlsx")


def test_formatted_empty_cells_far_away_do_not_make_a_sheet_too_large():
    tampon = io.BytesIO()
    classeur = xlsxwriter.Workbook(tampon, {"in_memory": True})
    onglet = classeur.add_worksheet("Feuille1")
    onglet.write_string(0, 0, "Adresse")
    onglet.write_blank(3999, 16383, None, classeur.add_format({"bold": True}))
    classeur.close()

    classeur_lu = lire_classeur(tampon.getvalue(), "a.xlsx")

    assert classeur_lu.feuilles[0].lignes[0].cellules == ("Adresse",)


def _sans_references(contenu):
    """The workbook with the ``r`` attributes of its cells removed, as some
    generators write them."""
    entree = zipfile.ZipFile(io.BytesIO(contenu))
    sortie = io.BytesIO()
    with zipfile.ZipFile(sortie, "w") as archive:
        for membre in entree.infolist():
            donnees = entree.read(membre)
            if membre.filename.startswith("xl/worksheets/"):
                donnees = re.sub(rb'(<c) r="[A-Z]+[0-9]+"', rb"\1", donnees)
            archive.writestr(membre, donnees)
    return sortie.getvalue()


def test_cells_without_reference_are_counted_one_after_the_other(monkeypatch):
    contenu = _sans_references(xlsx([["a", "b", "c"], ["d", "e", "f"]]))
    assert lire_classeur(contenu, "a.xlsx").feuilles[0].lignes[1].cellules == (
        "d",
        "e",
        "f",
    )
    monkeypatch.setattr(tableurs, "COLONNES_MAX", 2)

    with pytest.raises(FichierRefuse, match="en C1, au-delà de 2 colonnes"):
        lire_classeur(contenu, "a.xlsx")


def test_workbook_inflating_beyond_the_maximum_is_refused(monkeypatch):
    monkeypatch.setattr(tableurs, "DECOMPRESSE_MAX", 1000)

    with pytest.raises(FichierRefuse, match="trop volumineux une fois décompressé"):
        lire_classeur(xlsx([["Adresse"]]), "a.xlsx")


def test_cells_keep_their_column_when_the_sheet_starts_further_right():
    tableau = lire_tableau(
        xlsx(
            [[None, "Adresse", "Code postal", "Places autorisées"], [None, "a", 1, 2]]
        ),
        "a.xlsx",
        COLONNES,
    )

    assert tableau.positions["adresse"] == 1
    assert tableau.valeur(tableau.lignes[0], "adresse") == "a"


def test_csv_cell_over_the_field_limit_gives_a_french_message():
    contenu = 'Adresse;Code postal\n"' + "a" * 140_000 + ";35000\n"

    with pytest.raises(FichierRefuse) as refus:
        lire_classeur(contenu.encode(), "a.csv")

    assert refus.value.message == (
        "fichier CSV mal formé vers la ligne 2 : une cellule dépasse 131\u00a0072 "
        "caractères (un guillemet « \" » n'est-il pas refermé ?)"
    )


def test_csv_row_wider_than_the_maximum_is_refused():
    contenu = "Adresse;Code postal\n" + ";".join(["x"] * 201) + "\n"

    with pytest.raises(FichierRefuse, match="ligne 2 du fichier a plus de 200"):
        lire_classeur(contenu.encode(), "a.csv")


def test_csv_row_using_another_separator_is_an_error_naming_its_cell():
    tableau = lire_tableau(
        b"Adresse;Code postal;Places autorisees\n1 rue Haute,35000,12\n",
        "a.csv",
        COLONNES,
    )
    rapport = RapportImport("a.csv")

    assert not LectureLigne(tableau, tableau.lignes[0], rapport).verifier_decoupage()
    assert str(rapport) == (
        "a.csv, ligne 2, colonne « Adresse », valeur « 1 rue Haute,35000,12 » : la "
        "ligne n'est pas découpée en colonnes : ses valeurs sont séparées par « , », "
        "celles de l'en-tête par « ; » ; enregistrez le fichier avec un seul "
        "séparateur"
    )


def test_date_of_year_one_is_shown_with_four_digits():
    assert afficher_cellule(datetime.date(1, 1, 1)) == "01/01/0001"


def test_csv_cell_with_a_comma_alone_on_its_row_is_not_a_separator_problem():
    tableau = lire_tableau(
        b"Adresse;Code postal;Places autorisees;QPV\n12, rue Haute;;;\n",
        "a.csv",
        COLONNES,
    )

    assert LectureLigne(
        tableau, tableau.lignes[0], RapportImport("a.csv")
    ).verifier_decoupage()
