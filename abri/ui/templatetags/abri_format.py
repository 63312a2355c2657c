"""French formatting of numbers, amounts and dates, independent of the locale setup."""

import datetime
from decimal import Decimal

from django import template

register = template.Library()

ESPACE_FINE = "\u202f"  # narrow no-break space, the French thousands separator


@register.filter
def nombre(valeur: int | Decimal | float | None, decimales: int = 0) -> str:
    """``1234567`` → ``1 234 567``; ``Decimal('1234.5')|nombre:2`` → ``1 234,50``."""
    if valeur is None or valeur == "":
        return "—"
    texte = f"{valeur:,.{int(decimales)}f}"
    return texte.replace(",", ESPACE_FINE).replace(".", ",")


@register.filter
def euros(valeur: Decimal | int | None) -> str:
    if valeur is None or valeur == "":
        return "—"
    return f"{nombre(valeur, 2)}\u00a0€"


@register.filter
def pourcentage(valeur: float | Decimal | None, decimales: int = 1) -> str:
    if valeur is None or valeur == "":
        return "—"
    return f"{nombre(Decimal(str(valeur)) * 100, decimales)}\u00a0%"


@register.filter
def date_fr(valeur: datetime.date | None) -> str:
    if not valeur:
        return "—"
    return valeur.strftime("%d/%m/%Y")


@register.filter
def oui_non(valeur: bool | None) -> str:
    if valeur is None:
        return "—"
    return "Oui" if valeur else "Non"


@register.filter
def taille(octets: int | None) -> str:
    """A file size the way the upload forms state their limit (``10 Mo``,
    ``512 ko``), so that a size and the limit it is checked against read alike."""
    from abri.communs.documents import taille_lisible

    if octets is None:
        return "—"
    return taille_lisible(octets)
