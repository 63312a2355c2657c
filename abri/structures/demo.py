"""A fictitious demonstration park at national scale, built from a seed.

Regional targets come from published figures (``data/parc_demo.csv``, provenance in
``data/README.md``); everything else (operators, names, sizes, communes, codes, dates,
addresses) is drawn from ``random.Random`` seeded with the seed, so that a seed always
gives the same park. The plan is computed first as plain values
(:func:`planifier_parc`), then written with ``bulk_create``: no journal entry and no
history row per object, the command logs one summary instead.

Every capacity event written here carries :data:`MARQUE_DEMO` in its comment: that is
how :func:`supprimer_parc_demo` tells the demonstration park from real data.
"""

from __future__ import annotations

import csv
import datetime
import itertools
import logging
import math
import random
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, ProtectedError, QuerySet
from stdnum import luhn

from abri.communs.erreurs import ErreurMetier
from abri.communs.texte import normaliser_recherche
from abri.operateurs.models import Operateur
from abri.structures import regles
from abri.structures.models import (
    AdresseHebergement,
    CodeDna,
    EvenementCapacite,
    NatureEvenement,
    Public,
    Structure,
    TypeBati,
    TypeStructure,
)
from abri.territoires.models import CodePostal, Commune, Departement, Region

logger = logging.getLogger(__name__)

FICHIER_CHIFFRES = Path(__file__).resolve().parent / "data" / "parc_demo.csv"
SOURCE_2021 = "arrete-2021-04-07"
SOURCE_2022 = "arrete-2022-05-13"
NATIONAL = "FR"
TOTAL_DA = "TOTAL_DA"
MARQUE_DEMO = "Parc de démonstration"
TAILLE_LOT = 2000
DATE_MAX = datetime.date(
    2025, 12, 31
)  # no event after it: the park is the same any day

T = TypeStructure
B = TypeBati
TYPES_DA = (T.CAES, T.HUDA, T.PRAHDA, T.CADA)

# Shares of the park built with each deliberate data-quality defect.
PART_CODE_AUTRE_DEPARTEMENT = 0.005
PART_CODE_AUTRE_TYPE = 0.003
PART_DEUX_CODES = 0.004
PART_ECART_ADRESSES = 0.03
PART_SPECIALISEES_EXCESSIVES = 0.01
PART_EVOLUTION = 0.30


@dataclass(frozen=True)
class Gabarit:
    """How structures of one type look: sizes, DNA letter, years, building, public."""

    mini: int
    maxi: int
    moyenne: int
    lettre: str
    annees: tuple[int, int]
    baties: dict[str, int]
    publics: dict[str, int]
    acte: str


GABARITS: dict[str, Gabarit] = {
    T.CADA: Gabarit(
        30, 250, 90, "C", (1995, 2023),
        {B.COLLECTIF: 30, B.DIFFUS: 45, B.MIXTE: 25},
        {Public.FAMILLES: 5, Public.ISOLES: 3, Public.TOUS: 2},
        "Arrêté préfectoral",
    ),
    T.HUDA: Gabarit(
        20, 400, 110, "H", (2005, 2023),
        {B.COLLECTIF: 50, B.DIFFUS: 30, B.MIXTE: 20},
        {Public.FAMILLES: 3, Public.ISOLES: 4, Public.TOUS: 3},
        "Convention",
    ),
    T.CAES: Gabarit(
        50, 150, 90, "A", (2018, 2023),
        {B.COLLECTIF: 90, B.MIXTE: 10},
        {Public.ISOLES: 6, Public.TOUS: 4},
        "Convention",
    ),
    T.CPH: Gabarit(
        20, 120, 60, "R", (1995, 2023),
        {B.COLLECTIF: 15, B.DIFFUS: 60, B.MIXTE: 25},
        {Public.FAMILLES: 4, Public.ISOLES: 2, Public.TOUS: 4},
        "Arrêté préfectoral",
    ),
    T.PRAHDA: Gabarit(
        80, 300, 140, "P", (2017, 2018),
        {B.COLLECTIF: 100},
        {Public.ISOLES: 7, Public.TOUS: 3},
        "Marché public PRAHDA",
    ),
}  # fmt: skip

