"""Pages of one act: its steps, avenants, renewal, denunciation, documents."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from abri.communs import documents as fichiers
from abri.communs.erreurs import ErreurMetier, ModificationConcurrente
from abri.comptes.droits import (
    peut_deposer_document,
    peut_gerer_actes,
    peut_signer_pour_operateur,
)
from abri.comptes.requetes import RequeteAuthentifiee
from abri.conventions import (
    documents,
    generation,
    queries,
    regles,
    renouvellement,
    services,
)
from abri.conventions.forms import (
    ActeForm,
    AvenantForm,
    DenonciationForm,
    DocumentForm,
    EvaluationForm,
    RenouvellementForm,
)
from abri.conventions.models import Document
from abri.conventions.views.commun import (
    _acte_ou_404,
    _aujourdhui,
    _deposer,
    _erreur_sur_form,
    _etapes,
    _franchir,
    _structure_ou_404,
)
from abri.journal.queries import journal_objet
from abri.structures.services import capacite_au

logger = logging.getLogger(__name__)


def acte(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    obj = _acte_ou_404(request, pk)
    possibles = services.etapes_possibles(request.user, obj)
    return render(
        request,
        "conventions/acte.html",
        {
            "titre": str(obj),
            "acte": obj,
            "fin_effective": obj.date_fin_effective,
            "duree": regles.duree_lisible(obj.date_debut, obj.date_fin_effective)
            if obj.date_fin_effective and obj.date_fin_effective >= obj.date_debut
            else "",
            "avenants": queries.avenants_de(obj),
            "documents": queries.documents_de(obj),
            "journal": journal_objet(obj)[:50],
            "etapes": _etapes(request, obj),
            "peut_renouveler": "renouveler" in possibles,
            "peut_denoncer": "denoncer" in possibles,
            "peut_avenant": peut_gerer_actes(request.user)
            and obj.nature in {"convention", "autorisation"}
            and obj.etat in {"signee", "echue"},
            "peut_deposer": peut_deposer_document(request.user),
            "peut_generer": peut_gerer_actes(request.user)
            and obj.nature == "convention",
            "form_document": DocumentForm(),
            "taille_max": fichiers.taille_lisible(fichiers.taille_max()),
            "types_acceptes": fichiers.ACCEPTES,
        },
    )


@require_http_methods(["GET", "POST"])
def nouvel_acte(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    structure = _structure_ou_404(request, pk)
    if not peut_gerer_actes(request.user):
        raise PermissionDenied("Seuls les agents de l'État rédigent un acte.")
    form = ActeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            nouveau = services.creer_acte(request.user, structure, form.cleaned_data)
        except ErreurMetier as exc:
            _erreur_sur_form(form, exc)
        else:
            messages.success(request, "Acte enregistré en brouillon.")
            return redirect("conventions:acte", pk=nouveau.pk)
    return render(
        request,
        "conventions/formulaire.html",
        {
            "titre": f"Nouvel acte — {structure.nom}",
            "structure": structure,
            "form": form,
            "retour": reverse("structures:fiche", args=[structure.pk]),
            "bouton": "Enregistrer le brouillon",
        },
    )


@require_http_methods(["GET", "POST"])
def nouvel_avenant(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    parent = _acte_ou_404(request, pk)
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
            "titre": f"Avenant à {parent}",
            "structure": parent.structure,
            "form": form,
            "retour": reverse("conventions:acte", args=[parent.pk]),
            "bouton": "Enregistrer le brouillon",
        },
    )


@require_POST
def etape(request: RequeteAuthentifiee, pk: int, etape: str) -> HttpResponse:
    obj = _acte_ou_404(request, pk)
    _franchir(request, obj, etape)
    return redirect("conventions:acte", pk=obj.pk)


@require_http_methods(["GET", "POST"])
def denoncer(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    obj = _acte_ou_404(request, pk)
    if not peut_signer_pour_operateur(request.user):
        raise PermissionDenied("Vous ne pouvez pas dénoncer cet acte.")
    form = DenonciationForm(
        request.POST or None,
        initial={"version": obj.version, "date_notification": _aujourdhui()},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.denoncer(
                request.user,
                obj,
                date_notification=d["date_notification"],
                motif=d["motif"],
                version=d["version"],
            )
        except ModificationConcurrente:
            form.add_error(None, "L'acte a changé depuis l'ouverture de la page.")
        except ErreurMetier as exc:
            _erreur_sur_form(form, exc)
        else:
            messages.success(request, "Dénonciation enregistrée.")
            return redirect("conventions:acte", pk=obj.pk)
    return render(
        request,
        "conventions/denoncer.html",
        {
            "titre": f"Dénoncer {obj}",
            "acte": obj,
            "form": form,
            "preavis": services.preavis(obj).months,
        },
    )


@require_http_methods(["GET", "POST"])
def renouveler(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    obj = _acte_ou_404(request, pk)
    if not peut_gerer_actes(request.user):
        raise PermissionDenied("Seuls les agents de l'État renouvellent un acte.")
    aujourdhui = _aujourdhui()
    proposition = services.proposition_successeur(obj)
    form = RenouvellementForm(
        request.POST or None, initial={"version": obj.version, **proposition}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            successeur = services.renouveler(
                request.user,
                obj,
                motivation=d["motivation"],
                donnees={"date_debut": d["date_debut"], "date_fin": d["date_fin"]},
                aujourdhui=aujourdhui,
                version=d["version"],
            )
        except ModificationConcurrente:
            form.add_error(None, "L'acte a changé depuis l'ouverture de la page.")
        except ErreurMetier as exc:
            _erreur_sur_form(form, exc)
        else:
            messages.success(request, "Acte suivant créé en brouillon.")
            return redirect("conventions:acte", pk=successeur.pk)
    structure = obj.structure
    resultats = renouvellement.resultats_recents(structure, aujourdhui)
    return render(
        request,
        "conventions/renouveler.html",
        {
            "titre": f"Renouveler {obj}",
            "acte": obj,
            "form": form,
            "proposition": proposition,
            "places": capacite_au(structure, aujourdhui).places_autorisees
            if structure
            else None,
            "occupation": renouvellement.occupation_recente(structure),
            "resultats": resultats,
            "en_deficit": renouvellement.en_deficit(resultats or []),
            "motivation_requise": services.motivation_requise(obj, aujourdhui),
        },
    )


@require_POST
def deposer(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    obj = _acte_ou_404(request, pk)
    if not peut_deposer_document(request.user):
        raise PermissionDenied("Vous ne pouvez pas déposer de document.")
    _deposer(request, obj)
    return redirect("conventions:acte", pk=obj.pk)


def document(request: RequeteAuthentifiee, pk: int) -> FileResponse:
    try:
        doc = Document.objects.for_user(request.user).get(pk=pk)
    except Document.DoesNotExist as exc:
        raise Http404("Document introuvable.") from exc
    reponse = FileResponse(
        documents.ouvrir(doc),
        as_attachment=True,
        filename=doc.nom,
        content_type=doc.type_contenu,
    )
    reponse["X-Content-Type-Options"] = "nosniff"
    return reponse


def brouillon(request: RequeteAuthentifiee, pk: int, format: str) -> HttpResponse:
    obj = _acte_ou_404(request, pk)
    if not peut_gerer_actes(request.user):
        raise PermissionDenied("Seuls les agents de l'État génèrent un projet d'acte.")
    if format == "docx":
        contenu = generation.brouillon_docx(obj)
        type_contenu = fichiers.DOCX.type_contenu
    elif format == "pdf":
        contenu = generation.brouillon_pdf(obj)
        type_contenu = fichiers.PDF.type_contenu
    else:
        raise Http404("Format inconnu.")
    reponse = HttpResponse(contenu, content_type=type_contenu)
    reponse["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"projet-{obj.pk}.{format}"
    )
    return reponse


@require_POST
def ajouter_evaluation(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    structure = _structure_ou_404(request, pk)
    if not peut_gerer_actes(request.user):
        raise PermissionDenied(
            "Seuls les agents de l'État enregistrent une évaluation."
        )
    form = EvaluationForm(request.POST, prefix="evaluation")
    if not form.is_valid():
        messages.error(request, "Indiquez la date et la nature de l'évaluation.")
    else:
        services.enregistrer_evaluation(
            request.user,
            structure,
            form.cleaned_data["date"],
            form.cleaned_data["nature"],
        )
        messages.success(request, "Évaluation enregistrée.")
    return redirect("structures:fiche", pk=structure.pk)
