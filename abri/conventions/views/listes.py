"""Lists of acts and CPOM, their exports, the deadlines, the import of acts."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from abri.communs.exports import reponse_csv, reponse_xlsx
from abri.comptes.droits import (
    peut_gerer_actes,
)
from abri.comptes.requetes import RequeteAuthentifiee
from abri.conventions import (
    echeances,
    imports,
    queries,
    regles,
)
from abri.conventions.views.commun import (
    TAILLE_PAGE,
    _aujourdhui,
    _filtres,
)
from abri.finances.queries import annoter_deficit

logger = logging.getLogger(__name__)


def liste(request: RequeteAuthentifiee) -> HttpResponse:
    form, filtres = _filtres(request)
    cpom = filtres.nature == queries.NATURE_CPOM
    objets = (
        queries.cpoms_filtres(request.user, filtres)
        if cpom
        else annoter_deficit(
            queries.actes_filtres(request.user, filtres),
            _aujourdhui(),
            structure="structure_id",
        )
    )
    page = Paginator(objets, TAILLE_PAGE).get_page(request.GET.get("page"))
    parametres = request.GET.copy()
    parametres.pop("page", None)
    return render(
        request,
        "conventions/liste.html",
        {
            "titre": "Conventions et actes",
            "form": form,
            "page": page,
            "cpom": cpom,
            "parametres": parametres.urlencode(),
            "peut_importer": peut_gerer_actes(request.user),
        },
    )


ENTETES_ACTES = [
    "Nature",
    "Référence",
    "Structure",
    "Type",
    "Département",
    "Opérateur",
    "État",
    "Début",
    "Fin",
    "Fin effective",
    "Places",
    "Dotation",
]

ENTETES_CPOM = [
    "Intitulé",
    "Référence",
    "Opérateur",
    "Échelle",
    "Départements",
    "État",
    "Début",
    "Fin",
    "Fin effective",
    "Dotation",
]


def _ligne_acte(a: Any) -> list[Any]:
    """A row of the export (``a`` annotated with ``fin_effective``)."""
    s = a.structure
    return [
        a.get_nature_display(),
        a.reference,
        s.nom,
        s.type,
        s.departement_id,
        s.operateur.nom,
        a.get_etat_display(),
        a.date_debut,
        a.date_fin,
        a.fin_effective,
        a.places,
        a.dotation,
    ]


def _ligne_cpom(c: Any) -> list[Any]:
    return [
        c.intitule,
        c.reference,
        c.operateur.nom,
        c.get_echelle_display(),
        ", ".join(d.code for d in c.departements.all()),
        c.get_etat_display(),
        c.date_debut,
        c.date_fin,
        c.fin_effective,
        c.dotation,
    ]


def export(request: RequeteAuthentifiee, format: str) -> HttpResponse:
    if format not in {"xlsx", "csv"}:
        raise Http404("Format d'export inconnu.")
    _, filtres = _filtres(request)
    if filtres.nature == queries.NATURE_CPOM:
        entetes = ENTETES_CPOM
        lignes: Any = map(_ligne_cpom, queries.cpoms_filtres(request.user, filtres))
    else:
        entetes = ENTETES_ACTES
        lignes = map(
            _ligne_acte,
            queries.actes_filtres(request.user, filtres).iterator(chunk_size=2000),
        )
    nom = f"actes-{_aujourdhui():%Y-%m-%d}"
    if format == "xlsx":
        return reponse_xlsx(nom, entetes, lignes, feuille="Actes")
    return reponse_csv(nom, entetes, lignes)


def liste_echeances(request: RequeteAuthentifiee) -> HttpResponse:
    criticite = request.GET.get("criticite", "")
    toutes = echeances.echeances_de(request.user, _aujourdhui())
    compte = {c: sum(e.criticite == c for e in toutes) for c in regles.ORDRE_CRITICITE}
    if criticite in regles.ORDRE_CRITICITE:
        toutes = [e for e in toutes if e.criticite == criticite]
    page = Paginator(toutes, TAILLE_PAGE).get_page(request.GET.get("page"))
    parametres = request.GET.copy()
    parametres.pop("page", None)
    return render(
        request,
        "conventions/echeances.html",
        {
            "titre": "Échéances",
            "page": page,
            "criticite": criticite,
            "compte": compte,
            "libelles": regles.LIBELLES_CRITICITE,
            "parametres": parametres.urlencode(),
            "fenetres": {
                "renouvellement": settings.ABRI_FENETRE_RENOUVELLEMENT_MOIS,
                "autorisation": settings.ABRI_FENETRE_AUTORISATION_MOIS,
                "evaluation": settings.ABRI_FENETRE_EVALUATION_MOIS,
                "caducite": settings.ABRI_FENETRE_CADUCITE_MOIS,
            },
        },
    )


@require_http_methods(["GET", "POST"])
def import_actes(request: RequeteAuthentifiee) -> HttpResponse:
    # The upload → preview → confirmation steps are those of the park import.
    from abri.structures.views import _traiter_import

    if not peut_gerer_actes(request.user):
        raise PermissionDenied("L'import des actes est réservé aux agents de l'État.")
    user = request.user
    return _traiter_import(
        request,
        portee="actes",
        analyser=lambda contenu, nom: imports.analyser_import_actes(user, contenu, nom),
        appliquer=lambda contenu, nom, empreinte: imports.appliquer_import_actes(
            user, contenu, nom, empreinte=empreinte
        ),
        gabarit="conventions/import.html",
        contexte={"titre": "Importer des actes"},
    )
