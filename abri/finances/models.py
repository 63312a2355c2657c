"""Budget campaigns, budgets of structures, their allocation, instalments, documents
and the target daily costs."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from abri.communs.documents import stockage_documents
from abri.finances import regles
from abri.structures.models import Structure, TypeStructure

if TYPE_CHECKING:
    from abri.comptes.models import Utilisateur


def _montant(libelle: str, **options: Any) -> models.DecimalField:
    return models.DecimalField(
        libelle, max_digits=14, decimal_places=2, null=True, blank=True, **options
    )


class CampagneQuerySet(models.QuerySet["Campagne"]):
    def for_user(self, user: Utilisateur) -> CampagneQuerySet:
        """Campaigns are national: whoever sees part of the park sees them all (what
        a campaign page shows of it is scoped by the budgets' own queryset)."""
        return self.none() if user.perimetre.est_vide else self.all()


class Campagne(models.Model):
    """The yearly cycle of budget proposals, instruction and accounts of year N."""

    annee = models.PositiveSmallIntegerField("année", unique=True)
    date_limite_proposition = models.DateField(
        "date limite des propositions budgétaires (structures tarifées)"
    )
    date_limite_demande_subvention = models.DateField(
        "date limite des demandes de subvention (structures subventionnées)"
    )
    date_limite_comptes = models.DateField(
        "date limite des comptes administratifs (structures tarifées)"
    )
    date_limite_rapport_financier = models.DateField(
        "date limite des rapports financiers (structures subventionnées)"
    )
    ouverte_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    ouverte_le = models.DateTimeField("ouverte le", auto_now_add=True)

    objects = CampagneQuerySet.as_manager()

    class Meta:
        verbose_name = "campagne budgétaire"
        ordering = ["-annee"]

    def __str__(self) -> str:
        return f"Campagne budgétaire {self.annee}"

    def limite_proposition(self, type_structure: str) -> datetime.date:
        if regles.regime(type_structure) == regles.Regime.TARIFE:
            return self.date_limite_proposition
        return self.date_limite_demande_subvention

    def limite_comptes(self, type_structure: str) -> datetime.date:
        if regles.regime(type_structure) == regles.Regime.TARIFE:
            return self.date_limite_comptes
        return self.date_limite_rapport_financier


class StatutBudget(models.TextChoices):
    BROUILLON = "brouillon", "Proposition en préparation"
    PROPOSITION_DEPOSEE = "proposition_deposee", "Proposition déposée"
    INSTRUIT = "instruit", "Instruit, dotation fixée"
    COMPTES_DEPOSES = "comptes_deposes", "Comptes déposés"
    CLOTURE = "cloture", "Résultat affecté"


S = StatutBudget
STATUTS_PROPOSITION_DEPOSEE = (
    S.PROPOSITION_DEPOSEE,
    S.INSTRUIT,
    S.COMPTES_DEPOSES,
    S.CLOTURE,
)
STATUTS_INSTRUITS = (S.INSTRUIT, S.COMPTES_DEPOSES, S.CLOTURE)
STATUTS_COMPTES_DEPOSES = (S.COMPTES_DEPOSES, S.CLOTURE)

CHAMPS_PROPOSITION = (
    "charges_proposees",
    "produits_proposes",
    "dotation_demandee",
    "etp",
    "places_declarees",
)
CHAMPS_INSTRUCTION = (
    "charges_retenues",
    "produits_retenus",
    "dotation_accordee",
    "date_decision_tarifaire",
)
CHAMPS_COMPTES = ("charges_reelles", "produits_reels")


# Conditions of the life cycle (django-fsm types them over any model).
def _proposition_complete(instance: models.Model) -> bool:
    return not cast("Budget", instance).manquants(CHAMPS_PROPOSITION[:4])


def _instruction_complete(instance: models.Model) -> bool:
    return not cast("Budget", instance).manquants(CHAMPS_INSTRUCTION[:3])


def _comptes_complets(instance: models.Model) -> bool:
    return not cast("Budget", instance).manquants(CHAMPS_COMPTES)


def _affectation_decidee(instance: models.Model) -> bool:
    budget = cast("Budget", instance)
    return budget.affectations.filter(etape="decidee").exists()


class BudgetQuerySet(models.QuerySet["Budget"]):
    def for_user(self, user: Utilisateur) -> BudgetQuerySet:
        """Budgets of the structures of the perimeter, and budgets of a CPOM with a
        member structure in the perimeter (an operator: its own CPOM)."""
        from abri.conventions.models import AdhesionCpom

        structures = Structure.objects.for_user(user)
        cpom = AdhesionCpom.objects.filter(structure__in=structures).values("cpom_id")
        if user.perimetre.operateur_ids is not None:
            cpom = cpom.filter(cpom__operateur_id__in=user.perimetre.operateur_ids)
        return self.filter(Q(structure__in=structures) | Q(cpom_id__in=cpom))


class Budget(models.Model):
    """The budget of one structure for one year, from the proposal to the accounts.

    Every figure is ``None`` until someone sets it; who set it and when is kept in
    :attr:`saisies` (``{champ: {"par": name, "par_id": id, "le": iso datetime}}``)
    besides the journal entry of each write.
    """

    campagne = models.ForeignKey(
        Campagne, on_delete=models.PROTECT, related_name="budgets"
    )
    structure = models.ForeignKey(
        Structure,
        on_delete=models.PROTECT,
        related_name="budgets",
        null=True,
        blank=True,
    )
    cpom = models.ForeignKey(
        "conventions.Cpom",
        on_delete=models.PROTECT,
        related_name="budgets",
        null=True,
        blank=True,
        verbose_name="CPOM",
    )
    type_structure = models.CharField(
        "type de structure (budget d'un CPOM)",
        max_length=6,
        choices=TypeStructure.choices,
        blank=True,
        default="",
    )
    annee = models.PositiveSmallIntegerField("année", editable=False)
    statut = FSMField("statut", default=S.BROUILLON, choices=S.choices)

    charges_proposees = _montant("charges proposées")
    produits_proposes = _montant("produits proposés")
    dotation_demandee = _montant("dotation demandée")
    etp = models.DecimalField(
        "effectif (ETP)", max_digits=7, decimal_places=2, null=True, blank=True
    )
    places_declarees = models.DecimalField(
        "places moyennes de l'année déclarées",
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
    )

    charges_retenues = _montant("charges retenues")
    produits_retenus = _montant("produits retenus")
    dotation_accordee = _montant("dotation accordée")
    date_decision_tarifaire = models.DateField(
        "date de la décision tarifaire", null=True, blank=True
    )

    charges_reelles = _montant("charges réelles")
    produits_reels = _montant("produits réels")

    proposition_deposee_le = models.DateTimeField(null=True, blank=True)
    instruit_le = models.DateTimeField(null=True, blank=True)
    comptes_deposes_le = models.DateTimeField(null=True, blank=True)
    saisies = models.JSONField(default=dict, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    cree_le = models.DateTimeField(auto_now_add=True)

    objects = BudgetQuerySet.as_manager()

    class Meta:
        verbose_name = "budget"
        ordering = ["annee", "structure_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "annee"], name="budget_unique_par_structure_annee"
            ),
            models.UniqueConstraint(
                fields=["cpom", "annee", "type_structure"],
                name="budget_unique_par_cpom_annee_type",
            ),
            models.CheckConstraint(
                condition=(
                    Q(structure__isnull=False, cpom__isnull=True, type_structure="")
                    | Q(structure__isnull=True, cpom__isnull=False)
                    & ~Q(type_structure="")
                ),
                name="budget_structure_ou_cpom",
                violation_error_message=(
                    "Un budget est celui d'une structure ou celui d'un CPOM pour un "
                    "type de structure."
                ),
            ),
        ]
        indexes = [models.Index(fields=["annee", "statut"])]

    def __str__(self) -> str:
        return f"Budget {self.annee} — {self.porteur}"

    @property
    def porteur(self) -> str:
        """Who the budget is of: the structure, or the CPOM and the type."""
        if self.cpom_id is not None:
            return f"{self.cpom} ({self.type_structure})"
        return str(self.structure)

    @property
    def nom_porteur(self) -> str:
        if self.cpom_id is not None:
            assert self.cpom is not None
            return f"{self.cpom.intitule} (CPOM, {self.type_structure})"
        assert self.structure is not None
        return self.structure.nom

    @property
    def est_cpom(self) -> bool:
        return self.cpom_id is not None

    @property
    def type_budget(self) -> str:
        """The type of structure whose regime and target cost apply."""
        if self.structure_id is not None:
            assert self.structure is not None
            return str(self.structure.type)
        return self.type_structure

    @property
    def regime(self) -> regles.Regime:
        return regles.regime(self.type_budget)

    @property
    def resultat(self) -> Decimal | None:
        if self.produits_reels is None or self.charges_reelles is None:
            return None
        return regles.resultat(self.produits_reels, self.charges_reelles)

    @property
    def resultat_previsionnel(self) -> Decimal | None:
        """Retained revenues (besides the dotation) plus the granted dotation, minus
        the retained charges: zero when the dotation covers what was retained."""
        figures = (self.produits_retenus, self.dotation_accordee, self.charges_retenues)
        if any(f is None for f in figures):
            return None
        produits, dotation, charges = figures
        assert produits is not None and dotation is not None and charges is not None
        return regles.resultat(produits + dotation, charges)

    def manquants(self, champs: tuple[str, ...]) -> list[str]:
        return [
            str(getattr(self._meta.get_field(c), "verbose_name", c))
            for c in champs
            if getattr(self, c) is None
        ]

    @property
    def proposition_modifiable(self) -> bool:
        return self.statut == S.BROUILLON

    @property
    def instruction_modifiable(self) -> bool:
        """The retained figures and the dotation change until the instruction is
        closed; afterwards only by reopening it (``services.rouvrir_instruction``)."""
        return self.statut in {S.BROUILLON, S.PROPOSITION_DEPOSEE}

    @property
    def comptes_modifiables(self) -> bool:
        return self.statut == S.INSTRUIT

    @transition(
        statut, source=S.BROUILLON, target=S.PROPOSITION_DEPOSEE,
        conditions=[_proposition_complete],
    )  # fmt: skip
    def deposer_proposition(self) -> None:
        pass

    @transition(statut, source=S.PROPOSITION_DEPOSEE, target=S.BROUILLON)
    def renvoyer_proposition(self) -> None:
        pass

    @transition(
        statut, source=[S.BROUILLON, S.PROPOSITION_DEPOSEE], target=S.INSTRUIT,
        conditions=[_instruction_complete],
    )  # fmt: skip
    def instruire(self) -> None:
        pass

    @transition(statut, source=S.INSTRUIT, target=S.PROPOSITION_DEPOSEE)
    def rouvrir_instruction(self) -> None:
        pass

    @transition(
        statut, source=S.INSTRUIT, target=S.COMPTES_DEPOSES,
        conditions=[_comptes_complets],
    )  # fmt: skip
    def deposer_comptes(self) -> None:
        pass

    @transition(statut, source=S.COMPTES_DEPOSES, target=S.INSTRUIT)
    def renvoyer_comptes(self) -> None:
        pass

    @transition(
        statut, source=S.COMPTES_DEPOSES, target=S.CLOTURE,
        conditions=[_affectation_decidee],
    )  # fmt: skip
    def cloturer(self) -> None:
        pass


class EtapeAffectation(models.TextChoices):
    PROPOSEE = "proposee", "Proposée par l'opérateur"
    DECIDEE = "decidee", "Décidée par l'autorité"


CHAMPS_AFFECTATION_TARIFEE = (
    "reprise_etat",
    "reserve_investissement",
    "charges_non_reconductibles",
    "reserve_compensation_deficits",
    "reserve_tresorerie",
    "reserve_compensation_amortissements",
    "report_a_nouveau",
    "autre",
)
CHAMPS_AFFECTATION_SUBVENTIONNEE = (
    "excedent_reverse",
    "excedent_reemploye",
    "fonds_dedies",
    "deficit_compense",
)


def _part(libelle: str) -> models.DecimalField:
    return models.DecimalField(
        libelle, max_digits=14, decimal_places=2, default=Decimal(0)
    )


class Affectation(models.Model):
    """The allocation of a year's result, as proposed by the operator and as decided.

    Amounts carry the sign of the result: the share of a deficit the State takes
    over is negative. Tariffed structures fill the first eight, subsidised ones the
    last four."""

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="affectations"
    )
    etape = models.CharField("étape", max_length=10, choices=EtapeAffectation.choices)
    reprise_etat = _part("reprise par l'État")
    reserve_investissement = _part("réserve d'investissement")
    charges_non_reconductibles = _part("financement de charges non reconductibles")
    reserve_compensation_deficits = _part("réserve de compensation des déficits")
    reserve_tresorerie = _part("réserve de couverture du besoin en fonds de roulement")
    reserve_compensation_amortissements = _part(
        "réserve de compensation des charges d'amortissement"
    )
    report_a_nouveau = _part("report à nouveau")
    autre = _part("autre affectation")
    excedent_reverse = _part("excédent reversé à l'État")
    excedent_reemploye = _part("excédent réemployé dans la subvention suivante")
    fonds_dedies = _part("fonds dédiés restant à employer")
    deficit_compense = _part("déficit compensé par l'État")
    saisie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    saisie_le = models.DateTimeField("saisie le", auto_now=True)

    class Meta:
        verbose_name = "affectation du résultat"
        verbose_name_plural = "affectations du résultat"
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "etape"], name="affectation_unique_par_etape"
            )
        ]

    def __str__(self) -> str:
        return f"Affectation {self.get_etape_display().lower()} — {self.budget}"

    def comme_tarifee(self) -> regles.AffectationTarifee:
        return regles.AffectationTarifee(
            **{c: getattr(self, c) for c in CHAMPS_AFFECTATION_TARIFEE}
        )

    def comme_subventionnee(self) -> regles.AffectationSubventionnee:
        return regles.AffectationSubventionnee(
            **{c: getattr(self, c) for c in CHAMPS_AFFECTATION_SUBVENTIONNEE}
        )

    def champs(self, type_structure: str) -> tuple[str, ...]:
        if regles.regime(type_structure) == regles.Regime.TARIFE:
            return CHAMPS_AFFECTATION_TARIFEE
        return CHAMPS_AFFECTATION_SUBVENTIONNEE

    def total(self, type_structure: str) -> Decimal:
        return sum((getattr(self, c) for c in self.champs(type_structure)), Decimal(0))


