"""Pages of one budget: the file, the operator's entries, the State's instruction."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from abri.communs.documents import stockage_documents
from abri.communs.erreurs import ErreurMetier, ModificationConcurrente
from abri.comptes.droits import (
    peut_deposer_budget,
    peut_deposer_document_budget,
    peut_instruire_budget,
)
from abri.comptes.requetes import RequeteAuthentifiee
from abri.finances import indicateurs, queries, regles, services
from abri.finances.documents import decision_tarifaire_pdf
from abri.finances.forms import (
    AffectationForm,
    ComptesForm,
    DocumentForm,
    InstructionForm,
    PropositionForm,
    RenvoiForm,
    RouvrirInstructionForm,
    VersementForm,
)
from abri.finances.models import (
    CHAMPS_INSTRUCTION,
    CHAMPS_PROPOSITION,
    Budget,
    DocumentBudget,
    EtapeAffectation,
    StatutBudget,
)
from abri.finances.views.commun import (
    aujourdhui,
    budget_ou_404,
    donnees_avec_version,
    erreur_sur_form,
)
from abri.journal.models import EntreeJournal

logger = logging.getLogger(__name__)

S = StatutBudget


def _affectations(budget: Budget) -> dict[str, Any]:
    return {a.etape: a for a in budget.affectations.select_related("saisie_par")}


def budget(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    budget = budget_ou_404(request, pk)
    if budget.structure_id is None:
        figures = indicateurs.charger_budget_cpom(budget)
    else:
        figures = indicateurs.charger([budget.structure_id], [budget.annee])[
            budget.structure_id
        ].annees[budget.annee]
    affectations = _affectations(budget)
    user = request.user
    instruit = peut_instruire_budget(user)
    return render(
        request,
        "finances/budget.html",
        {
            "titre": str(budget),
            "budget": budget,
            "figures": figures,
            "proposee": affectations.get(EtapeAffectation.PROPOSEE),
            "decidee": affectations.get(EtapeAffectation.DECIDEE),
            "champs_affectation": _lignes_affectation(budget, affectations),
            "versements": list(budget.versements.order_by("date", "id")),
            "total_verse": sum(v.montant for v in budget.versements.all()),
            "documents": list(budget.documents.select_related("depose_par")),
            "saisies": queries.saisies_lisibles(budget),
            "journal": _journal(budget),
            "retards": queries.retards_budget(budget, timezone.now()),
            "limite_proposition": budget.campagne.limite_proposition(
                budget.type_budget
            ),
            "limite_comptes": budget.campagne.limite_comptes(budget.type_budget),
            "statuts_instruction": [S.BROUILLON, S.PROPOSITION_DEPOSEE],
            "statuts_affectation": [S.COMPTES_DEPOSES, S.CLOTURE],
            "peut_deposer": peut_deposer_budget(user),
            "peut_instruire": instruit,
            "peut_documenter": peut_deposer_document_budget(user),
            "form_versement": VersementForm() if instruit else None,
            "form_document": DocumentForm()
            if peut_deposer_document_budget(user)
            else None,
            "form_renvoi": RenvoiForm(initial={"version": budget.version})
            if instruit and budget.statut in {S.PROPOSITION_DEPOSEE, S.COMPTES_DEPOSES}
            else None,
            "form_rouvrir": RouvrirInstructionForm(initial={"version": budget.version})
            if instruit and budget.statut == S.INSTRUIT
            else None,
        },
    )


def _journal(budget: Budget) -> list[EntreeJournal]:
    """Entries on the budget itself and on its instalments and documents."""
    return list(
        EntreeJournal.objects.filter(
            Q(
                content_type=ContentType.objects.get_for_model(Budget),
                object_id=str(budget.pk),
            )
            | Q(structure_id=budget.structure_id, commentaire=str(budget))
        )
        .select_related("auteur", "content_type")
        .order_by("-horodatage", "-id")[:30]
    )


def _lignes_affectation(
    budget: Budget, affectations: dict[str, Any]
) -> list[dict[str, Any]]:
    from abri.finances.forms import _champs_affectation
    from abri.finances.models import Affectation

    proposee = affectations.get(EtapeAffectation.PROPOSEE)
    decidee = affectations.get(EtapeAffectation.DECIDEE)
    return [
        {
            "libelle": getattr(
                Affectation._meta.get_field(champ), "verbose_name", champ
            ),
            "proposee": getattr(proposee, champ) if proposee else None,
            "decidee": getattr(decidee, champ) if decidee else None,
        }
        for champ in _champs_affectation(budget.type_budget)
    ]


def _saisie(
    request: RequeteAuthentifiee,
    budget: Budget,
    form: Any,
    enregistrer: Callable[[Any, bool], Budget],
    *,
    gabarit_titre: str,
    bouton_final: str,
    modifiable: bool,
    verrou: str,
    lecture: list[tuple[str, Any, bool]] | None = None,
) -> HttpResponse:
    """A form on a budget: save the draft, or save and take the next step."""
    conflit = None
    if request.method == "POST" and form.is_valid():
        etape = "etape" in request.POST
        try:
            enregistrer(form, etape)
        except ModificationConcurrente as exc:
            conflit = exc
            form = form.__class__(
                donnees_avec_version(request, exc.version_actuelle),
                **_options_form(form),
            )
            form.is_valid()
        except ErreurMetier as exc:
            erreur_sur_form(form, exc)
        else:
            messages.success(
                request, f"{bouton_final} : c'est fait." if etape else "Enregistré."
            )
            return redirect("finances:budget", pk=budget.pk)
    return render(
        request,
        "finances/saisie.html",
        {
            "titre": f"{gabarit_titre} — {budget}",
            "intitule": gabarit_titre,
            "budget": budget,
            "form": form,
            "conflit": conflit,
            "bouton_final": bouton_final,
            "modifiable": modifiable,
            "verrou": verrou,
            "lecture": lecture or [],
        },
    )


def _options_form(form: Any) -> dict[str, Any]:
    return getattr(form, "options_initiales", {})


def _initial(budget: Budget, champs: tuple[str, ...]) -> dict[str, Any]:
    return {"version": budget.version, **{c: getattr(budget, c) for c in champs}}


@require_http_methods(["GET", "POST"])
def proposition(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    budget = budget_ou_404(request, pk)
    if not peut_deposer_budget(request.user):
        raise PermissionDenied("La proposition est saisie par l'opérateur.")
    form = PropositionForm(
        request.POST or None, initial=_initial(budget, CHAMPS_PROPOSITION)
    )

    def enregistrer(form: Any, deposer: bool) -> Budget:
        d = form.cleaned_data
        return services.enregistrer_proposition(
            request.user,
            budget.pk,
            {c: d[c] for c in CHAMPS_PROPOSITION},
            d["version"],
            deposer=deposer,
        )

    return _saisie(
        request,
        budget,
        form,
        enregistrer,
        gabarit_titre="Proposition budgétaire"
        if budget.regime == regles.Regime.TARIFE
        else "Demande de subvention",
        bouton_final="Déposer la proposition",
        modifiable=budget.proposition_modifiable,
        verrou="La proposition est déposée : elle est verrouillée. Les services de "
        "l'État peuvent vous la renvoyer pour correction.",
    )


@require_http_methods(["GET", "POST"])
def comptes(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    budget = budget_ou_404(request, pk)
    if not peut_deposer_budget(request.user):
        raise PermissionDenied("Les comptes sont saisis par l'opérateur.")
    affectation = _affectations(budget).get(EtapeAffectation.PROPOSEE)
    options: dict[str, Any] = {"budget": budget, "affectation": affectation}
    form = ComptesForm(
        request.POST or None,
        initial=_initial(budget, ("charges_reelles", "produits_reels")),
        **options,
    )
    form.options_initiales = options

    def enregistrer(form: Any, deposer: bool) -> Budget:
        d = form.cleaned_data
        return services.enregistrer_comptes(
            request.user,
            budget.pk,
            {
                "charges_reelles": d["charges_reelles"],
                "produits_reels": d["produits_reels"],
            },
            form.affectation_saisie(),
            d["version"],
            deposer=deposer,
        )

    return _saisie(
        request,
        budget,
        form,
        enregistrer,
        gabarit_titre="Compte administratif"
        if budget.regime == regles.Regime.TARIFE
        else "Rapport financier",
        bouton_final="Déposer les comptes",
        modifiable=budget.comptes_modifiables,
        verrou="Les comptes se saisissent une fois la proposition instruite, jusqu'à "
        "leur dépôt.",
    )


@require_http_methods(["GET", "POST"])
def instruction(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    budget = budget_ou_404(request, pk)
    if not peut_instruire_budget(request.user):
        raise PermissionDenied("L'instruction est réservée aux services de l'État.")
    form = InstructionForm(
        request.POST or None, initial=_initial(budget, CHAMPS_INSTRUCTION)
    )

    def enregistrer(form: Any, valider: bool) -> Budget:
        d = form.cleaned_data
        return services.enregistrer_instruction(
            request.user,
            budget.pk,
            {c: d[c] for c in CHAMPS_INSTRUCTION},
            d["version"],
            valider=valider,
        )

    return _saisie(
        request,
        budget,
        form,
        enregistrer,
        gabarit_titre="Instruction",
        bouton_final="Clore l'instruction",
        modifiable=budget.instruction_modifiable,
        verrou=services.MESSAGE_INSTRUCTION_CLOSE
        if budget.statut == S.INSTRUIT
        else "Les comptes sont déposés : l'instruction de la proposition est close.",
        lecture=[
            (form[c].label, getattr(budget, c), c == "date_decision_tarifaire")
            for c in CHAMPS_INSTRUCTION
        ],
    )


@require_http_methods(["GET", "POST"])
def affectation(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    budget = budget_ou_404(request, pk)
    if not peut_instruire_budget(request.user):
        raise PermissionDenied("L'affectation du résultat est décidée par l'État.")
    affectations = _affectations(budget)
    existante = affectations.get(EtapeAffectation.DECIDEE) or affectations.get(
        EtapeAffectation.PROPOSEE
    )
    options: dict[str, Any] = {"budget": budget, "affectation": existante}
    form = AffectationForm(
        request.POST or None, initial={"version": budget.version}, **options
    )
    form.options_initiales = options

    def enregistrer(form: Any, cloturer: bool) -> Budget:
        return services.decider_affectation(
            request.user,
            budget.pk,
            form.affectation_saisie(),
            form.cleaned_data["version"],
            cloturer=cloturer,
        )

    return _saisie(
        request,
        budget,
        form,
        enregistrer,
        gabarit_titre="Affectation du résultat",
        bouton_final="Clore l'exercice",
        modifiable=budget.statut in {S.COMPTES_DEPOSES, S.CLOTURE},
        verrou="Le résultat s'affecte une fois les comptes déposés.",
    )


@require_POST
def renvoyer(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    budget = budget_ou_404(request, pk)
    if not peut_instruire_budget(request.user):
        raise PermissionDenied("Seuls les services de l'État renvoient un dossier.")
    form = RenvoiForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez à l'opérateur ce qu'il doit reprendre.")
        return redirect("finances:budget", pk=budget.pk)
    try:
        services.renvoyer(
            request.user,
            budget.pk,
            form.cleaned_data["version"],
            form.cleaned_data["motif"],
        )
    except (ErreurMetier, ModificationConcurrente) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        messages.success(request, "Dossier renvoyé à l'opérateur.")
    return redirect("finances:budget", pk=budget.pk)


@require_POST
def rouvrir_instruction(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    budget = budget_ou_404(request, pk)
    if not peut_instruire_budget(request.user):
        raise PermissionDenied("Seuls les services de l'État rouvrent une instruction.")
    form = RouvrirInstructionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez pourquoi l'instruction est rouverte.")
        return redirect("finances:budget", pk=budget.pk)
    try:
        services.rouvrir_instruction(
            request.user,
            budget.pk,
            form.cleaned_data["version"],
            form.cleaned_data["motif"],
        )
    except (ErreurMetier, ModificationConcurrente) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
    else:
        messages.success(request, "Instruction rouverte : corrigez puis closez-la.")
        return redirect("finances:instruction", pk=budget.pk)
    return redirect("finances:budget", pk=budget.pk)


@require_POST
def versement(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    budget = budget_ou_404(request, pk)
    if not peut_instruire_budget(request.user):
        raise PermissionDenied("Les versements sont saisis par les services de l'État.")
    form = VersementForm(request.POST)
    if form.is_valid():
        try:
            services.ajouter_versement(
                request.user,
                budget.pk,
                form.cleaned_data["date"],
                form.cleaned_data["montant"],
            )
        except ErreurMetier as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Versement enregistré.")
    else:
        messages.error(
            request,
            "Versement non enregistré : "
            + " ".join(str(e) for erreurs in form.errors.values() for e in erreurs),
        )
    return redirect("finances:budget", pk=budget.pk)


@require_POST
def document(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    budget = budget_ou_404(request, pk)
    if not peut_deposer_document_budget(request.user):
        raise PermissionDenied("Vous ne pouvez pas déposer de document.")
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.deposer_document(
                request.user,
                budget.pk,
                form.cleaned_data["nature"],
                form.cleaned_data["fichier"],
            )
        except ErreurMetier as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Document déposé.")
    else:
        messages.error(request, "Choisissez la nature et le fichier du document.")
    return redirect("finances:budget", pk=budget.pk)


def telecharger(request: RequeteAuthentifiee, pk: int) -> FileResponse:
    try:
        document = DocumentBudget.objects.for_user(request.user).get(pk=pk)
    except DocumentBudget.DoesNotExist as exc:
        raise Http404("Document introuvable.") from exc
    logger.info("budget document %s downloaded by user %s", pk, request.user.pk)
    # Through the storage, never a local path: the storage may be a bucket.
    reponse = FileResponse(
        stockage_documents().open(str(document.fichier.name), "rb"),
        as_attachment=True,
        filename=document.nom,
        content_type=document.type_contenu,
    )
    reponse["X-Content-Type-Options"] = "nosniff"
    return reponse


def decision_tarifaire(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    budget = budget_ou_404(request, pk)
    if budget.dotation_accordee is None:
        raise Http404("La dotation n'est pas encore fixée.")
    contenu = decision_tarifaire_pdf(budget, aujourdhui())
    reponse = HttpResponse(contenu, content_type="application/pdf")
    reponse["Content-Disposition"] = content_disposition_header(
        as_attachment=True,
        filename=f"decision-{budget.annee}-{budget.structure_id}.pdf",
    )
    return reponse
