"""Pages of acts, CPOM and deadlines: thin views that parse, call, render."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from abri.communs.erreurs import ErreurMetier, ModificationConcurrente
from abri.communs.exports import reponse_csv, reponse_xlsx
from abri.comptes.droits import (
    peut_deposer_document,
    peut_gerer_actes,
    peut_signer_pour_operateur,
)
from abri.comptes.requetes import RequeteAuthentifiee
from abri.conventions import (
    documents,
    echeances,
    generation,
    imports,
    queries,
    regles,
    renouvellement,
    services,
)
from abri.conventions.forms import (
    ActeForm,
    AdhesionForm,
    AvenantForm,
    CpomForm,
    DenonciationForm,
    DocumentForm,
    EvaluationForm,
    FiltresActesForm,
    RenouvellementForm,
)
from abri.conventions.models import Acte, Cpom, Document
from abri.journal.queries import journal_objet
from abri.operateurs.models import Operateur
from abri.structures.models import Structure
from abri.structures.services import capacite_au
from abri.territoires.models import Departement

logger = logging.getLogger(__name__)

TAILLE_PAGE = 50
LIBELLES_ETAPES = {
    "envoyer": "Envoyer à l'opérateur",
    "signer_operateur": "Enregistrer la signature de l'opérateur",
    "signer_etat": "Signer pour l'État",
    "constater_echeance": "Constater l'échéance",
}


def _aujourdhui() -> datetime.date:
    return datetime.date.today()


def _departements_visibles(request: RequeteAuthentifiee) -> list[Departement]:
    codes = request.user.perimetre.departement_codes
    qs = Departement.objects.order_by("rang")
    if codes is not None:
        qs = qs.filter(code__in=codes)
    return list(qs)


def _filtres(
    request: RequeteAuthentifiee,
) -> tuple[FiltresActesForm, queries.FiltresActes]:
    form = FiltresActesForm(
        request.GET or None, departements=_departements_visibles(request)
    )
    if not form.is_bound:
        return form, queries.FiltresActes()
    if not form.is_valid():
        return form, queries.FiltresActes(impossible=True)
    d = form.cleaned_data
    return form, queries.FiltresActes(
        nature=d["nature"],
        etat=d["etat"],
        type=d["type"],
        departement=d["departement"],
        fin_du=d["fin_du"],
        fin_au=d["fin_au"],
    )


def liste(request: RequeteAuthentifiee) -> HttpResponse:
    form, filtres = _filtres(request)
    cpom = filtres.nature == queries.NATURE_CPOM
    objets = (
        queries.cpoms_filtres(request.user, filtres)
        if cpom
        else queries.actes_filtres(request.user, filtres)
    )
    page = Paginator(objets, TAILLE_PAGE).get_page(request.GET.get("page"))
    parametres = request.GET.copy()
    parametres.pop("page", None)
    return render(
        request,
        "conventions/liste.html",
        {
            "titre": "Conventions et actes",
            "form": form,
            "page": page,
            "cpom": cpom,
            "parametres": parametres.urlencode(),
            "peut_importer": peut_gerer_actes(request.user),
        },
    )


ENTETES_ACTES = [
    "Nature",
    "Référence",
    "Structure",
    "Type",
    "Département",
    "Opérateur",
    "État",
    "Début",
    "Fin",
    "Fin effective",
    "Places",
    "Dotation",
]
ENTETES_CPOM = [
    "Intitulé",
    "Référence",
    "Opérateur",
    "Échelle",
    "Départements",
    "État",
    "Début",
    "Fin",
    "Fin effective",
    "Dotation",
]


def _ligne_acte(a: Any) -> list[Any]:
    """A row of the export (``a`` annotated with ``fin_effective``)."""
    s = a.structure
    return [
        a.get_nature_display(),
        a.reference,
        s.nom,
        s.type,
        s.departement_id,
        s.operateur.nom,
        a.get_etat_display(),
        a.date_debut,
        a.date_fin,
        a.fin_effective,
        a.places,
        a.dotation,
    ]


def _ligne_cpom(c: Any) -> list[Any]:
    return [
        c.intitule,
        c.reference,
        c.operateur.nom,
        c.get_echelle_display(),
        ", ".join(d.code for d in c.departements.all()),
        c.get_etat_display(),
        c.date_debut,
        c.date_fin,
        c.fin_effective,
        c.dotation,
    ]


def export(request: RequeteAuthentifiee, format: str) -> HttpResponse:
    if format not in {"xlsx", "csv"}:
        raise Http404("Format d'export inconnu.")
    _, filtres = _filtres(request)
    if filtres.nature == queries.NATURE_CPOM:
        entetes = ENTETES_CPOM
        lignes: Any = map(_ligne_cpom, queries.cpoms_filtres(request.user, filtres))
    else:
        entetes = ENTETES_ACTES
        lignes = map(
            _ligne_acte,
            queries.actes_filtres(request.user, filtres).iterator(chunk_size=2000),
        )
    nom = f"actes-{_aujourdhui():%Y-%m-%d}"
    if format == "xlsx":
        return reponse_xlsx(nom, entetes, lignes, feuille="Actes")
    return reponse_csv(nom, entetes, lignes)


def _acte_ou_404(request: RequeteAuthentifiee, pk: int) -> Acte:
    try:
        return queries.acte_visible(request.user, pk)
    except Acte.DoesNotExist as exc:
        raise Http404("Acte introuvable.") from exc


def _cpom_ou_404(request: RequeteAuthentifiee, pk: int) -> Cpom:
    try:
        return queries.cpom_visible(request.user, pk)
    except Cpom.DoesNotExist as exc:
        raise Http404("CPOM introuvable.") from exc


def _structure_ou_404(request: RequeteAuthentifiee, pk: int) -> Structure:
    try:
        return (
            Structure.objects.for_user(request.user)
            .select_related("operateur", "departement")
            .get(pk=pk)
        )
    except Structure.DoesNotExist as exc:
        raise Http404("Structure introuvable.") from exc


def _etapes(request: RequeteAuthentifiee, obj: Acte | Cpom) -> list[dict[str, str]]:
    return [
        {"nom": nom, "libelle": LIBELLES_ETAPES[nom]}
        for nom in services.etapes_possibles(request.user, obj)
        if nom in LIBELLES_ETAPES
    ]


def acte(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    obj = _acte_ou_404(request, pk)
    possibles = services.etapes_possibles(request.user, obj)
    return render(
        request,
        "conventions/acte.html",
        {
            "titre": str(obj),
            "acte": obj,
            "fin_effective": obj.date_fin_effective,
            "duree": regles.duree_lisible(obj.date_debut, obj.date_fin_effective)
            if obj.date_fin_effective and obj.date_fin_effective >= obj.date_debut
            else "",
            "avenants": queries.avenants_de(obj),
            "documents": queries.documents_de(obj),
            "journal": journal_objet(obj)[:50],
            "etapes": _etapes(request, obj),
            "peut_renouveler": "renouveler" in possibles,
            "peut_denoncer": "denoncer" in possibles,
            "peut_avenant": peut_gerer_actes(request.user)
            and obj.nature in {"convention", "autorisation"}
            and obj.etat in {"signee", "echue"},
            "peut_deposer": peut_deposer_document(request.user),
            "peut_generer": peut_gerer_actes(request.user)
            and obj.nature == "convention",
            "form_document": DocumentForm(),
            "taille_max": documents.taille_lisible(documents.taille_max()),
            "types_acceptes": documents.ACCEPTES,
        },
    )


def _erreur_sur_form(form: Any, exc: ErreurMetier) -> None:
    form.add_error(exc.champ if exc.champ in form.fields else None, exc.message)


@require_http_methods(["GET", "POST"])
def nouvel_acte(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    structure = _structure_ou_404(request, pk)
    if not peut_gerer_actes(request.user):
        raise PermissionDenied("Seuls les agents de l'État rédigent un acte.")
    form = ActeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            nouveau = services.creer_acte(request.user, structure, form.cleaned_data)
        except ErreurMetier as exc:
            _erreur_sur_form(form, exc)
        else:
            messages.success(request, "Acte enregistré en brouillon.")
            return redirect("conventions:acte", pk=nouveau.pk)
    return render(
        request,
        "conventions/formulaire.html",
        {
            "titre": f"Nouvel acte — {structure.nom}",
            "structure": structure,
            "form": form,
            "retour": reverse("structures:fiche", args=[structure.pk]),
            "bouton": "Enregistrer le brouillon",
        },
    )


@require_http_methods(["GET", "POST"])
def nouvel_avenant(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    parent = _acte_ou_404(request, pk)
    if not peut_gerer_actes(request.user):
        raise PermissionDenied("Seuls les agents de l'État rédigent un avenant.")
    form = AvenantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            avenant = services.creer_avenant(request.user, parent, form.cleaned_data)
        except ErreurMetier as exc:
            _erreur_sur_form(form, exc)
        else:
            messages.success(request, "Avenant enregistré en brouillon.")
            return redirect("conventions:acte", pk=avenant.pk)
    return render(
        request,
        "conventions/formulaire.html",
        {
            "titre": f"Avenant à {parent}",
            "structure": parent.structure,
            "form": form,
            "retour": reverse("conventions:acte", args=[parent.pk]),
            "bouton": "Enregistrer le brouillon",
        },
    )


def _version(request: RequeteAuthentifiee) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _franchir(request: RequeteAuthentifiee, obj: Acte | Cpom, etape: str) -> None:
    if etape not in LIBELLES_ETAPES:
        raise Http404("Étape inconnue.")
    if not services.peut_franchir(request.user, etape, obj):
        raise PermissionDenied("Vous ne pouvez pas franchir cette étape.")
    try:
        services.franchir(request.user, obj, etape, version=_version(request))
    except ModificationConcurrente:
        messages.error(
            request,
            "L'acte a changé depuis l'ouverture de la page : vérifiez son état "
            "et recommencez.",
        )
    except ErreurMetier as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{LIBELLES_ETAPES[etape]} : fait.")


@require_POST
def etape(request: RequeteAuthentifiee, pk: int, etape: str) -> HttpResponse:
    obj = _acte_ou_404(request, pk)
    _franchir(request, obj, etape)
    return redirect("conventions:acte", pk=obj.pk)


@require_POST
def cpom_etape(request: RequeteAuthentifiee, pk: int, etape: str) -> HttpResponse:
    obj = _cpom_ou_404(request, pk)
    _franchir(request, obj, etape)
    return redirect("conventions:cpom", pk=obj.pk)


@require_http_methods(["GET", "POST"])
def denoncer(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    obj = _acte_ou_404(request, pk)
    if not peut_signer_pour_operateur(request.user):
        raise PermissionDenied("Vous ne pouvez pas dénoncer cet acte.")
    form = DenonciationForm(
        request.POST or None,
        initial={"version": obj.version, "date_notification": _aujourdhui()},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.denoncer(
                request.user,
                obj,
                date_notification=d["date_notification"],
                motif=d["motif"],
                version=d["version"],
            )
        except ModificationConcurrente:
            form.add_error(None, "L'acte a changé depuis l'ouverture de la page.")
        except ErreurMetier as exc:
            _erreur_sur_form(form, exc)
        else:
            messages.success(request, "Dénonciation enregistrée.")
            return redirect("conventions:acte", pk=obj.pk)
    return render(
        request,
        "conventions/denoncer.html",
        {
            "titre": f"Dénoncer {obj}",
            "acte": obj,
            "form": form,
            "preavis": services.preavis(obj).months,
        },
    )


@require_http_methods(["GET", "POST"])
def renouveler(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    obj = _acte_ou_404(request, pk)
    if not peut_gerer_actes(request.user):
        raise PermissionDenied("Seuls les agents de l'État renouvellent un acte.")
    aujourdhui = _aujourdhui()
    proposition = services.proposition_successeur(obj)
    form = RenouvellementForm(
        request.POST or None, initial={"version": obj.version, **proposition}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            successeur = services.renouveler(
                request.user,
                obj,
                motivation=d["motivation"],
                donnees={"date_debut": d["date_debut"], "date_fin": d["date_fin"]},
                aujourdhui=aujourdhui,
                version=d["version"],
            )
        except ModificationConcurrente:
            form.add_error(None, "L'acte a changé depuis l'ouverture de la page.")
        except ErreurMetier as exc:
            _erreur_sur_form(form, exc)
        else:
            messages.success(request, "Acte suivant créé en brouillon.")
            return redirect("conventions:acte", pk=successeur.pk)
    structure = obj.structure
    return render(
        request,
        "conventions/renouveler.html",
        {
            "titre": f"Renouveler {obj}",
            "acte": obj,
            "form": form,
            "proposition": proposition,
            "places": capacite_au(structure, aujourdhui).places_autorisees
            if structure
            else None,
            "occupation": renouvellement.occupation_recente(structure),
            "resultats": renouvellement.resultats_recents(structure, aujourdhui),
            "motivation_requise": services.motivation_requise(obj, aujourdhui),
        },
    )


@require_POST
def deposer(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    obj = _acte_ou_404(request, pk)
    if not peut_deposer_document(request.user):
        raise PermissionDenied("Vous ne pouvez pas déposer de document.")
    _deposer(request, obj)
    return redirect("conventions:acte", pk=obj.pk)


def _deposer(request: RequeteAuthentifiee, obj: Acte | Cpom) -> None:
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choisissez un fichier à déposer.")
        return
    fichier = form.cleaned_data["fichier"]
    try:
        documents.deposer_document(
            request.user, obj, fichier.name, documents.lire(fichier)
        )
    except ErreurMetier as exc:
        messages.error(request, f"{fichier.name} : {exc.message}")
    else:
        messages.success(request, "Document déposé.")


def document(request: RequeteAuthentifiee, pk: int) -> FileResponse:
    try:
        doc = Document.objects.for_user(request.user).get(pk=pk)
    except Document.DoesNotExist as exc:
        raise Http404("Document introuvable.") from exc
    reponse = FileResponse(
        documents.ouvrir(doc),
        as_attachment=True,
        filename=doc.nom,
        content_type=doc.type_contenu,
    )
    reponse["X-Content-Type-Options"] = "nosniff"
    return reponse


def brouillon(request: RequeteAuthentifiee, pk: int, format: str) -> HttpResponse:
    obj = _acte_ou_404(request, pk)
    if not peut_gerer_actes(request.user):
        raise PermissionDenied("Seuls les agents de l'État génèrent un projet d'acte.")
    if format == "docx":
        contenu = generation.brouillon_docx(obj)
        type_contenu = documents.DOCX.type_contenu
    elif format == "pdf":
        contenu = generation.brouillon_pdf(obj)
        type_contenu = documents.PDF.type_contenu
    else:
        raise Http404("Format inconnu.")
    reponse = HttpResponse(contenu, content_type=type_contenu)
    reponse["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"projet-{obj.pk}.{format}"
    )
    return reponse


def cpom(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    obj = _cpom_ou_404(request, pk)
    adhesions = list(
        obj.adhesions.select_related("structure__departement").order_by(
            "date_entree", "structure__nom", "id"
        )
    )
    peut_gerer = peut_gerer_actes(request.user)
    return render(
        request,
        "conventions/cpom.html",
        {
            "titre": str(obj),
            "cpom": obj,
            "departements": list(obj.departements.order_by("rang")),
            "fin_effective": obj.date_fin_effective,
            "adhesions": adhesions,
            "avenants": queries.avenants_de(obj),
            "documents": queries.documents_de(obj),
            "journal": journal_objet(obj)[:50],
            "etapes": _etapes(request, obj),
            "peut_gerer": peut_gerer,
            "peut_renouveler": peut_gerer
            and obj.etat in {"signee", "echue"}
            and not obj.successeur_id,
            "peut_avenant": peut_gerer and obj.etat in {"signee", "echue"},
            "peut_deposer": peut_deposer_document(request.user),
            "taille_max": documents.taille_lisible(documents.taille_max()),
            "types_acceptes": documents.ACCEPTES,
            "form_adhesion": AdhesionForm(
                structures=queries.structures_hors_cpom(obj, request.user)
            )
            if peut_gerer
            else None,
        },
    )


@require_POST
def cpom_adhesion(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    obj = _cpom_ou_404(request, pk)
    if not peut_gerer_actes(request.user):
        raise PermissionDenied("Seuls les agents de l'État modifient un CPOM.")
    form = AdhesionForm(
        request.POST, structures=queries.structures_hors_cpom(obj, request.user)
    )
    if not form.is_valid():
        messages.error(request, "Choisissez une structure et sa date d'entrée.")
        return redirect("conventions:cpom", pk=obj.pk)
    try:
        services.ajouter_structure_cpom(
            request.user,
            obj,
            form.cleaned_data["structure"],
            form.cleaned_data["date_entree"],
        )
    except ErreurMetier as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Structure ajoutée au CPOM.")
    return redirect("conventions:cpom", pk=obj.pk)


def liste_echeances(request: RequeteAuthentifiee) -> HttpResponse:
    criticite = request.GET.get("criticite", "")
    toutes = echeances.echeances_de(request.user, _aujourdhui())
    compte = {c: sum(e.criticite == c for e in toutes) for c in regles.ORDRE_CRITICITE}
    if criticite in regles.ORDRE_CRITICITE:
        toutes = [e for e in toutes if e.criticite == criticite]
    page = Paginator(toutes, TAILLE_PAGE).get_page(request.GET.get("page"))
    parametres = request.GET.copy()
    parametres.pop("page", None)
    return render(
        request,
        "conventions/echeances.html",
        {
            "titre": "Échéances",
            "page": page,
            "criticite": criticite,
            "compte": compte,
            "libelles": regles.LIBELLES_CRITICITE,
            "parametres": parametres.urlencode(),
            "fenetres": {
                "renouvellement": settings.ABRI_FENETRE_RENOUVELLEMENT_MOIS,
                "autorisation": settings.ABRI_FENETRE_AUTORISATION_MOIS,
                "evaluation": settings.ABRI_FENETRE_EVALUATION_MOIS,
                "caducite": settings.ABRI_FENETRE_CADUCITE_MOIS,
            },
        },
    )


@require_http_methods(["GET", "POST"])
def import_actes(request: RequeteAuthentifiee) -> HttpResponse:
    # The upload → preview → confirmation steps are those of the park import.
    from abri.structures.views import _traiter_import

    if not peut_gerer_actes(request.user):
        raise PermissionDenied("L'import des actes est réservé aux agents de l'État.")
    user = request.user
    return _traiter_import(
        request,
        portee="actes",
        analyser=lambda contenu, nom: imports.analyser_import_actes(user, contenu, nom),
        appliquer=lambda contenu, nom, empreinte: imports.appliquer_import_actes(
            user, contenu, nom, empreinte=empreinte
        ),
        gabarit="conventions/import.html",
        contexte={"titre": "Importer des actes"},
    )


@require_http_methods(["GET", "POST"])
def nouveau_cpom(request: RequeteAuthentifiee) -> HttpResponse:
    if not peut_gerer_actes(request.user):
        raise PermissionDenied("Seuls les agents de l'État concluent un CPOM.")
    codes = request.user.perimetre.departement_codes
    departements = Departement.objects.order_by("rang")
    if codes is not None:
        departements = departements.filter(code__in=codes)
    form = CpomForm(
        request.POST or None,
        operateurs=Operateur.objects.for_user(request.user).order_by("nom", "id"),
        departements=departements,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            nouveau = services.creer_cpom(
                request.user,
                d["operateur"],
                {
                    c: d[c]
                    for c in (
                        "intitule",
                        "reference",
                        "echelle",
                        "date_debut",
                        "date_fin",
                        "dotation",
                    )
                },
                list(d["departements"]),
            )
        except ErreurMetier as exc:
            _erreur_sur_form(form, exc)
        else:
            messages.success(request, "CPOM enregistré en brouillon.")
            return redirect("conventions:cpom", pk=nouveau.pk)
    return render(
        request,
        "conventions/formulaire.html",
        {
            "titre": "Nouveau CPOM",
            "form": form,
            "retour": reverse("conventions:liste") + "?nature=cpom",
            "bouton": "Enregistrer le brouillon",
        },
    )


@require_POST
def cpom_renouveler(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    obj = _cpom_ou_404(request, pk)
    if not peut_gerer_actes(request.user):
        raise PermissionDenied("Seuls les agents de l'État renouvellent un CPOM.")
    try:
        successeur = services.renouveler(request.user, obj, version=_version(request))
    except ModificationConcurrente:
        messages.error(request, "Le CPOM a changé depuis l'ouverture de la page.")
    except ErreurMetier as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "CPOM suivant créé en brouillon.")
        return redirect("conventions:cpom", pk=successeur.pk)
    return redirect("conventions:cpom", pk=obj.pk)


@require_POST
def ajouter_evaluation(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    structure = _structure_ou_404(request, pk)
    if not peut_gerer_actes(request.user):
        raise PermissionDenied(
            "Seuls les agents de l'État enregistrent une évaluation."
        )
    form = EvaluationForm(request.POST, prefix="evaluation")
    if not form.is_valid():
        messages.error(request, "Indiquez la date et la nature de l'évaluation.")
    else:
        services.enregistrer_evaluation(
            request.user,
            structure,
            form.cleaned_data["date"],
            form.cleaned_data["nature"],
        )
        messages.success(request, "Évaluation enregistrée.")
    return redirect("structures:fiche", pk=structure.pk)


@require_http_methods(["GET", "POST"])
def cpom_avenant(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    parent = _cpom_ou_404(request, pk)
    if not peut_gerer_actes(request.user):
        raise PermissionDenied("Seuls les agents de l'État rédigent un avenant.")
    form = AvenantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            avenant = services.creer_avenant(request.user, parent, form.cleaned_data)
        except ErreurMetier as exc:
            _erreur_sur_form(form, exc)
        else:
            messages.success(request, "Avenant enregistré en brouillon.")
            return redirect("conventions:acte", pk=avenant.pk)
    return render(
        request,
        "conventions/formulaire.html",
        {
            "titre": f"Avenant au {parent}",
            "form": form,
            "retour": reverse("conventions:cpom", args=[parent.pk]),
            "bouton": "Enregistrer le brouillon",
        },
    )


@require_POST
def cpom_deposer(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    obj = _cpom_ou_404(request, pk)
    if not peut_deposer_document(request.user):
        raise PermissionDenied("Vous ne pouvez pas déposer de document.")
    _deposer(request, obj)
    return redirect("conventions:cpom", pk=obj.pk)
