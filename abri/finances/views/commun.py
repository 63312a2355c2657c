"""What the pages of finances share: fetching in the perimeter, errors on forms."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.http import Http404

from abri.communs.erreurs import ErreurMetier
from abri.comptes.requetes import RequeteAuthentifiee
from abri.finances import queries
from abri.finances.models import Budget
from abri.territoires.models import Departement


def aujourdhui() -> datetime.date:
    return datetime.date.today()


def budget_ou_404(request: RequeteAuthentifiee, pk: int) -> Budget:
    try:
        return queries.budget_visible(request.user, pk)
    except Budget.DoesNotExist as exc:
        raise Http404("Budget introuvable.") from exc


def erreur_sur_form(form: forms.Form, exc: ErreurMetier) -> None:
    champ = exc.champ if exc.champ in form.fields else None
    if champ is None and exc.champ and f"aff_{exc.champ}" in form.fields:
        champ = f"aff_{exc.champ}"
    form.add_error(champ, exc.message)


def departements_visibles(request: RequeteAuthentifiee) -> list[Departement]:
    codes = request.user.perimetre.departement_codes
    qs = Departement.objects.select_related("region").order_by("rang")
    if codes is not None:
        qs = qs.filter(code__in=codes)
    return list(qs)


def donnees_avec_version(request: RequeteAuthentifiee, version: int) -> Any:
    """The typed data, with the version the record has now (after a conflict)."""
    donnees = request.POST.copy()
    donnees["version"] = str(version)
    return donnees
