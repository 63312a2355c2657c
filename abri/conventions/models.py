"""Administrative acts of the park: authorisations, conventions and their avenants,
tariff orders, CPOM and their members over time, evaluations, documents.

Conventions, CPOM and avenants share one life cycle (:class:`CycleDeVie`, guarded
django-fsm-2 transitions): brouillon → envoyée à l'opérateur → signée par
l'opérateur → signée par l'État (in force from its start date) → échue, renouvelée
or dénoncée. Unilateral acts (orders) skip the operator's steps. Transitions only
change the state; dates, authors and the journal are the services' job.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, transition

from abri.communs.documents import stockage_documents
from abri.conventions import regles

if TYPE_CHECKING:
    from abri.comptes.models import Utilisateur


class NatureActe(models.TextChoices):
    AUTORISATION = "autorisation", "Arrêté d'autorisation"
    CONVENTION = "convention", "Convention"
    AVENANT = "avenant", "Avenant"
    TARIFICATION = "tarification", "Arrêté de tarification"
    AUTRE = "autre", "Autre acte"


# Orders are signed by the State alone: no operator step.
NATURES_UNILATERALES = frozenset(
    {NatureActe.AUTORISATION, NatureActe.TARIFICATION, NatureActe.AUTRE}
)


class NatureAutreActe(models.TextChoices):
    FUSION = "fusion", "Arrêté de fusion"
    EXTENSION = "extension", "Arrêté d'extension"
    REDUCTION = "reduction", "Arrêté de réduction"
    FERMETURE = "fermeture", "Arrêté de fermeture"
    AUTRE = "autre", "Autre"


class Etat(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    ENVOYEE = "envoyee", "Envoyée à l'opérateur"
    SIGNEE_OPERATEUR = "signee_operateur", "Signée par l'opérateur"
    SIGNEE = "signee", "Signée par l'État"
    ECHUE = "echue", "Échue"
    RENOUVELEE = "renouvelee", "Renouvelée"
    DENONCEE = "denoncee", "Dénoncée"


ETATS_SIGNES = frozenset(
    {Etat.SIGNEE, Etat.ECHUE, Etat.RENOUVELEE, Etat.DENONCEE}
)  # acts that took effect at some point


class Partie(models.TextChoices):
    ETAT = "etat", "L'État"
    OPERATEUR = "operateur", "L'opérateur"


class ChampAmende(models.TextChoices):
    DATE_FIN = "date_fin", "Date de fin"
    PLACES = "places", "Capacité"
    DOTATION = "dotation", "Dotation"
    CLAUSE = "clause", "Autre clause"


class CycleDeVie(models.Model):
    """The life cycle shared by acts and CPOM. Conditions make an illegal step
    impossible; the service turns a refusal into a French message."""

    etat = FSMField("état", max_length=20, choices=Etat.choices, default=Etat.BROUILLON)
    reference = models.CharField("référence", max_length=100, blank=True)
    date_debut = models.DateField("date de début")
    date_fin = models.DateField("date de fin", null=True, blank=True)
    date_envoi = models.DateField("envoyée le", null=True, blank=True)
    date_signature_operateur = models.DateField(
        "signée par l'opérateur le", null=True, blank=True
    )
    date_signature_etat = models.DateField(
        "signée par l'État le", null=True, blank=True
    )
    date_echeance_constatee = models.DateField("échue le", null=True, blank=True)
    date_denonciation = models.DateField(
        "dénonciation notifiée le", null=True, blank=True
    )
    date_effet_denonciation = models.DateField(
        "fin par dénonciation le", null=True, blank=True
    )
    denoncee_par = models.CharField(
        "dénoncée par", max_length=10, choices=Partie.choices, blank=True
    )
    motif_denonciation = models.TextField("motif de la dénonciation", blank=True)
    motivation_renouvellement = models.TextField(
        "motivation du renouvellement", blank=True
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        abstract = True

    @property
    def est_unilateral(self) -> bool:
        return False

    def _etape_operateur_faite(self: Any) -> bool:
        return self.est_unilateral or self.etat == Etat.SIGNEE_OPERATEUR

    def _bilateral(self: Any) -> bool:
        return not self.est_unilateral

    def _passee(self: Any) -> bool:
        fin = self.date_fin_effective
        return fin is not None and fin < datetime.date.today()

    @property
    def date_fin_effective(self) -> datetime.date | None:
        return self.date_fin

    @transition(
        field=etat, source=Etat.BROUILLON, target=Etat.ENVOYEE, conditions=[_bilateral]
    )
    def envoyer(self) -> None:
        pass

    @transition(field=etat, source=Etat.ENVOYEE, target=Etat.SIGNEE_OPERATEUR)
    def signer_operateur(self) -> None:
        pass

    @transition(
        field=etat,
        source=[Etat.BROUILLON, Etat.SIGNEE_OPERATEUR],
        target=Etat.SIGNEE,
        conditions=[_etape_operateur_faite],
    )
    def signer_etat(self) -> None:
        pass

    @transition(field=etat, source=Etat.SIGNEE, target=Etat.ECHUE, conditions=[_passee])
    def constater_echeance(self) -> None:
        pass

    @transition(
        field=etat,
        source=[Etat.SIGNEE, Etat.ECHUE],
        target=Etat.RENOUVELEE,
        conditions=[_bilateral],
    )
    def renouveler(self) -> None:
        pass

    @transition(field=etat, source=Etat.SIGNEE, target=Etat.DENONCEE)
    def denoncer(self) -> None:
        pass

    @property
    def est_signe(self) -> bool:
        return self.etat in ETATS_SIGNES

    def en_vigueur_le(self, jour: datetime.date) -> bool:
        """Signed by the State and ``jour`` inside its effective period."""
        if self.etat not in ETATS_SIGNES:
            return False
        fin = self.date_fin_effective
        if self.etat == Etat.DENONCEE and self.date_effet_denonciation:
            fin = min(
                fin or datetime.date.max, self.date_effet_denonciation - regles.UN_JOUR
            )
        return self.date_debut <= jour and (fin is None or jour <= fin)


class EchelleCpom(models.TextChoices):
    DEPARTEMENTALE = "departementale", "Départementale"
    INTERDEPARTEMENTALE = "interdepartementale", "Interdépartementale"
    REGIONALE = "regionale", "Régionale"


class CpomQuerySet(models.QuerySet["Cpom"]):
    def for_user(self, user: Utilisateur) -> CpomQuerySet:
        perimetre = user.perimetre
        if perimetre.est_vide:
            return self.none()
        qs = self
        if perimetre.departement_codes is not None:
            qs = qs.filter(
                pk__in=Cpom.departements.through.objects.filter(
                    departement_id__in=perimetre.departement_codes
                ).values("cpom_id")
            )
        if perimetre.operateur_ids is not None:
            qs = qs.filter(operateur_id__in=perimetre.operateur_ids)
        return qs


class Cpom(CycleDeVie):
    """Contrat pluriannuel d'objectifs et de moyens: one operator, several of its
    structures (members over time, :class:`AdhesionCpom`), at the scale of one or
    several départements or of a région."""

    operateur = models.ForeignKey(
        "operateurs.Operateur",
        on_delete=models.PROTECT,
        related_name="cpom",
        verbose_name="opérateur",
    )
    echelle = models.CharField("échelle", max_length=20, choices=EchelleCpom.choices)
    region = models.ForeignKey(
        "territoires.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="région",
    )
    departements = models.ManyToManyField(
        "territoires.Departement", related_name="+", verbose_name="départements"
    )
    intitule = models.CharField("intitulé", max_length=200)
    dotation = models.DecimalField(
        "dotation annuelle", max_digits=14, decimal_places=2, null=True, blank=True
    )
    successeur = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecesseur",
        verbose_name="CPOM suivant",
    )

    objects = CpomQuerySet.as_manager()

    class Meta:
        verbose_name = "CPOM"
        verbose_name_plural = "CPOM"
        ordering = ["-date_debut", "id"]

    def __str__(self) -> str:
        return f"CPOM {self.intitule}"

    nature = "cpom"

    @property
    def date_fin_effective(self) -> datetime.date | None:
        avenants = getattr(self, "_avenants_signes", None)
        if avenants is None:
            avenants = [
                (a.date_debut, a.nouvelle_date_fin)
                for a in self.avenants.filter(etat__in=ETATS_SIGNES)
            ]
        return regles.fin_effective(self.date_fin, avenants)


class AdhesionCpom(models.Model):
    """A structure belongs to a CPOM from ``date_entree`` to ``date_sortie``
    (included; open when empty). Never in two CPOM on one date."""

    cpom = models.ForeignKey(Cpom, on_delete=models.CASCADE, related_name="adhesions")
    structure = models.ForeignKey(
        "structures.Structure",
        on_delete=models.PROTECT,
        related_name="adhesions_cpom",
        verbose_name="structure",
    )
    date_entree = models.DateField("entrée le")
    date_sortie = models.DateField("sortie le", null=True, blank=True)

    class Meta:
        verbose_name = "adhésion à un CPOM"
        verbose_name_plural = "adhésions aux CPOM"
        ordering = ["date_entree", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_sortie__isnull=True)
                | Q(date_sortie__gte=models.F("date_entree")),
                name="adhesion_entree_avant_sortie",
                violation_error_message="L'entrée précède la sortie.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.structure} dans {self.cpom}"


class ActeQuerySet(models.QuerySet["Acte"]):
    def for_user(self, user: Utilisateur) -> ActeQuerySet:
        from abri.structures.models import Structure

        if user.perimetre.est_vide:
            return self.none()
        return self.filter(
            Q(structure__in=Structure.objects.for_user(user))
            | Q(cpom__in=Cpom.objects.for_user(user))
        )


class Acte(CycleDeVie):
    """One administrative act of a structure (or an avenant of a CPOM).

    An avenant points to the act it amends (``parent``) or to its CPOM (``cpom``),
    lists the clauses it amends, and its new end date, once signed, becomes the
    effective end of its parent."""

    nature = models.CharField("nature", max_length=20, choices=NatureActe.choices)
    nature_autre = models.CharField(
        "nature de l'acte", max_length=20, choices=NatureAutreActe.choices, blank=True
    )
    structure = models.ForeignKey(
        "structures.Structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actes",
        verbose_name="structure",
    )
    cpom = models.ForeignKey(
        Cpom,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="avenants",
        verbose_name="CPOM",
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="avenants",
        verbose_name="acte amendé",
    )
    objet = models.TextField("objet", blank=True)
    places = models.PositiveIntegerField("places", null=True, blank=True)
    dotation = models.DecimalField(
        "dotation annuelle", max_digits=14, decimal_places=2, null=True, blank=True
    )
    champs_amendes = models.JSONField("clauses amendées", default=list, blank=True)
    nouvelle_date_fin = models.DateField("nouvelle date de fin", null=True, blank=True)
    date_ouverture = models.DateField(
        "ouverture de la structure le",
        null=True,
        blank=True,
        help_text="Commencement d'exécution de l'autorisation.",
    )
    successeur = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecesseur",
        verbose_name="acte suivant",
    )

    objects = ActeQuerySet.as_manager()

    class Meta:
        verbose_name = "acte administratif"
        verbose_name_plural = "actes administratifs"
        ordering = ["date_debut", "id"]
        indexes = [
            models.Index(fields=["structure", "nature", "date_debut"]),
            models.Index(fields=["etat", "date_fin"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(structure__isnull=False) | Q(cpom__isnull=False),
                name="acte_structure_ou_cpom",
                violation_error_message="Un acte concerne une structure ou un CPOM.",
            ),
        ]

    def __str__(self) -> str:
        """``Convention CONV-69-001``; without a reference (or one that only
        repeats the kind, « Convention »), the start date and the structure when
        it is loaded: ``Convention du 01/01/2024 — CADA des Pentes``."""
        nature = self.get_nature_display()
        reference = self.reference.strip()
        if reference and reference.casefold() != nature.casefold():
            return f"{nature} {reference}"
        libelle = f"{nature} du {self.date_debut:%d/%m/%Y}"
        structure = self.structure if Acte.structure.is_cached(self) else None
        if structure is not None:
            libelle += f" — {structure.nom}"
        return libelle

    @property
    def libelles_champs_amendes(self) -> list[str]:
        """The amended clauses of an avenant, in words (« Capacité »)."""
        libelles = dict(ChampAmende.choices)
        return [str(libelles.get(c, c)) for c in self.champs_amendes or []]

    @property
    def est_unilateral(self) -> bool:
        return self.nature in NATURES_UNILATERALES

    @property
    def date_fin_effective(self) -> datetime.date | None:
        if self.nature == NatureActe.AVENANT:
            return self.nouvelle_date_fin or self.date_fin
        avenants = getattr(self, "_avenants_signes", None)
        if avenants is None:
            avenants = [
                (a.date_debut, a.nouvelle_date_fin)
                for a in self.avenants.filter(etat__in=ETATS_SIGNES)
            ]
        return regles.fin_effective(self.date_fin, avenants)


class NatureEvaluation(models.TextChoices):
    EXTERNE = "externe", "Évaluation externe"
    INTERNE = "interne", "Évaluation interne"


class Evaluation(models.Model):
    """A quality evaluation of an authorised structure."""

    structure = models.ForeignKey(
        "structures.Structure", on_delete=models.CASCADE, related_name="evaluations"
    )
    date = models.DateField("date")
    nature = models.CharField(
        "nature",
        max_length=10,
        choices=NatureEvaluation.choices,
        default=NatureEvaluation.EXTERNE,
    )

    class Meta:
        verbose_name = "évaluation"
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.get_nature_display()} du {self.date:%d/%m/%Y}"


class DocumentQuerySet(models.QuerySet["Document"]):
    def for_user(self, user: Utilisateur) -> DocumentQuerySet:
        return self.filter(
            Q(acte__in=Acte.objects.for_user(user))
            | Q(cpom__in=Cpom.objects.for_user(user))
        )


class Document(models.Model):
    """A signed document of an act or a CPOM, kept in the ``documents`` storage
    (:func:`stockage_documents`) under a random name; the user's file name is only
    shown. Read through the storage at each use, so that its configuration is the
    current one."""

    acte = models.ForeignKey(
        Acte, on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    cpom = models.ForeignKey(
        Cpom, on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    chemin = models.CharField(max_length=200, unique=True, editable=False)
    nom = models.CharField("nom du fichier", max_length=200)
    type_contenu = models.CharField("type", max_length=100)
    taille = models.PositiveIntegerField("taille (octets)")
    depose_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    depose_le = models.DateTimeField("déposé le", auto_now_add=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "document"
        ordering = ["-depose_le", "-id"]

    def __str__(self) -> str:
        return self.nom


class ModeleDocument(models.Model):
    """A Word model of convention draft maintained by national administrators
    (docxtpl placeholders, see ``generation.py``)."""

    nom = models.CharField("nom", max_length=150)
    fichier = models.FileField(
        "modèle Word (.docx)", upload_to="modeles/", storage=stockage_documents
    )
    actif = models.BooleanField("modèle en usage", default=True)
    cree_le = models.DateTimeField("déposé le", auto_now_add=True)

    class Meta:
        verbose_name = "modèle de convention"
        verbose_name_plural = "modèles de convention"
        ordering = ["-actif", "-cree_le", "-id"]

    def __str__(self) -> str:
        return self.nom


class EnvoiEcheance(models.Model):
    """A deadline at a criticality already sent to an agent by the daily digest, so
    that the digest runs twice without sending twice."""

    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    cle = models.CharField(max_length=100)
    criticite = models.CharField(max_length=10)
    envoye_le = models.DateField("envoyé le")

    class Meta:
        verbose_name = "échéance signalée"
        verbose_name_plural = "échéances signalées"
        constraints = [
            models.UniqueConstraint(
                fields=["utilisateur", "cle", "criticite"], name="envoi_echeance_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cle} ({self.criticite})"
