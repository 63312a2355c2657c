"""Small charts drawn as inline SVG: horizontal bars and a step line over time.

Positions are computed in floats and rounded to a tenth of a unit; every figure shown
as text comes from the value itself (``Decimal`` stays ``Decimal``), so that no float
artefact reaches the page.
"""

import datetime
from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from abri.ui.svg import (
    BLEU,
    CADRE,
    POLICE,
    TEXTE,
    TEXTE_SECONDAIRE,
    TRAIT,
    avec_unite,
    coordonnee,
    en_decimal,
    formater_nombre,
    identifiant,
    largeur_texte,
)
from abri.ui.templatetags.abri_format import date_fr

LARGEUR = 800
TAILLE = 16  # font size in viewBox units: about 15 px at 48rem
AIRE = "#e3e3fd"  # DSFR blue-france-925, under the step line
MAX_LIBELLE = 32
MAX_DETAIL_DESCRIPTION = 12

Montant = int | Decimal


def propre(valeur: Decimal) -> Decimal:
    """``Decimal('2.50')`` → ``2.5``, ``Decimal('1E+3')`` → ``1000``."""
    valeur = valeur.normalize()
    exposant = valeur.as_tuple().exponent
    if isinstance(exposant, int) and exposant > 0:
        valeur = valeur.quantize(Decimal(1))
    return valeur


def graduations(
    minimum: Decimal, maximum: Decimal, *, entieres: bool, nombre: int = 4
) -> list[Decimal]:
    """Round ticks covering ``[minimum, maximum]``, steps of 1, 2, 2.5 or 5 × 10ⁿ.

    With ``entieres`` (counts of places) the step is a whole number.
    """
    if maximum <= minimum:
        maximum = minimum + 1
    brut = (maximum - minimum) / nombre
    base = Decimal(1).scaleb(brut.adjusted())
    pas = base * 10
    for facteur in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5)):
        candidat = base * facteur
        if entieres and candidat != candidat.to_integral_value():
            continue
        if candidat >= brut:
            pas = candidat
            break
    if entieres:
        pas = max(pas, Decimal(1))
    debut = (minimum / pas).to_integral_value(ROUND_FLOOR)
    fin = (maximum / pas).to_integral_value(ROUND_CEILING)
    return [propre(pas * k) for k in range(int(debut), int(fin) + 1)]


def entete_svg(
    ident: str, largeur: float, hauteur: float, titre: str, description: str
) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {coordonnee(largeur)} '
        f'{coordonnee(hauteur)}" role="img" '
        f'aria-labelledby="{ident}-titre {ident}-desc" class="abri-graphique__svg" '
        f'font-family="{POLICE}" font-size="{TAILLE}" fill="{TEXTE}">'
        f'<title id="{ident}-titre">{escape(titre)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>'
    )


def aucune_donnee(ident: str, titre: str) -> SafeString:
    return mark_safe(  # noqa: S308 - the title is escaped
        entete_svg(ident, LARGEUR, 80, titre, "Aucune donnée à représenter.")
        + f'<rect x="0.5" y="0.5" width="{LARGEUR - 1}" height="79" fill="none" '
        f'stroke="{CADRE}"/>'
        f'<text x="{LARGEUR / 2:g}" y="46" text-anchor="middle" '
        f'fill="{TEXTE_SECONDAIRE}">Aucune donnée</text></svg>'
    )


def abreger(texte: str) -> str:
    return texte if len(texte) <= MAX_LIBELLE else texte[: MAX_LIBELLE - 1] + "…"


def resume(elements: Sequence[str]) -> str:
    if len(elements) <= MAX_DETAIL_DESCRIPTION:
        return " ; ".join(elements)
    reste = len(elements) - MAX_DETAIL_DESCRIPTION
    return (
        " ; ".join(elements[:MAX_DETAIL_DESCRIPTION])
        + f" ; et {reste} autre{'s' if reste > 1 else ''}, voir le tableau"
    )


# Horizontal bars ------------------------------------------------------------------