COEURS = (
    "Horizon", "Escale", "Boussole", "Passerelle", "Ancrage", "Rivage", "Étoile",
    "Cap", "Boréal", "Amarre", "Sillage", "Zénith", "Orée", "Archipel", "Azimut",
    "Méridien", "Clairière", "Hélice", "Jalon", "Lueur", "Nouvel Élan", "Parallèle",
    "Quiétude", "Rose des Vents", "Sémaphore", "Tremplin", "Vigie", "Alizé", "Balise",
    "Constellation",
)  # fmt: skip
THEMES = (
    "Accueil", "Solidarité", "Hébergement", "Insertion", "Entraide", "Asile",
    "Partage", "Refuge", "Hospitalité", "Accompagnement", "Fraternité", "Avenir",
)  # fmt: skip
FORMES = ("Association", "Association", "Association", "Fondation", "Comité", "Foyer")
LIEUX = (
    "Les Tilleuls", "Le Phare", "La Roseraie", "Les Alizés", "Le Moulin",
    "Les Peupliers", "La Source", "Les Glycines", "Le Belvédère", "Les Cèdres",
    "Les Lavandes", "Le Clos", "Les Marronniers", "L'Escale", "Les Hirondelles",
    "Les Platanes", "La Fontaine", "Les Iris", "Le Verger", "Les Bruyères",
    "La Colline", "Les Mimosas", "Le Jardin", "Les Acacias",
)  # fmt: skip
VOIES = ("rue", "rue", "rue", "avenue", "boulevard", "place", "chemin", "allée")
NOMS_VOIES = (
    "de la République", "Victor-Hugo", "Jean-Jaurès", "des Lilas", "du Moulin",
    "de la Gare", "Pasteur", "des Écoles", "du Stade", "de la Paix", "Gambetta",
    "des Acacias", "de l'Église", "du Château", "Jules-Ferry", "de la Liberté",
    "du Port", "des Peupliers", "Voltaire", "des Jardins", "du Marché", "Carnot",
    "de la Fontaine", "des Vignes",
)  # fmt: skip


@dataclass(frozen=True)
class RegionDemo:
    code: str
    nom: str
    population: int


@dataclass(frozen=True)
class DepartementDemo:
    code: str
    region: str
    population: int


@dataclass
class StructurePrevue:
    rang: int
    type: str
    region: str
    departement: str
    places: int
    operateur: int = -1
    codes_dna: list[str] = field(default_factory=list)
    code_incoherent: bool = False
    finess: str = ""
    ecart_adresses: bool = False
    specialisees_excessives: bool = False


@dataclass
class OperateurPrevu:
    rang: int
    nom: str
    siret: str
    groupe: int | None = None
    region: str | None = None
    departement: str | None = None


@dataclass
class PlanParc:
    structures: list[StructurePrevue]
    operateurs: list[OperateurPrevu]


# --- Plain allocation functions -------------------------------------------------------


def repartir(
    total: int, poids: Sequence[float], plafonds: Sequence[int] | None = None
) -> list[int]:
    """Split ``total`` in integers proportional to ``poids`` (largest remainders), each
    at most its ``plafond``. Zero weights everywhere split evenly."""
    n = len(poids)
    if n == 0 or total <= 0:
        return [0] * n
    caps = list(plafonds) if plafonds is not None else [total] * n
    if sum(caps) < total:
        raise ValueError(f"{total} ne tient pas dans les plafonds ({sum(caps)}).")
    poids = list(poids) if sum(poids) > 0 else [1.0] * n

    parts = [0.0] * n
    libres = [i for i in range(n) if caps[i] > 0]
    reste = float(total)
    while libres:
        somme = sum(poids[i] for i in libres)
        if somme > 0:
            part = {i: reste * poids[i] / somme for i in libres}
        else:
            part = {i: reste / len(libres) for i in libres}
        depasses = [i for i in libres if part[i] > caps[i]]
        if not depasses:
            for i in libres:
                parts[i] = part[i]
            break
        for i in depasses:
            parts[i] = caps[i]
            reste -= caps[i]
        libres = [i for i in libres if i not in depasses]

    entiers = [min(math.floor(p + 1e-9), caps[i]) for i, p in enumerate(parts)]
    ordre = sorted(range(n), key=lambda i: (entiers[i] - parts[i], i))
    manque = total - sum(entiers)
    while manque > 0:
        for i in ordre:
            if manque and entiers[i] < caps[i]:
                entiers[i] += 1
                manque -= 1
    return entiers


