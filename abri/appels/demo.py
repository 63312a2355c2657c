"""Calls for projects of the demonstration park: calls in every state, candidatures,
scores, decisions, and lots of places (some late), plus regional objectives.

Deterministic for a given seed; bulk written; adds nothing when calls exist. Dates
are set relative to today so that the "Ouverture des places" page shows delays,
late lots and nights lost whatever the day of the demonstration.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from abri.appels.models import (
    AppelAProjets,
    Candidature,
    Decision,
    EtapeAppel,
    EtatAppel,
    EtatCandidature,
    Lot,
    Note,
    ObjectifRegional,
    OuvertureLot,
)
from abri.comptes.models import ROLES_AGENTS, Utilisateur
from abri.conventions.models import Acte, Etat, NatureActe
from abri.structures.models import (
    EvenementCapacite,
    NatureEvenement,
    Public,
    Structure,
    TypeStructure,
)
from abri.territoires.models import Departement

UN_JOUR = datetime.timedelta(days=1)
CRITERES = [
    {"libelle": "Qualité du projet d'accompagnement", "poids": "3"},
    {"libelle": "Coût journalier", "poids": "2"},
    {"libelle": "Délai d'ouverture", "poids": "2"},
    {"libelle": "Implantation et bâti", "poids": "1"},
]

# State → (days from publication to today, days from closing to today).
CALENDRIERS: dict[str, tuple[int, int]] = {
    EtatAppel.BROUILLON: (-20, -80),
    EtatAppel.PUBLIE: (30, -30),
    EtatAppel.CLOS: (90, 5),
    EtatAppel.EN_INSTRUCTION: (130, 60),
    EtatAppel.ATTRIBUE: (420, 375),
    EtatAppel.ATTRIBUE_PARTIELLEMENT: (330, 260),
    EtatAppel.INFRUCTUEUX: (200, 130),
    EtatAppel.TERMINE: (640, 590),
}
SUITE = [
    EtatAppel.BROUILLON,
    EtatAppel.PUBLIE,
    EtatAppel.CLOS,
    EtatAppel.EN_INSTRUCTION,
    EtatAppel.ATTRIBUE,
    EtatAppel.ATTRIBUE_PARTIELLEMENT,
    EtatAppel.INFRUCTUEUX,
    EtatAppel.TERMINE,
]
DEPARTEMENTS_PREFERES = ["44", "69", "38", "63", "01", "42", "75", "93", "13", "33"]


@dataclass
class Bilan:
    appels: int = 0
    candidatures: int = 0
    notes: int = 0
    lots: int = 0
    ouvertures: int = 0
    objectifs: int = 0


def _departements() -> list[Departement]:
    avec_structures = set(Structure.objects.values_list("departement_id", flat=True))
    preferes = [c for c in DEPARTEMENTS_PREFERES if c in avec_structures]
    autres = sorted(avec_structures - set(preferes))
    codes = (preferes + autres)[:16]
    par_code = Departement.objects.in_bulk(codes)
    return [par_code[c] for c in codes]


def generer_appels(
    aujourdhui: datetime.date | None = None, graine: int = 2026
) -> Bilan | None:
    aujourdhui = aujourdhui or datetime.date.today()
    if AppelAProjets.objects.exists():
        return None
    rng = random.Random(graine)  # noqa: S311 - fictitious data, not secrets
    bilan = Bilan()
    instructeurs = list(
        Utilisateur.objects.filter(role__in=ROLES_AGENTS, is_active=True).order_by(
            "id"
        )[:3]
    )
    structures_par_dep: dict[str, list[Structure]] = {}
    for s in Structure.objects.select_related("operateur").order_by("id"):
        structures_par_dep.setdefault(s.departement_id, []).append(s)

    with transaction.atomic():
        appels = []
        for rang, departement in enumerate(_departements()):
            etat = SUITE[rang % len(SUITE)]
            publication, cloture = CALENDRIERS[etat]
            date_publication = aujourdhui - datetime.timedelta(days=publication)
            date_cloture = aujourdhui - datetime.timedelta(days=cloture)
            type_structure = rng.choice([TypeStructure.CADA, TypeStructure.HUDA])
            appels.append(
                AppelAProjets(
                    intitule=f"Création de places {type_structure} — "
                    f"{departement.nom} {date_publication.year}",
                    region_id=departement.region_id,
                    departement=departement,
                    type_structure=type_structure,
                    public=Public.TOUS,
                    places_recherchees=rng.choice([40, 60, 80, 100]),
                    cout_journalier_cible=Decimal(rng.choice(["19.50", "21.00"])),
                    criteres=CRITERES,
                    date_publication=date_publication,
                    date_cloture=date_cloture,
                    date_commission=date_cloture + datetime.timedelta(days=30),
                    date_decision=date_cloture + datetime.timedelta(days=45),
                    date_ouverture=date_cloture + datetime.timedelta(days=150),
                    etat=etat,
                    publie_le=date_publication if etat != EtatAppel.BROUILLON else None,
                    decide_le=date_cloture
                    + datetime.timedelta(days=rng.randint(40, 90))
                    if SUITE.index(etat) >= SUITE.index(EtatAppel.ATTRIBUE)
                    else None,
                )
            )
        AppelAProjets.objects.bulk_create(appels)
        bilan.appels = len(appels)
        EtapeAppel.objects.bulk_create(_etapes(appels))

        candidatures: list[Candidature] = []
        for a in appels:
            if a.etat == EtatAppel.BROUILLON:
                continue
            operateurs = list(
                {
                    s.operateur_id: s.operateur
                    for s in structures_par_dep.get(a.departement_id or "", [])
                }.values()
            )[:3]
            for numero, operateur in enumerate(operateurs):
                places = rng.choice([20, 30, 40, 50])
                premiere = (a.date_ouverture or aujourdhui) + datetime.timedelta(
                    days=rng.randint(-20, 20)
                )
                lots = [{"places": places, "date": premiere.isoformat()}]
                if places >= 40:
                    lots = [
                        {"places": places - 20, "date": premiere.isoformat()},
                        {
                            "places": 20,
                            "date": (
                                premiere + datetime.timedelta(days=45)
                            ).isoformat(),
                        },
                    ]
                brouillon = a.etat == EtatAppel.PUBLIE and numero == 0
                candidatures.append(
                    Candidature(
                        appel=a,
                        operateur=operateur,
                        etat=EtatCandidature.BROUILLON
                        if brouillon
                        else EtatCandidature.DEPOSEE,
                        projet=f"{places} places en diffus, {operateur.nom}.",
                        departement_id=a.departement_id,
                        places_proposees=places,
                        cout_journalier_propose=Decimal(
                            rng.choice(["18.90", "20.40", "21.80", "23.10"])
                        ),
                        budget_propose=Decimal(places * 365 * 20),
                        etp=Decimal(places) / Decimal(15),
                        lots_proposes=lots,
                        deposee_le=None
                        if brouillon
                        else datetime.datetime.combine(
                            a.date_cloture
                            - datetime.timedelta(days=rng.randint(0, 20)),
                            datetime.time(15, 0),
                            tzinfo=datetime.UTC,
                        ),
                        accuse="" if brouillon else f"AAP{a.pk}-{operateur.pk}",
                    )
                )
        Candidature.objects.bulk_create(candidatures)
        bilan.candidatures = len(candidatures)

        notes = []
        for c in candidatures:
            if c.appel.etat in {EtatAppel.PUBLIE, EtatAppel.CLOS, EtatAppel.BROUILLON}:
                continue
            for instructeur in instructeurs:
                for critere in range(len(CRITERES)):
                    notes.append(
                        Note(
                            candidature=c,
                            instructeur=instructeur,
                            critere=critere,
                            note=Decimal(rng.randint(6, 19)),
                            commentaire="",
                        )
                    )
        Note.objects.bulk_create(notes)
        bilan.notes = len(notes)

        bilan.lots, bilan.ouvertures = _decisions_et_lots(rng, candidatures, aujourdhui)
        bilan.objectifs = _objectifs(rng, structures_par_dep, aujourdhui)
    return bilan


def _etapes(appels: list[AppelAProjets]) -> list[EtapeAppel]:
    etapes = []
    for a in appels:
        fin = SUITE.index(a.etat)
        dates = {
            EtatAppel.BROUILLON: a.date_publication - datetime.timedelta(days=20),
            EtatAppel.PUBLIE: a.date_publication,
            EtatAppel.CLOS: a.date_cloture + UN_JOUR,
            EtatAppel.EN_INSTRUCTION: a.date_cloture + datetime.timedelta(days=3),
        }
        for etat in SUITE[: min(fin, 3) + 1]:
            etapes.append(EtapeAppel(appel=a, etat=etat, date=dates[etat]))
        if fin >= SUITE.index(EtatAppel.ATTRIBUE) and a.decide_le:
            etat_decide = a.etat if a.etat != EtatAppel.TERMINE else EtatAppel.ATTRIBUE
            etapes.append(EtapeAppel(appel=a, etat=etat_decide, date=a.decide_le))
        if a.etat == EtatAppel.TERMINE and a.decide_le:
            etapes.append(
                EtapeAppel(
                    appel=a,
                    etat=EtatAppel.TERMINE,
                    date=a.decide_le + datetime.timedelta(days=200),
                )
            )
    return etapes


def _decisions_et_lots(
    rng: random.Random, candidatures: list[Candidature], aujourdhui: datetime.date
) -> tuple[int, int]:
    decidees = [
        c
        for c in candidatures
        if c.appel.etat
        in {
            EtatAppel.ATTRIBUE,
            EtatAppel.ATTRIBUE_PARTIELLEMENT,
            EtatAppel.INFRUCTUEUX,
            EtatAppel.TERMINE,
        }
    ]
    retenues = []
    for numero, c in enumerate(decidees):
        c.decidee_le = c.appel.decide_le
        if c.appel.etat == EtatAppel.INFRUCTUEUX:
            c.decision = Decision.NON_RETENUE
            c.motivation = "Coût journalier au-dessus de la cible."
        elif numero % 3 == 2:
            c.decision = Decision.LISTE_COMPLEMENTAIRE
            c.motivation = "Projet solide, moins bien classé."
        else:
            c.decision = Decision.RETENUE
            c.places_retenues = c.places_proposees
            c.motivation = "Projet le mieux classé, implantation adaptée."
            retenues.append(c)
    Candidature.objects.bulk_update(
        decidees, ["decision", "places_retenues", "motivation", "decidee_le"]
    )

    structures = []
    for c in retenues:
        lieu = c.departement.nom if c.departement else ""
        structure = Structure(
            type=c.appel.type_structure,
            nom=f"{c.appel.type_structure} {c.operateur.nom} — {lieu} "
            f"{c.appel.date_publication.year}",
            operateur=c.operateur,
            departement_id=c.departement_id or c.appel.departement_id or "",
            public=Public.TOUS,
        )
        structure.recherche = structure.texte_recherche([])
        structures.append(structure)
    Structure.objects.bulk_create(structures)

    actes, lots = [], []
    for c, structure in zip(retenues, structures, strict=True):
        decision = c.decidee_le or aujourdhui
        signature = decision + datetime.timedelta(days=rng.randint(20, 100))
        debut = decision + datetime.timedelta(days=rng.choice([45, 60, 120]))
        actes.append(
            Acte(
                nature=NatureActe.CONVENTION,
                structure=structure,
                date_debut=debut,
                date_fin=debut + datetime.timedelta(days=5 * 365 - 1),
                places=c.places_retenues,
                objet=f"Places retenues à l'appel « {c.appel.intitule} »",
                etat=Etat.SIGNEE if signature <= aujourdhui else Etat.BROUILLON,
                date_signature_operateur=signature if signature <= aujourdhui else None,
                date_signature_etat=signature if signature <= aujourdhui else None,
            )
        )
        for rang, lot in enumerate(c.lots_proposes):
            prevue = debut + datetime.timedelta(days=45 * rang)
            lots.append(
                Lot(
                    structure=structure,
                    candidature=c,
                    places=lot["places"],
                    date_prevue=prevue,
                )
            )
        c.structure = structure
    Acte.objects.bulk_create(actes)
    for c, acte in zip(retenues, actes, strict=True):
        c.convention = acte
    Candidature.objects.bulk_update(retenues, ["structure", "convention"])
    Lot.objects.bulk_create(lots)
    return len(lots), _ouvrir(rng, lots, aujourdhui)


def _ouvrir(rng: random.Random, lots: list[Lot], aujourdhui: datetime.date) -> int:
    """Open lots on time, late, in two steps, or not yet."""
    evenements, ouvertures = [], []
    deja: set[int] = set()
    for lot in sorted(lots, key=lambda lot: (lot.structure_id, lot.date_prevue)):
        tirage = rng.random()
        retard = 0 if tirage < 0.3 else rng.randint(10, 120)
        etapes = [(lot.places, lot.date_prevue + datetime.timedelta(days=retard))]
        if tirage > 0.75 and lot.places >= 20:
            moitie = lot.places // 2
            etapes = [
                (moitie, lot.date_prevue + datetime.timedelta(days=retard)),
                (
                    lot.places - moitie,
                    lot.date_prevue + datetime.timedelta(days=retard + 60),
                ),
            ]
        for places, date in etapes:
            if date > aujourdhui:
                break
            nature = (
                NatureEvenement.OUVERTURE
                if lot.structure_id in deja
                else NatureEvenement.CREATION
            )
            deja.add(lot.structure_id)
            evenement = EvenementCapacite(
                structure_id=lot.structure_id,
                nature=nature,
                date_effet=date,
                acte="Arrêté d'autorisation (appel à projets)",
                places_autorisees=places,
            )
            evenements.append(evenement)
            ouvertures.append(
                OuvertureLot(lot=lot, date=date, places=places, evenement=evenement)
            )
    EvenementCapacite.objects.bulk_create(evenements)
    OuvertureLot.objects.bulk_create(ouvertures)
    return len(ouvertures)


def _objectifs(
    rng: random.Random,
    structures_par_dep: dict[str, list[Structure]],
    aujourdhui: datetime.date,
) -> int:
    """Places of the regional schemes, planned as extensions of existing structures
    and tracked like the lots of a call."""
    regions = sorted(
        {
            d.region_id
            for d in Departement.objects.filter(code__in=list(structures_par_dep))
        }
    )[:4]
    objectifs = [
        ObjectifRegional(
            region_id=region,
            annee=aujourdhui.year,
            type_structure=TypeStructure.CADA,
            places=30,
            date_decision=datetime.date(aujourdhui.year, 1, 15),
        )
        for region in regions
    ]
    ObjectifRegional.objects.bulk_create(objectifs)
    departements = dict(
        Departement.objects.filter(code__in=list(structures_par_dep)).values_list(
            "code", "region_id"
        )
    )
    lots = []
    for objectif in objectifs:
        candidates = [
            s
            for code, liste in structures_par_dep.items()
            if departements.get(code) == objectif.region_id
            for s in liste
            if s.type == TypeStructure.CADA
        ]
        if not candidates:
            continue
        lots.append(
            Lot(
                structure=candidates[0],
                objectif=objectif,
                places=30,
                date_prevue=datetime.date(aujourdhui.year, 1, 15)
                + datetime.timedelta(days=rng.randint(60, 200)),
            )
        )
    Lot.objects.bulk_create(lots)
    evenements, ouvertures = [], []
    for lot in lots[::2]:
        date = lot.date_prevue + datetime.timedelta(days=rng.randint(0, 40))
        if date > aujourdhui:
            continue
        evenement = EvenementCapacite(
            structure_id=lot.structure_id,
            nature=NatureEvenement.EXTENSION,
            date_effet=date,
            acte="Arrêté d'extension (schéma régional)",
            places_autorisees=20,
        )
        evenements.append(evenement)
        ouvertures.append(
            OuvertureLot(lot=lot, date=date, places=20, evenement=evenement)
        )
    EvenementCapacite.objects.bulk_create(evenements)
    OuvertureLot.objects.bulk_create(ouvertures)
    return len(objectifs)
