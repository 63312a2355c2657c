"""Users of abri: one role and one perimeter each."""

from functools import cached_property
from typing import Any

from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    NATIONAL = "national", "Administration centrale"
    REGIONAL = "regional", "Service régional de l'État"
    DEPARTEMENTAL = "departemental", "Service départemental de l'État"
    OPERATEUR = "operateur", "Opérateur"
    LECTEUR = "lecteur", "Partenaire en lecture seule"


ROLES_AGENTS = frozenset({Role.NATIONAL, Role.REGIONAL, Role.DEPARTEMENTAL})


class UtilisateurManager(BaseUserManager["Utilisateur"]):
    use_in_migrations = True

    def create_user(
        self, email: str, password: str | None = None, **extra: object
    ) -> "Utilisateur":
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(
        self, email: str, password: str | None = None, **extra: object
    ) -> "Utilisateur":
        extra.setdefault("role", Role.NATIONAL)
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> "Utilisateur":
        return self.get(email__iexact=username or "")


class Utilisateur(AbstractBaseUser, PermissionsMixin):
    """An account. Login is the email address.

    The perimeter depends on the role: national and reader without territory see the
    whole country; regional sees ``region``; departmental sees ``departements``; an
    operator sees ``operateur`` and its subsidiaries; a reader sees its ``region`` or
    its ``departements`` when set.
    """

    email = models.EmailField("adresse électronique", unique=True)
    prenom = models.CharField("prénom", max_length=100, blank=True)
    nom = models.CharField("nom", max_length=100, blank=True)
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        "territoires.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="région",
    )
    departements = models.ManyToManyField(
        "territoires.Departement",
        blank=True,
        related_name="+",
        verbose_name="départements",
    )
    operateur = models.ForeignKey(
        "operateurs.Operateur",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="utilisateurs",
        verbose_name="opérateur",
    )
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField(
        "administrateur national",
        default=False,
        help_text=(
            "Gère les comptes et les modèles. Réservé à l'administration centrale."
        ),
    )
    date_joined = models.DateTimeField("créé le", default=timezone.now)

    objects = UtilisateurManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["email"]

    def __str__(self) -> str:
        return self.nom_complet or self.email

    @property
    def nom_complet(self) -> str:
        return f"{self.prenom} {self.nom}".strip()

    @property
    def est_administrateur_national(self) -> bool:
        return self.is_active and self.is_staff and self.role == Role.NATIONAL

    @property
    def peut_ecrire(self) -> bool:
        return self.role != Role.LECTEUR

    @property
    def est_agent(self) -> bool:
        return self.role in ROLES_AGENTS

    @cached_property
    def perimetre(self):  # -> Perimetre (import cycle avoided)
        from abri.comptes.perimetre import perimetre_de

        return perimetre_de(self)

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Only national staff may administer: a regional agent flagged by mistake gains
        # nothing.
        if self.role != Role.NATIONAL:
            self.is_staff = False
            self.is_superuser = False
        self.email = self.email.lower()
        super().save(*args, **kwargs)
