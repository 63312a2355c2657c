"""Territories of the French administration, from the code officiel géographique."""

from django.db import models


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=2, primary_key=True)
    nom = models.CharField("nom", max_length=100)
    population = models.PositiveIntegerField("population municipale", default=0)

    class Meta:
        verbose_name = "région"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.nom


class Departement(models.Model):
    """A département, coded as a string: ``01``…``95``, ``2A``, ``2B``, ``971``…."""

    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    nom = models.CharField("nom", max_length=100)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="departements",
        verbose_name="région",
    )
    population = models.PositiveIntegerField("population municipale", default=0)
    rang = models.PositiveSmallIntegerField(
        "rang dans l'ordre INSEE", default=0, help_text="2A et 2B entre 29 et 30."
    )

    class Meta:
        verbose_name = "département"
        ordering = ["rang", "code"]

    def __str__(self) -> str:
        return f"{self.nom} ({self.code})"

    @property
    def est_outre_mer(self) -> bool:
        return self.code.startswith("97")


class Commune(models.Model):
    code_insee = models.CharField("code INSEE", max_length=5, primary_key=True)
    nom = models.CharField("nom", max_length=150)
    nom_recherche = models.CharField(max_length=150, db_index=True, editable=False)
    departement = models.ForeignKey(
        Departement,
        on_delete=models.PROTECT,
        related_name="communes",
        verbose_name="département",
    )
    population = models.PositiveIntegerField("population municipale", default=0)

    class Meta:
        verbose_name = "commune"
        ordering = ["code_insee"]

    def __str__(self) -> str:
        return f"{self.nom} ({self.departement_id})"


class CodePostal(models.Model):
    """One postal code served by one commune (a code may serve several communes)."""

    code = models.CharField("code postal", max_length=5, db_index=True)
    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="codes_postaux"
    )

    class Meta:
        verbose_name = "code postal"
        verbose_name_plural = "codes postaux"
        constraints = [
            models.UniqueConstraint(
                fields=["code", "commune"], name="code_postal_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.commune.nom}"