def tailles_structures(rng: random.Random, total: int, gabarit: Gabarit) -> list[int]:
    """Sizes of the structures that carry ``total`` places, within the type's bounds and
    around its mean; below the minimum, one small structure."""
    if total <= gabarit.mini:
        return [total] if total > 0 else []
    nombre = max(1, round(total / gabarit.moyenne))
    nombre = min(max(nombre, math.ceil(total / gabarit.maxi)), total // gabarit.mini)
    poids = [rng.lognormvariate(0, 0.6) for _ in range(nombre)]
    surplus = repartir(
        total - nombre * gabarit.mini, poids, [gabarit.maxi - gabarit.mini] * nombre
    )
    return [gabarit.mini + s for s in surplus]


def lire_chiffres(chemin: Path = FICHIER_CHIFFRES) -> dict[tuple[str, str, str], int]:
    """``{(source, code_region, indicateur): places}`` from the published figures."""
    with chemin.open(encoding="utf-8", newline="") as fichier:
        return {
            (ligne["source"], ligne["code_region"], ligne["indicateur"]): int(
                ligne["places"]
            )
            for ligne in csv.DictReader(fichier)
        }


def objectifs_regionaux(
    populations: Mapping[str, int],
    chiffres: Mapping[tuple[str, str, str], int] | None = None,
) -> dict[str, dict[str, int]]:
    """Places by region and type, at the scale of the real park (2022).

    A region's asylum-seeker (DA) and CPH totals are those of the 2022 order, or of the
    2021 one when the 2022 excerpt lacks the region; the rest of the national 2022 total
    goes to the regions without a figure, by population. DA places are split by type
    with the region's 2021 shares, or the national 2021 shares when unknown.
    """
    chiffres = lire_chiffres() if chiffres is None else chiffres
    regions = sorted(populations)
    publiees = sorted({r for _, r, _ in chiffres if r != NATIONAL})

    def publie(region: str, indicateur: str) -> int | None:
        for source in (SOURCE_2022, SOURCE_2021):
            if (source, region, indicateur) in chiffres:
                return chiffres[(source, region, indicateur)]
        return None

    totaux: dict[str, dict[str, int]] = {}
    for indicateur in (TOTAL_DA, T.CPH):
        connus = {r: v for r in publiees if (v := publie(r, indicateur)) is not None}
        sans_chiffre = [r for r in regions if r not in connus]
        national = chiffres[(SOURCE_2022, NATIONAL, indicateur)]
        reste = max(0, national - sum(connus.values()))
        parts = repartir(reste, [populations[r] for r in sans_chiffre])
        totaux[indicateur] = {r: connus[r] for r in regions if r in connus}
        totaux[indicateur] |= dict(zip(sans_chiffre, parts, strict=True))

    complets = [
        r for r in publiees if all((SOURCE_2021, r, t) in chiffres for t in TYPES_DA)
    ]
    parts_nationales = {
        t: sum(chiffres[(SOURCE_2021, r, t)] for r in complets) for t in TYPES_DA
    }
    objectifs: dict[str, dict[str, int]] = {}
    for region in regions:
        da = totaux[TOTAL_DA][region]
        connus = {
            t: chiffres[(SOURCE_2021, region, t)]
            for t in TYPES_DA
            if (SOURCE_2021, region, t) in chiffres
        }
        libres = [t for t in TYPES_DA if t not in connus]
        # A region's own shares when all are known; otherwise its published figures
        # are kept (within its total) and the national shares split the rest.
        fixes = repartir(
            min(da, sum(connus.values())) if libres else da, [*connus.values()]
        )
        places = dict(zip(connus, fixes, strict=True))
        restantes = repartir(da - sum(fixes), [parts_nationales[t] for t in libres])
        places |= dict(zip(libres, restantes, strict=True))
        objectifs[region] = {t: places[t] for t in TYPES_DA}
        objectifs[region][T.CPH] = totaux[T.CPH][region]
    return objectifs


# --- The plan: plain values, drawn from the seed --------------------------------------


def planifier_parc(
    seed: int,
    echelle: float,
    regions: Sequence[RegionDemo],
    departements: Sequence[DepartementDemo],
    sirets_pris: Collection[str] = (),
) -> PlanParc:
    """Structures (type, département, places, codes) and operators of the park."""
    rng = random.Random(seed)
    objectifs = objectifs_regionaux({r.code: r.population for r in regions})
    par_region: dict[str, list[DepartementDemo]] = defaultdict(list)
    for departement in departements:
        par_region[departement.region].append(departement)

    structures: list[StructurePrevue] = []
    for region in sorted(objectifs):
        deps = par_region.get(region)
        if not deps:
            continue
        cibles = {t: round(v * echelle) for t, v in objectifs[region].items()}
        for t in (T.CAES, T.PRAHDA, T.CADA):
            if 0 < cibles[t] < GABARITS[t].mini:  # too few for a structure of its own
                cibles[T.HUDA] += cibles.pop(t)
        for t in TypeStructure:
            tailles = tailles_structures(rng, cibles.get(t, 0), GABARITS[t])
            rng.shuffle(tailles)
            restantes = iter(tailles)
            nombres = repartir(len(tailles), [d.population for d in deps])
            for dep, nombre in zip(deps, nombres, strict=True):
                for taille in itertools.islice(restantes, nombre):
                    rang = len(structures)
                    structures.append(
                        StructurePrevue(rang, t, region, dep.code, taille)
                    )

    _attribuer_codes(rng, structures, [d.code for d in departements])
    _marquer_defauts(rng, structures)
    noms_regions = {r.code: r.nom for r in regions}
    operateurs = _planifier_operateurs(
        rng, structures, echelle, noms_regions, set(sirets_pris)
    )
    return PlanParc(structures, operateurs)


def _attribuer_codes(
    rng: random.Random, structures: list[StructurePrevue], departements: list[str]
) -> None:
    """DNA codes (letter, département, sequence) unique park-wide, a few deliberately
    wrong or doubled; FINESS numbers for authorised types."""
    suivants: Counter[tuple[str, str]] = Counter()

    def code(lettre: str, departement: str) -> str | None:
        prefixe = regles.prefixe_departement_dna(departement)
        suivants[(lettre, prefixe)] += 1
        numero = suivants[(lettre, prefixe)]
        return f"{lettre}{prefixe}{numero:02d}" if numero < 100 else None

    n = len(structures)
    autre_dep = set(
        rng.sample(range(n), min(n, round(n * PART_CODE_AUTRE_DEPARTEMENT)))
    )
    autre_type = set(rng.sample(range(n), min(n, round(n * PART_CODE_AUTRE_TYPE))))
    deux_codes = set(rng.sample(range(n), min(n, round(n * PART_DEUX_CODES))))
    finess_pris: set[str] = set()
    for s in structures:
        lettre = GABARITS[s.type].lettre
        departement = s.departement
        if s.rang in autre_type:
            lettre = rng.choice(
                [g.lettre for g in GABARITS.values() if g.lettre != lettre]
            )
        if s.rang in autre_dep:
            prefixe = regles.prefixe_departement_dna(s.departement)
            autres = [
                d for d in departements if regles.prefixe_departement_dna(d) != prefixe
            ]
            departement = rng.choice(autres) if autres else departement
        codes = [code(lettre, departement)]
        if s.rang in deux_codes:
            codes.append(code(lettre, departement))
        s.codes_dna = [c for c in codes if c]
        s.code_incoherent = any(
            not regles.code_dna_coherent(c, s.departement)
            or c[0] != GABARITS[s.type].lettre
            for c in s.codes_dna
        )
        if s.type in (T.CADA, T.CPH):
            prefixe = regles.prefixe_finess(s.departement)
            chiffres = 9 - len(prefixe)
            while not s.finess or s.finess in finess_pris:
                s.finess = f"{prefixe}{rng.randrange(10**chiffres):0{chiffres}d}"
            finess_pris.add(s.finess)


def _marquer_defauts(rng: random.Random, structures: list[StructurePrevue]) -> None:
    n = len(structures)
    for rang in rng.sample(range(n), round(n * PART_ECART_ADRESSES)):
        structures[rang].ecart_adresses = True
    for rang in rng.sample(range(n), round(n * PART_SPECIALISEES_EXCESSIVES)):
        structures[rang].specialisees_excessives = True


def siret_fictif(rng: random.Random, pris: set[str]) -> str:
    """A SIRET that passes the checks: Luhn SIREN, then Luhn on the 14 digits."""
    while True:
        corps = str(rng.randrange(10**7, 10**8))
        siren = corps + luhn.calc_check_digit(corps)
        debut = siren + f"{rng.randrange(1, 10**4):04d}"
        siret = debut + luhn.calc_check_digit(debut)
        if siren != "356000000" and siret not in pris:  # La Poste has its own rule
            pris.add(siret)
            return siret


def _tirage_sans_remise(
    rng: random.Random, valeurs: Sequence[str], poids: Sequence[float], k: int
) -> list[str]:
    cles = [
        (rng.random() ** (1 / max(p, 1e-9)), v)
        for v, p in zip(valeurs, poids, strict=True)
    ]
    return [v for _, v in sorted(cles, reverse=True)[:k]]


def _planifier_operateurs(
    rng: random.Random,
    structures: list[StructurePrevue],
    echelle: float,
    noms_regions: Mapping[str, str],
    sirets_pris: set[str],
) -> list[OperateurPrevu]:
    """National groups with regional subsidiaries, then independent associations by
    département; each structure gets one of them (PRAHDA: a national group)."""
    operateurs: list[OperateurPrevu] = []
    noms: set[str] = set()
    combinaisons = [(c, t) for c in COEURS for t in THEMES]

    def nouveau(modele: str, departement: str | None = None) -> OperateurPrevu:
        nom = modele.format(*rng.choice(combinaisons))
        while nom in noms:
            nom = modele.format(*rng.choice(combinaisons))
        noms.add(nom)
        op = OperateurPrevu(
            len(operateurs),
            nom,
            siret_fictif(rng, sirets_pris),
            None,
            None,
            departement,
        )
        operateurs.append(op)
        return op

    par_region = Counter(s.region for s in structures)
    regions = sorted(par_region)
    filiales: dict[str, list[int]] = defaultdict(list)
    tetes: list[int] = []
    for _ in range(max(1, round(15 * echelle))):
        tete = nouveau("Groupe {} {}")
        tetes.append(tete.rang)
        nombre = min(rng.randint(2, 10), len(regions))
        for region in _tirage_sans_remise(
            rng, regions, [par_region[r] for r in regions], nombre
        ):
            nom = tete.nom.removeprefix("Groupe ") + " " + noms_regions[region]
            noms.add(nom)
            filiale = OperateurPrevu(
                len(operateurs), nom, siret_fictif(rng, sirets_pris), tete.rang, region
            )
            operateurs.append(filiale)
            filiales[region].append(filiale.rang)

    locales = Counter(s.departement for s in structures if s.type != T.PRAHDA)
    departements = sorted(locales)
    voulus = max(1, round(300 * echelle) - len(operateurs))
    nombres = repartir(
        min(voulus, sum(locales.values())),
        [locales[d] for d in departements],
        [locales[d] for d in departements],
    )
    independants: dict[str, list[int]] = defaultdict(list)
    for departement, nombre in zip(departements, nombres, strict=True):
        for _ in range(nombre):
            forme = rng.choice(FORMES)
            op = nouveau(f"{forme} {{}} {{}} {departement}", departement)
            independants[departement].append(op.rang)

    for s in structures:
        if s.type == T.PRAHDA:
            s.operateur = rng.choice(tetes)
    par_departement: dict[str, list[StructurePrevue]] = defaultdict(list)
    for s in structures:
        if s.type != T.PRAHDA:
            par_departement[s.departement].append(s)
    for departement in departements:
        locaux = par_departement[departement]
        rng.shuffle(locaux)
        siens = independants[departement]
        for i, s in enumerate(locaux):
            regionales = filiales.get(s.region, [])
            if i < len(siens):  # every association runs at least one structure
                s.operateur = siens[i]
            elif regionales and (not siens or rng.random() < 0.5):
                s.operateur = rng.choice(regionales)
            else:
                s.operateur = rng.choice(siens or tetes)
    return operateurs


# --- Writing the park -----------------------------------------------------------------


@dataclass(frozen=True)
class CommuneDemo:
    commune: Commune
    codes_postaux: tuple[str, ...]


class Communes:
    """The communes of one département, drawn in proportion to their population."""

    def __init__(self, communes: list[CommuneDemo]) -> None:
        self.communes = communes
        self.cumuls: list[int] = []
        total = 0
        for c in communes:
            total += c.commune.population + 1
            self.cumuls.append(total)

    def tirer(self, rng: random.Random) -> CommuneDemo:
        return rng.choices(self.communes, cum_weights=self.cumuls)[0]


def _communes_par_departement(codes: Collection[str]) -> dict[str, Communes]:
    postaux: dict[str, list[str]] = defaultdict(list)
    for commune_id, code in (
        CodePostal.objects.filter(commune__departement_id__in=codes)
        .order_by("commune_id", "code")
        .values_list("commune_id", "code")
    ):
        postaux[commune_id].append(code)
    par_departement: dict[str, list[CommuneDemo]] = defaultdict(list)
    for commune in (
        Commune.objects.filter(departement_id__in=codes)
        .only("code_insee", "nom", "population", "departement_id")
        .order_by("code_insee")
    ):
        par_departement[commune.departement_id].append(
            CommuneDemo(commune, tuple(postaux[commune.code_insee]))
        )
    return {code: Communes(liste) for code, liste in par_departement.items()}


def _tirer(rng: random.Random, ponderation: Mapping[str, int]) -> str:
    return rng.choices(list(ponderation), weights=list(ponderation.values()))[0]


def _adresse(rng: random.Random) -> str:
    numero = str(rng.randint(1, 180)) + (" bis" if rng.random() < 0.05 else "")
    return f"{numero} {rng.choice(VOIES)} {rng.choice(NOMS_VOIES)}"


def _date(
    rng: random.Random, debut: datetime.date, fin: datetime.date
) -> datetime.date:
    return debut + datetime.timedelta(days=rng.randint(0, (fin - debut).days))


def _acte(rng: random.Random, gabarit: Gabarit, date_acte: datetime.date) -> str:
    numero = f"{date_acte.year}-{rng.randint(1, 400):03d}"
    return f"{gabarit.acte} n° {numero} du {date_acte:%d/%m/%Y}"


def _evenements(
    rng: random.Random, prevue: StructurePrevue, commentaire: str
) -> list[EvenementCapacite]:
    """A creation event, then for some an extension or a reduction, ending on the
    planned places; specialised places on the creation, within the smaller capacity."""
    gabarit = GABARITS[prevue.type]
    finales = prevue.places
    debut = _date(
        rng,
        datetime.date(gabarit.annees[0], 1, 1),
        datetime.date(gabarit.annees[1], 12, 31),
    )
    initiales, evolution = finales, None
    if rng.random() < PART_EVOLUTION and debut < DATE_MAX - datetime.timedelta(400):
        if rng.random() < 0.7 and finales > 10:
            ecart = max(1, round(finales * rng.uniform(0.1, 0.4)))
            initiales, nature = finales - ecart, NatureEvenement.EXTENSION
        else:
            ecart = max(1, round(finales * rng.uniform(0.05, 0.25)))
            initiales, nature = finales + ecart, NatureEvenement.REDUCTION
        evolution = (nature, _date(rng, debut + datetime.timedelta(365), DATE_MAX))

    base = min(initiales, finales)
    pmr = max(1, round(base * rng.uniform(0.03, 0.08))) if rng.random() < 0.85 else 0
    lgbt = rng.randint(2, max(2, base // 10)) if rng.random() < 0.08 else 0
    fvv = max(2, round(base * rng.uniform(0.05, 0.2))) if rng.random() < 0.12 else 0
    pmr = min(pmr, base)
    lgbt = min(lgbt, base - pmr)
    fvv = min(fvv, base - pmr - lgbt)
    if prevue.specialisees_excessives:
        fvv = finales + rng.randint(2, 12)

    def evenement(nature: str, date: datetime.date, **places: int) -> EvenementCapacite:
        date_acte = date - datetime.timedelta(rng.randint(0, 90))
        return EvenementCapacite(
            nature=nature,
            date_effet=date,
            acte=_acte(rng, gabarit, date_acte),
            date_acte=date_acte,
            commentaire=commentaire,
            **places,
        )

    evenements = [
        evenement(
            NatureEvenement.CREATION,
            debut,
            places_autorisees=initiales,
            places_pmr=pmr,
            places_lgbt=lgbt,
            places_fvv_teh=fvv,
        )
    ]
    if evolution:
        nature, date = evolution
        evenements.append(
            evenement(nature, date, places_autorisees=finales - initiales)
        )
    return evenements


def _logements(rng: random.Random, total: int) -> list[int]:
    """Flats of 3 to 8 places carrying ``total``."""
    if total < 3:
        return [total] if total > 0 else []
    nombre = min(max(round(total / 5.5), math.ceil(total / 8)), total // 3)
    poids = [rng.random() for _ in range(nombre)]
    return [3 + s for s in repartir(total - 3 * nombre, poids, [5] * nombre)]


def _adresses(
    rng: random.Random,
    prevue: StructurePrevue,
    principale: CommuneDemo,
    communes: Communes,
) -> list[AdresseHebergement]:
    gabarit = GABARITS[prevue.type]
    total = prevue.places
    if prevue.ecart_adresses:
        facteur = (
            rng.uniform(1.15, 1.4) if rng.random() < 0.5 else rng.uniform(0.6, 0.85)
        )
        total = max(1, round(total * facteur))
        while not regles.ecart_adresses_excessif(total, prevue.places):
            total += 1 if total >= prevue.places else -1
    bati = _tirer(rng, gabarit.baties)

    collectives: list[int] = []
    if bati == B.COLLECTIF:
        nombre = 2 if rng.random() < 0.3 and total >= 2 else 1
        collectives = repartir(total, [rng.uniform(1, 2) for _ in range(nombre)])
    elif bati == B.MIXTE:
        collectives = [round(total * rng.uniform(0.4, 0.7))]
    logements = _logements(rng, total - sum(collectives))

    def adresse(places: int, type_bati: str, lieu: CommuneDemo) -> AdresseHebergement:
        diffus = type_bati == B.DIFFUS
        texte = _adresse(rng)
        if diffus and rng.random() < 0.3:
            texte += f", appartement {rng.randint(1, 60)}"
        qpv = rng.random() < (0.25 if diffus else 0.15)
        return AdresseHebergement(
            adresse=texte,
            code_postal=rng.choice(lieu.codes_postaux) if lieu.codes_postaux else "",
            commune=lieu.commune,
            places_autorisees=places,
            type_bati=type_bati,
            logement_social=(rng.random() < 0.55) if diffus else False,
            qpv=None if rng.random() < 0.1 else qpv,
        )

    def lieu() -> CommuneDemo:
        return principale if rng.random() < 0.6 else communes.tirer(rng)

    return [adresse(p, B.COLLECTIF, lieu()) for p in collectives if p] + [
        adresse(p, B.DIFFUS, lieu()) for p in logements
    ]


def charger_territoire() -> tuple[list[RegionDemo], list[DepartementDemo]]:
    """Régions and départements with their population, in a stable order."""
    departements = [
        DepartementDemo(code, region, population)
        for code, region, population in Departement.objects.order_by(
            "rang", "code"
        ).values_list("code", "region_id", "population")
    ]
    par_region: Counter[str] = Counter()
    for d in departements:
        par_region[d.region] += d.population
    regions = [
        RegionDemo(code, nom, population or par_region[code])
        for code, nom, population in Region.objects.order_by("code").values_list(
            "code", "nom", "population"
        )
    ]
    return regions, departements


def generer_parc(
    seed: int = 2026,
    echelle: float = 1,
    *,
    departements: Collection[str] | None = None,
) -> dict[str, int]:
    """Build the demonstration park in a base without structures; return the counts.

    ``echelle`` multiplies the places (10 gives ~1.1 M places for benchmarks, 0.1 a
    small park); ``departements`` keeps only the structures of those départements,
    which are then exactly those of the whole park (each structure draws its details
    from its own seed), with their operators.
    """
    if echelle <= 0:
        raise ErreurMetier("L'échelle doit être positive.")
    if Structure.objects.exists():
        raise ErreurMetier("Des structures existent déjà : le parc n'est pas généré.")
    regions, tous = charger_territoire()
    if not tous:
        raise ErreurMetier("Chargez d'abord le référentiel territorial.")
    sirets = {
        siret
        for siret in Operateur.objects.values_list("siret", flat=True)
        if siret is not None
    }
    plan = planifier_parc(seed, echelle, regions, tous, sirets)

    prevues = plan.structures
    if departements is not None:
        retenus = set(departements)
        inconnus = retenus - {d.code for d in tous}
        if inconnus:
            raise ErreurMetier(
                f"Département(s) inconnu(s) : {', '.join(sorted(inconnus))}"
            )
        prevues = [s for s in prevues if s.departement in retenus]
    communes = _communes_par_departement(sorted({s.departement for s in prevues}))
    sans_commune = sorted({s.departement for s in prevues} - communes.keys())
    if sans_commune:
        raise ErreurMetier(
            "Aucune commune chargée pour le(s) département(s) "
            f"{', '.join(sans_commune)} : chargez le référentiel des communes."
        )

    with transaction.atomic():
        operateurs = _creer_operateurs(seed, plan.operateurs, prevues, communes)
        compteurs = _creer_structures(seed, prevues, operateurs, communes)

    crees = [o for o in plan.operateurs if o.rang in operateurs]
    compteurs = {
        "operateurs": len(crees),
        "groupes": sum(1 for o in crees if o.groupe is None and not o.departement),
        "filiales": sum(1 for o in crees if o.groupe is not None),
        "associations": sum(1 for o in crees if o.departement),
        **compteurs,
    }
    logger.info("Parc de démonstration généré (graine %s) : %s", seed, compteurs)
    return compteurs


def _creer_operateurs(
    seed: int,
    prevus: list[OperateurPrevu],
    structures: list[StructurePrevue],
    communes: Mapping[str, Communes],
) -> dict[int, Operateur]:
    """Operators that run a kept structure, with the heads of their groups; their seat
    in their département, their region, or anywhere for a national group."""
    utiles = {s.operateur for s in structures}
    utiles |= {g for r in utiles if (g := prevus[r].groupe) is not None}
    poids = {
        code: sum(c.commune.population for c in liste.communes) + 1
        for code, liste in sorted(communes.items())
    }
    par_region: dict[str, dict[str, int]] = defaultdict(dict)
    for s in structures:
        par_region[s.region][s.departement] = poids[s.departement]

    crees: dict[int, Operateur] = {}
    for filiales in (False, True):  # heads first: subsidiaries point at them
        rangs: list[int] = []
        lot: list[Operateur] = []
        for prevu in prevus:
            if prevu.rang not in utiles or (prevu.groupe is not None) != filiales:
                continue
            rng = random.Random(f"{seed}:operateur:{prevu.rang}")
            departement = prevu.departement or _tirer(
                rng, par_region[prevu.region] if prevu.region else poids
            )
            siege = communes[departement].tirer(rng)
            rangs.append(prevu.rang)
            lot.append(
                Operateur(
                    nom=prevu.nom,
                    nom_recherche=normaliser_recherche(prevu.nom),
                    siret=prevu.siret,
                    adresse_siege=_adresse(rng),
                    code_postal_siege=rng.choice(siege.codes_postaux or ("",)),
                    commune_siege=siege.commune,
                    groupe=(
                        crees.get(prevu.groupe)
                        if filiales and prevu.groupe is not None
                        else None
                    ),
                )
            )
        Operateur.objects.bulk_create(lot, batch_size=TAILLE_LOT)
        crees |= dict(zip(rangs, lot, strict=True))
    return crees


def _creer_structures(
    seed: int,
    prevues: list[StructurePrevue],
    operateurs: Mapping[int, Operateur],
    communes: Mapping[str, Communes],
) -> dict[str, int]:
    commentaire = f"{MARQUE_DEMO} (graine {seed})."
    structures: list[Structure] = []
    enfants: list[tuple[list[AdresseHebergement], list[EvenementCapacite]]] = []
    for prevue in prevues:
        rng = random.Random(f"{seed}:structure:{prevue.rang}")
        gabarit = GABARITS[prevue.type]
        du_departement = communes[prevue.departement]
        principale = du_departement.tirer(rng)
        ses_adresses = _adresses(rng, prevue, principale, du_departement)
        structure = Structure(
            type=prevue.type,
            nom=f"{prevue.type} {rng.choice(LIEUX)} – {principale.commune.nom}",
            operateur=operateurs[prevue.operateur],
            departement_id=prevue.departement,
            public=_tirer(rng, gabarit.publics),
            adresse=_adresse(rng),
            code_postal=rng.choice(principale.codes_postaux or ("",)),
            commune=principale.commune,
            finess=prevue.finess,
            type_bati=regles.type_bati_des_adresses(a.type_bati for a in ses_adresses),
        )
        structure.recherche = structure.texte_recherche(codes_dna=prevue.codes_dna)
        structures.append(structure)
        enfants.append((ses_adresses, _evenements(rng, prevue, commentaire)))
    Structure.objects.bulk_create(structures, batch_size=TAILLE_LOT)

    codes: list[CodeDna] = []
    adresses: list[AdresseHebergement] = []
    evenements: list[EvenementCapacite] = []
    for prevue, structure, (ses_adresses, ses_evenements) in zip(
        prevues, structures, enfants, strict=True
    ):
        codes += [CodeDna(structure=structure, code=c) for c in prevue.codes_dna]
        for adresse in ses_adresses:
            adresse.structure = structure
        for evenement in ses_evenements:
            evenement.structure = structure
        adresses += ses_adresses
        evenements += ses_evenements
    CodeDna.objects.bulk_create(codes, batch_size=TAILLE_LOT)
    AdresseHebergement.objects.bulk_create(adresses, batch_size=TAILLE_LOT)
    EvenementCapacite.objects.bulk_create(evenements, batch_size=TAILLE_LOT)

    places: Counter[str] = Counter()
    for prevue in prevues:
        places[prevue.type] += prevue.places
    return {
        "structures": len(structures),
        "places_autorisees": sum(places.values()),
        **{f"places_{t.lower()}": places[t] for t in TypeStructure},
        "codes_dna": len(codes),
        "evenements": len(evenements),
        "adresses": len(adresses),
        "structures_sans_code_dna": sum(1 for p in prevues if not p.codes_dna),
        "codes_dna_incoherents": sum(1 for p in prevues if p.code_incoherent),
        "structures_a_deux_codes_dna": sum(1 for p in prevues if len(p.codes_dna) > 1),
        "ecarts_adresses": sum(1 for p in prevues if p.ecart_adresses),
        "places_specialisees_excessives": sum(
            1 for p in prevues if p.specialisees_excessives
        ),
    }


def _supprimer(objets: QuerySet[Any]) -> int:
    """Delete, and count the rows of the queryset's own model."""
    return objets.delete()[1].get(objets.model._meta.label, 0)


def _structures_hors_demo() -> QuerySet[Structure]:
    marquees = EvenementCapacite.objects.filter(
        structure=OuterRef("pk"),
        nature=NatureEvenement.CREATION,
        commentaire__startswith=MARQUE_DEMO,
    )
    return Structure.objects.exclude(Exists(marquees))


def supprimer_parc_demo() -> dict[str, int]:
    """Delete the demonstration park: the structures whose creation event carries the
    demo mark (with what users later added to them), then the operators that were
    never saved one by one (no creation row in their history).

    Refuses, deleting nothing, if any other structure exists or if other data (a user
    account, a subsidiary, a convention) still point at what would be deleted.
    """
    if _structures_hors_demo().exists():
        raise ErreurMetier(
            "La base contient des structures qui ne viennent pas du parc de "
            "démonstration : rien n'est supprimé."
        )
    crees_un_par_un = Operateur.history.filter(id=OuterRef("pk"), history_type="+")
    operateurs = Operateur.objects.exclude(Exists(crees_un_par_un))

    try:
        with transaction.atomic():
            evenements = EvenementCapacite.objects.all()
            evenements.exclude(evenement_lie=None).update(evenement_lie=None)
            compteurs = {
                "evenements": _supprimer(evenements),
                "structures": _supprimer(Structure.objects.all()),
                "operateurs": _supprimer(operateurs.exclude(groupe=None))
                + _supprimer(operateurs),
            }
    except ProtectedError as erreur:
        raise ErreurMetier(
            "D'autres données pointent vers le parc de démonstration "
            f"({len(erreur.protected_objects)} objet(s), par exemple des comptes "
            "d'utilisateurs) : rien n'est supprimé."
        ) from erreur
    logger.info("Parc de démonstration supprimé : %s", compteurs)
    return compteurs
