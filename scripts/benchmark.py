"""Server time of abri's main pages on the demonstration park, at several scales.

For each database and each scale, a child process of this script builds a fresh
database (migrations, territories, ``generer_parc(seed=2026, echelle=...)``, the
data-quality findings, the demonstration accounts), then requests every page with
``django.test.Client`` in-process: the time around ``client.get`` is the server's
time (WSGI handler, the whole middleware stack, the view, the template). The pages
are requested in turn, 3 rounds to warm up, then N timed rounds; a few more requests,
not timed, count and time their SQL queries. The floor is a view returning
``HttpResponse("ok")`` behind the same middleware stack, logged in
(``scripts/benchmark_urls.py``). On PostgreSQL the park is followed by ``VACUUM
ANALYZE``, as autovacuum would do after a bulk load.

Settings are read once per process, hence one child per scale: each gets its own
``DATABASE_URL``, ``DEBUG=0`` and a throwaway ``SECRET_KEY``, and everything lives in
a temporary directory removed at the end (PostgreSQL databases are dropped).

Usage::

    make benchmark
    .venv/bin/python scripts/benchmark.py --base postgres --echelles 1,10 --requetes 30
    .venv/bin/python scripts/benchmark.py --base sqlite,postgres --expliquer
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http.response import HttpResponseBase
    from django.test import Client

RACINE = Path(__file__).resolve().parent.parent
SCRIPTS = RACINE / "scripts"
SEED = 2026
ECHAUFFEMENTS = 3
ECHANTILLONS_SQL = 5  # untimed requests whose queries are captured
BASES = ("sqlite", "postgres")
NOMS_BASES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
# Variables of the caller's environment that would change what is measured.
VARIABLES_ECARTEES = (
    "DATABASE_URL",
    "DATABASE_CONN_MAX_AGE",
    "MEDIA_ROOT",
    "OIDC_RP_CLIENT_ID",
    "SECURE_COOKIES",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "BEHIND_HTTPS_PROXY",
    "AXES_ENABLED",
    "EMAIL_BACKEND",
    "DJANGO_SETTINGS_MODULE",
)


@dataclass(frozen=True)
class Page:
    cle: str
    libelle: str
    chemin: str
    compte: str  # "national" or "departemental"


@dataclass(frozen=True)
class Requete:
    sql: str
    params: Any
    ms: float


@dataclass
class Mesure:
    cle: str
    libelle: str
    chemin: str
    mediane_ms: float
    p90_ms: float
    cpu_ms: float
    requetes: int
    sql_ms: float
    sql_max_ms: float
    ratio: float = 0.0
    plus_lente: str = ""
    plan: list[str] = field(default_factory=list)


# --- Parent: arguments, temporary databases, one child per scale --------------------


def echelles(texte: str) -> list[float]:
    try:
        valeurs = [float(v) for v in texte.split(",") if v.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"échelles invalides : {texte}") from exc
    if not valeurs or any(v <= 0 for v in valeurs):
        raise argparse.ArgumentTypeError("les échelles doivent être positives")
    return valeurs


def bases(texte: str) -> list[str]:
    valeurs = [v.strip() for v in texte.split(",") if v.strip()]
    inconnues = [v for v in valeurs if v not in BASES]
    if not valeurs or inconnues:
        raise argparse.ArgumentTypeError(
            f"base inconnue : {', '.join(inconnues) or texte} (sqlite, postgres)"
        )
    return valeurs


def analyser_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(
            "Temps serveur des pages principales d'abri sur le parc de démonstration."
        )
    )
    parser.add_argument(
        "--base",
        type=bases,
        default=["sqlite"],
        help="sqlite (défaut), postgres, ou les deux : sqlite,postgres",
    )
    parser.add_argument(
        "--echelles", type=echelles, default=[1.0, 10.0], help="défaut : 1,10"
    )
    parser.add_argument(
        "--requetes",
        type=int,
        default=30,
        help="requêtes mesurées par page, après 3 d'échauffement (défaut : 30)",
    )
    parser.add_argument(
        "--expliquer",
        action="store_true",
        help="affiche la requête SQL la plus lente de chaque page et son plan",
    )
    parser.add_argument("--pg-hote", default="127.0.0.1")
    parser.add_argument("--pg-port", default="5432")
    parser.add_argument("--pg-utilisateur", default="postgres")
    # Internal: run one measurement in this process and write it to this file.
    parser.add_argument("--mesurer-dans", help=argparse.SUPPRESS)
    parser.add_argument("--nom-base", default="sqlite", help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.requetes < 1:
        parser.error("--requetes doit valoir au moins 1")
    return arguments


def libelle_echelle(echelle: float) -> str:
    return f"{echelle:g}×"


def modele_processeur() -> str:
    try:
        for ligne in Path("/proc/cpuinfo").read_text().splitlines():
            if ligne.startswith("model name"):
                return ligne.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "inconnu"


def psql(arguments: argparse.Namespace, commande: str) -> None:
    subprocess.run(  # noqa: S603
        [  # noqa: S607
            "psql",
            "-h",
            arguments.pg_hote,
            "-p",
            arguments.pg_port,
            "-U",
            arguments.pg_utilisateur,
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-q",
            "-c",
            commande,
        ],
        check=True,
    )


def environnement(racine: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES_ECARTEES}
    env.update(
        DJANGO_SETTINGS_MODULE="abri.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
        ABRI_VAR_DIR=str(racine),
        DATABASE_URL=url,
        LOG_LEVEL="WARNING",
        PYTHONHASHSEED="0",
    )
    return env


def lancer_mesure(
    arguments: argparse.Namespace, racine: Path, base: str, echelle: float
) -> dict[str, Any]:
    """Build a fresh database for one scale, measure in a child process, clean up."""
    suffixe = libelle_echelle(echelle).rstrip("×").replace(".", "_")
    sortie = racine / f"{base}-{suffixe}.json"
    if base == "postgres":
        nom = f"abri_benchmark_{os.getpid()}_{suffixe}"
        psql(arguments, f"CREATE DATABASE {nom}")
        url = (
            f"postgres://{arguments.pg_utilisateur}@{arguments.pg_hote}:"
            f"{arguments.pg_port}/{nom}"
        )
    else:
        fichier = racine / f"{base}-{suffixe}.sqlite3"
        url = f"sqlite:///{fichier}"
    commande = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--mesurer-dans",
        str(sortie),
        "--nom-base",
        base,
        "--echelles",
        f"{echelle:g}",
        "--requetes",
        str(arguments.requetes),
    ]
    if arguments.expliquer:
        commande.append("--expliquer")
    try:
        subprocess.run(  # noqa: S603
            commande, cwd=RACINE, env=environnement(racine, url), check=True
        )
    finally:
        if base == "postgres":
            psql(arguments, f"DROP DATABASE IF EXISTS {nom} WITH (FORCE)")
        else:
            for chemin in racine.glob(f"{base}-{suffixe}.sqlite3*"):
                chemin.unlink()
    return json.loads(sortie.read_text())


def afficher_comparaison(resultats: list[dict[str, Any]]) -> None:
    """Medians of every page at each scale, and the ratio last scale / first."""
    par_base: dict[str, list[dict[str, Any]]] = {}
    for resultat in resultats:
        par_base.setdefault(resultat["base"], []).append(resultat)
    for base, series in par_base.items():
        if len(series) < 2:
            continue
        premiere, derniere = series[0], series[-1]
        titres = [libelle_echelle(s["echelle"]) for s in series]
        rapport = f"{titres[-1]}/{titres[0]}"
        print()
        print(
            f"== {NOMS_BASES[base]}: {' vs '.join(titres)} (median ms; ratio of "
            "medians) =="
        )
        entete = f"{'page':<34}" + "".join(f"{t:>10}" for t in titres)
        entete += f"{rapport:>10}  {'queries':>12}"
        print(entete)
        print("-" * len(entete))
        mesures = [{m["cle"]: m for m in s["mesures"]} for s in series]
        for mesure in premiere["mesures"]:
            cle = mesure["cle"]
            if not all(cle in m for m in mesures):
                continue
            ligne = f"{mesure['libelle']:<34}"
            ligne += "".join(f"{m[cle]['mediane_ms']:>10.1f}" for m in mesures)
            ratio = mesures[-1][cle]["mediane_ms"] / mesures[0][cle]["mediane_ms"]
            requetes = " → ".join(str(m[cle]["requetes"]) for m in mesures)
            ligne += f"{ratio:>10.2f}  {requetes:>12}"
            print(ligne)
        print(
            f"park: {premiere['parc']['structures']} → "
            f"{derniere['parc']['structures']} structures, "
            f"{premiere['parc']['evenements']} → {derniere['parc']['evenements']} "
            "capacity events"
        )


def principal(arguments: argparse.Namespace) -> None:
    import django

    print(
        f"abri benchmark — {time.strftime('%Y-%m-%d %H:%M')} — "
        f"{os.cpu_count()} CPU, {modele_processeur()} — Python "
        f"{platform.python_version()}, Django {django.get_version()}"
    )
    print(
        f"{arguments.requetes} timed requests per page after {ECHAUFFEMENTS} "
        f"warm-ups; seed {SEED}; databases: {', '.join(arguments.base)}; scales: "
        f"{', '.join(libelle_echelle(e) for e in arguments.echelles)}"
    )
    resultats = []
    racine = Path(tempfile.mkdtemp(prefix="abri-benchmark-"))
    try:
        # Static files once for every child: DEBUG=0 reads WhiteNoise's manifest.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=RACINE,
            env=environnement(racine, f"sqlite:///{racine / 'vide.sqlite3'}"),
            check=True,
        )
        for base in arguments.base:
            for echelle in arguments.echelles:
                resultats.append(lancer_mesure(arguments, racine, base, echelle))
    finally:
        shutil.rmtree(racine, ignore_errors=True)
    afficher_comparaison(resultats)


# --- Child: one database, one scale --------------------------------------------------


class Chronometre:
    """``connection.execute_wrapper`` that times every query with perf_counter."""

    def __init__(self) -> None:
        self.requetes: list[Requete] = []

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        debut = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            duree = (time.perf_counter() - debut) * 1000
            self.requetes.append(Requete(sql, params, duree))


def construire_parc(echelle: float) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from abri.comptes.demo import creer_comptes_demo
    from abri.pilotage.models import Anomalie
    from abri.pilotage.services import recalculer_anomalies
    from abri.structures.demo import generer_parc
    from abri.structures.models import AdresseHebergement, EvenementCapacite, Structure

    muet = io.StringIO()
    debut = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0, stdout=muet)
    call_command("charger_territoires", verbosity=0, stdout=muet)
    generer_parc(seed=SEED, echelle=echelle)
    recalculer_anomalies()
    creer_comptes_demo()
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load in production; done here so
        # that the plans do not depend on whether it has run yet.
        with connection.cursor() as curseur:
            curseur.execute("VACUUM ANALYZE")
    return {
        "structures": Structure.objects.count(),
        "evenements": EvenementCapacite.objects.count(),
        "adresses": AdresseHebergement.objects.count(),
        "anomalies": Anomalie.objects.count(),
        "secondes": time.perf_counter() - debut,
    }


def choisir_pages() -> tuple[list[Page], str]:
    """The pages, with the région of most structures and a well-filled sheet."""
    from django.db.models import Count

    from abri.structures.models import AdresseHebergement, EvenementCapacite, Structure
    from abri.territoires.models import Region

    region = (
        Structure.objects.order_by()
        .values("departement__region")
        .annotate(n=Count("id"))
        .order_by("-n", "departement__region")
        .first()
    )
    if region is None:
        raise SystemExit("The park is empty: nothing to measure.")
    code_region, nombre_region = region["departement__region"], region["n"]
    plusieurs_evenements = (
        EvenementCapacite.objects.order_by()
        .values("structure")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
        .values("structure")
    )
    ligne = (
        AdresseHebergement.objects.filter(structure__in=plusieurs_evenements)
        .order_by()
        .values("structure")
        .annotate(n=Count("id"))
        .order_by("-n", "structure")
        .first()
    )
    if ligne is None:  # a very small park: any structure will do
        structure = Structure.objects.order_by("id")[0]
    else:
        structure = Structure.objects.get(pk=ligne["structure"])
    nombre_adresses = structure.adresses.count()
    nombre_evenements = structure.evenements.count()
    nom_region = Region.objects.get(pk=code_region).nom
    pages = [
        Page("plancher", "floor (HttpResponse ok)", "/__plancher__/", "national"),
        Page("accueil", "home", "/", "national"),
        Page("liste", "structures list, page 1", "/structures/", "national"),
        Page(
            "liste_region",
            f"list, région {code_region}",
            f"/structures/?region={code_region}",
            "national",
        ),
        Page("fiche", "structure sheet", f"/structures/{structure.pk}/", "national"),
        Page("accueil_dep", "home, départemental 44", "/", "departemental"),
        Page("liste_dep", "list, départemental 44", "/structures/", "departemental"),
    ]
    details = (
        f"région {code_region} ({nom_region}, {nombre_region} structures); sheet "
        f"#{structure.pk} {structure.nom!r} ({nombre_adresses} addresses, "
        f"{nombre_evenements} events)"
    )
    return pages, details


def verifier(reponse: HttpResponseBase, chemin: str) -> None:
    if reponse.status_code != 200:
        raise SystemExit(
            f"{chemin} answered {reponse.status_code} "
            f"{reponse.get('Location', '')}: the benchmark measures 200s only."
        )


def percentile(valeurs: Sequence[float], rang: float) -> float:
    """Nearest-rank percentile."""
    ordonnees = sorted(valeurs)
    return ordonnees[max(0, math.ceil(rang * len(ordonnees)) - 1)]


def expliquer(requete: Requete) -> list[str]:
    from django.db import connection

    with connection.cursor() as curseur:
        if connection.vendor == "sqlite":
            curseur.execute("EXPLAIN QUERY PLAN " + requete.sql, requete.params)
            profondeurs: dict[int, int] = {0: -1}
            lignes = []
            for identifiant, parent, _, detail in curseur.fetchall():
                profondeurs[identifiant] = profondeurs.get(parent, -1) + 1
                lignes.append("  " * profondeurs[identifiant] + detail)
            return lignes
        curseur.execute("EXPLAIN (ANALYZE, BUFFERS) " + requete.sql, requete.params)
        return [ligne[0] for ligne in curseur.fetchall()]


def chronometrer(
    clients: dict[str, Client], pages: Sequence[Page], nombre: int
) -> dict[str, tuple[list[float], list[float]]]:
    """Wall and CPU times (ms) of every page, requested in turn (round-robin), so
    that a burst of load on the machine falls on every page alike."""
    for _ in range(ECHAUFFEMENTS):
        for page in pages:
            verifier(clients[page.compte].get(page.chemin, secure=True), page.chemin)
    temps: dict[str, tuple[list[float], list[float]]] = {p.cle: ([], []) for p in pages}
    for _ in range(nombre):
        for page in pages:
            client = clients[page.compte]
            debut, debut_cpu = time.perf_counter(), time.process_time()
            reponse = client.get(page.chemin, secure=True)
            fin, fin_cpu = time.perf_counter(), time.process_time()
            verifier(reponse, page.chemin)
            temps[page.cle][0].append((fin - debut) * 1000)
            temps[page.cle][1].append((fin_cpu - debut_cpu) * 1000)
    return temps


def mesurer_page(
    client: Client,
    page: Page,
    temps: tuple[list[float], list[float]],
    avec_plan: bool,
) -> Mesure:
    """The timings of a page, and its SQL queries, captured in a few more requests
    that are not timed (capturing queries costs time of its own): the count, and each
    query's median time over those requests."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    durees, durees_cpu = temps
    captures = []
    for _ in range(ECHANTILLONS_SQL):
        chronometre = Chronometre()
        with (
            CaptureQueriesContext(connection) as capture,
            connection.execute_wrapper(chronometre),
        ):
            verifier(client.get(page.chemin, secure=True), page.chemin)
        captures.append((capture, chronometre.requetes))
    nombres = {len(capture) for capture, _ in captures}
    if len(nombres) > 1:
        print(
            f"warning: {page.chemin} ran {sorted(nombres)} queries from one request "
            "to the next",
            file=sys.stderr,
        )
    capture, requetes = captures[-1]
    if all(len(r) == len(requetes) for _, r in captures):
        medianes = [
            statistics.median(r[i].ms for _, r in captures)
            for i in range(len(requetes))
        ]
    else:
        medianes = [r.ms for r in requetes]
    indice = max(range(len(medianes)), key=medianes.__getitem__, default=None)
    mesure = Mesure(
        cle=page.cle,
        libelle=page.libelle,
        chemin=page.chemin,
        mediane_ms=statistics.median(durees),
        p90_ms=percentile(durees, 0.9),
        cpu_ms=statistics.median(durees_cpu),
        requetes=len(capture),
        sql_ms=sum(medianes),
        sql_max_ms=medianes[indice] if indice is not None else 0.0,
    )
    if avec_plan and indice is not None:
        mesure.plus_lente = capture.captured_queries[indice]["sql"]
        mesure.plan = expliquer(requetes[indice])
    return mesure


