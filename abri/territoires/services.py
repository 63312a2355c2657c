"""Loading of the territorial reference data shipped in ``territoires/data/``."""

import csv
import logging
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from abri.communs.texte import normaliser_recherche
from abri.journal.models import Action
from abri.journal.services import differences, enregistrer
from abri.territoires.models import CodePostal, Commune, Departement, Region

logger = logging.getLogger(__name__)

DOSSIER_DONNEES = Path(__file__).resolve().parent / "data"
TAILLE_LOT = 1000
# Keys of the counts returned by charger_referentiel that count changes.
CLES_CHANGEMENTS = (
    "regions_creees",
    "regions_modifiees",
    "departements_crees",
    "departements_modifies",
    "communes_creees",
    "communes_modifiees",
    "codes_postaux_ajoutes",
    "codes_postaux_supprimes",
)


@dataclass(frozen=True)
class LigneCommune:
    code_insee: str
    nom: str
    departement: str
    population: int
    codes_postaux: frozenset[str]

    def valeurs(self) -> dict[str, Any]:
        return {
            "nom": self.nom,
            "nom_recherche": normaliser_recherche(self.nom)[:150],
            "departement_id": self.departement,
            "population": self.population,
        }


def lire_csv(chemin: Path) -> list[dict[str, str]]:
    with chemin.open(encoding="utf-8", newline="") as fichier:
        return list(csv.DictReader(fichier, delimiter=";"))


def lire_regions(dossier: Path) -> dict[str, dict[str, Any]]:
    return {
        ligne["code"]: {"nom": ligne["nom"], "population": int(ligne["population"])}
        for ligne in lire_csv(dossier / "regions.csv")
    }


def lire_departements(dossier: Path) -> dict[str, dict[str, Any]]:
    return {
        ligne["code"]: {
            "nom": ligne["nom"],
            "region_id": ligne["region"],
            "population": int(ligne["population"]),
            "rang": int(ligne["rang"]),
        }
        for ligne in lire_csv(dossier / "departements.csv")
    }


def lire_communes(dossier: Path, departements: Collection[str]) -> list[LigneCommune]:
    # csv.reader rather than DictReader: the file has 35,000 rows and tests read it
    # often for a few départements.
    with (dossier / "communes.csv").open(encoding="utf-8", newline="") as fichier:
        lignes = csv.reader(fichier, delimiter=";")
        colonne = {nom: i for i, nom in enumerate(next(lignes))}
        code, nom, dep, population, codes_postaux = (
            colonne[c]
            for c in ("code_insee", "nom", "departement", "population", "codes_postaux")
        )
        return [
            LigneCommune(
                code_insee=ligne[code],
                nom=ligne[nom],
                departement=ligne[dep],
                population=int(ligne[population]),
                codes_postaux=frozenset(ligne[codes_postaux].split()),
            )
            for ligne in lignes
            if ligne[dep] in departements
        ]


def a_creer_et_a_modifier(
    existants: Mapping[str, Mapping[str, Any]], voulus: Mapping[str, Mapping[str, Any]]
) -> tuple[list[str], list[str]]:
    """Keys of ``voulus`` absent from ``existants``, and those whose values differ."""
    a_creer = [cle for cle in voulus if cle not in existants]
    a_modifier = [
        cle
        for cle, valeurs in voulus.items()
        if cle in existants and dict(existants[cle]) != dict(valeurs)
    ]
    return a_creer, a_modifier


