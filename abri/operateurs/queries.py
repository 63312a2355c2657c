"""Reads of operators, scoped to the user's perimeter."""

from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from abri.communs.texte import normaliser_recherche
from abri.comptes.models import Utilisateur
from abri.operateurs.models import Operateur
from abri.structures.models import EvenementCapacite, Structure


def operateurs_visibles(user: Utilisateur) -> QuerySet[Operateur]:
    return Operateur.objects.for_user(user)


def operateurs_listes(user: Utilisateur, recherche: str = "") -> QuerySet[Operateur]:
    """Operators with their structures and places inside the user's perimeter."""
    import datetime

    structures = Structure.objects.for_user(user).filter(operateur=OuterRef("pk"))
    places = (
        EvenementCapacite.objects.filter(
            structure__in=Structure.objects.for_user(user),
            structure__operateur=OuterRef("pk"),
            date_effet__lte=datetime.date.today(),
        )
        .order_by()
        .values("structure__operateur")
        .annotate(total=Sum("places_autorisees"))
        .values("total")
    )
    nombre = (
        structures.order_by().values("operateur").annotate(n=Count("id")).values("n")
    )
    qs = operateurs_visibles(user).select_related("groupe")
    chiffres = recherche.replace(" ", "")
    if chiffres.isascii() and chiffres.isdigit() and len(chiffres) >= 9:
        # A SIREN or SIRET: the head office and every establishment of the company.
        qs = qs.filter(siret__startswith=chiffres)
    else:
        for mot in normaliser_recherche(recherche).split()[:10]:
            qs = qs.filter(nom_recherche__contains=mot)
    return qs.annotate(
        nombre_structures=Coalesce(Subquery(nombre), 0),
        places=Coalesce(Subquery(places), 0),
    ).order_by("nom", "id")


def operateur_visible(user: Utilisateur, pk: int) -> Operateur:
    return (
        operateurs_visibles(user).select_related("groupe", "commune_siege").get(pk=pk)
    )
