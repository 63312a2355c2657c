"""Demonstration budgets for the demonstration park, built from a seed.

Every amount here is invented for the demonstration, target daily costs included:
none is an official tariff. The plan is drawn from ``random.Random(seed)`` over the
structures and their capacity events, then written with ``bulk_create`` (no journal
entry per object; the command prints one summary).

The years: the campaigns of the last four closed years (accounts submitted and
allocated, a few structures in repeated deficit and a few deliberate
inconsistencies for the data-quality rules), the current year (instructed,
dotations paid in instalments) and the next one (proposals being submitted).
"""

from __future__ import annotations

import datetime
import logging
import random
from collections import Counter, defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from abri.comptes.models import Utilisateur
from abri.finances import regles
from abri.finances.models import (
    CHAMPS_COMPTES,
    CHAMPS_INSTRUCTION,
    CHAMPS_PROPOSITION,
    Affectation,
    Budget,
    Campagne,
    EtapeAffectation,
    StatutBudget,
    TarifCible,
    Versement,
)
from abri.structures.models import EvenementCapacite, Structure, TypeStructure

logger = logging.getLogger(__name__)

EMAIL_NATIONAL = "national@abri.local"
MARQUE = "Démonstration"
RAISON_DEMO = "Valeurs de démonstration"
TAILLE_LOT = 2000
D = Decimal
S = StatutBudget

# Demonstration values (€ per place and day), not official tariffs.
COUT_DEMO: dict[str, Decimal] = {
    TypeStructure.CADA: D("19.50"),
    TypeStructure.HUDA: D("17.00"),
    TypeStructure.CAES: D("25.00"),
    TypeStructure.CPH: D("25.50"),
    TypeStructure.PRAHDA: D("16.50"),
}
MAJORATION_IDF = D("1.08")
MARGE_CIBLE = D("1.12")  # the target sits above the usual cost
PART_DEFICIT = 0.02
PART_SIGNE_INVERSE = 0.005
PART_SANS_AFFECTATION = 0.01
PART_ENCADREMENT_ATYPIQUE = 0.01


def _centimes(valeur: Decimal) -> Decimal:
    return regles.arrondi_centime(valeur)


def _affectation(
    budget: Budget, type_structure: str, resultat: Decimal, alea: random.Random
) -> Affectation:
    affectation = Affectation(budget=budget, etape=EtapeAffectation.DECIDEE)
    match regles.regime(type_structure):
        case regles.Regime.TARIFE:
            reprise = _centimes(resultat * D("0.5"))
            reserve = _centimes(resultat * D("0.3"))
            affectation.reprise_etat = reprise
            if resultat > 0:
                affectation.reserve_investissement = reserve
            else:
                affectation.reserve_compensation_deficits = reserve
            affectation.report_a_nouveau = resultat - reprise - reserve
            if alea.random() < PART_SIGNE_INVERSE / 0.6:
                affectation.reprise_etat = -reprise
        case regles.Regime.SUBVENTIONNE:
            if resultat > 0:
                affectation.excedent_reverse = _centimes(resultat * D("0.6"))
                affectation.excedent_reemploye = resultat - affectation.excedent_reverse
            else:
                affectation.deficit_compense = _centimes(resultat * D("0.5"))
    return affectation


