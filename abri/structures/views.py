"""Pages of structures: thin views that parse, call a query or a service, render."""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable
from dataclasses import astuple
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from abri.activite import queries as activite_queries
from abri.communs.erreurs import ErreurMetier, ModificationConcurrente
from abri.communs.exports import TYPE_XLSX, reponse_csv, reponse_xlsx
from abri.communs.tableurs import FichierRefuse, lire_octets
from abri.comptes.droits import (
    peut_importer_parc,
    peut_modifier_adresses,
    peut_modifier_structure,
)
from abri.comptes.requetes import RequeteAuthentifiee
from abri.conventions import queries as conventions_queries
from abri.finances import queries as finances_queries
from abri.journal.queries import journal_de_structure
from abri.operateurs.models import Operateur
from abri.pilotage.models import Anomalie
from abri.structures import imports, queries, services
from abri.structures.forms import (
    EvenementForm,
    FiltresForm,
    ImportFichierForm,
    SiteForm,
    StructureForm,
    TransfertForm,
)
from abri.structures.models import CHAMPS_CAPACITE, CodeDna, Site, Structure
from abri.territoires.models import Departement
from abri.ui.svg.graphiques import courbe_en_escalier

logger = logging.getLogger(__name__)

TAILLE_PAGE = 50


def _departements_visibles(request: RequeteAuthentifiee) -> list[Departement]:
    codes = request.user.perimetre.departement_codes
    qs = Departement.objects.select_related("region")
    if codes is not None:
        qs = qs.filter(code__in=codes)
    return list(qs)


def _filtres(
    request: RequeteAuthentifiee,
) -> tuple[FiltresForm, queries.FiltresStructures]:
    form = FiltresForm(
        request.GET or None, departements=_departements_visibles(request)
    )
    if not form.is_bound:
        return form, queries.FiltresStructures()
    if not form.is_valid():
        # An impossible filter (a département outside the perimeter...) matches
        # nothing; it never widens the result to the whole perimeter.
        return form, queries.FiltresStructures(impossible=True)
    donnees = form.cleaned_data
    return form, queries.FiltresStructures(
        recherche=donnees["q"],
        type=donnees["type"],
        region=donnees["region"],
        departement=donnees["departement"],
        operateur=donnees["operateur"],
        type_bati=donnees["type_bati"],
        public=donnees["public"],
        tri=donnees["tri"] or "nom",
    )


def liste(request: RequeteAuthentifiee) -> HttpResponse:
    form, filtres = _filtres(request)
    structures = finances_queries.annoter_deficit(
        queries.structures_filtrees(request.user, filtres), _aujourdhui()
    ).prefetch_related(Prefetch("codes_dna", queryset=CodeDna.objects.order_by("code")))
    page = Paginator(structures, TAILLE_PAGE).get_page(request.GET.get("page"))
    parametres = request.GET.copy()
    parametres.pop("page", None)
    parametres_tri = request.GET.copy()
    parametres_tri.pop("tri", None)
    parametres_tri.pop("page", None)
    return render(
        request,
        "structures/liste.html",
        {
            "titre": "Structures",
            "form": form,
            "page": page,
            "filtres": filtres,
            "parametres": parametres.urlencode(),
            "parametres_tri": parametres_tri.urlencode(),
            "peut_importer": peut_importer_parc(request.user),
        },
    )


COLONNES_EXPORT = [
    ("Nom", "nom"),
    ("Type", "type"),
    ("Opérateur", "operateur"),
    ("SIRET de l'opérateur", "siret"),
    ("Département", "departement"),
    ("Commune", "commune"),
    ("Code postal", "code_postal"),
    ("Public", "public"),
    ("Bâti", "type_bati"),
    ("Codes DNA", "codes_dna"),
    ("FINESS", "finess"),
    ("Places autorisées", "places_autorisees"),
    ("Places PMR", "places_pmr"),
    ("Places LGBT", "places_lgbt"),
    ("Places FVV-TEH", "places_fvv_teh"),
]


