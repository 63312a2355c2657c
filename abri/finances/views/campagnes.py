"""Campaign pages: the list, the opening by a national admin, the follow-up."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from abri.communs.erreurs import ErreurMetier
from abri.comptes.droits import peut_ouvrir_campagne
from abri.comptes.requetes import RequeteAuthentifiee
from abri.finances import queries, regles, services
from abri.finances.forms import CampagneForm, FiltresBudgetsForm
from abri.finances.models import Campagne
from abri.finances.views.commun import (
    aujourdhui,
    departements_visibles,
    erreur_sur_form,
)

TAILLE_PAGE = 50


def campagnes(request: RequeteAuthentifiee) -> HttpResponse:
    return render(
        request,
        "finances/campagnes.html",
        {
            "titre": "Campagnes budgétaires",
            "campagnes": list(Campagne.objects.for_user(request.user)),
            "peut_ouvrir": peut_ouvrir_campagne(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def ouvrir_campagne(request: RequeteAuthentifiee) -> HttpResponse:
    if not peut_ouvrir_campagne(request.user):
        raise PermissionDenied("Seule l'administration centrale ouvre une campagne.")
    form = CampagneForm(request.POST or None, initial={"annee": aujourdhui().year + 1})
    if request.method == "POST" and form.is_valid():
        try:
            campagne = services.ouvrir_campagne(
                request.user, form.cleaned_data["annee"], form.echeances()
            )
        except ErreurMetier as exc:
            erreur_sur_form(form, exc)
        else:
            messages.success(request, f"{campagne} ouverte.")
            return redirect("finances:campagne", pk=campagne.pk)
    return render(
        request,
        "finances/ouvrir_campagne.html",
        {
            "titre": "Ouvrir une campagne budgétaire",
            "form": form,
            "calendrier": regles.echeances_par_defaut(aujourdhui().year + 1),
        },
    )


def campagne(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    try:
        campagne = Campagne.objects.for_user(request.user).get(pk=pk)
    except Campagne.DoesNotExist as exc:
        raise Http404("Campagne introuvable.") from exc
    departements = departements_visibles(request)
    form = FiltresBudgetsForm(request.GET or None, departements=departements)
    filtres = queries.FiltresBudgets()
    if form.is_valid():
        filtres = queries.FiltresBudgets(**form.cleaned_data)
    budgets = queries.budgets_de_campagne(request.user, campagne, filtres)
    page = Paginator(budgets, TAILLE_PAGE).get_page(request.GET.get("page"))
    parametres = request.GET.copy()
    parametres.pop("page", None)
    instant = timezone.now()
    suivi = queries.suivi_campagne(request.user, campagne, instant)
    return render(
        request,
        "finances/campagne.html",
        {
            "titre": str(campagne),
            "campagne": campagne,
            "suivi": suivi,
            "totaux": {
                champ: sum(getattr(s, champ) for s in suivi)
                for champ in (
                    "attendus",
                    "propositions_deposees",
                    "instruits",
                    "propositions_en_retard",
                    "comptes_deposes",
                    "comptes_en_retard",
                    "clotures",
                )
            },
            "form": form,
            "page": page,
            "lignes": [
                (
                    b,
                    queries.retards(
                        campagne,
                        b.type_budget,
                        b.statut,
                        b.proposition_deposee_le,
                        b.comptes_deposes_le,
                        instant,
                    ),
                )
                for b in page.object_list
            ],
            "parametres": parametres.urlencode(),
            "peut_completer": peut_ouvrir_campagne(request.user),
        },
    )


@require_POST
def completer_campagne(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    try:
        campagne = Campagne.objects.for_user(request.user).get(pk=pk)
    except Campagne.DoesNotExist as exc:
        raise Http404("Campagne introuvable.") from exc
    if not peut_ouvrir_campagne(request.user):
        raise PermissionDenied("Seule l'administration centrale complète une campagne.")
    ajoutes = services.completer_campagne(request.user, campagne.pk)
    pluriel = "s" if ajoutes > 1 else ""
    messages.success(request, f"{ajoutes} dossier{pluriel} ajouté{pluriel}.")
    return redirect("finances:campagne", pk=campagne.pk)
