"""The data-quality engine.

A rule has a code, a category, the types of structure it applies to, and a plain
function that returns its findings for one structure. Each app declares its rules in
a ``qualite`` module (discovered at start-up); results are stored in
:class:`~abri.pilotage.models.Anomalie` by
:func:`abri.pilotage.services.recalculer_anomalies`.

The context of a structure holds the park's own facts; an app whose rules need its
own data (acts, budgets, occupancy) declares a *collector* in the same ``qualite``
module: a function that loads that data for a batch of structures in a constant
number of queries, whose result the rules read in ``contexte.donnees[name]``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from abri.structures.models import Structure, TypeStructure
from abri.structures.regles import Capacite

TOUS_LES_TYPES = frozenset(TypeStructure.values)


@dataclass(frozen=True)
class Constat:
    message: str
    cle: str = ""


@dataclass(frozen=True)
class ContexteStructure:
    """What a rule may read about one structure, gathered in bulk beforehand."""

    structure_id: int
    type: str
    departement_code: str
    finess: str
    capacite: Capacite
    places_adresses: int
    nombre_adresses: int
    codes_dna: tuple[str, ...] = field(default_factory=tuple)
    date: datetime.date = field(default_factory=datetime.date.today)
    donnees: Mapping[str, Any] = field(default_factory=dict)
    """What each collector loaded for this structure, by collector name (absent when
    the collector found nothing for it)."""


FonctionRegle = Callable[[ContexteStructure], Iterable[Constat]]


@dataclass(frozen=True)
class Regle:
    code: str
    libelle: str
    categorie: str
    types: frozenset[str]
    fonction: FonctionRegle

    def constats(self, contexte: ContexteStructure) -> list[Constat]:
        if contexte.type not in self.types:
            return []
        return list(self.fonction(contexte))


REGLES: dict[str, Regle] = {}

FonctionCollecteur = Callable[[list[int], datetime.date], Mapping[int, Any]]
COLLECTEURS: dict[str, FonctionCollecteur] = {}


def collecteur(nom: str) -> Callable[[FonctionCollecteur], FonctionCollecteur]:
    """Declare a bulk loader: given structure ids and the date of the computation, it
    returns ``{structure_id: data}`` in a number of queries that does not depend on the
    number of ids."""

    def enregistrer(fonction: FonctionCollecteur) -> FonctionCollecteur:
        if nom in COLLECTEURS and COLLECTEURS[nom] is not fonction:
            raise ValueError(f"Collecteur {nom} déclaré deux fois.")
        COLLECTEURS[nom] = fonction
        return fonction

    return enregistrer


def regle(
    code: str, libelle: str, categorie: str, types: Iterable[str] = TOUS_LES_TYPES
) -> Callable[[FonctionRegle], FonctionRegle]:
    def enregistrer(fonction: FonctionRegle) -> FonctionRegle:
        if code in REGLES and REGLES[code].fonction is not fonction:
            raise ValueError(f"Règle {code} déclarée deux fois.")
        REGLES[code] = Regle(code, libelle, categorie, frozenset(types), fonction)
        return fonction

    return enregistrer


def contextes(
    structures: Iterable[Structure] | None = None,
    date: datetime.date | None = None,
    taille_lot: int = 2000,
) -> Iterator[ContexteStructure]:
    """Contexts of the given structures (all by default), a constant number of queries
    per batch of ``taille_lot`` structures."""
    from django.db.models import Count, Sum

    from abri.structures.models import AdresseHebergement, CodeDna

    date = date or datetime.date.today()
    if structures is None:
        ids = list(Structure.objects.order_by("id").values_list("id", flat=True))
    else:
        ids = sorted(s.pk for s in structures)
    for debut in range(0, len(ids), taille_lot):
        lot = ids[debut : debut + taille_lot]
        lignes = (
            Structure.objects.filter(id__in=lot)
            .avec_capacite(date)
            .values(  # type: ignore[misc]  # annotated by avec_capacite
                "id",
                "type",
                "departement_id",
                "finess",
                "places_autorisees_au",
                "places_pmr_au",
                "places_lgbt_au",
                "places_fvv_teh_au",
            )
        )
        adresses = {
            a["structure_id"]: a
            for a in AdresseHebergement.objects.filter(structure_id__in=lot)
            .values("structure_id")
            .annotate(places=Sum("places_autorisees"), nombre=Count("id"))
        }
        codes: dict[int, list[str]] = {}
        for structure_id, code in (
            CodeDna.objects.filter(structure_id__in=lot)
            .order_by("code")
            .values_list("structure_id", "code")
        ):
            codes.setdefault(structure_id, []).append(code)
        collectes = {nom: fonction(lot, date) for nom, fonction in COLLECTEURS.items()}
        for ligne in lignes:
            adresse = adresses.get(ligne["id"], {"places": 0, "nombre": 0})
            yield ContexteStructure(
                structure_id=ligne["id"],
                type=ligne["type"],
                departement_code=ligne["departement_id"],
                finess=ligne["finess"],
                capacite=Capacite(
                    ligne["places_autorisees_au"],
                    ligne["places_pmr_au"],
                    ligne["places_lgbt_au"],
                    ligne["places_fvv_teh_au"],
                ),
                places_adresses=adresse["places"] or 0,
                nombre_adresses=adresse["nombre"],
                codes_dna=tuple(codes.get(ligne["id"], [])),
                date=date,
                donnees={
                    nom: donnees[ligne["id"]]
                    for nom, donnees in collectes.items()
                    if ligne["id"] in donnees
                },
            )
