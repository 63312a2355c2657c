"""Pages of operators."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from abri.communs.erreurs import ErreurMetier, ModificationConcurrente
from abri.comptes.droits import peut_modifier_operateur
from abri.comptes.perimetre import operateur_et_filiales
from abri.comptes.requetes import RequeteAuthentifiee
from abri.journal.queries import journal_operateur
from abri.operateurs import queries, services
from abri.operateurs.forms import ContactForm, OperateurForm
from abri.operateurs.models import Operateur
from abri.structures.models import Structure
from abri.structures.queries import places_autorisees


def liste(request: RequeteAuthentifiee) -> HttpResponse:
    recherche = request.GET.get("q", "")
    page = Paginator(queries.operateurs_listes(request.user, recherche), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "operateurs/liste.html",
        {"titre": "Opérateurs", "page": page, "recherche": recherche},
    )


def _operateur_ou_404(request: RequeteAuthentifiee, pk: int) -> Operateur:
    try:
        return queries.operateur_visible(request.user, pk)
    except Operateur.DoesNotExist as exc:
        raise Http404("Opérateur introuvable.") from exc


def fiche(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    operateur = _operateur_ou_404(request, pk)
    structures = (
        Structure.objects.for_user(request.user)
        .filter(operateur=operateur)
        .avec_capacite()
        .select_related("departement", "commune")
        .order_by("nom", "id")
    )
    groupe = operateur_et_filiales(operateur.pk)
    du_groupe = Structure.objects.for_user(request.user).filter(operateur_id__in=groupe)
    return render(
        request,
        "operateurs/fiche.html",
        {
            "titre": operateur.nom,
            "operateur": operateur,
            "structures": list(structures[:200]),
            "nombre_structures": structures.count(),
            "places": places_autorisees(structures, datetime.date.today()),
            "avec_filiales": len(groupe) > 1,
            "structures_du_groupe": du_groupe.count(),
            "places_du_groupe": places_autorisees(du_groupe, datetime.date.today()),
            "filiales": list(
                queries.operateurs_visibles(request.user).filter(groupe=operateur)
            ),
            "contacts": list(operateur.contacts.all()),
            "journal": list(journal_operateur(operateur)[:50]),
            "peut_modifier": peut_modifier_operateur(request.user),
            "form_contact": ContactForm(),
        },
    )


@require_http_methods(["GET", "POST"])
def modifier(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    operateur = _operateur_ou_404(request, pk)
    if not peut_modifier_operateur(request.user):
        raise PermissionDenied("Vous ne pouvez pas modifier cet opérateur.")
    form = OperateurForm(request.POST or None, instance=operateur)
    conflit = None
    if request.method == "POST" and form.is_valid():
        donnees = {c: form.cleaned_data[c] for c in OperateurForm.Meta.fields}
        try:
            services.modifier_operateur(
                request.user, operateur.pk, donnees, form.cleaned_data["version"]
            )
        except ModificationConcurrente as exc:
            conflit = exc
            saisie = request.POST.copy()
            saisie["version"] = str(exc.version_actuelle)
            form = OperateurForm(
                saisie, instance=Operateur.objects.get(pk=operateur.pk)
            )
            form.is_valid()
        except ErreurMetier as exc:
            form.add_error(exc.champ if exc.champ in form.fields else None, exc.message)
        else:
            messages.success(request, "Opérateur enregistré.")
            return redirect("operateurs:fiche", pk=operateur.pk)
    return render(
        request,
        "operateurs/modifier.html",
        {
            "titre": f"Modifier {operateur.nom}",
            "operateur": operateur,
            "form": form,
            "conflit": conflit,
        },
    )


@require_POST
def ajouter_contact(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    operateur = _operateur_ou_404(request, pk)
    if not peut_modifier_operateur(request.user):
        raise PermissionDenied("Vous ne pouvez pas modifier cet opérateur.")
    form = ContactForm(request.POST)
    if form.is_valid():
        services.ajouter_contact(request.user, operateur, form.cleaned_data)
        messages.success(request, "Contact ajouté.")
        return redirect("operateurs:fiche", pk=operateur.pk)
    return render(
        request,
        "operateurs/contact.html",
        {"titre": "Ajouter un contact", "operateur": operateur, "form": form},
    )