def charger_referentiel(
    departements: Collection[str] | None = None,
    communes: bool = True,
    *,
    dossier: Path | None = None,
) -> dict[str, int]:
    """Create or update régions, départements and communes from the shipped files.

    Idempotent: a second run changes nothing. ``departements`` restricts the communes
    loaded (régions and départements are always loaded whole). Communes absent from the
    files are kept, since structures and addresses point at them, but lose their postal
    codes; they are counted in ``communes_absentes``. The postal codes of the other
    communes become those of the files.
    """
    dossier = dossier or DOSSIER_DONNEES
    regions_voulues = lire_regions(dossier)
    departements_voulus = lire_departements(dossier)
    selection = set(departements_voulus) if departements is None else set(departements)
    inconnus = selection - departements_voulus.keys()
    if inconnus:
        raise ValueError(f"Département(s) inconnu(s) : {', '.join(sorted(inconnus))}")

    logger.info("Chargement du référentiel territorial depuis %s", dossier)
    with transaction.atomic():
        compteurs = _charger_regions(regions_voulues)
        compteurs |= _charger_departements(departements_voulus)
        if communes:
            compteurs |= _charger_communes(lire_communes(dossier, selection), selection)

    logger.info("Référentiel territorial chargé : %s", compteurs)
    return compteurs


def _charger_regions(voulues: Mapping[str, dict[str, Any]]) -> dict[str, int]:
    existantes = {r.code: r for r in Region.objects.all()}
    a_creer, a_modifier = a_creer_et_a_modifier(
        {code: _valeurs(r, ["nom", "population"]) for code, r in existantes.items()},
        voulues,
    )

    creees = Region.objects.bulk_create(
        [Region(code=code, **voulues[code]) for code in a_creer]
    )
    for region in creees:
        enregistrer(None, Action.CREATION, region, commentaire="Référentiel INSEE")
    _modifier(existantes, a_modifier, voulues, Region, ["nom", "population"])

    return {
        "regions": len(voulues),
        "regions_creees": len(a_creer),
        "regions_modifiees": len(a_modifier),
    }


def _charger_departements(voulus: Mapping[str, dict[str, Any]]) -> dict[str, int]:
    champs = ["nom", "region_id", "population", "rang"]
    existants = {d.code: d for d in Departement.objects.all()}
    a_creer, a_modifier = a_creer_et_a_modifier(
        {code: _valeurs(d, champs) for code, d in existants.items()}, voulus
    )

    crees = Departement.objects.bulk_create(
        [Departement(code=code, **voulus[code]) for code in a_creer]
    )
    for departement in crees:
        enregistrer(None, Action.CREATION, departement, commentaire="Référentiel INSEE")
    _modifier(existants, a_modifier, voulus, Departement, champs)

    return {
        "departements": len(voulus),
        "departements_crees": len(a_creer),
        "departements_modifies": len(a_modifier),
    }


def _charger_communes(
    lignes: list[LigneCommune], selection: Collection[str]
) -> dict[str, int]:
    voulues = {ligne.code_insee: ligne for ligne in lignes}
    existantes = {
        code: {
            "nom": nom,
            "nom_recherche": recherche,
            "departement_id": dep,
            "population": population,
        }
        for code, nom, recherche, dep, population in Commune.objects.values_list(
            "code_insee", "nom", "nom_recherche", "departement_id", "population"
        )
    }
    a_creer, a_modifier = a_creer_et_a_modifier(
        existantes, {code: ligne.valeurs() for code, ligne in voulues.items()}
    )
    absentes = [
        code
        for code, valeurs in existantes.items()
        if valeurs["departement_id"] in selection and code not in voulues
    ]

    Commune.objects.bulk_create(
        [_commune(voulues[code]) for code in a_creer], batch_size=TAILLE_LOT
    )
    Commune.objects.bulk_update(
        [_commune(voulues[code]) for code in a_modifier],
        ["nom", "nom_recherche", "departement", "population"],
        batch_size=TAILLE_LOT,
    )
    ajoutes, supprimes = _charger_codes_postaux(
        voulues, {code: str(existantes[code]["departement_id"]) for code in absentes}
    )

    _journaliser_communes(voulues, a_creer, a_modifier, ajoutes, supprimes)
    if absentes:
        logger.warning(
            "%s commune(s) absente(s) des fichiers conservée(s) : %s",
            len(absentes),
            ", ".join(sorted(absentes)[:20]),
        )
    return {
        "communes": len(voulues),
        "communes_creees": len(a_creer),
        "communes_modifiees": len(a_modifier),
        "communes_absentes": len(absentes),
        "codes_postaux": sum(len(ligne.codes_postaux) for ligne in lignes),
        "codes_postaux_ajoutes": sum(ajoutes.values()),
        "codes_postaux_supprimes": sum(supprimes.values()),
    }


