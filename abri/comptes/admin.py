"""Django admin, reserved to national administrators: accounts above all."""

from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest

from abri.comptes.models import Utilisateur


def restreindre_admin_aux_administrateurs_nationaux(site: AdminSite) -> None:
    """The Django admin is for national administrators only."""

    def has_permission(request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_authenticated
            and getattr(user, "est_administrateur_national", False)
        )

    site.has_permission = has_permission  # type: ignore[method-assign]
    site.site_header = "abri — administration nationale"
    site.site_title = "abri"
    site.index_title = "Comptes et référentiels"


@admin.register(Utilisateur)
class UtilisateurAdmin(UserAdmin):
    """Accounts: a role, a perimeter (région, départements or operator), activity."""

    ordering = ["email"]
    list_display = [
        "email",
        "nom",
        "prenom",
        "role",
        "region",
        "operateur",
        "is_active",
    ]
    list_filter = ["role", "is_active", "region"]
    search_fields = ["email", "nom", "prenom"]
    autocomplete_fields = ["operateur"]
    filter_horizontal = ["departements"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["prenom", "nom"]}),
        (
            "Rôle et périmètre",
            {
                "fields": ["role", "region", "departements", "operateur"],
                "description": (
                    "Régional : une région. Départemental : un ou plusieurs "
                    "départements. Opérateur : l'opérateur (ses filiales suivent). "
                    "Lecteur : une région, des départements, ou rien pour la France "
                    "entière."
                ),
            },
        ),
        (
            "Accès",
            {"fields": ["is_active", "is_staff", "last_login", "date_joined"]},
        ),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "email",
                    "prenom",
                    "nom",
                    "role",
                    "region",
                    "departements",
                    "operateur",
                    "password1",
                    "password2",
                ],
            },
        )
    ]


admin.site.unregister(Group)
