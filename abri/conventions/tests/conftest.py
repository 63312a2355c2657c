import datetime

import pytest

from abri.conventions.models import Acte, Etat, NatureActe

D = datetime.date
DEBUT = D(2022, 1, 1)
FIN = D(2026, 12, 31)


def acte(
    structure,
    nature=NatureActe.CONVENTION,
    debut=DEBUT,
    fin=FIN,
    etat=Etat.SIGNEE,
    **autres,
) -> Acte:
    return Acte.objects.create(
        structure=structure,
        nature=nature,
        date_debut=debut,
        date_fin=fin,
        etat=etat,
        **autres,
    )


@pytest.fixture
def convention_cada(parc):
    return acte(parc.cada_rhone, reference="CONV-69-001", places=80, dotation=1000)


def actes_du_parc() -> None:
    """A signed convention with a document for every structure, and a CPOM per
    operator holding its structures: objects for the walk of every URL."""
    from django.core.files.base import ContentFile

    from abri.conventions.models import AdhesionCpom, Cpom, Document, stockage_documents
    from abri.structures.models import Structure

    cpoms: dict[int, Cpom] = {}
    for structure in Structure.objects.select_related("operateur"):
        convention = acte(structure, reference=f"CONV-{structure.pk}")
        chemin = stockage_documents().save(
            f"actes/test-{structure.pk}.pdf", ContentFile(b"%PDF-1.4 test")
        )
        Document.objects.create(
            acte=convention,
            chemin=chemin,
            nom="convention.pdf",
            type_contenu="application/pdf",
            taille=13,
        )
        if structure.operateur_id not in cpoms:
            cpom = Cpom.objects.create(
                operateur_id=structure.operateur_id,
                echelle="departementale",
                intitule=f"CPOM {structure.operateur}",
                date_debut=DEBUT,
                date_fin=FIN,
                etat=Etat.SIGNEE,
            )
            cpoms[structure.operateur_id] = cpom
        cpom = cpoms[structure.operateur_id]
        cpom.departements.add(structure.departement)
        AdhesionCpom.objects.create(cpom=cpom, structure=structure, date_entree=DEBUT)


def resultats_de(structure, resultats: dict[int, tuple[int, int]], **autres) -> None:
    """Closed accounts of ``structure``: ``{annee: (produits, charges)}``, and other
    figures of its budgets."""
    from decimal import Decimal

    from abri.finances.models import Budget, Campagne

    for annee, (produits, charges) in resultats.items():
        campagne, _ = Campagne.objects.get_or_create(
            annee=annee,
            defaults={
                "date_limite_proposition": D(annee - 1, 10, 31),
                "date_limite_demande_subvention": D(annee - 1, 10, 31),
                "date_limite_comptes": D(annee + 1, 4, 30),
                "date_limite_rapport_financier": D(annee + 1, 4, 30),
            },
        )
        Budget.objects.create(
            campagne=campagne,
            structure=structure,
            annee=annee,
            produits_reels=Decimal(produits),
            charges_reelles=Decimal(charges),
            **autres,
        )