def barres(
    series: Sequence[tuple[str, Montant]], *, titre: str, unite: str
) -> SafeString:
    """One horizontal bar per ``(libellé, valeur)``, in the order given.

    Bars start at zero (negative values go left of it); each carries its value in
    French format and a tooltip ``libellé : 1 234 places``. Labels longer than 32
    characters are shortened on the bar, not in the tooltip.
    """
    ident = identifiant("barres", titre, unite, list(series))
    if not series:
        return aucune_donnee(ident, titre)

    valeurs = [en_decimal(v) for _, v in series]
    textes = [formater_nombre(v) for _, v in series]
    entieres = all(v == v.to_integral_value() for v in valeurs)
    ticks = graduations(
        min(*valeurs, Decimal(0)), max(*valeurs, Decimal(0)), entieres=entieres
    )
    bas, haut = ticks[0], ticks[-1]

    colonne = 12 + max(largeur_texte(abreger(libelle), TAILLE) for libelle, _ in series)
    x0 = colonne + 12
    x1 = LARGEUR - max(largeur_texte(t, TAILLE) for t in textes) - 16
    rang_hauteur, epaisseur, haut_marge = 36, 22, 8

    def x(valeur: Decimal) -> float:
        return x0 + float((valeur - bas) / (haut - bas)) * (x1 - x0)

    y_axe = haut_marge + rang_hauteur * len(series)
    hauteur = y_axe + 64
    detail = [
        f"{libelle} : {avec_unite(texte, unite)}"
        for (libelle, _), texte in zip(series, textes, strict=True)
    ]
    description = (
        f"Diagramme en barres horizontales{f', en {unite}' if unite else ''} : "
        f"{resume(detail)}."
    )
    morceaux = [entete_svg(ident, LARGEUR, hauteur, titre, description)]

    morceaux.append(f'<g stroke="{CADRE}">')
    for tick in ticks:
        morceaux.append(
            f'<line x1="{coordonnee(x(tick))}" x2="{coordonnee(x(tick))}" y1="0" '
            f'y2="{y_axe}"/>'
        )
    morceaux.append("</g>")

    zero = x(Decimal(0))
    for rang, ((libelle, _), valeur, texte) in enumerate(
        zip(series, valeurs, textes, strict=True)
    ):
        y = haut_marge + rang * rang_hauteur + (rang_hauteur - epaisseur) / 2
        gauche, droite = sorted((zero, x(valeur)))
        morceaux.append(
            f"<g><title>{escape(detail[rang])}</title>"
            f'<text x="{coordonnee(colonne)}" y="{coordonnee(y + 16)}" '
            f'text-anchor="end">{escape(abreger(libelle))}</text>'
            f'<rect x="{coordonnee(gauche)}" y="{coordonnee(y)}" '
            f'width="{coordonnee(max(droite - gauche, 0))}" height="{epaisseur}" '
            f'fill="{BLEU}"/>'
            f'<text x="{coordonnee(max(droite, zero) + 6)}" y="{coordonnee(y + 16)}">'
            f"{escape(texte)}</text></g>"
        )

    morceaux.append(
        f'<line x1="{coordonnee(zero)}" x2="{coordonnee(zero)}" y1="0" '
        f'y2="{y_axe}" stroke="{TRAIT}"/>'
        f'<g font-size="14" fill="{TEXTE_SECONDAIRE}" text-anchor="middle">'
    )
    for tick in ticks:
        morceaux.append(
            f'<text x="{coordonnee(x(tick))}" y="{y_axe + 20}">'
            f"{escape(formater_nombre(tick))}</text>"
        )
    morceaux.append("</g>")
    if unite:
        morceaux.append(
            f'<text x="{coordonnee((x0 + x1) / 2)}" y="{y_axe + 48}" '
            f'text-anchor="middle">{escape(capfirst(unite))}</text>'
        )
    morceaux.append("</svg>")
    return mark_safe("".join(morceaux))  # noqa: S308 - every text above is escaped


# Step line ------------------------------------------------------------------------


