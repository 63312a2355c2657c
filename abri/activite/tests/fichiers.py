"""Small occupancy workbooks written in the tests, in the layouts the file takes."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter

from abri.activite.imports.modele import ENTETES


def ligne(
    code: str,
    departement: str,
    capacite: Any = 80,
    occupees: Any = 70,
    *,
    nom: str = "Centre",
    type: str = "CADA",
    operateur: str = "GROUPE HORIZON",
    travaux: Any = 0,
    indisponibles: Any = None,
    taux_bpi: Any = None,
    bpi: Any = 0,
    deboutes: Any = 0,
) -> list[Any]:
    """A row in the order of :data:`ENTETES`."""
    return [
        code,
        nom,
        type,
        operateur,
        departement,
        "DT Lyon",
        capacite,
        0,
        0,
        0,
        travaux,
        travaux if indisponibles is None else indisponibles,
        None,
        None,
        occupees,
        taux_bpi,
        bpi,
        None,
        deboutes,
    ]


def classeur(
    feuilles: dict[str, Sequence[Sequence[Any] | None]],
    *,
    titre: bool = True,
    entetes: Sequence[str] = ENTETES,
) -> bytes:
    """One sheet per entry; ``None`` among the rows is an empty row. With
    ``titre``, merged title cells on rows 1 and 2 and the header on row 3."""
    tampon = io.BytesIO()
    wb = xlsxwriter.Workbook(tampon, {"in_memory": True})
    for nom, lignes in feuilles.items():
        ws = wb.add_worksheet(nom)
        rang = 0
        if titre:
            ws.merge_range(0, 0, 1, 6, "Données par centre — extraction du SI")
            rang = 2
        for colonne, entete in enumerate(entetes):
            ws.write_string(rang, colonne, entete)
        for valeurs in lignes:
            rang += 1
            if valeurs is None:
                continue
            for colonne, valeur in enumerate(valeurs):
                if valeur is None:
                    continue
                if isinstance(valeur, str):
                    ws.write_string(rang, colonne, valeur)
                else:
                    ws.write_number(rang, colonne, valeur)
    wb.close()
    return tampon.getvalue()