def version_base() -> str:
    from django.db import connection

    with connection.cursor() as curseur:
        if connection.vendor == "sqlite":
            curseur.execute("SELECT sqlite_version()")
            return f"SQLite {curseur.fetchone()[0]}"
        curseur.execute("SHOW server_version")
        return f"PostgreSQL {curseur.fetchone()[0]}"


def afficher_tableau(titre: str, mesures: Sequence[Mesure], charge: str) -> None:
    print()
    print(f"== {titre} ==")
    entete = (
        f"{'page':<30}{'path':<24}{'median ms':>10}{'p90 ms':>8}{'CPU ms':>8}"
        f"{'queries':>8}{'SQL ms':>8}{'max SQL':>8}{'× floor':>8}"
    )
    print(entete)
    print("-" * len(entete))
    for m in mesures:
        print(
            f"{m.libelle:<30}{m.chemin:<24}{m.mediane_ms:>10.1f}{m.p90_ms:>8.1f}"
            f"{m.cpu_ms:>8.1f}{m.requetes:>8}{m.sql_ms:>8.1f}{m.sql_max_ms:>8.1f}"
            f"{m.ratio:>8.1f}"
        )
    print(
        "median, p90: wall time around client.get; CPU ms: median CPU time of this "
        "process (excludes a PostgreSQL server's own work); SQL ms, max SQL: total "
        f"and slowest query, median over {ECHANTILLONS_SQL} more requests, not "
        f"timed, whose queries are counted. Load average (1 min) {charge}."
    )