def marques_temps(
    debut: datetime.date, fin: datetime.date
) -> list[tuple[datetime.date, str]]:
    """Ticks of the time axis: years over two years or more, else first days of months
    (dd/mm/yyyy), else the two ends."""
    if (fin - debut).days >= 730:
        annees = list(
            range(debut.year + (debut > datetime.date(debut.year, 1, 1)), fin.year + 1)
        )
        pas = -(-len(annees) // 8)
        return [(datetime.date(a, 1, 1), str(a)) for a in annees[::pas]]
    mois = []
    courant = datetime.date(debut.year, debut.month, 1)
    if courant < debut:
        courant = datetime.date(
            courant.year + courant.month // 12, courant.month % 12 + 1, 1
        )
    while courant <= fin:
        mois.append(courant)
        courant = datetime.date(
            courant.year + courant.month // 12, courant.month % 12 + 1, 1
        )
    if len(mois) < 2:
        bornes = [debut] if debut == fin else [debut, fin]
        return [(d, date_fr(d)) for d in bornes]
    pas = -(-len(mois) // 5)
    return [(d, date_fr(d)) for d in mois[::pas]]


def courbe_en_escalier(
    points: Sequence[tuple[datetime.date, int]],
    *,
    titre: str,
    unite: str,
    jusqu_au: datetime.date | None = None,
) -> SafeString:
    """A step line: each value holds from its date until the next one.

    Points are sorted by date; of two points on one date the last given wins. The line
    ends at ``jusqu_au`` when it is later than the last date (e.g. today), else at the
    last date. The y axis starts at zero. A single point without a later ``jusqu_au``
    is drawn as one dot.
    """
    ident = identifiant("courbe", titre, unite, list(points), jusqu_au)
    par_date = dict(sorted(points, key=lambda point: point[0]))
    if not par_date:
        return aucune_donnee(ident, titre)

    etapes = sorted(par_date.items())
    debut = etapes[0][0]
    fin = max(etapes[-1][0], jusqu_au or etapes[-1][0])
    valeurs = [Decimal(v) for _, v in etapes]
    ticks = graduations(Decimal(0), max(valeurs), entieres=True)
    haut = ticks[-1]
    textes_ticks = [formater_nombre(t) for t in ticks]

    x0 = max(largeur_texte(t, 14) for t in textes_ticks) + 20
    dernier_texte = formater_nombre(etapes[-1][1])
    x1 = LARGEUR - max(largeur_texte(dernier_texte, TAILLE), 40) - 16
    y0, y1 = 30, 250  # top and bottom of the plot
    hauteur = y1 + 44
    duree = (fin - debut).days

    def x(jour: datetime.date) -> float:
        if duree == 0:
            return (x0 + x1) / 2
        return x0 + (jour - debut).days / duree * (x1 - x0)

    def y(valeur: Decimal) -> float:
        return y1 - float(valeur / haut) * (y1 - y0)

    detail = [
        f"depuis le {date_fr(jour)} : {avec_unite(formater_nombre(v), unite)}"
        for jour, v in etapes
    ]
    description = (
        f"Courbe en escalier du {date_fr(debut)} au {date_fr(fin)}, chaque valeur "
        f"valant jusqu'à la date suivante : {resume(detail)}."
    )
    morceaux = [entete_svg(ident, LARGEUR, hauteur, titre, description)]

    morceaux.append(f'<g stroke="{CADRE}">')
    for tick in ticks:
        morceaux.append(
            f'<line x1="{coordonnee(x0)}" x2="{coordonnee(x1)}" '
            f'y1="{coordonnee(y(tick))}" y2="{coordonnee(y(tick))}"/>'
        )
    morceaux.append("</g>")
    morceaux.append(f'<g font-size="14" fill="{TEXTE_SECONDAIRE}" text-anchor="end">')
    for tick, texte in zip(ticks, textes_ticks, strict=True):
        morceaux.append(
            f'<text x="{coordonnee(x0 - 8)}" y="{coordonnee(y(tick) + 5)}">'
            f"{escape(texte)}</text>"
        )
    morceaux.append("</g>")
    if unite:
        morceaux.append(
            f'<text x="{coordonnee(x0)}" y="18" fill="{TEXTE_SECONDAIRE}" '
            f'font-size="14">{escape(capfirst(unite))}</text>'
        )

    morceaux.append(
        f'<g font-size="14" fill="{TEXTE_SECONDAIRE}" text-anchor="middle">'
    )
    for jour, texte in marques_temps(debut, fin):
        morceaux.append(
            f'<line x1="{coordonnee(x(jour))}" x2="{coordonnee(x(jour))}" '
            f'y1="{y1}" y2="{y1 + 6}" stroke="{TRAIT}"/>'
            f'<text x="{coordonnee(x(jour))}" y="{y1 + 24}">{escape(texte)}</text>'
        )
    morceaux.append("</g>")

    trace = f"M{coordonnee(x(debut))} {coordonnee(y(valeurs[0]))}"
    for (jour, _), valeur in zip(etapes[1:], valeurs[1:], strict=True):
        trace += f"H{coordonnee(x(jour))}V{coordonnee(y(valeur))}"
    trace += f"H{coordonnee(x(fin))}"
    if duree:
        morceaux.append(
            f'<path d="{trace}V{y1}H{coordonnee(x(debut))}Z" fill="{AIRE}"/>'
            f'<path d="{trace}" fill="none" stroke="{BLEU}" stroke-width="2.5" '
            'stroke-linejoin="round"/>'
        )
    for (jour, _), valeur, texte in zip(etapes, valeurs, detail, strict=True):
        morceaux.append(
            f'<circle cx="{coordonnee(x(jour))}" cy="{coordonnee(y(valeur))}" r="4" '
            f'fill="{BLEU}"><title>{escape(capfirst(texte))}</title></circle>'
        )
    morceaux.append(
        f'<line x1="{coordonnee(x0)}" x2="{coordonnee(x1)}" y1="{y1}" y2="{y1}" '
        f'stroke="{TRAIT}"/>'
        f'<text x="{coordonnee(x(fin) + 8)}" y="{coordonnee(y(valeurs[-1]) + 5)}" '
        f'font-weight="700">{escape(dernier_texte)}</text></svg>'
    )
    return mark_safe("".join(morceaux))  # noqa: S308 - every text above is escaped


# Context for ui/graphique.html ----------------------------------------------------


def graphique_barres(
    series: Sequence[tuple[str, Montant]],
    *,
    titre: str,
    unite: str,
    entete: str = "Catégorie",
) -> dict[str, object]:
    """The context ``ui/graphique.html`` expects under the name ``graphique``:
    ``titre``, ``svg``, ``entetes`` (two column headers) and ``lignes`` (pairs of
    texts, the value formatted in French)."""
    return {
        "titre": titre,
        "svg": barres(series, titre=titre, unite=unite),
        "entetes": (entete, capfirst(unite) or "Valeur"),
        "lignes": [(libelle, formater_nombre(v)) for libelle, v in series],
    }


def graphique_escalier(
    points: Sequence[tuple[datetime.date, int]],
    *,
    titre: str,
    unite: str,
    jusqu_au: datetime.date | None = None,
) -> dict[str, object]:
    """Same context as ``graphique_barres``, one row per date of change."""
    etapes = sorted(dict(sorted(points, key=lambda point: point[0])).items())
    return {
        "titre": titre,
        "svg": courbe_en_escalier(points, titre=titre, unite=unite, jusqu_au=jusqu_au),
        "entetes": ("À partir du", capfirst(unite) or "Valeur"),
        "lignes": [(date_fr(jour), formater_nombre(v)) for jour, v in etapes],
    }


# Lines month by month --------------------------------------------------------------

COULEURS_SERIES = ("#000091", "#c9191e", "#18753c", "#b34000")  # DSFR sun colours


def _texte_mois(mois: datetime.date) -> str:
    return f"{mois.month:02d}/{mois.year}"


def courbes_mensuelles(
    mois: Sequence[datetime.date],
    series: dict[str, Sequence[Montant]],
    *,
    titre: str,
    unite: str,
) -> SafeString:
    """One line per series over the months given (first days of months, in order),
    with a legend above; the y axis starts at zero."""
    ident = identifiant("mensuel", titre, unite, list(mois), list(series.items()))
    if not mois or not series:
        return aucune_donnee(ident, titre)

    valeurs = [en_decimal(v) for serie in series.values() for v in serie]
    ticks = graduations(Decimal(0), max(valeurs), entieres=True)
    haut = ticks[-1]
    textes_ticks = [formater_nombre(t) for t in ticks]
    x0 = max(largeur_texte(t, 14) for t in textes_ticks) + 20
    x1 = LARGEUR - 20
    y0, y1 = 56, 270
    hauteur = y1 + 44

    def x(rang: int) -> float:
        if len(mois) == 1:
            return (x0 + x1) / 2
        return x0 + rang / (len(mois) - 1) * (x1 - x0)

    def y(valeur: Decimal) -> float:
        return y1 - float(valeur / haut) * (y1 - y0)

    detail = [
        f"{nom} : de {avec_unite(formater_nombre(serie[0]), unite)} en "
        f"{_texte_mois(mois[0])} à {avec_unite(formater_nombre(serie[-1]), unite)} "
        f"en {_texte_mois(mois[-1])}"
        for nom, serie in series.items()
    ]
    description = f"Courbes mois par mois : {resume(detail)}."
    morceaux = [entete_svg(ident, LARGEUR, hauteur, titre, description)]

    decalage = x0
    for rang, nom in enumerate(series):
        couleur = COULEURS_SERIES[rang % len(COULEURS_SERIES)]
        morceaux.append(
            f'<rect x="{coordonnee(decalage)}" y="8" width="14" height="14" '
            f'fill="{couleur}"/><text x="{coordonnee(decalage + 20)}" y="20">'
            f"{escape(nom)}</text>"
        )
        decalage += 40 + largeur_texte(nom, TAILLE)

    morceaux.append(f'<g stroke="{CADRE}">')
    for tick in ticks:
        morceaux.append(
            f'<line x1="{coordonnee(x0)}" x2="{coordonnee(x1)}" '
            f'y1="{coordonnee(y(tick))}" y2="{coordonnee(y(tick))}"/>'
        )
    morceaux.append("</g>")
    morceaux.append(f'<g font-size="14" fill="{TEXTE_SECONDAIRE}" text-anchor="end">')
    for tick, texte in zip(ticks, textes_ticks, strict=True):
        morceaux.append(
            f'<text x="{coordonnee(x0 - 8)}" y="{coordonnee(y(tick) + 5)}">'
            f"{escape(texte)}</text>"
        )
    morceaux.append("</g>")
    pas = -(-len(mois) // 8)
    morceaux.append(
        f'<g font-size="14" fill="{TEXTE_SECONDAIRE}" text-anchor="middle">'
    )
    for rang in range(0, len(mois), pas):
        morceaux.append(
            f'<line x1="{coordonnee(x(rang))}" x2="{coordonnee(x(rang))}" '
            f'y1="{y1}" y2="{y1 + 6}" stroke="{TRAIT}"/>'
            f'<text x="{coordonnee(x(rang))}" y="{y1 + 24}">'
            f"{escape(_texte_mois(mois[rang]))}</text>"
        )
    morceaux.append("</g>")

    for rang, (nom, serie) in enumerate(series.items()):
        couleur = COULEURS_SERIES[rang % len(COULEURS_SERIES)]
        points = [(x(i), y(en_decimal(v))) for i, v in enumerate(serie)]
        trace = "M" + "L".join(f"{coordonnee(a)} {coordonnee(b)}" for a, b in points)
        morceaux.append(
            f'<path d="{trace}" fill="none" stroke="{couleur}" stroke-width="2.5" '
            'stroke-linejoin="round"/>'
        )
        for i, (a, b) in enumerate(points):
            texte = (
                f"{nom}, {_texte_mois(mois[i])} : "
                f"{avec_unite(formater_nombre(serie[i]), unite)}"
            )
            morceaux.append(
                f'<circle cx="{coordonnee(a)}" cy="{coordonnee(b)}" r="3.5" '
                f'fill="{couleur}"><title>{escape(texte)}</title></circle>'
            )
    morceaux.append(
        f'<line x1="{coordonnee(x0)}" x2="{coordonnee(x1)}" y1="{y1}" y2="{y1}" '
        f'stroke="{TRAIT}"/></svg>'
    )
    return mark_safe("".join(morceaux))  # noqa: S308 - every text above is escaped


def graphique_courbes_mensuelles(
    mois: Sequence[datetime.date],
    series: dict[str, Sequence[Montant]],
    *,
    titre: str,
    unite: str,
) -> dict[str, object]:
    """The context of ``ui/graphique.html``, one row per month and one column per
    series."""
    return {
        "titre": titre,
        "svg": courbes_mensuelles(mois, series, titre=titre, unite=unite),
        "entetes": ("Mois", *series),
        "lignes": [
            (_texte_mois(m), *(formater_nombre(serie[i]) for serie in series.values()))
            for i, m in enumerate(mois)
        ],
    }
