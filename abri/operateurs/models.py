"""Operators (associations, companies) running structures, their groups, contacts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Exists, OuterRef
from simple_history.models import HistoricalRecords

from abri.communs.texte import normaliser_recherche

if TYPE_CHECKING:
    from abri.comptes.models import Utilisateur


class OperateurQuerySet(models.QuerySet["Operateur"]):
    def for_user(self, user: Utilisateur) -> OperateurQuerySet:
        """Operators the user may see: those running its structures, or itself."""
        from abri.structures.models import Structure

        perimetre = user.perimetre
        if perimetre.est_vide:
            return self.none()
        qs = self
        if perimetre.operateur_ids is not None:
            qs = qs.filter(id__in=perimetre.operateur_ids)
        if perimetre.departement_codes is not None:
            qs = qs.filter(
                Exists(
                    Structure.objects.filter(
                        operateur=OuterRef("pk"),
                        departement_id__in=perimetre.departement_codes,
                    )
                )
            )
        return qs


class Operateur(models.Model):
    nom = models.CharField("raison sociale", max_length=200)
    nom_recherche = models.CharField(max_length=200, db_index=True, editable=False)
    siret = models.CharField(
        "SIRET du siège", max_length=14, unique=True, null=True, blank=True
    )
    adresse_siege = models.CharField("adresse du siège", max_length=250, blank=True)
    code_postal_siege = models.CharField(
        "code postal du siège", max_length=5, blank=True
    )
    commune_siege = models.ForeignKey(
        "territoires.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="commune du siège",
    )
    groupe = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="filiales",
        verbose_name="groupe (opérateur parent)",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    history = HistoricalRecords()
    objects = OperateurQuerySet.as_manager()

    class Meta:
        verbose_name = "opérateur"
        ordering = ["nom", "id"]

    def __str__(self) -> str:
        return self.nom

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.nom_recherche = normaliser_recherche(self.nom)
        if self.siret == "":
            self.siret = None
        super().save(*args, **kwargs)


class Contact(models.Model):
    operateur = models.ForeignKey(
        Operateur, on_delete=models.CASCADE, related_name="contacts"
    )
    nom = models.CharField("nom", max_length=150)
    fonction = models.CharField("fonction", max_length=150, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)

    class Meta:
        verbose_name = "contact"
        ordering = ["nom", "id"]

    def __str__(self) -> str:
        return self.nom