def afficher_plans(mesures: Sequence[Mesure]) -> None:
    for m in mesures:
        if not m.plan:
            continue
        print()
        print(f"-- {m.libelle} ({m.chemin}): slowest query, {m.sql_max_ms:.1f} ms")
        print(m.plus_lente)
        for ligne in m.plan:
            print(f"   {ligne}")


def mesurer_dans(arguments: argparse.Namespace) -> None:
    for chemin in (str(SCRIPTS), str(RACINE)):
        if chemin not in sys.path:
            sys.path.insert(0, chemin)
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client, override_settings
    from django.urls import reverse

    from abri.comptes.models import Utilisateur

    echelle = arguments.echelles[0]
    base = arguments.nom_base
    parc = construire_parc(echelle)
    pages, details = choisir_pages()
    clients = {}
    for compte in ("national", "departemental"):
        clients[compte] = Client()
        clients[compte].force_login(
            Utilisateur.objects.get(email=f"{compte}@abri.local"),
            backend="django.contrib.auth.backends.ModelBackend",
        )

    with override_settings(ROOT_URLCONF="benchmark_urls"):
        # The floor must pay for the same middleware: anonymous, it sends to login.
        anonyme = Client().get(pages[0].chemin, secure=True)
        connexion = reverse(settings.LOGIN_URL)
        if anonyme.status_code != 302 or not anonyme["Location"].startswith(connexion):
            raise SystemExit("The floor view escapes LoginRequiredMiddleware.")
        charge_avant = os.getloadavg()[0]
        temps = chronometrer(clients, pages, arguments.requetes)
        charge_apres = os.getloadavg()[0]
        mesures = [
            mesurer_page(clients[p.compte], p, temps[p.cle], arguments.expliquer)
            for p in pages
        ]
    plancher = mesures[0].mediane_ms
    for mesure in mesures:
        mesure.ratio = mesure.mediane_ms / plancher

    titre = (
        f"{version_base()}, scale {libelle_echelle(echelle)}: {parc['structures']} "
        f"structures, {parc['evenements']} capacity events, {parc['adresses']} "
        f"addresses, {parc['anomalies']} findings (built in {parc['secondes']:.0f} s)"
    )
    afficher_tableau(titre, mesures, f"{charge_avant:.1f} → {charge_apres:.1f}")
    print(details)
    if arguments.expliquer:
        afficher_plans(mesures)
    Path(arguments.mesurer_dans).write_text(
        json.dumps(
            {
                "base": base,
                "echelle": echelle,
                "parc": parc,
                "mesures": [asdict(m) for m in mesures],
            }
        )
    )


def main(argv: Sequence[str] | None = None) -> None:
    arguments = analyser_arguments(argv)
    if arguments.mesurer_dans:
        mesurer_dans(arguments)
    else:
        principal(arguments)


if __name__ == "__main__":
    main()
