import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from abri.communs.exports import (
    classeur_xlsx,
    reponse_csv,
    reponse_xlsx,
    texte_csv,
)

DANGEREUX = ["=1+1", "+33 1 23", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def lire_xlsx(contenu):
    return CalamineWorkbook.from_filelike(io.BytesIO(contenu)).get_sheet_by_index(0)


@pytest.mark.parametrize("texte", DANGEREUX)
def test_csv_prefixes_a_formula_like_text_with_an_apostrophe(texte):
    contenu = texte_csv(["Nom"], [[texte]]).decode("utf-8-sig")

    assert contenu.split("\r\n")[1].strip('"') == "'" + texte


def test_csv_leaves_a_negative_number_alone():
    contenu = texte_csv(["Résultat"], [[Decimal("-1234.50")]]).decode("utf-8-sig")

    assert contenu.split("\r\n")[1] == "-1234,50"


def test_csv_is_semicolon_separated_utf8_with_bom_in_french_formats():
    contenu = texte_csv(
        ["Structure", "Dotation", "Ouverture", "Taux", "Places", "CPOM"],
        [["CADA Été", Decimal("1234567.89"), datetime.date(2024, 3, 31), 0.5, 0, True]],
    )

    assert contenu.startswith(b"\xef\xbb\xbf")
    assert contenu.decode("utf-8-sig").split("\r\n")[1] == (
        "CADA Été;1234567,89;31/03/2024;0,5;0;Oui"
    )


@pytest.mark.parametrize("texte", DANGEREUX)
def test_xlsx_writes_a_formula_like_text_as_a_string(texte):
    contenu = classeur_xlsx(["Nom"], [[texte]])

    assert lire_xlsx(contenu).to_python()[1] == [texte]
    with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()


def test_xlsx_keeps_numbers_and_dates_typed():
    contenu = classeur_xlsx(
        ["Places", "Dotation", "Ouverture"],
        [[120, Decimal("1234567.89"), datetime.date(2024, 3, 31)]],
    )

    assert lire_xlsx(contenu).to_python()[1] == [
        120.0,
        1234567.89,
        datetime.date(2024, 3, 31),
    ]


def test_xlsx_response_is_an_attachment_with_its_extension():
    reponse = reponse_xlsx("parc-2024", ["Nom"], [["CADA"]])

    assert reponse["Content-Disposition"] == 'attachment; filename="parc-2024.xlsx"'
    assert reponse["Content-Type"].startswith("application/vnd.openxmlformats")


def test_csv_response_encodes_an_accented_file_name():
    reponse = reponse_csv("opérateurs.csv", ["Nom"], [["Adoma"]])

    assert reponse["Content-Disposition"] == (
        "attachment; filename*=utf-8''op%C3%A9rateurs.csv"
    )
    assert reponse.content.startswith(b"\xef\xbb\xbf")
