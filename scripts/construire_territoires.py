"""Build the reference files of ``abri/territoires/data/`` from their public sources.

Run by a developer when a new millésime comes out, never by the application::

    python scripts/construire_territoires.py \\
        --regions SOURCES/cog/regions.csv \\
        --departements SOURCES/cog/departements.csv \\
        --populations SOURCES/derived/population-par-departement.csv \\
        --communes etalab-decoupage-administratif-6.0.0.tgz \\
        --sortie abri/territoires/data

``--communes`` takes the npm tarball of ``@etalab/decoupage-administratif`` (its
``package/data/communes.json`` is read) or that ``communes.json`` itself. Only the
standard library is used, so the script runs with any Python 3.12+.

Output (UTF-8, ``;``-separated, LF line ends, sorted by code so that a diff between
two millésimes reads well):

- ``regions.csv``: ``code;nom;population`` (population = sum of its départements);
- ``departements.csv``: ``code;nom;region;population;rang`` (``rang`` = INSEE order);
- ``communes.csv``: ``code_insee;nom;departement;population;codes_postaux``.
"""

import argparse
import csv
import hashlib
import json
import sys
import tarfile
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

MEMBRE_COMMUNES = "package/data/communes.json"


def cle_ordre_insee(code: str) -> tuple[int, str]:
    """Sort key of a département code in INSEE order: ``2A`` and ``2B`` after ``29``.

    Overseas codes (971…976) are numbers above 95, so they come last.
    """
    if code in ("2A", "2B"):
        return (29, code)
    return (int(code), "")


