"""Acts of the demonstration park: authorisations of CADA and CPH with their
evaluations, a chain of conventions for every structure, and CPOM for operators
that run several structures in one département.

Deterministic for a given seed; bulk written; adds nothing when acts exist. The
park is made so that deadlines show on the home page: a share of conventions has
expired without a successor (urgent), a share ends within the renewal window
(important), a few authorisations were never followed by an opening.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction

from abri.conventions import regles
from abri.conventions.models import (
    Acte,
    AdhesionCpom,
    Cpom,
    EchelleCpom,
    Etat,
    Evaluation,
    NatureActe,
    NatureEvaluation,
)
from abri.structures.models import TYPES_AUTORISES, Structure

PART_ECHUES = 0.06  # current convention expired, no successor
PART_A_RENOUVELER = 0.12  # current convention ends within the window
PART_EN_NEGOCIATION = 0.3  # of those close to their end: successor sent already
PART_EVALUEES = 0.9  # of the periods begun, evaluated in time
DOTATION_PAR_PLACE = {
    "CADA": 7300,
    "CPH": 9100,
    "HUDA": 6200,
    "CAES": 9800,
    "PRAHDA": 6000,
}
ANNEES_CONVENTION = {"CADA": 5, "CPH": 5, "HUDA": 3, "CAES": 3, "PRAHDA": 5}


@dataclass
class Bilan:
    autorisations: int = 0
    conventions: int = 0
    evaluations: int = 0
    cpom: int = 0
    adhesions: int = 0


def _places(structure: Structure) -> int:
    return getattr(structure, "places_autorisees_au", 0) or 0


def generer_actes(
    aujourdhui: datetime.date | None = None, graine: int = 2026
) -> Bilan | None:
    """Generate the acts of the park; ``None`` when acts already exist."""
    aujourdhui = aujourdhui or datetime.date.today()
    if Acte.objects.exists() or Cpom.objects.exists():
        return None
    rng = random.Random(graine)  # noqa: S311 - fictitious data, not secrets
    bilan = Bilan()
    structures = list(
        Structure.objects.avec_capacite(aujourdhui)
        .select_related("operateur")
        .order_by("id")
    )
    autorisees = [s for s in structures if s.type in TYPES_AUTORISES]
    jamais_ouvertes = {s.pk for s in autorisees if rng.random() < 0.02}
    with transaction.atomic():
        bilan.conventions, debuts = _conventions(
            rng, [s for s in structures if s.pk not in jamais_ouvertes], aujourdhui
        )
        autorisations, evaluations = _autorisations(
            rng, autorisees, debuts, jamais_ouvertes, aujourdhui
        )
        Acte.objects.bulk_create(autorisations, batch_size=1000)
        Evaluation.objects.bulk_create(evaluations, batch_size=1000)
        bilan.autorisations, bilan.evaluations = len(autorisations), len(evaluations)
        bilan.cpom, bilan.adhesions = _cpom(rng, structures, aujourdhui)
    return bilan


def _autorisations(
    rng: random.Random,
    structures: list[Structure],
    debuts: dict[int, datetime.date],
    jamais_ouvertes: set[int],
    aujourdhui: datetime.date,
) -> tuple[list[Acte], list[Evaluation]]:
    """An authorisation from the first convention of each CADA and CPH (15 years),
    with its external evaluations mostly made in time; a few authorisations were
    never followed by an opening."""
    actes, evaluations = [], []
    for structure in structures:
        if structure.pk in jamais_ouvertes:
            debut = datetime.date(rng.randint(2020, 2024), rng.choice([1, 4, 7, 9]), 1)
        else:
            debut = debuts[structure.pk]
        fin = regles.fin_pour_duree(debut, relativedelta(years=15))
        actes.append(
            Acte(
                structure=structure,
                nature=NatureActe.AUTORISATION,
                reference=f"ARR-{structure.departement_id}-{debut:%Y}-{structure.pk}",
                date_debut=debut,
                date_fin=fin,
                date_signature_etat=debut - datetime.timedelta(days=30),
                date_ouverture=None if structure.pk in jamais_ouvertes else debut,
                etat=Etat.SIGNEE,
                places=_places(structure) or None,
            )
        )
        periodes = regles.periodes_evaluation(
            debut, fin, relativedelta(years=7), relativedelta(years=2)
        )
        for periode in periodes:
            if periode.debut >= aujourdhui or rng.random() > PART_EVALUEES:
                continue
            jours = (min(periode.fin, aujourdhui) - periode.debut).days
            date = periode.debut + datetime.timedelta(
                days=rng.randint(jours // 2, jours)
            )
            if date < aujourdhui:
                evaluations.append(
                    Evaluation(
                        structure=structure, date=date, nature=NatureEvaluation.EXTERNE
                    )
                )
    return actes, evaluations


def _conventions(
    rng: random.Random, structures: list[Structure], aujourdhui: datetime.date
) -> tuple[int, dict[int, datetime.date]]:
    """For each structure, a chain of two or three conventions whose last one is in
    force, expired, or close to its end; the earlier ones renewed."""
    fenetre = relativedelta(months=6)
    chaines: list[list[Acte]] = []
    debuts: dict[int, datetime.date] = {}
    for structure in structures:
        annees = ANNEES_CONVENTION.get(structure.type, 5)
        duree = relativedelta(years=annees)
        tirage = rng.random()
        if tirage < PART_ECHUES:
            fin_courante = aujourdhui - relativedelta(days=rng.randint(10, 300))
        elif tirage < PART_ECHUES + PART_A_RENOUVELER:
            fin_courante = aujourdhui + relativedelta(days=rng.randint(5, 175))
        else:
            fin_courante = (
                aujourdhui
                + fenetre
                + relativedelta(days=rng.randint(10, 365 * annees - 200))
            )
        # A convention ends on the last day of a month, as most do.
        fin_courante = fin_courante + relativedelta(day=31)
        debut_courante = fin_courante + regles.UN_JOUR - duree
        places = _places(structure)
        dotation = Decimal(places * DOTATION_PAR_PLACE.get(structure.type, 7000))
        chaine = []
        for rang in range(rng.choice([2, 2, 3]) - 1, -1, -1):
            debut = debut_courante - duree * rang
            fin = regles.fin_pour_duree(debut, duree)
            chaine.append(
                Acte(
                    structure=structure,
                    nature=NatureActe.CONVENTION,
                    reference=f"CONV-{structure.departement_id}-{debut:%Y}-"
                    f"{structure.pk}",
                    date_debut=debut,
                    date_fin=fin,
                    date_envoi=debut - relativedelta(months=3),
                    date_signature_operateur=debut - relativedelta(months=2),
                    date_signature_etat=debut - relativedelta(months=1),
                    etat=Etat.SIGNEE if rang == 0 else Etat.RENOUVELEE,
                    places=places or None,
                    dotation=dotation or None,
                )
            )
        if fin_courante < aujourdhui + fenetre and rng.random() < PART_EN_NEGOCIATION:
            # Negotiation started: the successor is a draft sent to the operator.
            debut = fin_courante + regles.UN_JOUR
            suivant = Acte(
                structure=structure,
                nature=NatureActe.CONVENTION,
                date_debut=debut,
                date_fin=regles.fin_pour_duree(debut, duree),
                etat=Etat.ENVOYEE,
                date_envoi=aujourdhui - relativedelta(days=rng.randint(1, 30)),
                places=places or None,
                dotation=dotation or None,
            )
            chaine[-1].etat = Etat.RENOUVELEE
            chaine.append(suivant)
        chaines.append(chaine)
        debuts[structure.pk] = chaine[0].date_debut
    # Successors first, so that each predecessor can point to its successor.
    total = 0
    profondeur = max(len(c) for c in chaines) if chaines else 0
    for rang in range(profondeur - 1, -1, -1):
        lot = [c[rang] for c in chaines if len(c) > rang]
        for chaine in chaines:
            if len(chaine) > rang + 1:
                chaine[rang].successeur = chaine[rang + 1]
        Acte.objects.bulk_create(lot, batch_size=1000)
        total += len(lot)
    return total, debuts


def _cpom(
    rng: random.Random, structures: list[Structure], aujourdhui: datetime.date
) -> tuple[int, int]:
    groupes: dict[tuple[int, str], list[Structure]] = defaultdict(list)
    for structure in structures:
        groupes[(structure.operateur_id, structure.departement_id)].append(structure)
    candidats = [g for g in groupes.values() if len(g) >= 3]
    rng.shuffle(candidats)
    cpoms, adhesions = [], []
    for rang, membres in enumerate(candidats[: max(1, len(candidats) // 4)]):
        debut = datetime.date(aujourdhui.year - rng.randint(0, 4), 1, 1)
        if rang % 5 == 0:
            # Some CPOM end within the renewal window.
            debut = datetime.date(aujourdhui.year - 4, 1, 1) + relativedelta(
                months=rng.randint(0, 5)
            )
        fin = regles.fin_pour_duree(debut, relativedelta(years=5))
        operateur = membres[0].operateur
        cpom = Cpom(
            operateur=operateur,
            echelle=EchelleCpom.DEPARTEMENTALE,
            intitule=f"{operateur.nom} — {membres[0].departement_id} "
            f"{debut:%Y}-{fin:%Y}",
            reference=f"CPOM-{membres[0].departement_id}-{debut:%Y}-{rang + 1}",
            date_debut=debut,
            date_fin=fin,
            date_envoi=debut - relativedelta(months=3),
            date_signature_operateur=debut - relativedelta(months=2),
            date_signature_etat=debut - relativedelta(months=1),
            etat=Etat.SIGNEE,
        )
        cpoms.append((cpom, membres))
    Cpom.objects.bulk_create([c for c, _ in cpoms])
    liens = []
    for cpom, membres in cpoms:
        liens.append(
            Cpom.departements.through(
                cpom_id=cpom.pk, departement_id=membres[0].departement_id
            )
        )
        for structure in membres:
            adhesions.append(
                AdhesionCpom(
                    cpom=cpom, structure=structure, date_entree=cpom.date_debut
                )
            )
    Cpom.departements.through.objects.bulk_create(liens)
    AdhesionCpom.objects.bulk_create(adhesions, batch_size=1000)
    return len(cpoms), len(adhesions)