def export(request: RequeteAuthentifiee, format: str) -> HttpResponse:
    if format not in {"xlsx", "csv"}:
        raise Http404("Format d'export inconnu.")
    _, filtres = _filtres(request)
    structures = queries.structures_filtrees(request.user, filtres).prefetch_related(
        Prefetch("codes_dna", queryset=CodeDna.objects.order_by("code"))
    )
    lignes = (
        [
            s.nom,
            s.type,
            s.operateur.nom,
            s.operateur.siret or "",
            f"{s.departement.code} — {s.departement.nom}",
            s.commune.nom if s.commune else "",
            s.code_postal,
            s.get_public_display(),
            s.get_type_bati_display(),
            ", ".join(c.code for c in s.codes_dna.all()),
            s.finess,
            *astuple(queries.capacite_annotee(s)),
        ]
        for s in structures.iterator(chunk_size=2000)
    )
    entetes = [titre for titre, _ in COLONNES_EXPORT]
    nom = f"structures-{_aujourdhui():%Y-%m-%d}"
    if format == "xlsx":
        return reponse_xlsx(nom, entetes, lignes, feuille="Structures")
    if format == "csv":
        return reponse_csv(nom, entetes, lignes)
    raise Http404("Format d'export inconnu.")


def _structure_ou_404(request: RequeteAuthentifiee, pk: int) -> Structure:
    try:
        return queries.structure_visible(request.user, pk)
    except Structure.DoesNotExist as exc:
        raise Http404("Structure introuvable.") from exc


