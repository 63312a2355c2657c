"""Fictitious monthly occupancy of the demonstration park, drawn from a seed.

Every structure with authorised places gets 24 months, ending two months before the
current one; the month after them is written as a sample file in the layout of the
occupancy office's export, for a newcomer to import from the interface. Figures
follow a seasonal pattern (fuller in winter, emptier in summer), and a few
structures cross the thresholds on purpose (unavailable places, undue presences,
a capacity differing from the park's), so that the findings and the page have
something to show.
"""

from __future__ import annotations

import datetime
import logging
import math
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from abri.activite import regles
from abri.activite.imports.modele import ecrire_fichier_activite
from abri.activite.models import ActiviteMensuelle, ImportActivite, Source
from abri.communs.texte import normaliser_recherche
from abri.structures.models import CodeDna, EvenementCapacite, Structure

logger = logging.getLogger(__name__)

MARQUE_DEMO = "Activité de démonstration"
NOMBRE_MOIS = 24
TAILLE_LOT = 2000
# Shares of the structures built with a deliberate finding.
PART_INDISPONIBLES = 0.02
PART_BPI = 0.02
PART_DEBOUTES = 0.02
PART_CAPACITE_DIFFERENTE = 0.01
OCCUPATION_PAR_TYPE = {
    "CADA": 0.965,
    "HUDA": 0.955,
    "CAES": 0.86,
    "CPH": 0.95,
    "PRAHDA": 0.94,
}
DIRECTIONS = {  # a few territorial directions of the occupancy office, by région
    "84": "DT Lyon",
    "11": "DT Paris",
    "93": "DT Marseille",
    "75": "DT Bordeaux",
    "76": "DT Toulouse",
    "52": "DT Nantes",
    "44": "DT Strasbourg",
    "32": "DT Lille",
    "53": "DT Rennes",
    "28": "DT Caen",
    "24": "DT Orléans",
    "27": "DT Dijon",
    "94": "DT Marseille",
}


def mois_demo(aujourd_hui: datetime.date) -> tuple[list[datetime.date], datetime.date]:
    """The 24 months of the base, and the month of the sample file after them."""
    exemple = regles.ajouter_mois(regles.premier_du_mois(aujourd_hui), -1)
    return regles.mois_recents(regles.ajouter_mois(exemple, -1), NOMBRE_MOIS), exemple


@dataclass(frozen=True)
class StructureDemo:
    pk: int
    nom: str
    type: str
    operateur: str
    departement: str
    nom_departement: str
    region: str
    code: str | None
    evenements: tuple[tuple[datetime.date, int], ...]

    def capacite(self, mois: datetime.date) -> int:
        fin = regles.dernier_jour(mois)
        return sum(places for date, places in self.evenements if date <= fin)


def _structures() -> list[StructureDemo]:
    evenements: dict[int, list[tuple[datetime.date, int]]] = defaultdict(list)
    for structure_id, date, places in EvenementCapacite.objects.values_list(
        "structure_id", "date_effet", "places_autorisees"
    ):
        evenements[structure_id].append((date, places))
    codes: dict[int, str] = {}
    for structure_id, code in CodeDna.objects.order_by("code").values_list(
        "structure_id", "code"
    ):
        codes.setdefault(structure_id, code)
    return [
        StructureDemo(
            ligne["pk"],
            ligne["nom"],
            ligne["type"],
            ligne["operateur__nom"],
            ligne["departement_id"],
            ligne["departement__nom"],
            ligne["departement__region_id"],
            codes.get(ligne["pk"]),
            tuple(evenements.get(ligne["pk"], ())),
        )
        for ligne in Structure.objects.order_by("pk").values(
            "pk",
            "nom",
            "type",
            "operateur__nom",
            "departement_id",
            "departement__nom",
            "departement__region_id",
        )
    ]


def _saison(mois: datetime.date) -> float:
    """+2 points in January, −2 in July."""
    return 0.02 * math.cos((mois.month - 1) / 12 * 2 * math.pi)


@dataclass(frozen=True)
class MoisDemo:
    structure: StructureDemo
    mois: datetime.date
    capacite: int
    motifs: dict[str, int]
    occupees: int
    bpi: int
    deboutes: int

    @property
    def indisponibles(self) -> int:
        return sum(self.motifs.values())


def _profil(rng: random.Random) -> dict[str, bool]:
    return {
        "indisponibles": rng.random() < PART_INDISPONIBLES,
        "bpi": rng.random() < PART_BPI,
        "deboutes": rng.random() < PART_DEBOUTES,
        "capacite": rng.random() < PART_CAPACITE_DIFFERENTE,
    }


def planifier(
    seed: int, structures: list[StructureDemo], mois: list[datetime.date]
) -> Iterator[MoisDemo]:
    """The months of every structure; each structure draws from its own seed, so
    that its figures do not depend on the others."""
    for structure in structures:
        rng = random.Random(f"{seed}-activite-{structure.pk}")  # noqa: S311
        profil = _profil(rng)
        base = OCCUPATION_PAR_TYPE.get(structure.type, 0.95) + rng.uniform(-0.03, 0.02)
        for m in mois:
            autorisees = structure.capacite(m)
            if autorisees <= 0:
                continue
            capacite = autorisees
            if profil["capacite"] and m == mois[-1]:
                capacite = max(1, autorisees - rng.randint(2, 10))
            motifs = dict.fromkeys(
                (
                    "places_desinsectisation",
                    "places_remise_en_etat",
                    "places_sous_occupation",
                    "places_travaux",
                ),
                0,
            )
            part = rng.uniform(0.04, 0.09) if profil["indisponibles"] else 0.0
            if not part and rng.random() < 0.15:
                part = rng.uniform(0.005, 0.025)
            if part:
                motif = rng.choice(list(motifs))
                motifs[motif] = min(capacite, max(1, round(capacite * part)))
            disponibles = capacite - sum(motifs.values())
            taux = min(1.0, max(0.5, base + _saison(m) + rng.uniform(-0.02, 0.02)))
            occupees = round(disponibles * taux)
            part_bpi = (
                rng.uniform(0.04, 0.07) if profil["bpi"] else rng.uniform(0, 0.02)
            )
            part_deb = (
                rng.uniform(0.05, 0.08) if profil["deboutes"] else rng.uniform(0, 0.025)
            )
            bpi = round(occupees * part_bpi)
            deboutes = min(occupees - bpi, round(occupees * part_deb))
            yield MoisDemo(structure, m, capacite, motifs, occupees, bpi, deboutes)