def generer_finances(
    seed: int = 2026, aujourd_hui: datetime.date | None = None
) -> Counter[str]:
    """Campaigns, budgets, allocations, instalments and target costs; nothing when
    campaigns exist already."""
    aujourd_hui = aujourd_hui or datetime.date.today()
    compteurs: Counter[str] = Counter()
    if Campagne.objects.exists():
        # a database with the campaigns but not yet the budgets of the CPOM
        return generer_budgets_cpom(aujourd_hui)
    alea = random.Random(seed)
    annee_courante = aujourd_hui.year
    annees = list(range(annee_courante - 4, annee_courante + 2))
    national = Utilisateur.objects.filter(email=EMAIL_NATIONAL).first()

    structures = list(
        Structure.objects.order_by("id").values_list(
            "id", "type", "departement__region_id"
        )
    )
    evenements: dict[int, list[tuple[datetime.date, int]]] = defaultdict(list)
    for structure_id, date, variation in EvenementCapacite.objects.order_by(
        "date_effet", "id"
    ).values_list("structure_id", "date_effet", "places_autorisees"):
        evenements[structure_id].append((date, variation))
    en_deficit = {pk for pk, _, _ in structures if alea.random() < PART_DEFICIT}

    with transaction.atomic():
        campagnes = {}
        for annee in annees:
            campagnes[annee] = Campagne.objects.create(
                annee=annee, ouverte_par=national, **regles.echeances_par_defaut(annee)
            )
        compteurs["campagnes"] = len(campagnes)
        bulk_create_with_history(
            [
                TarifCible(
                    type_structure=type_structure,
                    ile_de_france=idf,
                    annee=annee,
                    montant=_centimes(
                        cout * MARGE_CIBLE * (MAJORATION_IDF if idf else D(1))
                    ),
                    modifie_par=national,
                )
                for annee in annees
                for type_structure, cout in COUT_DEMO.items()
                for idf in (False, True)
            ],
            TarifCible,
            default_user=national,
            default_change_reason=RAISON_DEMO,
        )
        compteurs["tarifs_cibles"] = TarifCible.objects.count()

        budgets: list[Budget] = []
        details: list[tuple[Budget, str, Decimal]] = []
        for pk, type_structure, region in structures:
            facteur = D(str(round(alea.uniform(0.9, 1.12), 3)))
            ratio = D(str(round(alea.uniform(8, 16), 1)))
            if alea.random() < PART_ENCADREMENT_ATYPIQUE:
                ratio = D("1.5")
            idf = region == "11"
            for annee in annees:
                places = regles.places_moyennes(evenements.get(pk, []), annee)
                if places <= 0:
                    continue
                cout = COUT_DEMO[type_structure] * facteur
                budget, resultat = _budget(
                    campagnes[annee], pk, type_structure, annee, places,
                    cout * (MAJORATION_IDF if idf else D(1)),
                    ratio, pk in en_deficit, annee_courante, alea,
                )  # fmt: skip
                budgets.append(budget)
                details.append((budget, type_structure, resultat))
        Budget.objects.bulk_create(budgets, batch_size=TAILLE_LOT)
        compteurs["budgets"] = len(budgets)

        affectations = []
        versements = []
        for budget, type_structure, resultat in details:
            if budget.statut == S.CLOTURE and not (
                alea.random() < PART_SANS_AFFECTATION
            ):
                affectations.append(
                    _affectation(budget, type_structure, resultat, alea)
                )
            if budget.dotation_accordee and budget.annee <= annee_courante:
                versements.extend(_versements(budget, aujourd_hui, alea))
        Affectation.objects.bulk_create(affectations, batch_size=TAILLE_LOT)
        Versement.objects.bulk_create(versements, batch_size=TAILLE_LOT)
        compteurs["affectations"] = len(affectations)
        compteurs["versements"] = len(versements)
        compteurs["structures_en_deficit"] = len(en_deficit)
    compteurs.update(generer_budgets_cpom(aujourd_hui))
    logger.info("demonstration finances generated: %s", dict(compteurs))
    return compteurs


NOMBRE_CPOM_DEMO = 3


def generer_budgets_cpom(aujourd_hui: datetime.date) -> Counter[str]:
    """Budgets at the level of a few CPOM (the first ones), for each campaign in
    which they are in force and each type of their members, their figures the sums
    of their members' budgets of that type; nothing when CPOM budgets exist."""
    from abri.conventions.models import AdhesionCpom
    from abri.finances.services import cpom_attendus

    compteurs: Counter[str] = Counter()
    if Budget.objects.filter(cpom__isnull=False).exists():
        return compteurs
    retenus = set(
        AdhesionCpom.objects.order_by("cpom_id")
        .values_list("cpom_id", flat=True)
        .distinct()[:NOMBRE_CPOM_DEMO]
    )
    budgets = []
    with transaction.atomic():
        for campagne in Campagne.objects.order_by("annee"):
            annee = campagne.annee
            for cpom_id, type_structure in sorted(cpom_attendus(annee)):
                if cpom_id not in retenus:
                    continue
                membres = AdhesionCpom.objects.filter(
                    cpom_id=cpom_id,
                    structure__type=type_structure,
                    date_entree__lte=datetime.date(annee, 12, 31),
                ).exclude(date_sortie__lt=datetime.date(annee, 1, 1))
                sommes = Budget.objects.filter(
                    annee=annee, structure__in=membres.values("structure_id")
                ).aggregate(
                    **{c: Sum(c) for c in (*CHAMPS_PROPOSITION[:4], *CHAMPS_SOMMES)}
                )
                budget = Budget(
                    campagne=campagne,
                    cpom_id=cpom_id,
                    type_structure=type_structure,
                    annee=annee,
                    **{c: sommes[c] for c in CHAMPS_PROPOSITION[:4]},
                )
                if annee <= aujourd_hui.year:
                    for champ in CHAMPS_INSTRUCTION[:3]:
                        setattr(budget, champ, sommes[champ])
                    budget.statut = S.INSTRUIT
                    if annee < aujourd_hui.year and sommes["charges_reelles"]:
                        budget.charges_reelles = sommes["charges_reelles"]
                        budget.produits_reels = sommes["produits_reels"]
                        budget.statut = S.COMPTES_DEPOSES
                elif budget.dotation_demandee is not None:
                    budget.statut = S.PROPOSITION_DEPOSEE
                budgets.append(budget)
        Budget.objects.bulk_create(budgets)
    if budgets:
        compteurs["budgets_cpom"] = len(budgets)
    return compteurs


