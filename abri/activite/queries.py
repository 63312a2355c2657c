"""Reads of the monthly occupancy, always scoped to what the user may see.

Sums are computed by the database, grouped by month, territory, type or operator;
rates are recomputed from the sums (:mod:`abri.activite.regles`), never averaged.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Max, QuerySet, Sum, Value
from django.db.models.functions import Greatest

from abri.activite import regles
from abri.activite.models import (
    ActiviteMensuelle,
    ImportActivite,
    LigneEnAttente,
    Source,
)
from abri.activite.regles import Places, Seuils
from abri.comptes.droits import peut_declarer_activite
from abri.comptes.models import Utilisateur
from abri.structures.models import CodeDna, EvenementCapacite, Structure

MOIS_HISTORIQUE = 24

AXES = {
    "region": (
        "structure__departement__region_id",
        "structure__departement__region__nom",
    ),
    "departement": ("structure__departement_id", "structure__departement__nom"),
    "type": ("structure__type", "structure__type"),
    "operateur": ("structure__operateur_id", "structure__operateur__nom"),
}
ORDRES_AXES = {"departement": ("structure__departement__rang",)}
LIBELLES_AXES = {
    "region": "Région",
    "departement": "Département",
    "type": "Type de structure",
    "operateur": "Opérateur",
}


def seuils() -> Seuils:
    return Seuils(
        indisponibilite=Decimal(settings.ABRI_ACTIVITE_SEUIL_INDISPONIBILITE),
        bpi=Decimal(settings.ABRI_ACTIVITE_SEUIL_BPI),
        deboutes=Decimal(settings.ABRI_ACTIVITE_SEUIL_DEBOUTES),
        presences_indues=Decimal(settings.ABRI_ACTIVITE_SEUIL_PRESENCES_INDUES),
    )


SOMMES = {
    # first, so that its F() name the columns and not the sums below: occupied
    # places beyond the available ones, structure by structure, so that an
    # over-occupied structure does not hide the free places of the others
    "excedent": Sum(
        Greatest(
            F("places_occupees") - F("capacite") + F("places_indisponibles"),
            Value(0),
        )
    ),
    "capacite": Sum("capacite"),
    "indisponibles": Sum("places_indisponibles"),
    "occupees": Sum("places_occupees"),
    "bpi": Sum("presences_indues_bpi"),
    "deboutes": Sum("presences_indues_deboutes"),
    "structures": Count("structure_id"),
}


def _places(ligne: Mapping[str, Any]) -> Places:
    return Places(**{cle: ligne[cle] or 0 for cle in SOMMES})


def activites_visibles(user: Utilisateur) -> QuerySet[ActiviteMensuelle]:
    return ActiviteMensuelle.objects.for_user(user)


def dernier_mois(user: Utilisateur) -> datetime.date | None:
    """The latest month with figures in the perimeter."""
    return activites_visibles(user).aggregate(m=Max("mois"))["m"]


def historique(
    user: Utilisateur, fin: datetime.date, nombre: int = MOIS_HISTORIQUE
) -> list[tuple[datetime.date, Places]]:
    """Sums of the perimeter for each of the ``nombre`` months ending with ``fin``
    (a month without figures is absent)."""
    mois = regles.mois_recents(fin, nombre)
    lignes = (
        activites_visibles(user)
        .filter(mois__gte=mois[0], mois__lte=mois[-1])
        .order_by()
        .values("mois")
        .annotate(**SOMMES)
        .order_by("mois")
    )
    return [(ligne["mois"], _places(ligne)) for ligne in lignes]


@dataclass(frozen=True)
class LigneAxe:
    cle: Any
    libelle: str
    autorisees: int
    places: Places


def places_autorisees_par(
    structures: QuerySet[Structure], champ: str, date: datetime.date
) -> dict[Any, int]:
    """Authorised places of the park on ``date``, grouped by a field of the
    structure (``departement_id``, ``type``…)."""
    lignes = (
        EvenementCapacite.objects.filter(structure__in=structures, date_effet__lte=date)
        .order_by()
        .values(f"structure__{champ}")
        .annotate(total=Sum("places_autorisees"))
    )
    return {ligne[f"structure__{champ}"]: ligne["total"] or 0 for ligne in lignes}


def par_axe(user: Utilisateur, mois: datetime.date, axe: str) -> list[LigneAxe]:
    """The month's sums by région, département, type or operator, with the park's
    authorised places at the end of the month."""
    cle, libelle = AXES[axe]
    lignes = (
        activites_visibles(user)
        .filter(mois=mois)
        .order_by()
        .values(cle, libelle, *ORDRES_AXES.get(axe, ()))
        .annotate(**SOMMES)
        .order_by(*ORDRES_AXES.get(axe, ()), libelle, cle)
    )
    autorisees = places_autorisees_par(
        Structure.objects.for_user(user).filter(activites__mois=mois),
        cle.removeprefix("structure__"),
        regles.dernier_jour(mois),
    )
    return [
        LigneAxe(
            ligne[cle],
            ligne[libelle],
            autorisees.get(ligne[cle], 0),
            _places(ligne),
        )
        for ligne in lignes
    ]


@dataclass(frozen=True)
class LigneStructure:
    structure_id: int
    nom: str
    type: str
    departement: str
    operateur: str
    source: str
    places: Places
    depassements: list[tuple[str, Decimal]]

    @property
    def cles_depassees(self) -> set[str]:
        return {cle for cle, _ in self.depassements}


def structures_du_mois(
    user: Utilisateur, mois: datetime.date
) -> Iterable[LigneStructure]:
    """Every structure of the perimeter with figures for ``mois``, with the
    thresholds it crosses."""
    limites = seuils()
    lignes = (
        activites_visibles(user)
        .filter(mois=mois)
        .values(
            "structure_id",
            "structure__nom",
            "structure__type",
            "structure__departement_id",
            "structure__operateur__nom",
            "source",
            "capacite",
            "places_indisponibles",
            "places_occupees",
            "presences_indues_bpi",
            "presences_indues_deboutes",
        )
        .order_by("structure__departement__rang", "structure__nom", "structure_id")
    )
    for ligne in lignes.iterator(chunk_size=2000):
        places = Places(
            ligne["capacite"],
            ligne["places_indisponibles"],
            ligne["places_occupees"],
            ligne["presences_indues_bpi"],
            ligne["presences_indues_deboutes"],
        )
        yield LigneStructure(
            ligne["structure_id"],
            ligne["structure__nom"],
            ligne["structure__type"],
            ligne["structure__departement_id"],
            ligne["structure__operateur__nom"],
            Source(ligne["source"]).label,
            places,
            regles.seuils_depasses(places, limites),
        )


def sources_du_mois(user: Utilisateur, mois: datetime.date) -> list[tuple[str, int]]:
    """How many structures' figures of ``mois`` come from the file, and how many
    from their operator's declaration."""
    nombres = dict(
        activites_visibles(user)
        .filter(mois=mois)
        .order_by()
        .values("source")
        .annotate(n=Count("pk"))
        .values_list("source", "n")
    )
    return [(s.label, nombres[s.value]) for s in Source if nombres.get(s.value)]


