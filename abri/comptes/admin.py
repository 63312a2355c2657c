"""Django admin, reserved to national administrators: accounts above all."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.contrib.auth.models import Group
from django.http import HttpRequest

from abri.comptes.models import Role, Utilisateur


def verifier_perimetre(donnees: dict[str, Any]) -> None:
    """A role needs its perimeter: an account that would see nothing is refused."""
    role = donnees.get("role")
    departements = donnees.get("departements")
    if role == Role.REGIONAL and not donnees.get("region"):
        raise forms.ValidationError("Un compte régional a une région.")
    if role == Role.DEPARTEMENTAL and not departements:
        raise forms.ValidationError(
            "Un compte départemental a au moins un département."
        )
    if role == Role.OPERATEUR and not donnees.get("operateur"):
        raise forms.ValidationError("Un compte opérateur est rattaché à un opérateur.")


class UtilisateurCreationForm(UserCreationForm):
    class Meta:
        model = Utilisateur
        fields = [
            "email",
            "prenom",
            "nom",
            "role",
            "region",
            "departements",
            "operateur",
        ]

    def clean(self) -> dict[str, Any]:
        donnees = super().clean() or {}
        verifier_perimetre(donnees)
        return donnees


class UtilisateurChangeForm(UserChangeForm):
    class Meta:
        model = Utilisateur
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        donnees = super().clean() or {}
        verifier_perimetre(donnees)
        return donnees


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

    form = UtilisateurChangeForm
    add_form = UtilisateurCreationForm
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
