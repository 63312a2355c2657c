"""A calendar of periods drawn as inline SVG: one row per kind of act, one bar per
period, a line for today.

Meant to sit beside the table of the same acts (the structure sheet lists them):
each bar carries its own ``<title>`` with its dates and state.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from abri.ui.svg import (
    BLEU,
    CADRE,
    TEXTE_SECONDAIRE,
    TRAIT,
    coordonnee,
    identifiant,
    largeur_texte,
)
from abri.ui.svg.graphiques import aucune_donnee, entete_svg, marques_temps
from abri.ui.templatetags.abri_format import date_fr

LARGEUR = 800
HAUTEUR_LIGNE = 34
MARGE_GAUCHE = 130
MARGE_DROITE = 16
HAUT = 24
# DSFR illustrative colours, light enough for dark text: in force, to come, ended.
COULEURS = {
    "en_vigueur": "#6a6af4",  # blue-france-main-525
    "a_venir": "#cacafb",  # blue-france-850
    "passee": "#d0d0d0",  # grey-850
    "alerte": "#ce0500",  # red-marianne-425
}
LEGENDE = (
    ("en_vigueur", "En vigueur"),
    ("a_venir", "À venir ou en préparation"),
    ("passee", "Terminé"),
)


@dataclass(frozen=True)
class Periode:
    debut: datetime.date
    fin: datetime.date | None
    libelle: str
    statut: str = "en_vigueur"  # a key of COULEURS


@dataclass(frozen=True)
class LigneFrise:
    libelle: str
    periodes: Sequence[Periode]


def frise_periodes(
    lignes: Sequence[LigneFrise],
    *,
    titre: str,
    aujourdhui: datetime.date,
) -> SafeString:
    """Rows of periods on a common time axis; an open end runs to the axis' end."""
    ident = identifiant(
        "frise", titre, [(li.libelle, list(li.periodes)) for li in lignes]
    )
    periodes = [p for ligne in lignes for p in ligne.periodes]
    if not periodes:
        return aucune_donnee(ident, titre)
    debut = min(min(p.debut for p in periodes), aujourdhui)
    fins = [p.fin or p.debut for p in periodes]
    fin = max(max(fins), aujourdhui) + datetime.timedelta(days=1)
    debut = datetime.date(debut.year, 1, 1)
    fin = datetime.date(fin.year + 1, 1, 1)
    duree = (fin - debut).days
    x0, x1 = MARGE_GAUCHE, LARGEUR - MARGE_DROITE
    y_axe = HAUT + HAUTEUR_LIGNE * len(lignes)
    hauteur = y_axe + 60

    def x(jour: datetime.date) -> float:
        return x0 + max(0, min(duree, (jour - debut).days)) / duree * (x1 - x0)

    detail = [
        f"{ligne.libelle} : {p.libelle}, du {date_fr(p.debut)}"
        + (f" au {date_fr(p.fin)}" if p.fin else ", sans fin")
        for ligne in lignes
        for p in ligne.periodes
    ]
    description = f"Frise du {date_fr(debut)} au {date_fr(fin)} : " + " ; ".join(detail)
    morceaux = [entete_svg(ident, LARGEUR, hauteur, titre, description)]

    morceaux.append(
        f'<g font-size="13" fill="{TEXTE_SECONDAIRE}" text-anchor="middle">'
    )
    for jour, texte in marques_temps(debut, fin):
        morceaux.append(
            f'<line x1="{coordonnee(x(jour))}" x2="{coordonnee(x(jour))}" '
            f'y1="{HAUT}" y2="{y_axe + 6}" stroke="{CADRE}"/>'
            f'<text x="{coordonnee(x(jour))}" y="{y_axe + 22}">{escape(texte)}</text>'
        )
    morceaux.append("</g>")

    for rang, ligne in enumerate(lignes):
        y = HAUT + rang * HAUTEUR_LIGNE
        morceaux.append(
            f'<text x="0" y="{coordonnee(y + HAUTEUR_LIGNE / 2 + 5)}" font-size="14">'
            f"{escape(ligne.libelle)}</text>"
        )
        for periode in ligne.periodes:
            gauche = x(periode.debut)
            droite = x((periode.fin or fin) + datetime.timedelta(days=1))
            largeur = max(droite - gauche, 2)
            texte = f"{periode.libelle}, du {date_fr(periode.debut)}" + (
                f" au {date_fr(periode.fin)}" if periode.fin else ", sans fin"
            )
            morceaux.append(
                f'<rect x="{coordonnee(gauche)}" y="{coordonnee(y + 6)}" '
                f'width="{coordonnee(largeur)}" height="{HAUTEUR_LIGNE - 12}" rx="3" '
                f'fill="{COULEURS.get(periode.statut, BLEU)}" stroke="#ffffff">'
                f"<title>{escape(texte)}</title></rect>"
            )
    morceaux.append(
        f'<line x1="{x0}" x2="{x1}" y1="{y_axe}" y2="{y_axe}" stroke="{TRAIT}"/>'
    )
    aujourd = x(aujourdhui)
    morceaux.append(
        f'<line x1="{coordonnee(aujourd)}" x2="{coordonnee(aujourd)}" y1="{HAUT - 6}" '
        f'y2="{y_axe}" stroke="{BLEU}" stroke-width="2" stroke-dasharray="4 3"/>'
        f'<text x="{coordonnee(aujourd)}" y="{HAUT - 2}" font-size="12" '
        f'text-anchor="middle" fill="{BLEU}">Aujourd’hui</text>'
    )
    x_legende = float(x0)
    for statut, libelle in LEGENDE:
        morceaux.append(
            f'<rect x="{coordonnee(x_legende)}" y="{y_axe + 38}" width="14" '
            f'height="12" rx="2" fill="{COULEURS[statut]}"/>'
            f'<text x="{coordonnee(x_legende + 20)}" y="{y_axe + 49}" font-size="13" '
            f'fill="{TEXTE_SECONDAIRE}">{escape(libelle)}</text>'
        )
        x_legende += 20 + largeur_texte(libelle, 13) + 24
    morceaux.append("</svg>")
    return mark_safe("".join(morceaux))  # noqa: S308 - every text above is escaped