def generer_activite(
    seed: int = 2026, aujourd_hui: datetime.date | None = None
) -> dict[str, int]:
    """Write the 24 months of the demonstration park, unless the base already
    holds occupancy figures; return the counts."""
    if ActiviteMensuelle.objects.exists():
        return {"mois_structure": 0}
    mois, _ = mois_demo(aujourd_hui or datetime.date.today())
    structures = _structures()
    with transaction.atomic():
        import_demo = ImportActivite.objects.create(
            nom_fichier=MARQUE_DEMO,
            mois=[m.isoformat() for m in mois],
        )
        lignes = (
            ActiviteMensuelle(
                structure_id=m.structure.pk,
                mois=m.mois,
                source=Source.FICHIER,
                code_dna=m.structure.code or "",
                capacite=m.capacite,
                places_indisponibles=m.indisponibles,
                places_occupees=m.occupees,
                presences_indues_bpi=m.bpi,
                presences_indues_deboutes=m.deboutes,
                import_activite=import_demo,
                **m.motifs,
            )
            for m in planifier(seed, structures, mois)
        )
        crees = len(
            ActiviteMensuelle.objects.bulk_create(lignes, batch_size=TAILLE_LOT)
        )
        ImportActivite.objects.filter(pk=import_demo.pk).update(lignes=crees)
    logger.info("demonstration occupancy generated: %s structure months", crees)
    return {"mois_structure": crees, "mois": len(mois)}


# The sample file -----------------------------------------------------------------


def _operateur_fichier(nom: str) -> str:
    """How the occupancy office writes an operator: capitals, no accents."""
    return normaliser_recherche(nom).upper()


def _departement_fichier(rng: random.Random, nom: str) -> str:
    """Now and then a variant the import must recognise."""
    tirage = rng.random()
    if tirage < 0.1:
        return normaliser_recherche(nom).upper()
    if tirage < 0.15:
        return nom.replace("Saint-", "St-").replace("-", " ")
    return nom


def lignes_fichier(
    seed: int, structures: list[StructureDemo], mois: datetime.date
) -> list[list[Any]]:
    """The rows of one month, in the order of the file's columns."""
    rng = random.Random(f"{seed}-fichier-{mois.isoformat()}")  # noqa: S311
    avec_code = [s for s in structures if s.code]
    lignes: list[list[Any]] = []
    for m in planifier(seed, avec_code, [mois]):
        s = m.structure
        places = regles.Places(
            m.capacite, m.indisponibles, m.occupees, m.bpi, m.deboutes
        )
        lignes.append(
            [
                s.code,
                s.nom.upper(),
                s.type,
                _operateur_fichier(s.operateur),
                _departement_fichier(rng, s.nom_departement),
                DIRECTIONS.get(s.region, "DT Paris"),
                m.capacite,
                *m.motifs.values(),
                m.indisponibles,
                places.taux_indisponibilite or 0,
                places.taux_occupation or 0,
                m.occupees,
                places.taux_bpi or 0,
                m.bpi,
                places.taux_deboutes or 0,
                m.deboutes,
            ]
        )
    if lignes:
        # One operator spelled otherwise, and two centres the park does not know.
        ecart = lignes[len(lignes) // 2]
        ecart[3] = ecart[3].replace(" ", "-", 1) + " ASSO"
        modele = lignes[0]
        pris = {s.code for s in avec_code}
        libres = (
            f"{modele[0][:3]}{n:02d}"
            for n in range(99, -1, -1)
            if f"{modele[0][:3]}{n:02d}" not in pris
        )
        for nom, type_centre in (
            ("CENTRE NOUVEAU", modele[2]),
            ("HOTEL DU PARC", "NUITEE HOTELIERE"),
        ):
            inconnue = list(modele)
            inconnue[0], inconnue[1], inconnue[2] = next(libres), nom, type_centre
            lignes.append(inconnue)
    return lignes


def nom_fichier_exemple(mois: datetime.date) -> str:
    return f"Liste données par centre {mois.month:02d}.{mois.year % 100:02d} VF.xlsx"


def ecrire_fichier_exemple(
    dossier: Path, seed: int = 2026, aujourd_hui: datetime.date | None = None
) -> Path | None:
    """Write the sample month in ``dossier``; ``None`` when the park is empty."""
    _, mois = mois_demo(aujourd_hui or datetime.date.today())
    structures = _structures()
    if not structures:
        return None
    lignes = lignes_fichier(seed, structures, mois)
    contenu = ecrire_fichier_activite(
        {"Liste": lignes},
        titre=f"Liste des données par centre — {regles.libelle_mois(mois)}",
    )
    dossier.mkdir(parents=True, exist_ok=True)
    chemin = dossier / nom_fichier_exemple(mois)
    chemin.write_bytes(contenu)
    return chemin
