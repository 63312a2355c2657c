"""Results of the data-quality rules, stored so that they can be listed park-wide."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models

if TYPE_CHECKING:
    from abri.comptes.models import Utilisateur


class AnomalieQuerySet(models.QuerySet["Anomalie"]):
    def for_user(self, user: Utilisateur) -> AnomalieQuerySet:
        from abri.structures.models import Structure

        return self.filter(structure__in=Structure.objects.for_user(user))


class Anomalie(models.Model):
    """One finding of one rule for one structure. ``cle`` tells apart several findings
    of the same rule (e.g. one per kind of specialised place)."""

    structure = models.ForeignKey(
        "structures.Structure", on_delete=models.CASCADE, related_name="anomalies"
    )
    regle = models.CharField("règle", max_length=20, db_index=True)
    cle = models.CharField(max_length=50, blank=True, default="")
    message = models.TextField("constat")
    detectee_le = models.DateTimeField("détectée le", auto_now_add=True)
    justifiee = models.BooleanField("justifiée", default=False)
    justification = models.TextField("justification", blank=True)
    justifiee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    justifiee_le = models.DateTimeField(null=True, blank=True)

    objects = AnomalieQuerySet.as_manager()

    class Meta:
        verbose_name = "anomalie"
        ordering = ["regle", "structure_id", "cle"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "regle", "cle"], name="anomalie_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.regle} — {self.message}"
