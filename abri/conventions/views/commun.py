"""What the pages of acts share: filters, fetching in the perimeter, steps."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404

from abri.communs import documents as fichiers
from abri.communs.erreurs import ErreurMetier, ModificationConcurrente
from abri.comptes.requetes import RequeteAuthentifiee
from abri.conventions import (
    documents,
    queries,
    services,
)
from abri.conventions.forms import (
    DocumentForm,
    FiltresActesForm,
)
from abri.conventions.models import Acte, Cpom
from abri.structures.models import Structure
from abri.territoires.models import Departement

logger = logging.getLogger(__name__)


TAILLE_PAGE = 50

LIBELLES_ETAPES = {
    "envoyer": "Envoyer à l'opérateur",
    "signer_operateur": "Enregistrer la signature de l'opérateur",
    "signer_etat": "Signer pour l'État",
    "constater_echeance": "Constater l'échéance",
}


def _aujourdhui() -> datetime.date:
    return datetime.date.today()


def _departements_visibles(request: RequeteAuthentifiee) -> list[Departement]:
    codes = request.user.perimetre.departement_codes
    qs = Departement.objects.order_by("rang")
    if codes is not None:
        qs = qs.filter(code__in=codes)
    return list(qs)


def _filtres(
    request: RequeteAuthentifiee,
) -> tuple[FiltresActesForm, queries.FiltresActes]:
    form = FiltresActesForm(
        request.GET or None, departements=_departements_visibles(request)
    )
    if not form.is_bound:
        return form, queries.FiltresActes()
    if not form.is_valid():
        return form, queries.FiltresActes(impossible=True)
    d = form.cleaned_data
    return form, queries.FiltresActes(
        nature=d["nature"],
        etat=d["etat"],
        type=d["type"],
        departement=d["departement"],
        fin_du=d["fin_du"],
        fin_au=d["fin_au"],
    )


def _acte_ou_404(request: RequeteAuthentifiee, pk: int) -> Acte:
    try:
        return queries.acte_visible(request.user, pk)
    except Acte.DoesNotExist as exc:
        raise Http404("Acte introuvable.") from exc


def _cpom_ou_404(request: RequeteAuthentifiee, pk: int) -> Cpom:
    try:
        return queries.cpom_visible(request.user, pk)
    except Cpom.DoesNotExist as exc:
        raise Http404("CPOM introuvable.") from exc


def _structure_ou_404(request: RequeteAuthentifiee, pk: int) -> Structure:
    try:
        return (
            Structure.objects.for_user(request.user)
            .select_related("operateur", "departement")
            .get(pk=pk)
        )
    except Structure.DoesNotExist as exc:
        raise Http404("Structure introuvable.") from exc


def _etapes(request: RequeteAuthentifiee, obj: Acte | Cpom) -> list[dict[str, str]]:
    return [
        {"nom": nom, "libelle": LIBELLES_ETAPES[nom]}
        for nom in services.etapes_possibles(request.user, obj)
        if nom in LIBELLES_ETAPES
    ]


def _erreur_sur_form(form: Any, exc: ErreurMetier) -> None:
    form.add_error(exc.champ if exc.champ in form.fields else None, exc.message)


def _version(request: RequeteAuthentifiee, obj: Acte | Cpom | None = None) -> int:
    """The version of the act the page was loaded with; a request without it (or
    with a garbled one) is refused as a stale one, so that the concurrency check
    cannot be skipped by leaving the field out."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        raise ModificationConcurrente(obj.version if obj else 0, []) from None


def _franchir(request: RequeteAuthentifiee, obj: Acte | Cpom, etape: str) -> None:
    if etape not in LIBELLES_ETAPES:
        raise Http404("Étape inconnue.")
    if not services.peut_franchir(request.user, etape, obj):
        raise PermissionDenied("Vous ne pouvez pas franchir cette étape.")
    try:
        version = _version(request, obj)
        services.franchir(request.user, obj, etape, version=version)
    except ModificationConcurrente:
        messages.error(
            request,
            "L'acte a changé depuis l'ouverture de la page : vérifiez son état "
            "et recommencez.",
        )
    except ErreurMetier as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{LIBELLES_ETAPES[etape]} : fait.")


def _deposer(request: RequeteAuthentifiee, obj: Acte | Cpom) -> None:
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choisissez un fichier à déposer.")
        return
    fichier = form.cleaned_data["fichier"]
    try:
        documents.deposer_document(
            request.user, obj, fichier.name, fichiers.lire(fichier)
        )
    except ErreurMetier as exc:
        messages.error(request, f"{fichier.name} : {exc.message}")
    else:
        messages.success(request, "Document déposé.")