def structures_au_dessus_des_seuils(
    user: Utilisateur, mois: datetime.date
) -> list[LigneStructure]:
    return [ligne for ligne in structures_du_mois(user, mois) if ligne.depassements]


def total(lignes: Iterable[LigneAxe]) -> tuple[int, Places]:
    lignes = list(lignes)
    return sum(ligne.autorisees for ligne in lignes), regles.agreger(
        ligne.places for ligne in lignes
    )


# For other parts of the application ------------------------------------------------


@dataclass(frozen=True)
class ActiviteStructure:
    """The latest month of one structure."""

    mois: datetime.date
    source: str
    capacite: int
    disponibles: int
    occupees: int
    vacantes: int
    taux_occupation: Decimal | None
    taux_bpi: Decimal | None
    taux_deboutes: Decimal | None
    taux_presences_indues: Decimal | None


def _activite_structure(activite: ActiviteMensuelle) -> ActiviteStructure:
    places = activite.places
    return ActiviteStructure(
        mois=activite.mois,
        source=activite.source,
        capacite=places.capacite,
        disponibles=places.disponibles,
        occupees=places.occupees,
        vacantes=places.vacantes,
        taux_occupation=places.taux_occupation,
        taux_bpi=places.taux_bpi,
        taux_deboutes=places.taux_deboutes,
        taux_presences_indues=places.taux_presences_indues,
    )


def derniere_activite(structure: Structure) -> ActiviteStructure | None:
    """The latest month of the structure, whatever its age (callers read ``mois``)."""
    activite = (
        ActiviteMensuelle.objects.filter(structure=structure).order_by("-mois").first()
    )
    return _activite_structure(activite) if activite else None


