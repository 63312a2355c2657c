"""Budgets, instalments and a document for the tests of other apps (the walk of every
URL for every role)."""

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile

from abri.finances.models import Budget, Campagne, DocumentBudget, Versement


def donnees_finances(settings: Any, dossier: Path) -> None:
    """A campaign with a budget per structure, an instalment and a document each,
    the documents stored under ``dossier``."""
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(dossier)},
        },
    }
    from abri.structures.models import Structure

    campagne = Campagne.objects.create(
        annee=2025,
        date_limite_proposition=datetime.date(2024, 10, 31),
        date_limite_demande_subvention=datetime.date(2024, 10, 31),
        date_limite_comptes=datetime.date(2026, 4, 30),
        date_limite_rapport_financier=datetime.date(2026, 4, 30),
    )
    for structure in Structure.objects.all():
        budget = Budget.objects.create(
            campagne=campagne,
            structure=structure,
            annee=2025,
            dotation_accordee=Decimal(100000),
        )
        Versement.objects.create(
            budget=budget, date=datetime.date(2025, 1, 15), montant=Decimal(25000)
        )
        document = DocumentBudget(
            budget=budget,
            nature="proposition",
            nom=f"proposition-{structure.pk}.pdf",
            taille=9,
            type_contenu="application/pdf",
        )
        document.fichier.save("proposition.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
        document.save()


def budgets_cpom_du_parc() -> list[Budget]:
    """A budget of the 2025 campaign for each CPOM in force and type of its members,
    with an instalment (after the CPOM exist: ``actes_du_parc``)."""
    from abri.finances.services import cpom_attendus

    campagne = Campagne.objects.get(annee=2025)
    budgets = [
        Budget.objects.create(
            campagne=campagne,
            cpom_id=cpom_id,
            type_structure=type_structure,
            annee=2025,
            dotation_accordee=Decimal(200000),
        )
        for cpom_id, type_structure in sorted(cpom_attendus(2025))
    ]
    for budget in budgets:
        Versement.objects.create(
            budget=budget, date=datetime.date(2025, 1, 15), montant=Decimal(50000)
        )
    return budgets
