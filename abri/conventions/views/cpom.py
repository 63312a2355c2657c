"""Pages of one CPOM: its composition, steps, avenants, documents."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from abri.communs import documents as fichiers
from abri.communs.erreurs import ErreurMetier, ModificationConcurrente
from abri.comptes.droits import (
    peut_deposer_document,
    peut_gerer_actes,
)
from abri.comptes.requetes import RequeteAuthentifiee
from abri.conventions import (
    queries,
    services,
)
from abri.conventions.forms import (
    AdhesionForm,
    AvenantForm,
    CpomForm,
)
from abri.conventions.views.commun import (
    _cpom_ou_404,
    _deposer,
    _erreur_sur_form,
    _etapes,
    _franchir,
    _version,
)
from abri.finances.queries import budgets_de_cpom, budgets_du_cpom
from abri.journal.queries import journal_objet
from abri.operateurs.models import Operateur
from abri.territoires.models import Departement

logger = logging.getLogger(__name__)


def cpom(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    obj = _cpom_ou_404(request, pk)
    adhesions = list(
        obj.adhesions.select_related("structure__departement").order_by(
            "date_entree", "structure__nom", "id"
        )
    )
    peut_gerer = peut_gerer_actes(request.user)
    return render(
        request,
        "conventions/cpom.html",
        {
            "titre": str(obj),
            "cpom": obj,
            "departements": list(obj.departements.order_by("rang")),
            "fin_effective": obj.date_fin_effective,
            "adhesions": adhesions,
            "budgets": budgets_de_cpom(
                request.user,
                [(a.structure_id, a.date_entree, a.date_sortie) for a in adhesions],
            ),
            "budgets_cpom": budgets_du_cpom(request.user, obj.pk),
            "avenants": queries.avenants_de(obj),
            "documents": queries.documents_de(obj),
            "journal": journal_objet(obj)[:50],
            "etapes": _etapes(request, obj),
            "peut_gerer": peut_gerer,
            "peut_renouveler": peut_gerer
            and obj.etat in {"signee", "echue"}
            and not obj.successeur_id,
            "peut_avenant": peut_gerer and obj.etat in {"signee", "echue"},
            "peut_deposer": peut_deposer_document(request.user),
            "taille_max": fichiers.taille_lisible(fichiers.taille_max()),
            "types_acceptes": fichiers.ACCEPTES,
            "form_adhesion": AdhesionForm(
                structures=queries.structures_hors_cpom(obj, request.user)
            )
            if peut_gerer
            else None,
        },
    )


@require_POST
def cpom_etape(request: RequeteAuthentifiee, pk: int, etape: str) -> HttpResponse:
    obj = _cpom_ou_404(request, pk)
    _franchir(request, obj, etape)
    return redirect("conventions:cpom", pk=obj.pk)


@require_POST
def cpom_adhesion(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    obj = _cpom_ou_404(request, pk)
    if not peut_gerer_actes(request.user):
        raise PermissionDenied("Seuls les agents de l'État modifient un CPOM.")
    form = AdhesionForm(
        request.POST, structures=queries.structures_hors_cpom(obj, request.user)
    )
    if not form.is_valid():
        messages.error(request, "Choisissez une structure et sa date d'entrée.")
        return redirect("conventions:cpom", pk=obj.pk)
    try:
        services.ajouter_structure_cpom(
            request.user,
            obj,
            form.cleaned_data["structure"],
            form.cleaned_data["date_entree"],
        )
    except ErreurMetier as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Structure ajoutée au CPOM.")
    return redirect("conventions:cpom", pk=obj.pk)


@require_http_methods(["GET", "POST"])
def nouveau_cpom(request: RequeteAuthentifiee) -> HttpResponse:
    if not peut_gerer_actes(request.user):
        raise PermissionDenied("Seuls les agents de l'État concluent un CPOM.")
    codes = request.user.perimetre.departement_codes
    departements = Departement.objects.order_by("rang")
    if codes is not None:
        departements = departements.filter(code__in=codes)
    form = CpomForm(
        request.POST or None,
        operateurs=Operateur.objects.for_user(request.user).order_by("nom", "id"),
        departements=departements,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            nouveau = services.creer_cpom(
                request.user,
                d["operateur"],
                {
                    c: d[c]
                    for c in (
                        "intitule",
                        "reference",
                        "echelle",
                        "date_debut",
                        "date_fin",
                        "dotation",
                    )
                },
                list(d["departements"]),
            )
        except ErreurMetier as exc:
            _erreur_sur_form(form, exc)
        else:
            messages.success(request, "CPOM enregistré en brouillon.")
            return redirect("conventions:cpom", pk=nouveau.pk)
    return render(
        request,
        "conventions/formulaire.html",
        {
            "titre": "Nouveau CPOM",
            "form": form,
            "retour": reverse("conventions:liste") + "?nature=cpom",
            "bouton": "Enregistrer le brouillon",
        },
    )


@require_POST
def cpom_renouveler(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    obj = _cpom_ou_404(request, pk)
    if not peut_gerer_actes(request.user):
        raise PermissionDenied("Seuls les agents de l'État renouvellent un CPOM.")
    try:
        successeur = services.renouveler(request.user, obj, version=_version(request))
    except ModificationConcurrente:
        messages.error(request, "Le CPOM a changé depuis l'ouverture de la page.")
    except ErreurMetier as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "CPOM suivant créé en brouillon.")
        return redirect("conventions:cpom", pk=successeur.pk)
    return redirect("conventions:cpom", pk=obj.pk)


@require_http_methods(["GET", "POST"])
def cpom_avenant(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    parent = _cpom_ou_404(request, pk)
    if not peut_gerer_actes(request.user):
        raise PermissionDenied("Seuls les agents de l'État rédigent un avenant.")
    form = AvenantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            avenant = services.creer_avenant(request.user, parent, form.cleaned_data)
        except ErreurMetier as exc:
            _erreur_sur_form(form, exc)
        else:
            messages.success(request, "Avenant enregistré en brouillon.")
            return redirect("conventions:acte", pk=avenant.pk)
    return render(
        request,
        "conventions/formulaire.html",
        {
            "titre": f"Avenant au {parent}",
            "form": form,
            "retour": reverse("conventions:cpom", args=[parent.pk]),
            "bouton": "Enregistrer le brouillon",
        },
    )


@require_POST
def cpom_deposer(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    obj = _cpom_ou_404(request, pk)
    if not peut_deposer_document(request.user):
        raise PermissionDenied("Vous ne pouvez pas déposer de document.")
    _deposer(request, obj)
    return redirect("conventions:cpom", pk=obj.pk)