class Versement(models.Model):
    """One instalment of a granted dotation."""

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="versements"
    )
    date = models.DateField("date du versement")
    montant = models.DecimalField("montant", max_digits=14, decimal_places=2)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    cree_le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "versement"
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"Versement du {self.date:%d/%m/%Y}"


class TarifCible(models.Model):
    """Target daily cost per place of a type of structure for a year, in
    Île-de-France or elsewhere. Maintained by national admins; shipped empty."""

    type_structure = models.CharField(
        "type", max_length=6, choices=TypeStructure.choices
    )
    ile_de_france = models.BooleanField("Île-de-France")
    annee = models.PositiveSmallIntegerField("année")
    montant = models.DecimalField(
        "coût journalier cible (€ par place et par jour)",
        max_digits=7,
        decimal_places=2,
    )
    modifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    modifie_le = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "coût journalier cible"
        verbose_name_plural = "coûts journaliers cibles"
        ordering = ["-annee", "type_structure", "ile_de_france"]
        constraints = [
            models.UniqueConstraint(
                fields=["type_structure", "ile_de_france", "annee"],
                name="tarif_cible_unique",
            )
        ]

    def __str__(self) -> str:
        zone = "Île-de-France" if self.ile_de_france else "hors Île-de-France"
        return f"{self.type_structure} {zone} {self.annee}"


class NatureDocument(models.TextChoices):
    PROPOSITION = "proposition", "Proposition budgétaire ou demande de subvention"
    COMPTES = "comptes", "Compte administratif ou rapport financier"
    DECISION = "decision", "Décision tarifaire ou arrêté"
    AUTRE = "autre", "Autre pièce"


class DocumentBudgetQuerySet(models.QuerySet["DocumentBudget"]):
    def for_user(self, user: Utilisateur) -> DocumentBudgetQuerySet:
        return self.filter(budget__in=Budget.objects.for_user(user))


class DocumentBudget(models.Model):
    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="documents"
    )
    nature = models.CharField("nature", max_length=12, choices=NatureDocument.choices)
    fichier = models.FileField(storage=stockage_documents, upload_to="budgets/%Y/")
    nom = models.CharField("nom du fichier", max_length=200)
    taille = models.PositiveIntegerField("taille (octets)")
    type_contenu = models.CharField(max_length=100)
    depose_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    depose_le = models.DateTimeField("déposé le", auto_now_add=True)

    objects = DocumentBudgetQuerySet.as_manager()

    class Meta:
        verbose_name = "document budgétaire"
        ordering = ["-depose_le", "-id"]

    def __str__(self) -> str:
        return self.nom