def taux_occupation_moyen(
    structures_ids: Iterable[int], mois: datetime.date
) -> Decimal | None:
    """Occupancy rate of these structures together for ``mois``, from the sums of
    their places (``None`` without figures)."""
    ligne = (
        ActiviteMensuelle.objects.filter(
            structure_id__in=list(structures_ids), mois=regles.premier_du_mois(mois)
        )
        .order_by()
        .aggregate(**SOMMES)
    )
    return _places(ligne).taux_occupation if ligne["structures"] else None


def chiffres_accueil(
    user: Utilisateur, date: datetime.date | None = None
) -> dict[str, Any] | None:
    """Free places and occupancy rate of the perimeter's latest month (the latest
    one up to ``date`` when given)."""
    activites = activites_visibles(user)
    if date is not None:
        activites = activites.filter(mois__lte=date)
    mois = activites.aggregate(m=Max("mois"))["m"]
    if mois is None:
        return None
    ligne = activites_visibles(user).filter(mois=mois).order_by().aggregate(**SOMMES)
    return {
        "mois": mois,
        "libelle_mois": regles.libelle_mois(mois),
        "places": _places(ligne),
    }


def imports_recents(user: Utilisateur, nombre: int = 10) -> list[ImportActivite]:
    """The latest imports: all of them for a national user, the user's own
    otherwise (an import says nothing of the structures it touched)."""
    qs = ImportActivite.objects.select_related("auteur").exclude(auteur=None)
    if not user.perimetre.est_national:
        qs = qs.filter(auteur=user)
    return list(qs[:nombre])


def codes_connus_depuis(user: Utilisateur, codes: set[str]) -> dict[str, Structure]:
    """Pending codes that a structure of the perimeter has taken since (its DNA
    codes were edited, or the park imported): code → structure."""
    return {
        code.code: code.structure
        for code in CodeDna.objects.filter(
            code__in=codes, structure__in=Structure.objects.for_user(user)
        ).select_related("structure")
    }


def lignes_en_attente(user: Utilisateur) -> QuerySet[LigneEnAttente]:
    return LigneEnAttente.objects.for_user(user).select_related(
        "departement", "operateur", "import_activite"
    )


def bloc_fiche_structure(structure: Structure, user: Utilisateur) -> dict[str, Any]:
    """What the structure sheet shows of its activity, in a constant number of
    queries: its last 24 months, its latest rates against the thresholds and
    against its département's rates that month."""
    from abri.ui.svg.graphiques import graphique_courbes_mensuelles

    activites = list(
        ActiviteMensuelle.objects.filter(structure=structure)
        .select_related("declare_par")
        .order_by("-mois")[:MOIS_HISTORIQUE]
    )
    activites.reverse()
    if not activites:
        return {
            "activites": [],
            "peut_declarer": peut_declarer_activite(user),
            "structure": structure,
        }
    derniere = activites[-1]
    ligne = (
        ActiviteMensuelle.objects.filter(
            structure__departement_id=structure.departement_id, mois=derniere.mois
        )
        .order_by()
        .aggregate(**SOMMES)
    )
    departement = _places(ligne)
    limites = seuils()
    places = derniere.places
    comparaison = [
        (
            "Taux d'occupation",
            places.taux_occupation,
            None,
            departement.taux_occupation,
        ),
        (
            "Places indisponibles",
            places.taux_indisponibilite,
            limites.indisponibilite,
            departement.taux_indisponibilite,
        ),
        (
            "Réfugiés (BPI) en présence indue",
            places.taux_bpi,
            limites.bpi,
            departement.taux_bpi,
        ),
        (
            "Déboutés en présence indue",
            places.taux_deboutes,
            limites.deboutes,
            departement.taux_deboutes,
        ),
        (
            "Présences indues (total)",
            places.taux_presences_indues,
            limites.presences_indues,
            departement.taux_presences_indues,
        ),
    ]
    return {
        "structure": structure,
        "activites": activites,
        "derniere": derniere,
        "comparaison": [
            {
                "libelle": libelle,
                "taux": taux,
                "seuil": seuil,
                "departement": moyenne,
                "depasse": seuil is not None and taux is not None and taux > seuil,
            }
            for libelle, taux, seuil, moyenne in comparaison
        ],
        "graphique": graphique_courbes_mensuelles(
            [a.mois for a in activites],
            {
                "Places disponibles": [a.places.disponibles for a in activites],
                "Places occupées": [a.places.occupees for a in activites],
            },
            titre="Places disponibles et occupées, mois par mois",
            unite="places",
        ),
        "peut_declarer": peut_declarer_activite(user),
    }
