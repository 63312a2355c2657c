"""A workbook in the layout of the occupancy office's export: a merged title over two
rows, the header on row 3, one row per centre."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import xlsxwriter

ENTETES = (
    "Code",
    "Nom du centre",
    "Type",
    "Opérateur",
    "Département",
    "Direction territoriale",
    "Capacité",
    "Désinsectisation",
    "Remise en état de l'unité",
    "Sous-occupation",
    "Travaux",
    "Total de places indisponibles",
    "Taux d'indisponibilité",
    "Taux d'occupation",
    "Places occupées",
    "% de BPI en PI",
    "Nb de BPI en PI",
    "% de DEB en PI",
    "Nb de DEB en PI",
)
COLONNES_TAUX = {12, 13, 15, 17}


def ecrire_fichier_activite(
    feuilles: Mapping[str, Iterable[Sequence[Any]]], *, titre: str
) -> bytes:
    """One sheet per entry of ``feuilles`` (name → rows in the order of
    :data:`ENTETES`); rates are shares written as percentage cells."""
    tampon = io.BytesIO()
    classeur = xlsxwriter.Workbook(tampon, {"in_memory": True})
    gras = classeur.add_format({"bold": True, "text_wrap": True, "border": 1})
    titre_format = classeur.add_format({"bold": True, "font_size": 14})
    pourcent = classeur.add_format({"num_format": "0.0%"})
    for nom, lignes in feuilles.items():
        onglet = classeur.add_worksheet(nom)
        onglet.merge_range(0, 0, 1, len(ENTETES) - 1, titre, titre_format)
        for colonne, entete in enumerate(ENTETES):
            onglet.write_string(2, colonne, entete, gras)
        for rang, ligne in enumerate(lignes, start=3):
            for colonne, valeur in enumerate(ligne):
                if valeur is None:
                    continue
                if isinstance(valeur, str):
                    onglet.write_string(rang, colonne, valeur)
                elif colonne in COLONNES_TAUX:
                    onglet.write_number(rang, colonne, float(valeur), pourcent)
                else:
                    onglet.write_number(rang, colonne, valeur)
        onglet.set_column(0, len(ENTETES) - 1, 14)
        onglet.freeze_panes(3, 0)
    classeur.close()
    return tampon.getvalue()
