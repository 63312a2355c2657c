from django.contrib import admin
from django.contrib.admin import AdminSite
from django.http import HttpRequest


def restreindre_admin_aux_administrateurs_nationaux(site: AdminSite) -> None:
    """The Django admin is for national administrators only."""

    def has_permission(request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_authenticated and user.est_administrateur_national)

    site.has_permission = has_permission  # type: ignore[method-assign]
    site.site_header = "abri — administration nationale"
    site.site_title = "abri"
    site.index_title = "Comptes et référentiels"


__all__ = ["admin"]
