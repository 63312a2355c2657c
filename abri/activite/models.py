"""Monthly occupancy of structures, as the occupancy office's file reports it.

A month is the first day of that month in a ``DateField`` named ``mois``: never a
timestamp, so that no time zone moves it.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models

from abri.activite import regles

if TYPE_CHECKING:
    from abri.comptes.models import Utilisateur


class Source(models.TextChoices):
    FICHIER = "fichier", "Fichier mensuel d'occupation"
    DECLARATION = "declaration", "Déclaration de l'opérateur"


class ImportActivite(models.Model):
    """One confirmed import of a monthly occupancy file."""

    nom_fichier = models.CharField("fichier", max_length=250)
    mois = models.JSONField("mois importés", default=list)
    lignes = models.PositiveIntegerField("lignes appliquées", default=0)
    en_attente = models.PositiveIntegerField("lignes en attente", default=0)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="auteur",
    )
    cree_le = models.DateTimeField("importé le", auto_now_add=True)

    class Meta:
        verbose_name = "import d'activité"
        verbose_name_plural = "imports d'activité"
        ordering = ["-cree_le", "-id"]

    def __str__(self) -> str:
        return self.nom_fichier

    @property
    def libelles_mois(self) -> list[str]:
        mois = [datetime.date.fromisoformat(m) for m in self.mois]
        if len(mois) > 3:
            return [f"{regles.libelle_mois(mois[0])} à {regles.libelle_mois(mois[-1])}"]
        return [regles.libelle_mois(m) for m in mois]


class ActiviteQuerySet(models.QuerySet["ActiviteMensuelle"]):
    def for_user(self, user: Utilisateur) -> ActiviteQuerySet:
        from abri.structures.models import Structure

        return self.filter(structure__in=Structure.objects.for_user(user))


class ActiviteMensuelle(models.Model):
    """Places of one structure in one month, and where the figures came from."""

    structure = models.ForeignKey(
        "structures.Structure",
        on_delete=models.CASCADE,
        related_name="activites",
        verbose_name="structure",
    )
    mois = models.DateField("mois", help_text="Premier jour du mois.")
    source = models.CharField("source", max_length=12, choices=Source.choices)
    code_dna = models.CharField("code DNA du fichier", max_length=5, blank=True)
    capacite = models.PositiveIntegerField("capacité")
    places_desinsectisation = models.PositiveIntegerField(
        "indisponibles : désinsectisation", default=0
    )
    places_remise_en_etat = models.PositiveIntegerField(
        "indisponibles : remise en état", default=0
    )
    places_sous_occupation = models.PositiveIntegerField(
        "indisponibles : sous-occupation", default=0
    )
    places_travaux = models.PositiveIntegerField("indisponibles : travaux", default=0)
    places_indisponibles = models.PositiveIntegerField("places indisponibles")
    places_occupees = models.PositiveIntegerField("places occupées")
    presences_indues_bpi = models.PositiveIntegerField(
        "réfugiés (BPI) en présence indue", default=0
    )
    presences_indues_deboutes = models.PositiveIntegerField(
        "déboutés en présence indue", default=0
    )
    import_activite = models.ForeignKey(
        ImportActivite,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activites",
    )
    declare_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="déclaré par",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    modifie_le = models.DateTimeField("enregistré le", auto_now=True)

    objects = ActiviteQuerySet.as_manager()

    class Meta:
        verbose_name = "activité mensuelle"
        verbose_name_plural = "activités mensuelles"
        ordering = ["structure_id", "mois"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "mois"], name="activite_unique_par_mois"
            ),
            models.CheckConstraint(
                condition=models.Q(places_indisponibles__lte=models.F("capacite")),
                name="activite_indisponibles_dans_capacite",
            ),
        ]
        indexes = [models.Index(fields=["mois", "structure"])]

    def __str__(self) -> str:
        return f"{self.structure_id} — {regles.libelle_mois(self.mois)}"

    @property
    def places(self) -> regles.Places:
        return regles.Places(
            self.capacite,
            self.places_indisponibles,
            self.places_occupees,
            self.presences_indues_bpi,
            self.presences_indues_deboutes,
        )

    @property
    def libelle_mois(self) -> str:
        return regles.libelle_mois(self.mois)


class LigneEnAttenteQuerySet(models.QuerySet["LigneEnAttente"]):
    def for_user(self, user: Utilisateur) -> LigneEnAttenteQuerySet:
        """Rows whose département lies in the perimeter; an operator sees none
        (the row names no structure of its own yet)."""
        perimetre = user.perimetre
        if perimetre.est_vide or perimetre.operateur_ids is not None:
            return self.none()
        if perimetre.departement_codes is not None:
            return self.filter(departement_id__in=perimetre.departement_codes)
        return self


class LigneEnAttente(models.Model):
    """A row of the file whose DNA code the park does not know: kept until an agent
    links the code to a structure, then turned into that structure's month."""

    code_dna = models.CharField("code DNA", max_length=5)
    mois = models.DateField("mois")
    nom_centre = models.CharField("nom du centre", max_length=250, blank=True)
    type_centre = models.CharField("type", max_length=100, blank=True)
    operateur_libelle = models.CharField("opérateur (fichier)", max_length=250)
    operateur = models.ForeignKey(
        "operateurs.Operateur",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="opérateur reconnu",
    )
    departement = models.ForeignKey(
        "territoires.Departement",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="département",
    )
    donnees = models.JSONField("chiffres", default=dict)
    import_activite = models.ForeignKey(
        ImportActivite, on_delete=models.CASCADE, related_name="lignes_en_attente"
    )

    objects = LigneEnAttenteQuerySet.as_manager()

    class Meta:
        verbose_name = "ligne en attente"
        verbose_name_plural = "lignes en attente"
        ordering = ["code_dna", "mois"]
        constraints = [
            models.UniqueConstraint(
                fields=["code_dna", "mois"], name="ligne_en_attente_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code_dna} — {regles.libelle_mois(self.mois)}"

    @property
    def libelle_type(self) -> str:
        return regles.libelle_type_centre(self.type_centre)


class CorrespondanceQuerySet(models.QuerySet["CorrespondanceOperateur"]):
    def for_user(self, user: Utilisateur) -> CorrespondanceQuerySet:
        from abri.operateurs.models import Operateur

        return self.filter(operateur__in=Operateur.objects.for_user(user))


class CorrespondanceOperateur(models.Model):
    """How the occupancy file spells an operator of the park."""

    libelle = models.CharField("libellé dans le fichier", max_length=250)
    cle = models.CharField(max_length=250, unique=True, editable=False)
    operateur = models.ForeignKey(
        "operateurs.Operateur",
        on_delete=models.CASCADE,
        related_name="correspondances_activite",
        verbose_name="opérateur du parc",
    )
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    cree_le = models.DateTimeField("créée le", auto_now_add=True)

    objects = CorrespondanceQuerySet.as_manager()

    class Meta:
        verbose_name = "correspondance d'opérateur"
        verbose_name_plural = "correspondances d'opérateurs"
        ordering = ["cle"]

    def __str__(self) -> str:
        return f"{self.libelle} → {self.operateur}"
