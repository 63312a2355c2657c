from django.contrib import admin

from abri.operateurs.models import Operateur


@admin.register(Operateur)
class OperateurAdmin(admin.ModelAdmin):
    """Read-only: operators change through the application's pages, journaled."""

    search_fields = ["nom", "siret"]
    list_display = ["nom", "siret", "groupe"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
