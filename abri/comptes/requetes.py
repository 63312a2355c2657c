from django.http import HttpRequest

from abri.comptes.models import Utilisateur


class RequeteAuthentifiee(HttpRequest):
    """A request behind ``LoginRequiredMiddleware``: its user is a logged-in account.

    Only a type for views' signatures; the middleware is what guarantees it."""

    user: Utilisateur