def _charger_codes_postaux(
    voulues: Mapping[str, LigneCommune], absentes: Mapping[str, str]
) -> tuple[Counter[str], Counter[str]]:
    """Make the postal codes of ``voulues`` those of the files.

    Communes ``absentes`` from the files (code → département) lose their postal codes,
    so that a lookup no longer finds them. Returns the numbers of codes added and
    removed, by département code.
    """
    departement_de = {code: ligne.departement for code, ligne in voulues.items()}
    departement_de |= absentes
    voulus = {
        (code, ligne.code_insee)
        for ligne in voulues.values()
        for code in ligne.codes_postaux
    }
    existants = {
        (code, commune_id): pk
        for pk, code, commune_id in CodePostal.objects.values_list(
            "pk", "code", "commune_id"
        )
        if commune_id in departement_de
    }
    a_ajouter = sorted(voulus - existants.keys())
    a_supprimer = sorted(existants.keys() - voulus)

    CodePostal.objects.bulk_create(
        [CodePostal(code=code, commune_id=commune) for code, commune in a_ajouter],
        batch_size=TAILLE_LOT,
    )
    ids = [existants[cle] for cle in a_supprimer]
    for debut in range(0, len(ids), TAILLE_LOT):
        CodePostal.objects.filter(pk__in=ids[debut : debut + TAILLE_LOT]).delete()

    return (
        Counter(departement_de[commune] for _, commune in a_ajouter),
        Counter(departement_de[commune] for _, commune in a_supprimer),
    )


def _journaliser_communes(
    voulues: Mapping[str, LigneCommune],
    a_creer: Iterable[str],
    a_modifier: Iterable[str],
    ajoutes: Counter[str],
    supprimes: Counter[str],
) -> None:
    """One journal entry per département whose communes changed, with the counts."""
    creees = Counter(voulues[code].departement for code in a_creer)
    modifiees = Counter(voulues[code].departement for code in a_modifier)
    touches = set(creees) | set(modifiees) | set(ajoutes) | set(supprimes)
    for departement in Departement.objects.filter(code__in=touches).order_by("rang"):
        code = departement.code
        enregistrer(
            None,
            Action.IMPORT,
            departement,
            commentaire=(
                f"Référentiel des communes : {creees[code]} créée(s), "
                f"{modifiees[code]} modifiée(s) ; codes postaux : "
                f"{ajoutes[code]} ajouté(s), {supprimes[code]} supprimé(s)."
            ),
        )


def _commune(ligne: LigneCommune) -> Commune:
    return Commune(code_insee=ligne.code_insee, **ligne.valeurs())


def _valeurs(obj: Region | Departement, champs: Iterable[str]) -> dict[str, Any]:
    return {champ: getattr(obj, champ) for champ in champs}


def _modifier(
    existants: Mapping[str, Region | Departement],
    codes: Iterable[str],
    voulus: Mapping[str, dict[str, Any]],
    modele: type[Region] | type[Departement],
    champs: list[str],
) -> None:
    """Update the few changed régions or départements, one journal entry each."""
    modifies = []
    for code in codes:
        obj = existants[code]
        avant = _valeurs(obj, champs)
        for champ, valeur in voulus[code].items():
            setattr(obj, champ, valeur)
        modifies.append(obj)
        enregistrer(
            None,
            Action.MODIFICATION,
            obj,
            differences(avant, voulus[code]),
            commentaire="Référentiel INSEE",
        )
    modele.objects.bulk_update(
        modifies,  # type: ignore[arg-type]  # all of them are instances of modele
        [c.removesuffix("_id") for c in champs],
    )
