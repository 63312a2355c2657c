"""The "Finances" page of the perimeter, its exports, and the target daily costs."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from abri.communs.erreurs import ErreurMetier
from abri.communs.exports import reponse_csv, reponse_xlsx
from abri.comptes.droits import peut_maintenir_tarifs_cibles
from abri.comptes.requetes import RequeteAuthentifiee
from abri.finances import queries, regles, services
from abri.finances.forms import AnneeForm, TarifCibleForm
from abri.finances.views.commun import aujourdhui, erreur_sur_form
from abri.ui.svg.graphiques import courbe_en_escalier, graphique_barres

MOIS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


@dataclass(frozen=True)
class Figures:
    """Everything the page shows, also what the exports write."""

    annee: int
    dotations: list[queries.LigneDotation]
    mois: list[tuple[int, Decimal]]
    couts: list[queries.CoutStructure]
    par_type: list[queries.LigneCout]
    distribution: list[tuple[str, int]]
    ouvertures: list[queries.CoutStructure]
    deficits: list[queries.StructureEnDeficit]


def _annee(request: RequeteAuthentifiee) -> tuple[AnneeForm, int]:
    annees = queries.annees_disponibles() or [aujourdhui().year]
    # The last closed year by default: its figures are complete.
    defaut = next((a for a in annees if a < aujourdhui().year), annees[0])
    form = AnneeForm(request.GET or None, annees=annees, initial={"annee": defaut})
    if form.is_valid() and form.cleaned_data["annee"]:
        return form, form.cleaned_data["annee"]
    return form, defaut


def _figures(request: RequeteAuthentifiee, annee: int) -> Figures:
    user = request.user
    couts = queries.couts_structures(user, annee)
    return Figures(
        annee=annee,
        dotations=queries.dotations_par_territoire(user, annee),
        mois=queries.versements_par_mois(user, annee),
        couts=couts,
        par_type=queries.couts_par_type(couts, annee),
        distribution=queries.distribution_couts(couts),
        ouvertures=queries.ouvertures_tardives(couts),
        deficits=queries.structures_en_deficit(user, aujourdhui()),
    )


def _cumuls(mois: Sequence[tuple[int, Decimal]]) -> list[Decimal]:
    total = Decimal(0)
    cumuls = []
    for _, montant in mois:
        total += montant
        cumuls.append(total)
    return cumuls


def tableau(request: RequeteAuthentifiee) -> HttpResponse:
    form, annee = _annee(request)
    figures = _figures(request, annee)
    accordee = sum((d.accordee for d in figures.dotations), Decimal(0))
    versee = sum((d.versee for d in figures.dotations), Decimal(0))
    cumuls = _cumuls(figures.mois)
    return render(
        request,
        "finances/tableau.html",
        {
            "titre": "Finances",
            "form": form,
            "annee": annee,
            "figures": figures,
            "accordee": accordee,
            "versee": versee,
            "taux_verse": versee / accordee if accordee else None,
            "lignes_mois": [
                (MOIS[m - 1], montant, cumul, cumul / accordee if accordee else None)
                for (m, montant), cumul in zip(figures.mois, cumuls, strict=True)
            ],
            "courbe": courbe_en_escalier(
                [
                    (datetime.date(annee, m, 1), int(cumul))
                    for (m, _), cumul in zip(figures.mois, cumuls, strict=True)
                ],
                titre=f"Versements cumulés des dotations {annee}",
                unite="€",
                jusqu_au=datetime.date(annee, 12, 31),
            )
            if versee
            else None,
            "graphique_distribution": graphique_barres(
                figures.distribution,
                titre=f"Structures par coût journalier à la place, {annee}",
                unite="structures",
                entete="Coût journalier",
            ),
            "graphique_medianes": graphique_barres(
                [
                    (ligne.type_structure, ligne.mediane)
                    for ligne in figures.par_type
                    if ligne.mediane is not None
                ],
                titre=f"Coût journalier médian par type, {annee}",
                unite="€ par place et par jour",
                entete="Type",
            ),
            "annees_deficit": regles.annees_closes(aujourdhui()),
            "total_non_consomme": sum(
                (
                    c.figures.credits_non_consommes or Decimal(0)
                    for c in figures.ouvertures
                ),
                Decimal(0),
            ),
            "minimum": regles.COUT_JOURNALIER_MINIMUM,
            "demonstration": queries.tarifs_de_demonstration(),
        },
    )


def _arrondi(valeur: Decimal | None) -> Decimal | None:
    return valeur.quantize(Decimal("0.0001")) if valeur is not None else None


def _export_dotations(figures: Figures) -> tuple[list[str], Iterable[list[Any]]]:
    return (
        ["Territoire", "Dotation accordée (€)", "Versé (€)", "Part versée"],
        (
            [d.libelle, d.accordee, d.versee, _arrondi(d.taux)]
            for d in figures.dotations
        ),
    )


def _export_mois(figures: Figures) -> tuple[list[str], Iterable[list[Any]]]:
    cumuls = _cumuls(figures.mois)
    return (
        ["Mois", "Versé dans le mois (€)", "Versé depuis janvier (€)"],
        (
            [f"{MOIS[m - 1]} {figures.annee}", montant, cumul]
            for (m, montant), cumul in zip(figures.mois, cumuls, strict=True)
        ),
    )


def _export_couts(figures: Figures) -> tuple[list[str], Iterable[list[Any]]]:
    return (
        [
            "Type",
            "Structures",
            "Coût journalier moyen (€)",
            "Coût journalier médian (€)",
            "Coût cible hors Île-de-France (€)",
            "Coût cible Île-de-France (€)",
        ],
        (
            [
                t.type_structure,
                t.structures,
                t.moyenne,
                t.mediane,
                t.cible_hors_idf,
                t.cible_idf,
            ]
            for t in figures.par_type
        ),
    )


def _export_distribution(figures: Figures) -> tuple[list[str], Iterable[list[Any]]]:
    return (
        ["Coût journalier", "Structures"],
        ([c, n] for c, n in figures.distribution),
    )


def _export_structures(figures: Figures) -> tuple[list[str], Iterable[list[Any]]]:
    return (
        [
            "Structure",
            "Type",
            "Département",
            "Opérateur",
            "Places moyennes",
            "Charges retenues (€)",
            "Coût journalier (€)",
            "Coût journalier déclaré (€)",
            "Coût cible (€)",
            "ETP",
            "Places par ETP",
        ],
        (
            [
                c.structure.nom,
                c.structure.type,
                c.structure.departement_id,
                c.structure.operateur.nom,
                c.figures.places_moyennes.quantize(Decimal("0.01")),
                c.figures.charges_retenues,
                c.figures.cout_journalier,
                c.figures.cout_journalier_declare,
                c.figures.tarif_cible,
                c.figures.etp,
                c.figures.taux_encadrement,
            ]
            for c in figures.couts
        ),
    )


def _export_ouvertures(figures: Figures) -> tuple[list[str], Iterable[list[Any]]]:
    return (
        [
            "Structure",
            "Type",
            "Département",
            "Places au 31 décembre",
            "Places moyennes",
            "Mois non consommés",
            "Crédits non consommés estimés (€)",
        ],
        (
            [
                c.structure.nom,
                c.structure.type,
                c.structure.departement_id,
                c.figures.places_fin_annee,
                c.figures.places_moyennes.quantize(Decimal("0.01")),
                c.figures.mois_non_consommes,
                c.figures.credits_non_consommes,
            ]
            for c in figures.ouvertures
        ),
    )


def _export_deficits(figures: Figures) -> tuple[list[str], Iterable[list[Any]]]:
    annees = regles.annees_closes(aujourdhui())
    return (
        ["Structure", "Type", "Département", "Opérateur"]
        + [f"Résultat {a} (€)" for a in annees],
        (
            [
                d.structure.nom,
                d.structure.type,
                d.structure.departement_id,
                d.structure.operateur.nom,
                *(r for _, r in d.resultats),
            ]
            for d in figures.deficits
        ),
    )


EXPORTS = {
    "dotations": ("Dotations", _export_dotations),
    "mois": ("Versements par mois", _export_mois),
    "couts": ("Coûts par type", _export_couts),
    "distribution": ("Distribution des coûts", _export_distribution),
    "structures": ("Coûts par structure", _export_structures),
    "ouvertures": ("Ouvertures en cours d'année", _export_ouvertures),
    "deficits": ("Structures en déficit", _export_deficits),
}


def export(request: RequeteAuthentifiee, figure: str, format: str) -> HttpResponse:
    if figure not in EXPORTS or format not in {"xlsx", "csv"}:
        raise Http404("Export inconnu.")
    _, annee = _annee(request)
    figures = _figures(request, annee)
    feuille, construire = EXPORTS[figure]
    entetes, lignes = construire(figures)
    nom = f"finances-{figure}-{annee}"
    if format == "xlsx":
        return reponse_xlsx(nom, entetes, lignes, feuille=feuille)
    return reponse_csv(nom, entetes, lignes)


@require_http_methods(["GET", "POST"])
def tarifs(request: RequeteAuthentifiee) -> HttpResponse:
    peut_maintenir = peut_maintenir_tarifs_cibles(request.user)
    if request.method == "POST" and not peut_maintenir:
        raise PermissionDenied(
            "Les coûts cibles sont fixés par l'administration centrale."
        )
    form = TarifCibleForm(request.POST or None, initial={"annee": aujourdhui().year})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.enregistrer_tarif_cible(
                request.user,
                d["type_structure"],
                d["ile_de_france"],
                d["annee"],
                d["montant"],
            )
        except ErreurMetier as exc:
            erreur_sur_form(form, exc)
        else:
            messages.success(request, "Coût journalier cible enregistré.")
            return redirect("finances:tarifs")
    tarifs = list(queries.tarifs_cibles())
    historique = list(
        TarifHistorique.objects.select_related("history_user").order_by(
            "-history_date", "-history_id"
        )[:30]
    )
    return render(
        request,
        "finances/tarifs.html",
        {
            "titre": "Coûts journaliers cibles",
            "tarifs": tarifs,
            "historique": historique,
            "form": form if peut_maintenir else None,
            "demonstration": queries.tarifs_de_demonstration(),
        },
    )


TarifHistorique = queries.TarifCible.history.model
