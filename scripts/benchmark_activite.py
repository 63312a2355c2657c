"""Time of the monthly occupancy import on the demonstration park, at several scales.

For each database and scale, a child process builds a fresh database (migrations,
territories, ``generer_parc(seed=2026, echelle=...)``), writes the occupancy files
in the office's layout from the demonstration figures (``abri/activite/demo.py``),
then times, as a national administrator:

- a one-month file (sheet ``Liste``, ~1,200 rows at 1×) into a base without
  occupancy: analysis (the preview) and application (the confirmation, which checks
  the file again, writes the rows and recomputes the findings of the structures
  concerned);
- the same month imported again (it replaces that month);
- a 24-month file (one sheet per month, ~29,000 rows at 1×).

Settings are read once per process, hence one child per scale, in a temporary
directory removed at the end (PostgreSQL databases are dropped); the largest file
is above the default upload limit, so the child raises ``IMPORT_MAX_BYTES``.

Usage::

    .venv/bin/python scripts/benchmark_activite.py
    .venv/bin/python scripts/benchmark_activite.py --base sqlite,postgres
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

RACINE = Path(__file__).resolve().parent.parent
SCRIPTS = RACINE / "scripts"
sys.path.insert(0, str(SCRIPTS))

from benchmark import (  # noqa: E402
    NOMS_BASES,
    SEED,
    bases,
    echelles,
    environnement,
    libelle_echelle,
    modele_processeur,
    psql,
)

TAILLE_MAX = 200 * 1024 * 1024


def analyser_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Temps de l'import du fichier mensuel d'occupation."
    )
    parser.add_argument("--base", type=bases, default=["sqlite"])
    parser.add_argument("--echelles", type=echelles, default=[1.0, 10.0])
    parser.add_argument("--pg-hote", default="127.0.0.1")
    parser.add_argument("--pg-port", default="5432")
    parser.add_argument("--pg-utilisateur", default="postgres")
    parser.add_argument("--mesurer-dans", help=argparse.SUPPRESS)
    parser.add_argument("--nom-base", default="sqlite", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def lancer(
    arguments: argparse.Namespace, racine: Path, base: str, echelle: float
) -> dict[str, Any]:
    suffixe = libelle_echelle(echelle).rstrip("×").replace(".", "_")
    sortie = racine / f"{base}-{suffixe}.json"
    if base == "postgres":
        nom = f"abri_benchmark_activite_{os.getpid()}_{suffixe}"
        psql(arguments, f"CREATE DATABASE {nom}")
        url = (
            f"postgres://{arguments.pg_utilisateur}@{arguments.pg_hote}:"
            f"{arguments.pg_port}/{nom}"
        )
    else:
        url = f"sqlite:///{racine / f'{base}-{suffixe}.sqlite3'}"
    env = environnement(racine, url)
    env["IMPORT_MAX_BYTES"] = str(TAILLE_MAX)
    commande = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--mesurer-dans",
        str(sortie),
        "--nom-base",
        base,
        "--echelles",
        f"{echelle:g}",
    ]
    try:
        subprocess.run(commande, cwd=RACINE, env=env, check=True)  # noqa: S603
    finally:
        if base == "postgres":
            psql(arguments, f"DROP DATABASE IF EXISTS {nom} WITH (FORCE)")
        else:
            for chemin in racine.glob(f"{base}-{suffixe}.sqlite3*"):
                chemin.unlink()
    return json.loads(sortie.read_text())


def mesurer(arguments: argparse.Namespace) -> None:
    sys.path.insert(0, str(RACINE))
    import django

    django.setup()
    from django.core.management import call_command

    from abri.activite import demo, regles
    from abri.activite.imports import (
        analyser_import_activite,
        appliquer_import_activite,
        ecrire_fichier_activite,
    )
    from abri.activite.models import ActiviteMensuelle
    from abri.comptes.demo import creer_comptes_demo
    from abri.comptes.models import Utilisateur
    from abri.structures.demo import generer_parc

    echelle = arguments.echelles[0]
    muet = io.StringIO()
    debut = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0, stdout=muet)
    call_command("charger_territoires", verbosity=0, stdout=muet)
    generer_parc(seed=SEED, echelle=echelle)
    creer_comptes_demo()
    national = Utilisateur.objects.get(email="national@abri.local")
    structures = demo._structures()
    mois, exemple = demo.mois_demo(datetime_today())
    parc_s = time.perf_counter() - debut

    debut = time.perf_counter()
    un_mois = ecrire_fichier_activite(
        {"Liste": demo.lignes_fichier(SEED, structures, exemple)}, titre="Liste"
    )
    vingt_quatre = ecrire_fichier_activite(
        {
            f"{m.month:02d} {m.year % 100:02d}": demo.lignes_fichier(
                SEED, structures, m
            )
            for m in mois
        },
        titre="Liste",
    )
    ecriture_s = time.perf_counter() - debut

    def chronometrer(nom: str, contenu: bytes, nom_fichier: str) -> dict[str, Any]:
        debut = time.perf_counter()
        analyse = analyser_import_activite(national, contenu, nom_fichier)
        analyse_s = time.perf_counter() - debut
        if not analyse.est_valide:
            raise SystemExit(str(analyse.rapport)[:2000])
        debut = time.perf_counter()
        resultat = appliquer_import_activite(
            national, contenu, nom_fichier, empreinte=analyse.empreinte
        )
        application_s = time.perf_counter() - debut
        if not resultat.applique:
            raise SystemExit(str(resultat.rapport)[:2000])
        return {
            "cas": nom,
            "lignes": analyse.lignes_lues,
            "mo": len(contenu) / 1024 / 1024,
            "analyse_s": analyse_s,
            "application_s": application_s,
        }

    nom_mois = demo.nom_fichier_exemple(exemple)
    mesures = [
        chronometrer("un mois, base sans activité", un_mois, nom_mois),
        chronometrer("le même mois, réimporté", un_mois, nom_mois),
        chronometrer("24 mois (une feuille par mois)", vingt_quatre, "occupation.xlsx"),
    ]
    resultat = {
        "base": arguments.nom_base,
        "echelle": echelle,
        "structures": len(structures),
        "parc_s": parc_s,
        "ecriture_s": ecriture_s,
        "mois_en_base": ActiviteMensuelle.objects.count(),
        "premier_mois": regles.libelle_mois(mois[0]),
        "mesures": mesures,
    }
    Path(arguments.mesurer_dans).write_text(json.dumps(resultat))


def datetime_today() -> Any:
    import datetime

    return datetime.date.today()


def afficher(resultats: list[dict[str, Any]]) -> None:
    for r in resultats:
        print()
        print(
            f"== {NOMS_BASES[r['base']]}, scale {libelle_echelle(r['echelle'])}: "
            f"{r['structures']} structures (park built in {r['parc_s']:.0f} s, files "
            f"written in {r['ecriture_s']:.0f} s) =="
        )
        entete = f"{'case':<34}{'rows':>9}{'MB':>7}{'preview s':>11}{'apply s':>10}"
        print(entete)
        print("-" * len(entete))
        for m in r["mesures"]:
            print(
                f"{m['cas']:<34}{m['lignes']:>9}{m['mo']:>7.1f}"
                f"{m['analyse_s']:>11.1f}{m['application_s']:>10.1f}"
            )


def main(argv: Sequence[str] | None = None) -> None:
    arguments = analyser_arguments(argv)
    if arguments.mesurer_dans:
        mesurer(arguments)
        return
    import django

    print(
        f"abri occupancy import benchmark — {time.strftime('%Y-%m-%d %H:%M')} — "
        f"{os.cpu_count()} CPU, {modele_processeur()} — Python "
        f"{platform.python_version()}, Django {django.get_version()}"
    )
    racine = Path(tempfile.mkdtemp(prefix="abri-benchmark-activite-"))
    resultats = []
    try:
        for base in arguments.base:
            for echelle in arguments.echelles:
                resultats.append(lancer(arguments, racine, base, echelle))
    finally:
        shutil.rmtree(racine, ignore_errors=True)
    afficher(resultats)


if __name__ == "__main__":
    main()
