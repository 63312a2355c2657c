"""Audit trail: who changed what, when, from which value to which."""

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models

# Journaled values that are not a model field of their own.
LIBELLES_HORS_CHAMPS = {
    "codes_dna": "codes DNA",
    "adresses": "nombre d'adresses d'hébergement",
    "justifiee": "justifié",
}


def _champ_concret(modele: type[models.Model] | None, champ: str) -> Any:
    """The model's own field of that name; ``None`` for a reverse relation or none."""
    if modele is None:
        return None
    try:
        trouve = modele._meta.get_field(champ)
    except FieldDoesNotExist:
        return None
    return trouve if getattr(trouve, "concrete", False) else None


def _lisible(valeur: Any, choix: dict[Any, str]) -> Any:
    """A journaled value as a user reads it: choice labels, lists joined."""
    if isinstance(valeur, list):
        return ", ".join(str(v) for v in valeur) or "aucun"
    if isinstance(valeur, bool):
        return "Oui" if valeur else "Non"
    if isinstance(valeur, str) and valeur in choix:
        return choix[valeur]
    return valeur


class Action(models.TextChoices):
    CREATION = "creation", "Création"
    MODIFICATION = "modification", "Modification"
    SUPPRESSION = "suppression", "Suppression"
    IMPORT = "import", "Import"
    EVENEMENT = "evenement", "Événement"
    JUSTIFICATION = "justification", "Justification"


class EntreeJournal(models.Model):
    horodatage = models.DateTimeField("date et heure", auto_now_add=True, db_index=True)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="auteur",
    )
    action = models.CharField("action", max_length=20, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(max_length=64)
    libelle_objet = models.CharField("objet", max_length=250)
    structure_id = models.BigIntegerField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Structure concernée, s'il y en a une.",
    )
    operateur_id = models.BigIntegerField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Opérateur concerné (lui-même ou l'un de ses contacts).",
    )
    version = models.PositiveIntegerField(
        null=True, blank=True, help_text="Version de l'objet après la modification."
    )
    changements = models.JSONField(
        "changements", default=dict, help_text="{champ: [avant, après]}"
    )
    commentaire = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "entrée du journal"
        verbose_name_plural = "journal"
        ordering = ["-horodatage", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} de {self.libelle_objet}"

    def changements_lisibles(self) -> list[tuple[str, Any, Any]]:
        """(label, before, after) of each change, with the field's French name."""
        modele = self.content_type.model_class()
        lignes = []
        for champ, (avant, apres) in self.changements.items():
            libelle = LIBELLES_HORS_CHAMPS.get(champ, champ)
            choix: dict[Any, str] = {}
            champ_modele = _champ_concret(modele, champ)
            if champ_modele is not None:
                libelle = str(champ_modele.verbose_name)
                choix = {
                    valeur: str(texte) for valeur, texte in champ_modele.flatchoices
                }
            lignes.append(
                (
                    libelle[:1].upper() + libelle[1:],
                    _lisible(avant, choix),
                    _lisible(apres, choix),
                )
            )
        return lignes
