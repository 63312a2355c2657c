"""Calls for projects, candidatures, scores, decisions, and the lots of places they
plan until each place opens.

A call's life cycle (django-fsm-2, :class:`EtatAppel`): brouillon → publié → clos →
en instruction → attribué (wholly or partly) or infructueux → terminé. Transitions
only change the state; the date, the author and the journal are the services' job
(:class:`EtapeAppel` keeps every step).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, transition

from abri.structures.models import Public, TypeBati, TypeStructure

if TYPE_CHECKING:
    from abri.comptes.models import Utilisateur


class EtatAppel(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    PUBLIE = "publie", "Publié"
    CLOS = "clos", "Clos"
    EN_INSTRUCTION = "en_instruction", "En instruction"
    ATTRIBUE = "attribue", "Attribué"
    ATTRIBUE_PARTIELLEMENT = "attribue_partiellement", "Attribué partiellement"
    INFRUCTUEUX = "infructueux", "Infructueux"
    TERMINE = "termine", "Terminé"


ETATS_DECIDES = (
    EtatAppel.ATTRIBUE,
    EtatAppel.ATTRIBUE_PARTIELLEMENT,
    EtatAppel.INFRUCTUEUX,
)


def _territoire(qs: models.QuerySet, user: Utilisateur, prefixe: str = "") -> Q:
    """Calls whose territory meets the user's départements: a departmental call of
    one of them, a regional call of their région, a national call."""
    codes = user.perimetre.departement_codes
    if codes is None:
        return Q()
    return (
        Q(**{f"{prefixe}departement_id__in": codes})
        | Q(
            **{
                f"{prefixe}departement__isnull": True,
                f"{prefixe}region__departements__code__in": codes,
            }
        )
        | Q(**{f"{prefixe}departement__isnull": True, f"{prefixe}region__isnull": True})
    )


class AppelQuerySet(models.QuerySet["AppelAProjets"]):
    def for_user(self, user: Utilisateur) -> AppelQuerySet:
        """Operators see every call once published; agents and readers the calls of
        their territory, drafts included."""
        perimetre = user.perimetre
        if perimetre.est_vide:
            return self.none()
        if perimetre.operateur_ids is not None:
            return self.exclude(etat=EtatAppel.BROUILLON)
        if perimetre.departement_codes is None:
            return self
        ids = self.filter(_territoire(self, user)).values("pk")
        return self.filter(pk__in=ids)


class AppelAProjets(models.Model):
    intitule = models.CharField("intitulé", max_length=200)
    region = models.ForeignKey(
        "territoires.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="région",
        help_text="Vide pour un appel national.",
    )
    departement = models.ForeignKey(
        "territoires.Departement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="département",
        help_text="Vide pour un appel régional ou national.",
    )
    type_structure = models.CharField(
        "type de structure", max_length=6, choices=TypeStructure.choices
    )
    public = models.CharField("public", max_length=10, choices=Public.choices)
    places_recherchees = models.PositiveIntegerField("places recherchées")
    places_specialisees = models.PositiveIntegerField(
        "dont places spécialisées", default=0
    )
    nature_places_specialisees = models.CharField(
        "nature des places spécialisées",
        max_length=100,
        blank=True,
        help_text="PMR, LGBT, femmes victimes de violences…",
    )
    enveloppe = models.DecimalField(
        "enveloppe budgétaire", max_digits=14, decimal_places=2, null=True, blank=True
    )
    cout_journalier_cible = models.DecimalField(
        "coût journalier cible", max_digits=14, decimal_places=2, null=True, blank=True
    )
    criteres = models.JSONField(
        "critères de notation",
        default=list,
        help_text="Liste de {libelle, poids}.",
    )
    date_publication = models.DateField("publication prévue le")
    date_cloture = models.DateField(
        "clôture des candidatures le",
        help_text="Incluse, jusqu'à 23 h 59 min 59 s heure de Paris.",
    )
    date_instruction = models.DateField("instruction jusqu'au", null=True, blank=True)
    date_commission = models.DateField("commission le", null=True, blank=True)
    date_decision = models.DateField("décision visée le", null=True, blank=True)
    date_ouverture = models.DateField("ouverture visée le", null=True, blank=True)
    etat = FSMField(
        "état", max_length=25, choices=EtatAppel.choices, default=EtatAppel.BROUILLON
    )
    publie_le = models.DateField("publié le", null=True, blank=True)
    decide_le = models.DateField("décidé le", null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    cree_le = models.DateTimeField("créé le", auto_now_add=True)

    objects = AppelQuerySet.as_manager()

    class Meta:
        verbose_name = "appel à projets"
        verbose_name_plural = "appels à projets"
        ordering = ["-date_publication", "id"]

    def __str__(self) -> str:
        return self.intitule

    @property
    def territoire(self) -> str:
        if self.departement_id:
            return str(self.departement)
        if self.region_id:
            return f"Région {self.region}"
        return "France entière"

    @transition(field=etat, source=EtatAppel.BROUILLON, target=EtatAppel.PUBLIE)
    def publier(self) -> None:
        pass

    @transition(field=etat, source=EtatAppel.PUBLIE, target=EtatAppel.CLOS)
    def clore(self) -> None:
        pass

    @transition(field=etat, source=EtatAppel.CLOS, target=EtatAppel.EN_INSTRUCTION)
    def instruire(self) -> None:
        pass

    @transition(field=etat, source=EtatAppel.EN_INSTRUCTION, target=EtatAppel.ATTRIBUE)
    def attribuer(self) -> None:
        pass

    @transition(
        field=etat,
        source=EtatAppel.EN_INSTRUCTION,
        target=EtatAppel.ATTRIBUE_PARTIELLEMENT,
    )
    def attribuer_partiellement(self) -> None:
        pass

    @transition(
        field=etat, source=EtatAppel.EN_INSTRUCTION, target=EtatAppel.INFRUCTUEUX
    )
    def declarer_infructueux(self) -> None:
        pass

    @transition(field=etat, source=list(ETATS_DECIDES), target=EtatAppel.TERMINE)
    def terminer(self) -> None:
        pass


class EtapeAppel(models.Model):
    """One step of a call's life cycle: when, by whom, to which state."""

    appel = models.ForeignKey(
        AppelAProjets, on_delete=models.CASCADE, related_name="etapes"
    )
    etat = models.CharField("état", max_length=25, choices=EtatAppel.choices)
    date = models.DateField("date")
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    horodatage = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "étape d'un appel"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_etat_display()} le {self.date:%d/%m/%Y}"


