"""Documents generated from the budget: the tariff decision (or the grant notice of
a subsidised structure), as a PDF drawn by WeasyPrint from an HTML template.

The PDF is rendered from the data alone: no stylesheet, font or image is fetched
(WeasyPrint's URL fetcher refuses every URL)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, NoReturn

from django.template.loader import render_to_string
from num2words import num2words

from abri.finances import regles
from abri.finances.models import Budget


def montant_en_lettres(montant: Decimal) -> str:
    return num2words(montant, lang="fr", to="currency", currency="EUR")


def _aucune_ressource(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    raise ValueError(f"ressource externe refusée : {url}")


def _cpom_comme_etablissement(budget: Budget) -> SimpleNamespace:
    """What the decision says of the establishment, for the budget of a CPOM."""
    cpom = budget.cpom
    assert cpom is not None
    return SimpleNamespace(
        nom=f"{cpom.intitule} (CPOM)",
        type=budget.type_structure,
        finess="",
        departement=cpom.departements.order_by("rang").first(),
        operateur=cpom.operateur,
    )


def decision_tarifaire_pdf(budget: Budget, aujourd_hui: datetime.date) -> bytes:
    """The decision fixing the dotation of the budget's year."""
    from weasyprint import HTML

    assert budget.dotation_accordee is not None
    places = budget.places_declarees
    html = render_to_string(
        "finances/decision_tarifaire.html",
        {
            "budget": budget,
            "structure": budget.structure or _cpom_comme_etablissement(budget),
            "tarifee": budget.regime == regles.Regime.TARIFE,
            "en_lettres": montant_en_lettres(budget.dotation_accordee),
            "douzieme": regles.arrondi_centime(budget.dotation_accordee / 12),
            "places": places,
            "date": aujourd_hui,
        },
    )
    return HTML(string=html, url_fetcher=_aucune_ressource).write_pdf()
