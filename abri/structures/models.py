"""Housing structures, their sites, accommodation addresses, codes and capacity."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from simple_history.models import HistoricalRecords

from abri.communs.texte import normaliser_recherche

if TYPE_CHECKING:
    from abri.comptes.models import Utilisateur


class TypeStructure(models.TextChoices):
    CADA = "CADA", "CADA"
    HUDA = "HUDA", "HUDA"
    CAES = "CAES", "CAES"
    CPH = "CPH", "CPH"
    PRAHDA = "PRAHDA", "PRAHDA"


TYPES_TARIFES = frozenset({TypeStructure.CADA, TypeStructure.CPH})
TYPES_AUTORISES = TYPES_TARIFES  # authorised social establishments (FINESS)


class Public(models.TextChoices):
    FAMILLES = "familles", "Familles"
    ISOLES = "isoles", "Personnes isolées"
    TOUS = "tous", "Tout public"


class TypeBati(models.TextChoices):
    COLLECTIF = "collectif", "Collectif"
    DIFFUS = "diffus", "Diffus"
    MIXTE = "mixte", "Mixte"


MOTS_RECHERCHE_MAX = 10

CHAMPS_CAPACITE = ("places_autorisees", "places_pmr", "places_lgbt", "places_fvv_teh")


def _somme_evenements(champ: str, date: datetime.date) -> Coalesce:
    total = (
        EvenementCapacite.objects.filter(structure=OuterRef("pk"), date_effet__lte=date)
        .order_by()
        .values("structure")
        .annotate(total=Sum(champ))
        .values("total")
    )
    return Coalesce(Subquery(total), 0)


class StructureQuerySet(models.QuerySet["Structure"]):
    def for_user(self, user: Utilisateur) -> StructureQuerySet:
        perimetre = user.perimetre
        if perimetre.est_vide:
            return self.none()
        qs = self
        if perimetre.departement_codes is not None:
            qs = qs.filter(departement_id__in=perimetre.departement_codes)
        if perimetre.operateur_ids is not None:
            qs = qs.filter(operateur_id__in=perimetre.operateur_ids)
        return qs

    def editable_by(self, user: Utilisateur) -> StructureQuerySet:
        """Structures whose identity the user may change (readers change nothing)."""
        if not user.peut_ecrire:
            return self.none()
        return self.for_user(user)

    def avec_capacite(self, date: datetime.date | None = None) -> StructureQuerySet:
        """Annotate the capacity in force on ``date`` (today by default)."""
        date = date or datetime.date.today()
        return self.annotate(
            **{
                f"{champ}_au": _somme_evenements(champ, date)
                for champ in CHAMPS_CAPACITE
            }
        )

    def recherche(self, texte: str) -> StructureQuerySet:
        """Every word must appear (accents and case aside); a DNA code typed with a
        space (``C 8502``) is one word. Beyond ten words the rest is ignored."""
        from abri.structures.regles import normaliser_code_dna

        code = normaliser_code_dna(texte)
        mots = [code.lower()] if code else normaliser_recherche(texte).split()
        qs = self
        for mot in mots[:MOTS_RECHERCHE_MAX]:
            qs = qs.filter(recherche__contains=mot)
        return qs


class Structure(models.Model):
    type = models.CharField("type", max_length=6, choices=TypeStructure.choices)
    nom = models.CharField("nom", max_length=200)
    operateur = models.ForeignKey(
        "operateurs.Operateur",
        on_delete=models.PROTECT,
        related_name="structures",
        verbose_name="opérateur",
    )
    departement = models.ForeignKey(
        "territoires.Departement",
        on_delete=models.PROTECT,
        related_name="structures",
        verbose_name="département administratif",
        help_text="Fixé à la création de la structure.",
    )
    public = models.CharField("public", max_length=10, choices=Public.choices)
    adresse = models.CharField("adresse administrative", max_length=250, blank=True)
    code_postal = models.CharField("code postal", max_length=5, blank=True)
    commune = models.ForeignKey(
        "territoires.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="structures",
        verbose_name="commune",
    )
    finess = models.CharField("numéro FINESS", max_length=9, blank=True)
    type_bati = models.CharField(
        "type de bâti",
        max_length=10,
        choices=TypeBati.choices,
        blank=True,
        editable=False,
        help_text="Déduit des adresses d'hébergement.",
    )
    recherche = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    cree_le = models.DateTimeField("créée le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifiée le", auto_now=True)

    history = HistoricalRecords()
    objects = StructureQuerySet.as_manager()

    class Meta:
        verbose_name = "structure"
        ordering = ["nom", "id"]
        indexes = [
            models.Index(fields=["departement", "type"]),
            # The list's default order (name), national and within a département.
            models.Index(fields=["nom", "id"]),
            models.Index(fields=["departement", "nom", "id"]),
        ]

    def __str__(self) -> str:
        return self.nom

    def texte_recherche(self, codes_dna: list[str] | None = None) -> str:
        if codes_dna is None:
            codes_dna = [c.code for c in self.codes_dna.all()] if self.pk else []
        commune = self.commune.nom if self.commune else ""
        parties = [self.nom, self.finess, *codes_dna, commune, self.code_postal]
        return " " + normaliser_recherche(" ".join(p for p in parties if p)) + " "


class CodeDna(models.Model):
    """Code of the structure in the occupancy information system (letter + 4 digits)."""

    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, related_name="codes_dna"
    )
    code = models.CharField("code DNA", max_length=5, unique=True)

    class Meta:
        verbose_name = "code DNA"
        verbose_name_plural = "codes DNA"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class SiteQuerySet(models.QuerySet["Site"]):
    def for_user(self, user: Utilisateur) -> SiteQuerySet:
        return self.filter(structure__in=Structure.objects.for_user(user))


class Site(models.Model):
    """An administrative address of a structure."""

    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, related_name="sites"
    )
    libelle = models.CharField("libellé", max_length=150)
    adresse = models.CharField("adresse", max_length=250)
    code_postal = models.CharField("code postal", max_length=5)
    commune = models.ForeignKey(
        "territoires.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = "site administratif"
        verbose_name_plural = "sites administratifs"
        ordering = ["libelle", "id"]

    def __str__(self) -> str:
        return self.libelle


class AdresseHebergement(models.Model):
    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, related_name="adresses"
    )
    adresse = models.CharField("adresse", max_length=250)
    code_postal = models.CharField("code postal", max_length=5)
    commune = models.ForeignKey(
        "territoires.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="commune",
    )
    places_autorisees = models.PositiveIntegerField("places autorisées")
    type_bati = models.CharField(
        "type de bâti",
        max_length=10,
        choices=[(TypeBati.COLLECTIF, "Collectif"), (TypeBati.DIFFUS, "Diffus")],
    )
    logement_social = models.BooleanField("logement social", null=True, blank=True)
    qpv = models.BooleanField("quartier prioritaire (QPV)", null=True, blank=True)

    class Meta:
        verbose_name = "adresse d'hébergement"
        verbose_name_plural = "adresses d'hébergement"
        ordering = ["code_postal", "adresse", "id"]

    def __str__(self) -> str:
        return f"{self.adresse}, {self.code_postal}"


class NatureEvenement(models.TextChoices):
    CREATION = "creation", "Capacité initiale"
    OUVERTURE = "ouverture", "Ouverture"
    EXTENSION = "extension", "Extension"
    REDUCTION = "reduction", "Réduction"
    FERMETURE = "fermeture", "Fermeture"
    TRANSFERT_SORTANT = (
        "transfert_sortant",
        "Transfert de places vers une autre structure",
    )
    TRANSFERT_ENTRANT = (
        "transfert_entrant",
        "Transfert de places depuis une autre structure",
    )
    REQUALIFICATION = "requalification", "Requalification de places spécialisées"


class EvenementCapacite(models.Model):
    """A dated change of capacity. Amounts are deltas; capacity at a date is their sum.

    Events are never updated nor deleted: a correction is a new event, so that the
    history of the capacity is never rewritten.
    """

    structure = models.ForeignKey(
        Structure, on_delete=models.PROTECT, related_name="evenements"
    )
    nature = models.CharField("nature", max_length=20, choices=NatureEvenement.choices)
    date_effet = models.DateField("date d'effet")
    acte = models.CharField("acte administratif", max_length=250)
    date_acte = models.DateField("date de l'acte", null=True, blank=True)
    places_autorisees = models.IntegerField(
        "variation des places autorisées", default=0
    )
    places_pmr = models.IntegerField("variation des places PMR", default=0)
    places_lgbt = models.IntegerField("variation des places LGBT", default=0)
    places_fvv_teh = models.IntegerField("variation des places FVV-TEH", default=0)
    evenement_lie = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="événement lié (transfert)",
    )
    commentaire = models.TextField("commentaire", blank=True)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    cree_le = models.DateTimeField("enregistré le", auto_now_add=True)

    class Meta:
        verbose_name = "événement de capacité"
        verbose_name_plural = "événements de capacité"
        ordering = ["date_effet", "id"]
        indexes = [models.Index(fields=["structure", "date_effet"])]

    def __str__(self) -> str:
        return f"{self.get_nature_display()} au {self.date_effet:%d/%m/%Y}"
