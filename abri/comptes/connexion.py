"""Login throttling helpers (django-axes)."""

from typing import Any

from django.http import HttpRequest


def identifiant_de_connexion(
    request: HttpRequest, credentials: dict[str, Any] | None
) -> str:
    """The account a login attempt aims at, as the lock counts it.

    Emails are case-insensitive at login, so the lock must be too: otherwise
    ``Agent@…`` would get past a lock on ``agent@…`` (and lift it)."""
    if credentials:
        brut = credentials.get("username") or ""
    else:
        brut = request.POST.get("username", "")
    return str(brut).strip().lower()