CHAMPS_SOMMES = (*CHAMPS_INSTRUCTION[:3], *CHAMPS_COMPTES)


def _budget(
    campagne: Campagne,
    structure_id: int,
    type_structure: str,
    annee: int,
    places: Decimal,
    cout: Decimal,
    ratio: Decimal,
    deficitaire: bool,
    annee_courante: int,
    alea: random.Random,
) -> tuple[Budget, Decimal]:
    jours = regles.jours_de_l_annee(annee)
    retenues = _centimes(
        places * jours * cout * D(str(round(alea.uniform(0.97, 1.03), 4)))
    )
    proposees = _centimes(retenues * D(str(round(alea.uniform(1.0, 1.06), 4))))
    produits = _centimes(retenues * D("0.02"))
    maintenant = timezone.now()
    saisie = {"par": MARQUE, "par_id": None, "le": maintenant.isoformat()}
    budget = Budget(
        campagne=campagne,
        structure_id=structure_id,
        annee=annee,
        charges_proposees=proposees,
        produits_proposes=produits,
        dotation_demandee=proposees - produits,
        etp=_centimes(places / ratio) or D("0.5"),
        places_declarees=_centimes(places * D(str(round(alea.uniform(0.98, 1.02), 3)))),
    )
    champs = ["charges_proposees", "produits_proposes", "dotation_demandee", "etp",
              "places_declarees"]  # fmt: skip
    resultat = D(0)
    if annee > annee_courante:
        # Next year's proposals: most submitted, some drafts, some not started.
        tirage = alea.random()
        if tirage < 0.6:
            budget.statut = S.PROPOSITION_DEPOSEE
            budget.proposition_deposee_le = timezone.make_aware(
                datetime.datetime(annee - 1, 10, alea.randint(1, 31), 10)
            )
        elif tirage < 0.9:
            budget.dotation_demandee = None
            champs.remove("dotation_demandee")
        else:
            for champ in champs:
                setattr(budget, champ, None)
            champs = []
    else:
        budget.charges_retenues = retenues
        budget.produits_retenus = produits
        budget.dotation_accordee = retenues - produits
        budget.date_decision_tarifaire = datetime.date(annee, alea.randint(2, 6), 15)
        budget.statut = S.INSTRUIT
        budget.proposition_deposee_le = timezone.make_aware(
            datetime.datetime(annee - 1, 10, alea.randint(1, 31), 10)
        )
        budget.instruit_le = timezone.make_aware(
            datetime.datetime.combine(budget.date_decision_tarifaire, datetime.time(9))
        )
        champs += ["charges_retenues", "produits_retenus", "dotation_accordee",
                   "date_decision_tarifaire"]  # fmt: skip
        if annee < annee_courante:
            ecart = D(str(round(alea.gauss(0, 0.015), 4)))
            budget.charges_reelles = _centimes(retenues * (1 + ecart))
            # Most structures end the year with a small surplus.
            marge = D(str(round(alea.uniform(-0.001, 0.025), 4)))
            if deficitaire and annee >= annee_courante - 3 and alea.random() < 0.85:
                marge = D(str(round(alea.uniform(-0.07, -0.02), 4)))
            budget.produits_reels = _centimes(budget.charges_reelles * (1 + marge))
            resultat = budget.produits_reels - budget.charges_reelles
            budget.comptes_deposes_le = timezone.make_aware(
                datetime.datetime(annee + 1, 4, alea.randint(1, 30), 10)
            )
            budget.statut = S.CLOTURE
            champs += ["charges_reelles", "produits_reels"]
    budget.saisies = dict.fromkeys(champs, saisie)
    return budget, resultat


def _versements(
    budget: Budget, aujourd_hui: datetime.date, alea: random.Random
) -> list[Versement]:
    """Four quarterly instalments; a structure whose places opened late gets them
    from the second half of the year."""
    assert budget.dotation_accordee is not None
    mois = [1, 4, 7, 10] if alea.random() > 0.05 else [7, 10]
    part = _centimes(budget.dotation_accordee / len(mois))
    versements = []
    for rang, m in enumerate(mois):
        date = datetime.date(budget.annee, m, 15)
        if date > aujourd_hui:
            break
        montant = (
            part if rang < len(mois) - 1 else budget.dotation_accordee - part * rang
        )
        versements.append(Versement(budget=budget, date=date, montant=montant))
    return versements