class EtatCandidature(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    DEPOSEE = "deposee", "Déposée"


class Decision(models.TextChoices):
    RETENUE = "retenue", "Retenue"
    LISTE_COMPLEMENTAIRE = "liste_complementaire", "Liste complémentaire"
    NON_RETENUE = "non_retenue", "Non retenue"


class CandidatureQuerySet(models.QuerySet["Candidature"]):
    def for_user(self, user: Utilisateur) -> CandidatureQuerySet:
        """Operators see their own (drafts included); territorial agents and
        readers the submitted candidatures of the calls they see; the national
        perimeter sees everything, as everywhere else."""
        perimetre = user.perimetre
        if perimetre.est_vide:
            return self.none()
        if perimetre.operateur_ids is not None:
            return self.filter(operateur_id__in=perimetre.operateur_ids)
        if perimetre.est_national:
            return self
        return self.filter(
            etat=EtatCandidature.DEPOSEE,
            appel__in=AppelAProjets.objects.for_user(user),
        )


class Candidature(models.Model):
    appel = models.ForeignKey(
        AppelAProjets, on_delete=models.PROTECT, related_name="candidatures"
    )
    operateur = models.ForeignKey(
        "operateurs.Operateur",
        on_delete=models.PROTECT,
        related_name="candidatures",
        verbose_name="opérateur",
    )
    etat = models.CharField(
        "état",
        max_length=10,
        choices=EtatCandidature.choices,
        default=EtatCandidature.BROUILLON,
    )
    projet = models.TextField("projet", blank=True)
    departement = models.ForeignKey(
        "territoires.Departement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="département d'implantation",
    )
    implantations = models.JSONField(
        "places par commune",
        default=list,
        blank=True,
        help_text="Liste de {commune, adresse, places}.",
    )
    type_bati = models.CharField(
        "bâti", max_length=10, choices=TypeBati.choices, blank=True
    )
    public = models.CharField(
        "public", max_length=10, choices=Public.choices, blank=True
    )
    places_proposees = models.PositiveIntegerField("places proposées", default=0)
    places_specialisees = models.PositiveIntegerField(
        "dont places spécialisées", default=0
    )
    cout_journalier_propose = models.DecimalField(
        "coût journalier proposé",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    budget_propose = models.DecimalField(
        "budget annuel proposé", max_digits=14, decimal_places=2, null=True, blank=True
    )
    etp = models.DecimalField(
        "personnel (ETP)", max_digits=6, decimal_places=2, null=True, blank=True
    )
    lots_proposes = models.JSONField(
        "ouvertures proposées",
        default=list,
        blank=True,
        help_text="Liste de {places, date}.",
    )
    structure_existante = models.ForeignKey(
        "structures.Structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="extension de la structure",
    )
    deposee_le = models.DateTimeField("déposée le", null=True, blank=True)
    accuse = models.CharField("accusé de réception", max_length=40, blank=True)
    recue_hors_ligne = models.BooleanField("reçue hors ligne", default=False)
    decision = models.CharField(
        "décision", max_length=25, choices=Decision.choices, blank=True
    )
    places_retenues = models.PositiveIntegerField(
        "places retenues", null=True, blank=True
    )
    motivation = models.TextField("motivation", blank=True)
    decidee_le = models.DateField("décidée le", null=True, blank=True)
    structure = models.ForeignKey(
        "structures.Structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="candidatures",
        verbose_name="structure",
    )
    convention = models.ForeignKey(
        "conventions.Acte",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="convention",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    modifiee_le = models.DateTimeField("modifiée le", auto_now=True)

    objects = CandidatureQuerySet.as_manager()

    class Meta:
        verbose_name = "candidature"
        ordering = ["appel", "operateur__nom", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["appel", "operateur"],
                condition=Q(recue_hors_ligne=False),
                name="candidature_unique_par_operateur",
            )
        ]

    def __str__(self) -> str:
        return f"Candidature de {self.operateur} — {self.appel}"

    @property
    def est_deposee(self) -> bool:
        return self.etat == EtatCandidature.DEPOSEE


class Note(models.Model):
    """The score one instructor gave one candidature on one criterion (0 to 20)."""

    candidature = models.ForeignKey(
        Candidature, on_delete=models.CASCADE, related_name="notes"
    )
    instructeur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    critere = models.PositiveSmallIntegerField("critère (rang)")
    note = models.DecimalField("note sur 20", max_digits=4, decimal_places=1)
    commentaire = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "note"
        ordering = ["candidature", "instructeur", "critere"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidature", "instructeur", "critere"], name="note_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.note}/20"


class ObjectifQuerySet(models.QuerySet["ObjectifRegional"]):
    def for_user(self, user: Utilisateur) -> ObjectifQuerySet:
        perimetre = user.perimetre
        if perimetre.est_vide or perimetre.operateur_ids is not None:
            return self.none()
        if perimetre.departement_codes is None:
            return self
        return self.filter(
            region__departements__code__in=perimetre.departement_codes
        ).distinct()


class ObjectifRegional(models.Model):
    """Places to create in a région in a year under its regional scheme."""

    region = models.ForeignKey(
        "territoires.Region", on_delete=models.PROTECT, related_name="+"
    )
    annee = models.PositiveIntegerField("année")
    type_structure = models.CharField(
        "type de structure", max_length=6, choices=TypeStructure.choices
    )
    places = models.PositiveIntegerField("places à créer")
    date_decision = models.DateField("décidé le", null=True, blank=True)

    objects = ObjectifQuerySet.as_manager()

    class Meta:
        verbose_name = "objectif régional"
        verbose_name_plural = "objectifs régionaux"
        ordering = ["annee", "region", "type_structure"]

    def __str__(self) -> str:
        return f"{self.places} places {self.type_structure} en {self.annee}"


class LotQuerySet(models.QuerySet["Lot"]):
    def for_user(self, user: Utilisateur) -> LotQuerySet:
        from abri.structures.models import Structure

        return self.filter(structure__in=Structure.objects.for_user(user))


class Lot(models.Model):
    """Planned places of one structure with their planned opening date, from a
    retained candidature or a regional objective. Opens in one or several steps."""

    structure = models.ForeignKey(
        "structures.Structure", on_delete=models.PROTECT, related_name="lots"
    )
    candidature = models.ForeignKey(
        Candidature,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lots",
    )
    objectif = models.ForeignKey(
        ObjectifRegional,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lots",
    )
    places = models.PositiveIntegerField("places prévues")
    date_prevue = models.DateField("ouverture prévue le")

    objects = LotQuerySet.as_manager()

    class Meta:
        verbose_name = "lot de places"
        verbose_name_plural = "lots de places"
        ordering = ["date_prevue", "id"]

    def __str__(self) -> str:
        return f"{self.places} places prévues le {self.date_prevue:%d/%m/%Y}"


class OuvertureLot(models.Model):
    """Places of a lot opened on a date, carried by a capacity event."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="ouvertures")
    date = models.DateField("ouvertes le")
    places = models.PositiveIntegerField("places ouvertes")
    evenement = models.OneToOneField(
        "structures.EvenementCapacite", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "ouverture de places"
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.places} places ouvertes le {self.date:%d/%m/%Y}"
