"""Data-quality rules on the acts of structures.

Acts taken over from the past are imported as they are, so their dates are checked
here, as findings an agent can list and justify, and not only by the forms. The
collector loads the acts, signed avenants and CPOM memberships of a batch of
structures in three queries.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.conf import settings

from abri.conventions import regles
from abri.conventions.models import (
    ETATS_SIGNES,
    Acte,
    AdhesionCpom,
    Etat,
    NatureActe,
)
from abri.pilotage.regles_qualite import Constat, ContexteStructure, collecteur, regle
from abri.structures.models import TYPES_AUTORISES

CATEGORIE = "Actes administratifs"
NOM = "conventions"


@dataclass(frozen=True)
class ActeLu:
    id: int
    nature: str
    etat: str
    libelle: str
    date_debut: datetime.date
    date_fin: datetime.date | None
    date_fin_effective: datetime.date | None
    successeur_id: int | None
    date_ouverture: datetime.date | None


@dataclass(frozen=True)
class AdhesionLue:
    cpom_id: int
    intitule: str
    date_entree: datetime.date
    date_sortie: datetime.date | None


@dataclass
class DonneesActes:
    actes: list[ActeLu] = field(default_factory=list)
    adhesions: list[AdhesionLue] = field(default_factory=list)

    def de_nature(self, nature: str, signes: bool = True) -> list[ActeLu]:
        return [
            a
            for a in self.actes
            if a.nature == nature and (not signes or a.etat in ETATS_SIGNES)
        ]


@collecteur(NOM)
def collecter_actes(ids: list[int], date: datetime.date) -> dict[int, DonneesActes]:
    donnees: dict[int, DonneesActes] = defaultdict(DonneesActes)
    avenants: dict[int, list[tuple[datetime.date, datetime.date | None]]] = defaultdict(
        list
    )
    for parent_id, debut, nouvelle_fin in Acte.objects.filter(
        parent__structure_id__in=ids,
        nature=NatureActe.AVENANT,
        etat__in=ETATS_SIGNES,
        nouvelle_date_fin__isnull=False,
    ).values_list("parent_id", "date_debut", "nouvelle_date_fin"):
        avenants[parent_id].append((debut, nouvelle_fin))
    for acte in (
        Acte.objects.filter(structure_id__in=ids)
        .exclude(nature=NatureActe.AVENANT)
        .order_by("date_debut", "id")
    ):
        assert acte.structure_id is not None
        donnees[acte.structure_id].actes.append(
            ActeLu(
                id=acte.pk,
                nature=acte.nature,
                etat=acte.etat,
                libelle=str(acte),
                date_debut=acte.date_debut,
                date_fin=acte.date_fin,
                date_fin_effective=regles.fin_effective(
                    acte.date_fin, avenants.get(acte.pk, [])
                ),
                successeur_id=acte.successeur_id,
                date_ouverture=acte.date_ouverture,
            )
        )
    for adhesion in (
        AdhesionCpom.objects.filter(structure_id__in=ids)
        .select_related("cpom")
        .order_by("date_entree", "id")
    ):
        donnees[adhesion.structure_id].adhesions.append(
            AdhesionLue(
                adhesion.cpom_id,
                adhesion.cpom.intitule,
                adhesion.date_entree,
                adhesion.date_sortie,
            )
        )
    return donnees


def _donnees(contexte: ContexteStructure) -> DonneesActes:
    return contexte.donnees.get(NOM) or DonneesActes()


def _periode(acte: ActeLu) -> str:
    fin = acte.date_fin_effective
    return (
        f"du {acte.date_debut:%d/%m/%Y} au {fin:%d/%m/%Y}"
        if fin
        else (f"à partir du {acte.date_debut:%d/%m/%Y}")
    )


@regle("ACTE-01", "Acte dont la fin précède le début", CATEGORIE)
def debut_apres_fin(contexte: ContexteStructure) -> Iterator[Constat]:
    for acte in _donnees(contexte).actes:
        if acte.date_fin is not None and acte.date_fin < acte.date_debut:
            yield Constat(
                f"{acte.libelle} : fin le {acte.date_fin:%d/%m/%Y}, avant son début "
                f"le {acte.date_debut:%d/%m/%Y}.",
                cle=str(acte.id),
            )


@regle("ACTE-02", "Acte plus long que la durée maximale de sa nature", CATEGORIE)
def duree_excessive(contexte: ContexteStructure) -> Iterator[Constat]:
    durees = regles.DureesMaximales()
    for acte in _donnees(contexte).actes:
        fin = acte.date_fin_effective
        maximum = regles.duree_maximale(acte.nature, contexte.type, durees)
        if maximum is None or fin is None or fin < acte.date_debut:
            continue
        if regles.depasse_duree(acte.date_debut, fin, maximum):
            yield Constat(
                f"{acte.libelle} ({_periode(acte)}) dure "
                f"{regles.duree_lisible(acte.date_debut, fin)}, au plus "
                f"{maximum.years} an{'s' if maximum.years > 1 else ''} pour un "
                f"{contexte.type}.",
                cle=str(acte.id),
            )


@regle(
    "ACTE-03",
    "Convention hors de toute période d'autorisation",
    CATEGORIE,
    types=TYPES_AUTORISES,
)
def convention_hors_autorisation(contexte: ContexteStructure) -> Iterator[Constat]:
    donnees = _donnees(contexte)
    autorisations = donnees.de_nature(NatureActe.AUTORISATION)
    for convention in donnees.de_nature(NatureActe.CONVENTION):
        fin = convention.date_fin_effective or convention.date_debut
        couverte = any(
            a.date_debut <= convention.date_debut
            and (a.date_fin_effective is None or fin <= a.date_fin_effective)
            for a in autorisations
        )
        if not couverte:
            yield Constat(
                f"{convention.libelle} ({_periode(convention)}) ne tient dans aucune "
                "période d'autorisation de la structure.",
                cle=str(convention.id),
            )


@regle("ACTE-04", "Structure dans deux CPOM à la même date", CATEGORIE)
def deux_cpom(contexte: ContexteStructure) -> Iterator[Constat]:
    adhesions = _donnees(contexte).adhesions
    for rang, une in enumerate(adhesions):
        for autre in adhesions[rang + 1 :]:
            if une.cpom_id != autre.cpom_id and regles.chevauchent(
                une.date_entree, une.date_sortie, autre.date_entree, autre.date_sortie
            ):
                depuis = max(une.date_entree, autre.date_entree)
                yield Constat(
                    f"Dans les CPOM « {une.intitule} » et « {autre.intitule} » à "
                    f"la fois à partir du {depuis:%d/%m/%Y}.",
                    cle=f"{une.cpom_id}-{autre.cpom_id}",
                )


@regle("ACTE-05", "Convention échue sans convention suivante", CATEGORIE)
def convention_echue_sans_suite(contexte: ContexteStructure) -> Iterator[Constat]:
    conventions = _donnees(contexte).de_nature(NatureActe.CONVENTION)
    if not conventions:
        return
    derniere = max(conventions, key=lambda a: (a.date_debut, a.id))
    fin = derniere.date_fin_effective
    if (
        fin is not None
        and fin < contexte.date
        and derniere.successeur_id is None
        and derniere.etat != Etat.DENONCEE
    ):
        yield Constat(
            f"{derniere.libelle} a pris fin le {fin:%d/%m/%Y} et n'a pas de "
            "convention suivante.",
            cle=str(derniere.id),
        )


@regle(
    "ACTE-06",
    "Autorisation caduque (structure non ouverte dans le délai)",
    CATEGORIE,
    types=TYPES_AUTORISES,
)
def autorisation_caduque(contexte: ContexteStructure) -> Iterator[Constat]:
    delai = relativedelta(years=settings.ABRI_DELAI_CADUCITE_ANNEES)
    for autorisation in _donnees(contexte).de_nature(NatureActe.AUTORISATION):
        if regles.est_caduque(
            autorisation.date_debut, autorisation.date_ouverture, contexte.date, delai
        ):
            limite = regles.date_caducite(autorisation.date_debut, delai)
            yield Constat(
                f"{autorisation.libelle} du {autorisation.date_debut:%d/%m/%Y} : "
                f"structure non ouverte avant le {limite:%d/%m/%Y}.",
                cle=str(autorisation.id),
            )


@regle("ACTE-07", "Conventions qui se chevauchent", CATEGORIE)
def conventions_chevauchantes(contexte: ContexteStructure) -> Iterator[Constat]:
    conventions = _donnees(contexte).de_nature(NatureActe.CONVENTION)
    for rang, une in enumerate(conventions):
        for autre in conventions[rang + 1 :]:
            if regles.chevauchent(
                une.date_debut,
                une.date_fin_effective,
                autre.date_debut,
                autre.date_fin_effective,
            ):
                yield Constat(
                    f"{une.libelle} ({_periode(une)}) et {autre.libelle} "
                    f"({_periode(autre)}) couvrent les mêmes jours.",
                    cle=f"{une.id}-{autre.id}",
                )
