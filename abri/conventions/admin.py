"""Django admin, reserved to national administrators: the Word models of
convention drafts above all."""

from django import forms
from django.contrib import admin

from abri.communs import documents as fichiers
from abri.communs.erreurs import ErreurMetier
from abri.conventions.models import ModeleDocument


class ModeleDocumentForm(forms.ModelForm):
    class Meta:
        model = ModeleDocument
        fields = ["nom", "fichier", "actif"]

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier and hasattr(fichier, "read"):
            debut = fichiers.lire(fichier)
            fichier.seek(0)
            try:
                type_document = fichiers.verifier_fichier(fichier.name, debut)
            except ErreurMetier as exc:
                raise forms.ValidationError(exc.message) from exc
            if type_document is not fichiers.DOCX:
                raise forms.ValidationError("Le modèle est un document Word (.docx).")
        return fichier


@admin.register(ModeleDocument)
class ModeleDocumentAdmin(admin.ModelAdmin):
    form = ModeleDocumentForm
    list_display = ["nom", "actif", "cree_le"]
    list_filter = ["actif"]
    readonly_fields = ["aide"]
    fields = ["nom", "fichier", "actif", "aide"]

    @admin.display(description="Champs disponibles")
    def aide(self, obj: ModeleDocument | None) -> str:
        return (
            "Dans le document Word, écrivez {{ structure }}, {{ type_structure }}, "
            "{{ adresse }}, {{ departement }}, {{ operateur }}, {{ siret }}, "
            "{{ places }}, {{ date_debut }}, {{ date_fin }}, {{ duree }}, "
            "{{ dotation }}, {{ dotation_en_lettres }}, {{ reference }}, "
            "{{ nature }}. Le modèle en usage le plus récent sert aux projets."
        )