def lire_csv(chemin: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with chemin.open(encoding="utf-8-sig", newline="") as fichier:
        return list(csv.DictReader(fichier, delimiter=delimiter))


def lire_communes_json(chemin: Path) -> tuple[list[dict[str, Any]], str]:
    """The objects of ``communes.json`` and the sha256 of the file they come from."""
    contenu = chemin.read_bytes()
    empreinte = hashlib.sha256(contenu).hexdigest()
    if chemin.name.endswith((".tgz", ".tar.gz")):
        with tarfile.open(chemin, "r:gz") as archive:
            membre = archive.extractfile(MEMBRE_COMMUNES)
            if membre is None:
                raise SystemExit(f"{MEMBRE_COMMUNES} absent de {chemin}")
            contenu = membre.read()
    return json.loads(contenu.decode("utf-8")), empreinte


def construire_departements(
    sources: list[dict[str, str]], populations: list[dict[str, str]]
) -> list[dict[str, Any]]:
    population_par_code = {
        ligne["dep"]: int(ligne["population_municipale"]) for ligne in populations
    }
    manquants = {ligne["DEP"] for ligne in sources} - population_par_code.keys()
    if manquants:
        raise SystemExit(f"Population absente pour : {', '.join(sorted(manquants))}")

    codes = sorted((ligne["DEP"] for ligne in sources), key=cle_ordre_insee)
    rang = {code: indice for indice, code in enumerate(codes, start=1)}
    departements = [
        {
            "code": ligne["DEP"],
            "nom": ligne["LIBELLE"],
            "region": ligne["REG"],
            "population": population_par_code[ligne["DEP"]],
            "rang": rang[ligne["DEP"]],
        }
        for ligne in sources
    ]
    return sorted(departements, key=lambda d: d["rang"])


def construire_regions(
    sources: list[dict[str, str]], departements: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    population: dict[str, int] = defaultdict(int)
    for departement in departements:
        population[departement["region"]] += departement["population"]
    sans_departement = {ligne["REG"] for ligne in sources} - population.keys()
    if sans_departement:
        raise SystemExit(f"Régions sans département : {sorted(sans_departement)}")
    return sorted(
        (
            {"code": r["REG"], "nom": r["LIBELLE"], "population": population[r["REG"]]}
            for r in sources
        ),
        key=lambda r: r["code"],
    )


def construire_communes(
    objets: list[dict[str, Any]], codes_departements: Iterable[str]
) -> tuple[list[dict[str, Any]], int]:
    """Current communes of the given départements, with their postal codes.

    Communes déléguées and associées are skipped: they are not communes any more and
    carry no postal code of their own. Arrondissements municipaux (Paris, Lyon,
    Marseille) are skipped too, but any postal code one carries that its commune does
    not is added to the commune, so that ``75011`` always resolves to Paris. Returns the
    communes and the number of postal codes so added (0 for the 2026 millésime).
    """
    departements = set(codes_departements)
    communes = {
        objet["code"]: {
            "code_insee": objet["code"],
            "nom": objet["nom"],
            "departement": objet["departement"],
            "population": int(objet.get("population") or 0),
            "codes_postaux": set(objet.get("codesPostaux") or ()),
        }
        for objet in objets
        if objet["type"] == "commune-actuelle" and objet["departement"] in departements
    }

    ajoutes = 0
    for objet in objets:
        if objet["type"] != "arrondissement-municipal":
            continue
        parent = communes[objet["commune"]]
        manquants = set(objet.get("codesPostaux") or ()) - parent["codes_postaux"]
        parent["codes_postaux"] |= manquants
        ajoutes += len(manquants)

    sans_code = [c["code_insee"] for c in communes.values() if not c["codes_postaux"]]
    if sans_code:
        print(f"Attention : communes sans code postal : {sans_code}", file=sys.stderr)
    return sorted(communes.values(), key=lambda c: c["code_insee"]), ajoutes


def verifier_populations(
    communes: list[dict[str, Any]], departements: list[dict[str, Any]]
) -> list[str]:
    """Départements whose communes do not add up to the population of the INSEE file."""
    somme: dict[str, int] = defaultdict(int)
    for commune in communes:
        somme[commune["departement"]] += commune["population"]
    return [
        f"{d['code']} : communes {somme[d['code']]} ≠ département {d['population']}"
        for d in departements
        if somme[d["code"]] != d["population"]
    ]


def ecrire_csv(chemin: Path, colonnes: list[str], lignes: list[dict[str, Any]]) -> None:
    with chemin.open("w", encoding="utf-8", newline="") as fichier:
        writer = csv.DictWriter(
            fichier, fieldnames=colonnes, delimiter=";", lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(lignes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=Path, required=True, help="cog/regions.csv")
    parser.add_argument(
        "--departements", type=Path, required=True, help="cog/departements.csv"
    )
    parser.add_argument(
        "--populations",
        type=Path,
        required=True,
        help="derived/population-par-departement.csv",
    )
    parser.add_argument(
        "--communes",
        type=Path,
        required=True,
        help="tarball npm @etalab/decoupage-administratif ou son communes.json",
    )
    parser.add_argument("--sortie", type=Path, required=True, help="dossier de sortie")
    args = parser.parse_args(argv)

    departements = construire_departements(
        lire_csv(args.departements), lire_csv(args.populations)
    )
    regions = construire_regions(lire_csv(args.regions), departements)
    objets, empreinte = lire_communes_json(args.communes)
    communes, ajoutes = construire_communes(objets, (d["code"] for d in departements))
    ecarts = verifier_populations(communes, departements)

    args.sortie.mkdir(parents=True, exist_ok=True)
    ecrire_csv(args.sortie / "regions.csv", ["code", "nom", "population"], regions)
    ecrire_csv(
        args.sortie / "departements.csv",
        ["code", "nom", "region", "population", "rang"],
        departements,
    )
    ecrire_csv(
        args.sortie / "communes.csv",
        ["code_insee", "nom", "departement", "population", "codes_postaux"],
        [
            {**c, "codes_postaux": " ".join(sorted(c["codes_postaux"]))}
            for c in communes
        ],
    )

    for ecart in ecarts:
        print(f"Attention : population {ecart}", file=sys.stderr)
    print(f"sha256 de {args.communes.name} : {empreinte}")
    print(
        f"{len(regions)} régions, {len(departements)} départements, "
        f"{len(communes)} communes, "
        f"{sum(len(c['codes_postaux']) for c in communes)} codes postaux "
        f"({ajoutes} repris des arrondissements municipaux) écrits dans {args.sortie}."
    )
    return 1 if ecarts else 0


if __name__ == "__main__":
    sys.exit(main())