def fiche(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    structure = _structure_ou_404(request, pk)
    historique = queries.historique_capacite(structure)
    points = [
        (ligne["evenement"].date_effet, ligne["places_autorisees_apres"])
        for ligne in historique
    ]
    capacite = historique[-1] if historique else None
    return render(
        request,
        "structures/fiche.html",
        {
            "titre": structure.nom,
            "structure": structure,
            "codes_dna": list(structure.codes_dna.all()),
            "sites": list(structure.sites.select_related("commune")),
            "adresses": list(structure.adresses.select_related("commune")),
            "historique": historique,
            "capacite_actuelle": services.capacite_au(structure, _aujourdhui()),
            "graphique": courbe_en_escalier(
                points,
                titre="Places autorisées au fil du temps",
                unite="places",
                jusqu_au=_aujourdhui(),
            ),
            "derniere_ligne": capacite,
            "anomalies": list(
                Anomalie.objects.filter(structure=structure).select_related(
                    "justifiee_par"
                )
            ),
            "journal": journal_de_structure(structure)[:50],
            "peut_modifier": peut_modifier_structure(request.user),
            "peut_modifier_adresses": peut_modifier_adresses(request.user),
            "bloc_activite": activite_queries.bloc_fiche_structure(
                structure, request.user
            ),
            "bloc_finances": finances_queries.bloc_fiche_structure(
                structure, request.user
            ),
            "bloc_conventions": conventions_queries.bloc_fiche_structure(
                structure, request.user
            ),
        },
    )


def _aujourdhui() -> datetime.date:
    return datetime.date.today()


@require_http_methods(["GET", "POST"])
def modifier(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    structure = _structure_ou_404(request, pk)
    if not peut_modifier_structure(request.user):
        raise PermissionDenied("Vous ne pouvez pas modifier cette structure.")
    # Only operators the agent already sees: handing a structure to another one
    # would open that operator's record to the agent. A take-over by an operator
    # new to the territory is done by a national or regional agent who sees it.
    operateurs = Operateur.objects.for_user(request.user).order_by("nom", "id")
    form = StructureForm(
        request.POST or None, instance=structure, operateurs=operateurs
    )
    conflit = None
    if request.method == "POST" and form.is_valid():
        donnees = {c: form.cleaned_data[c] for c in StructureForm.Meta.fields}
        try:
            services.modifier_structure(
                request.user,
                structure.pk,
                donnees,
                form.cleaned_data["version"],
                codes_dna=form.liste_codes_dna(),
            )
        except ModificationConcurrente as exc:
            conflit = exc
            donnees_saisies = request.POST.copy()
            donnees_saisies["version"] = str(exc.version_actuelle)
            form = StructureForm(
                donnees_saisies,
                instance=Structure.objects.get(pk=structure.pk),
                operateurs=operateurs,
            )
            form.is_valid()
        except (ErreurMetier, ValidationError) as exc:
            _erreur_sur_form(form, exc)
        else:
            messages.success(request, "Structure enregistrée.")
            return redirect("structures:fiche", pk=structure.pk)
    return render(
        request,
        "structures/modifier.html",
        {
            "titre": f"Modifier {structure.nom}",
            "structure": structure,
            "form": form,
            "conflit": conflit,
        },
    )


def _erreur_sur_form(form, exc: Exception) -> None:
    if isinstance(exc, ErreurMetier):
        champ = exc.champ if exc.champ in form.fields else None
        form.add_error(champ, exc.message)
    elif isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            for champ, erreurs in exc.error_dict.items():
                form.add_error(champ if champ in form.fields else None, erreurs)
        else:
            form.add_error(None, exc)


@require_http_methods(["GET", "POST"])
def ajouter_site(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    structure = _structure_ou_404(request, pk)
    if not peut_modifier_structure(request.user):
        raise PermissionDenied("Vous ne pouvez pas modifier cette structure.")
    form = SiteForm(request.POST or None, structure=structure)
    if request.method == "POST" and form.is_valid():
        try:
            services.ajouter_site(request.user, structure, form.cleaned_data)
        except ValidationError as exc:
            _erreur_sur_form(form, exc)
        else:
            messages.success(request, "Site administratif ajouté.")
            return redirect("structures:fiche", pk=structure.pk)
    return render(
        request,
        "structures/site.html",
        {
            "titre": "Ajouter un site administratif",
            "structure": structure,
            "form": form,
        },
    )


@require_POST
def supprimer_site(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    try:
        site = Site.objects.for_user(request.user).get(pk=pk)
    except Site.DoesNotExist as exc:
        raise Http404("Site introuvable.") from exc
    if not peut_modifier_structure(request.user):
        raise PermissionDenied("Vous ne pouvez pas modifier cette structure.")
    services.supprimer_site(request.user, site)
    messages.success(request, "Site administratif supprimé.")
    return redirect("structures:fiche", pk=site.structure_id)


def _variation(donnees: dict[str, Any]) -> services.Variation:
    return services.Variation(
        *(donnees[champ] for champ in CHAMPS_CAPACITE),
    )


@require_http_methods(["GET", "POST"])
def nouvel_evenement(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    structure = _structure_ou_404(request, pk)
    if not peut_modifier_structure(request.user):
        raise PermissionDenied(
            "Vous ne pouvez pas modifier la capacité de cette structure."
        )
    form = EvenementForm(
        request.POST or None, premiere_capacite=not structure.evenements.exists()
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.enregistrer_evenement(
                request.user,
                structure,
                d["nature"],
                d["date_effet"],
                d["acte"],
                _variation(d),
                date_acte=d["date_acte"],
                commentaire=d["commentaire"],
            )
        except ErreurMetier as exc:
            _erreur_sur_form(form, exc)
        else:
            messages.success(request, "Changement de capacité enregistré.")
            return redirect("structures:fiche", pk=structure.pk)
    return render(
        request,
        "structures/evenement.html",
        {
            "titre": f"Changement de capacité — {structure.nom}",
            "structure": structure,
            "form": form,
            "capacite_actuelle": services.capacite_au(structure, _aujourdhui()),
        },
    )


@require_http_methods(["GET", "POST"])
def transfert(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    structure = _structure_ou_404(request, pk)
    if not peut_modifier_structure(request.user):
        raise PermissionDenied(
            "Vous ne pouvez pas modifier la capacité de cette structure."
        )
    destinations = (
        queries.structures_visibles(request.user)
        .filter(departement=structure.departement)
        .exclude(pk=structure.pk)
        .order_by("nom", "id")
    )
    form = TransfertForm(request.POST or None, destinations=destinations)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.transferer_places(
                request.user,
                structure,
                d["destination"],
                d["date_effet"],
                d["acte"],
                _variation(d),
            )
        except ErreurMetier as exc:
            _erreur_sur_form(form, exc)
        else:
            messages.success(request, "Transfert de places enregistré.")
            return redirect("structures:fiche", pk=structure.pk)
    return render(
        request,
        "structures/transfert.html",
        {
            "titre": f"Transfert de places — {structure.nom}",
            "structure": structure,
            "form": form,
            "capacite_actuelle": services.capacite_au(structure, _aujourdhui()),
        },
    )


# Imports: upload → preview (dry run, nothing written) → confirmation (all or nothing).
# Between the two steps the file waits in the default storage, outside the web root,
# under a random name remembered in the user's session.

CLE_SESSION_IMPORTS = "imports_en_attente"


DUREE_ATTENTE_IMPORT = datetime.timedelta(hours=24)


def _oublier_fichiers_anciens() -> None:
    """Files of previews never confirmed go after a day."""
    if not default_storage.exists("imports"):
        return
    limite = timezone.now() - DUREE_ATTENTE_IMPORT
    for nom in default_storage.listdir("imports")[1]:
        chemin = f"imports/{nom}"
        if default_storage.get_modified_time(chemin) < limite:
            default_storage.delete(chemin)


def _garder_fichier(
    request: RequeteAuthentifiee, contenu: bytes, nom: str, portee: str
) -> str:
    _oublier_fichiers_anciens()
    jeton = uuid.uuid4().hex
    chemin = default_storage.save(f"imports/{jeton}", ContentFile(contenu))
    attente = request.session.get(CLE_SESSION_IMPORTS, {})
    attente[jeton] = {"chemin": chemin, "nom": nom, "portee": portee}
    request.session[CLE_SESSION_IMPORTS] = attente
    return jeton


def _reprendre_fichier(
    request: RequeteAuthentifiee, jeton: str, portee: str
) -> tuple[bytes, str]:
    attente = request.session.get(CLE_SESSION_IMPORTS, {})
    fiche = attente.get(jeton)
    if not fiche or fiche["portee"] != portee:
        raise ErreurMetier("Ce fichier n'est plus disponible : déposez-le à nouveau.")
    with default_storage.open(fiche["chemin"], "rb") as fichier:
        return fichier.read(), fiche["nom"]


def _oublier_fichier(request: RequeteAuthentifiee, jeton: str) -> None:
    attente = request.session.get(CLE_SESSION_IMPORTS, {})
    fiche = attente.pop(jeton, None)
    request.session[CLE_SESSION_IMPORTS] = attente
    if fiche:
        default_storage.delete(fiche["chemin"])


def _traiter_import(
    request: RequeteAuthentifiee,
    *,
    portee: str,
    analyser: Callable[[bytes, str], Any],
    appliquer: Callable[[bytes, str, str], Any],
    gabarit: str,
    contexte: dict[str, Any],
) -> HttpResponse:
    form = ImportFichierForm()
    analyse = resultat = None
    jeton = ""
    erreur = ""
    if request.method == "POST" and "jeton" in request.POST:
        jeton = request.POST["jeton"]
        try:
            contenu, nom = _reprendre_fichier(request, jeton, portee)
            resultat = appliquer(contenu, nom, request.POST.get("empreinte", ""))
        except (ErreurMetier, FichierRefuse) as exc:
            erreur = exc.message
        else:
            if resultat.applique:
                _oublier_fichier(request, jeton)
                logger.info("import %s applied by user %s", portee, request.user.pk)
            else:
                analyse = resultat
    elif request.method == "POST":
        form = ImportFichierForm(request.POST, request.FILES)
        if form.is_valid():
            fichier = form.cleaned_data["fichier"]
            try:
                contenu = lire_octets(fichier)
                analyse = analyser(contenu, fichier.name)
            except FichierRefuse as exc:
                form.add_error("fichier", f"{fichier.name} : {exc.message}")
            else:
                if analyse.est_valide and analyse.changements:
                    jeton = _garder_fichier(request, contenu, fichier.name, portee)
    return render(
        request,
        gabarit,
        {
            **contexte,
            "form": form,
            "analyse": analyse,
            "resultat": resultat if resultat and resultat.applique else None,
            "jeton": jeton,
            "erreur": erreur,
            "taille_max": settings.IMPORT_MAX_BYTES,
        },
    )


@require_http_methods(["GET", "POST"])
def import_parc(request: RequeteAuthentifiee) -> HttpResponse:
    if not peut_importer_parc(request.user):
        raise PermissionDenied("L'import du parc est réservé aux agents de l'État.")
    user = request.user
    return _traiter_import(
        request,
        portee="parc",
        analyser=lambda contenu, nom: imports.analyser_import_parc(user, contenu, nom),
        appliquer=lambda contenu, nom, empreinte: imports.appliquer_import_parc(
            user, contenu, nom, empreinte=empreinte
        ),
        gabarit="structures/import_parc.html",
        contexte={"titre": "Importer le parc"},
    )


def modele_import_parc(request: RequeteAuthentifiee) -> HttpResponse:
    if not peut_importer_parc(request.user):
        raise PermissionDenied("L'import du parc est réservé aux agents de l'État.")
    reponse = HttpResponse(
        imports.modele_import_parc(),
        content_type=TYPE_XLSX,
    )
    reponse["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename="modele-import-parc.xlsx"
    )
    return reponse


@require_http_methods(["GET", "POST"])
def import_adresses(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    structure = _structure_ou_404(request, pk)
    if not peut_modifier_adresses(request.user):
        raise PermissionDenied(
            "Vous ne pouvez pas modifier les adresses de cette structure."
        )
    user = request.user
    return _traiter_import(
        request,
        portee=f"adresses-{structure.pk}",
        analyser=lambda contenu, nom: imports.analyser_import_adresses(
            user, structure, contenu, nom
        ),
        appliquer=lambda contenu, nom, empreinte: imports.appliquer_import_adresses(
            user, structure, contenu, nom, empreinte=empreinte
        ),
        gabarit="structures/import_adresses.html",
        contexte={
            "titre": f"Adresses d'hébergement — {structure.nom}",
            "structure": structure,
        },
    )
