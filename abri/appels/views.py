"""Pages of calls for projects: list, call, candidature, instruction, decision, and
the "Ouverture des places" page with its exports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from abri.appels import queries, regles, services
from abri.appels.forms import (
    AppelForm,
    CandidatureForm,
    DecisionForm,
    FiltresOuvertureForm,
    NotesForm,
    ObjectifForm,
    OuvertureForm,
    PlanificationForm,
)
from abri.appels.models import (
    AppelAProjets,
    Candidature,
    EtatAppel,
    Lot,
    ObjectifRegional,
)
from abri.communs.erreurs import ErreurMetier, ModificationConcurrente
from abri.communs.exports import reponse_csv, reponse_xlsx
from abri.comptes.droits import (
    peut_candidater,
    peut_creer_objectif,
    peut_gerer_appels,
)
from abri.comptes.requetes import RequeteAuthentifiee
from abri.territoires.models import Departement, Region
from abri.ui.svg.graphiques import graphique_barres

TAILLE_PAGE = 50


def _appel_ou_404(request: RequeteAuthentifiee, pk: int) -> AppelAProjets:
    try:
        return queries.appel_visible(request.user, pk)
    except AppelAProjets.DoesNotExist as exc:
        raise Http404("Appel introuvable.") from exc


def _candidature_ou_404(request: RequeteAuthentifiee, pk: int) -> Candidature:
    try:
        return queries.candidature_visible(request.user, pk)
    except Candidature.DoesNotExist as exc:
        raise Http404("Candidature introuvable.") from exc


def _erreur(form: Any, exc: ErreurMetier) -> None:
    form.add_error(exc.champ if exc.champ in form.fields else None, exc.message)


def _version(request: RequeteAuthentifiee) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


def liste(request: RequeteAuthentifiee) -> HttpResponse:
    appels = (
        queries.appels_visibles(request.user)
        .annotate(
            nombre_candidatures=Count(
                "candidatures", filter=Q(candidatures__etat="deposee")
            )
        )
        .order_by("-date_publication", "id")
    )
    etat = request.GET.get("etat", "")
    if etat in EtatAppel.values:
        appels = appels.filter(etat=etat)
    page = Paginator(appels, TAILLE_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "appels/liste.html",
        {
            "titre": "Appels à projets",
            "page": page,
            "etats": EtatAppel.choices,
            "etat": etat,
            "peut_creer": peut_gerer_appels(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def nouvel_appel(request: RequeteAuthentifiee) -> HttpResponse:
    if not peut_gerer_appels(request.user):
        raise PermissionDenied("Seuls les agents de l'État créent un appel.")
    form = AppelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            appel = services.creer_appel(request.user, form.donnees())
        except ErreurMetier as exc:
            _erreur(form, exc)
        else:
            messages.success(request, "Appel à projets créé en brouillon.")
            return redirect("appels:appel", pk=appel.pk)
    return render(
        request,
        "appels/formulaire.html",
        {"titre": "Nouvel appel à projets", "form": form},
    )


def appel(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    objet = _appel_ou_404(request, pk)
    agent = peut_gerer_appels(request.user)
    candidatures = (
        list(
            Candidature.objects.for_user(request.user)
            .filter(appel=objet)
            .select_related("operateur", "departement", "structure")
        )
        if request.user.perimetre.operateur_ids is None
        else []
    )
    propre = (
        Candidature.objects.filter(
            appel=objet,
            operateur_id__in=request.user.perimetre.operateur_ids,
            recue_hors_ligne=False,
        ).first()
        if request.user.perimetre.operateur_ids
        else None
    )
    return render(
        request,
        "appels/appel.html",
        {
            "titre": str(objet),
            "appel": objet,
            "criteres": services.criteres_de(objet),
            "etapes_appel": list(objet.etapes.select_related("auteur")),
            "etapes": services.etapes_possibles(objet) if agent else [],
            "peut_modifier": agent
            and objet.etat in {EtatAppel.BROUILLON, EtatAppel.PUBLIE},
            "agent": agent,
            "candidatures": candidatures,
            "candidature_propre": propre,
            "peut_candidater": peut_candidater(request.user)
            and objet.etat == EtatAppel.PUBLIE,
            "fin_depot": regles.fin_du_jour_a_paris(objet.date_cloture),
        },
    )


@require_http_methods(["GET", "POST"])
def modifier(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    objet = _appel_ou_404(request, pk)
    if not peut_gerer_appels(request.user):
        raise PermissionDenied("Seuls les agents de l'État modifient un appel.")
    form = AppelForm(request.POST or None, instance=objet)
    if request.method == "POST" and form.is_valid():
        try:
            services.modifier_appel(
                request.user, objet.pk, form.donnees(), _version(request)
            )
        except ErreurMetier as exc:
            _erreur(form, exc)
        except ModificationConcurrente:
            form.add_error(None, "L'appel a été modifié entre-temps : rechargez-le.")
        else:
            messages.success(request, "Appel modifié.")
            return redirect("appels:appel", pk=objet.pk)
    return render(
        request,
        "appels/formulaire.html",
        {"titre": f"Modifier « {objet} »", "form": form, "version": objet.version},
    )


@require_POST
def etape(request: RequeteAuthentifiee, pk: int, etape: str) -> HttpResponse:
    objet = _appel_ou_404(request, pk)
    if not peut_gerer_appels(request.user):
        raise PermissionDenied("Seuls les agents de l'État font avancer un appel.")
    try:
        services.franchir(request.user, objet.pk, etape, _version(request))
    except ErreurMetier as exc:
        messages.error(request, exc.message)
    except ModificationConcurrente:
        messages.error(request, "L'appel a été modifié entre-temps : rechargez-le.")
    else:
        messages.success(request, "Étape enregistrée.")
    return redirect("appels:appel", pk=objet.pk)


@require_http_methods(["GET", "POST"])
def candidater(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    """The operator's candidature: saved as a draft at every step, then submitted."""
    objet = _appel_ou_404(request, pk)
    if not peut_candidater(request.user):
        raise PermissionDenied("Seul un opérateur dépose une candidature en ligne.")
    operateur = request.user.operateur
    existante = Candidature.objects.filter(
        appel=objet, operateur=operateur, recue_hors_ligne=False
    ).first()
    ouvert = objet.etat == EtatAppel.PUBLIE and not (
        existante and existante.est_deposee
    )
    form = CandidatureForm(
        request.POST if request.method == "POST" and ouvert else None,
        instance=existante or Candidature(appel=objet),
        appel=objet,
    )
    if request.method == "POST" and not ouvert:
        messages.error(request, "Cette candidature ne se modifie plus.")
        return redirect("appels:candidater", pk=objet.pk)
    if request.method == "POST" and form.is_valid():
        try:
            candidature = services.enregistrer_brouillon(
                request.user,
                objet,
                operateur,
                form.donnees(),
                version=_version(request) if existante else None,
            )
            if "deposer" in request.POST:
                candidature = services.deposer(
                    request.user, candidature.pk, candidature.version
                )
                messages.success(
                    request,
                    f"Candidature déposée. Accusé de réception : {candidature.accuse}.",
                )
            else:
                messages.success(request, "Brouillon enregistré.")
        except ErreurMetier as exc:
            _erreur(form, exc)
        except ModificationConcurrente:
            form.add_error(
                None, "La candidature a été modifiée entre-temps : rechargez-la."
            )
        else:
            return redirect("appels:candidater", pk=objet.pk)
    return render(
        request,
        "appels/candidater.html",
        {
            "titre": f"Candidature — {objet}",
            "appel": objet,
            "form": form,
            "candidature": existante,
            "ouvert": ouvert,
            "fin_depot": regles.fin_du_jour_a_paris(objet.date_cloture),
        },
    )


def candidature(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    objet = _candidature_ou_404(request, pk)
    return render(
        request,
        "appels/candidature.html",
        {
            "titre": str(objet),
            "candidature": objet,
            "lots": list(objet.lots.prefetch_related("ouvertures")),
            "agent": peut_gerer_appels(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def instruction(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    objet = _appel_ou_404(request, pk)
    if not peut_gerer_appels(request.user):
        raise PermissionDenied("L'instruction est réservée aux agents de l'État.")
    criteres = services.criteres_de(objet)
    form = None
    if request.method == "POST":
        try:
            cible = objet.candidatures.get(
                pk=int(request.POST.get("candidature", "")), etat="deposee"
            )
        except (ValueError, Candidature.DoesNotExist) as exc:
            raise Http404("Candidature introuvable.") from exc
        form = NotesForm(request.POST, criteres=criteres, prefix=f"c{cible.pk}")
        if form.is_valid():
            try:
                services.noter(request.user, cible, form.notes())
            except ErreurMetier as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"Notes enregistrées pour {cible.operateur}.")
            return redirect("appels:instruction", pk=objet.pk)
        messages.error(request, "Chaque note va de 0 à 20.")
    lignes = queries.instruction(objet, request.user)
    for ligne in lignes:
        ligne.form = NotesForm(  # type: ignore[attr-defined]
            criteres=criteres, prefix=f"c{ligne.candidature.pk}"
        )
    instructeurs = sorted(
        {
            n.instructeur
            for ligne in lignes
            for notes in ligne.notes.values()
            for n in notes.values()
        },
        key=lambda u: u.pk,
    )
    return render(
        request,
        "appels/instruction.html",
        {
            "titre": f"Instruction — {objet}",
            "appel": objet,
            "criteres": criteres,
            "lignes": lignes,
            "instructeurs": instructeurs,
            "ouverte": objet.etat == EtatAppel.EN_INSTRUCTION,
        },
    )


@require_http_methods(["GET", "POST"])
def decider(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    objet = _candidature_ou_404(request, pk)
    if not peut_gerer_appels(request.user):
        raise PermissionDenied("La décision revient aux agents de l'État.")
    form = DecisionForm(
        request.POST or None,
        initial={
            "decision": objet.decision,
            "places_retenues": objet.places_retenues or objet.places_proposees,
            "motivation": objet.motivation,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.decider(
                request.user,
                objet,
                form.cleaned_data["decision"],
                form.cleaned_data["places_retenues"],
                form.cleaned_data["motivation"],
            )
        except ErreurMetier as exc:
            _erreur(form, exc)
        else:
            messages.success(request, "Décision enregistrée.")
            return redirect("appels:instruction", pk=objet.appel_id)
    return render(
        request,
        "appels/decision.html",
        {"titre": f"Décision — {objet}", "candidature": objet, "form": form},
    )


@require_POST
def ouvrir_lot(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    try:
        lot = Lot.objects.for_user(request.user).select_related("structure").get(pk=pk)
    except Lot.DoesNotExist as exc:
        raise Http404("Lot introuvable.") from exc
    if not peut_gerer_appels(request.user):
        raise PermissionDenied("Seuls les agents de l'État ouvrent des places.")
    form = OuvertureForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "Indiquez la date, les places et l'acte de l'ouverture."
        )
    else:
        try:
            services.ouvrir_places(
                request.user,
                lot,
                form.cleaned_data["date"],
                form.cleaned_data["places"],
                form.cleaned_data["acte"],
            )
        except ErreurMetier as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Ouverture enregistrée.")
    return redirect("appels:ouverture")


def _lots_a_ouvrir(user: Any) -> Any:
    """Lots of the perimeter with places still to open, whatever their date."""
    return (
        Lot.objects.for_user(user)
        .annotate(ouvertes=Coalesce(Sum("ouvertures__places"), 0))
        .annotate(restantes=F("places") - F("ouvertes"))
        .filter(restantes__gt=0)
        .select_related(
            "structure__departement", "structure__operateur", "candidature__appel"
        )
        .select_related("objectif")
        .order_by("date_prevue", "id")
    )


def lots(request: RequeteAuthentifiee) -> HttpResponse:
    page = Paginator(_lots_a_ouvrir(request.user), TAILLE_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "appels/lots.html",
        {
            "titre": "Lots à ouvrir",
            "page": page,
            "agent": peut_gerer_appels(request.user),
            "aujourd_hui": _aujourdhui(),
        },
    )


@require_http_methods(["GET", "POST"])
def lot(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    """One lot: its opening steps and the form to record a new one, whatever the
    planned date."""
    try:
        objet = (
            Lot.objects.for_user(request.user)
            .select_related(
                "structure__departement", "candidature__appel", "objectif__region"
            )
            .get(pk=pk)
        )
    except Lot.DoesNotExist as exc:
        raise Http404("Lot introuvable.") from exc
    agent = peut_gerer_appels(request.user)
    if request.method == "POST" and not agent:
        raise PermissionDenied("Seuls les agents de l'État ouvrent des places.")
    form = OuvertureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.ouvrir_places(
                request.user,
                objet,
                form.cleaned_data["date"],
                form.cleaned_data["places"],
                form.cleaned_data["acte"],
            )
        except ErreurMetier as exc:
            _erreur(form, exc)
        else:
            messages.success(request, "Ouverture enregistrée.")
            return redirect("appels:lot", pk=objet.pk)
    ouvertures = list(objet.ouvertures.all())
    ouvertes = sum(o.places for o in ouvertures)
    return render(
        request,
        "appels/lot.html",
        {
            "titre": f"Lot — {objet.structure.nom}",
            "lot": objet,
            "ouvertures": ouvertures,
            "places_ouvertes": ouvertes,
            "places_restantes": objet.places - ouvertes,
            "agent": agent,
            "form": form,
        },
    )


def _regions(user: Any) -> Any:
    codes = user.perimetre.departement_codes
    regions = Region.objects.order_by("nom")
    if codes is None:
        return regions
    return regions.filter(departements__code__in=codes).distinct()


def _objectif_ou_404(request: RequeteAuthentifiee, pk: int) -> ObjectifRegional:
    try:
        return (
            ObjectifRegional.objects.for_user(request.user)
            .select_related("region")
            .get(pk=pk)
        )
    except ObjectifRegional.DoesNotExist as exc:
        raise Http404("Objectif introuvable.") from exc


def objectifs(request: RequeteAuthentifiee) -> HttpResponse:
    liste_objectifs = (
        ObjectifRegional.objects.for_user(request.user)
        .select_related("region")
        .annotate(planifiees=Coalesce(Sum("lots__places"), 0))
        .order_by("-annee", "region__nom", "type_structure", "id")
    )
    page = Paginator(liste_objectifs, TAILLE_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "appels/objectifs.html",
        {
            "titre": "Objectifs régionaux",
            "page": page,
            "peut_creer": peut_creer_objectif(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def nouvel_objectif(request: RequeteAuthentifiee) -> HttpResponse:
    if not peut_creer_objectif(request.user):
        raise PermissionDenied(
            "Seuls les agents régionaux et nationaux fixent un objectif régional."
        )
    form = ObjectifForm(request.POST or None, regions=_regions(request.user))
    if request.method == "POST" and form.is_valid():
        donnees = form.cleaned_data
        try:
            cree = services.creer_objectif(
                request.user,
                donnees["region"],
                donnees["annee"],
                donnees["type_structure"],
                donnees["places"],
                donnees["date_decision"],
            )
        except ErreurMetier as exc:
            _erreur(form, exc)
        else:
            messages.success(request, "Objectif régional enregistré.")
            return redirect("appels:objectif", pk=cree.pk)
    return render(
        request,
        "appels/formulaire.html",
        {"titre": "Nouvel objectif régional", "form": form},
    )


def objectif(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    objet = _objectif_ou_404(request, pk)
    lots_objectif = list(
        objet.lots.select_related("structure").prefetch_related("ouvertures")
    )
    planifiees = sum(lot.places for lot in lots_objectif)
    return render(
        request,
        "appels/objectif.html",
        {
            "titre": f"Objectif régional — {objet.region}",
            "objectif": objet,
            "lots": lots_objectif,
            "planifiees": planifiees,
            "restantes": objet.places - planifiees,
            "agent": peut_gerer_appels(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def planifier(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    """Places of a regional objective planned in a structure of its région."""
    from abri.structures.models import Structure

    objet = _objectif_ou_404(request, pk)
    if not peut_gerer_appels(request.user):
        raise PermissionDenied("Seuls les agents de l'État planifient des places.")
    structures = (
        Structure.objects.for_user(request.user)
        .filter(departement__region_id=objet.region_id)
        .order_by("nom")
    )
    form = PlanificationForm(request.POST or None, structures=structures)
    if request.method == "POST" and form.is_valid():
        donnees = form.cleaned_data
        try:
            services.planifier_lot_objectif(
                request.user,
                objet,
                donnees["structure"],
                donnees["places"],
                donnees["date_prevue"],
            )
        except ErreurMetier as exc:
            _erreur(form, exc)
        else:
            messages.success(request, "Lot planifié.")
            return redirect("appels:objectif", pk=objet.pk)
    return render(
        request,
        "appels/formulaire.html",
        {"titre": f"Planifier un lot — {objet}", "form": form},
    )


def _aujourdhui() -> Any:
    return services.aujourdhui()


def _filtres(
    request: RequeteAuthentifiee,
) -> tuple[FiltresOuvertureForm, queries.FiltresOuverture]:
    """The page's filters; a value outside the perimeter is ignored."""
    codes = request.user.perimetre.departement_codes
    departements = Departement.objects.order_by("code")
    if codes is not None:
        departements = departements.filter(code__in=codes)
    annees = sorted(
        {
            d.year
            for d in Lot.objects.for_user(request.user).dates("date_prevue", "year")
        }
    )
    form = FiltresOuvertureForm(
        request.GET or None, departements=list(departements), annees=annees
    )
    if not form.is_valid():
        return form, queries.FiltresOuverture()
    donnees = form.cleaned_data
    return form, queries.FiltresOuverture(
        departement=donnees["departement"] or None,
        type_structure=donnees["type_structure"] or None,
        annee=int(donnees["annee"]) if donnees["annee"] else None,
    )


def ouverture(request: RequeteAuthentifiee) -> HttpResponse:
    form_filtres, filtres = _filtres(request)
    figures = queries.figures_ouverture(request.user, _aujourdhui(), filtres)
    return render(
        request,
        "appels/ouverture.html",
        {
            "titre": "Ouverture des places",
            "figures": figures,
            "graphique_etapes": graphique_barres(
                figures.etapes, titre="Places par étape", unite="places", entete="Étape"
            ),
            "graphique_distribution": graphique_barres(
                regles.distribution_mois(figures.delais.total),
                titre="Délai total par place ouverte",
                unite="places",
                entete="Délai",
            ),
            "agent": peut_gerer_appels(request.user),
            "formulaire_ouverture": OuvertureForm(),
            "form_filtres": form_filtres,
            "filtres": filtres,
            "parametres": request.GET.urlencode(),
        },
    )


ENTETES_EXPORT = [
    "Structure",
    "Type",
    "Département",
    "Opérateur",
    "Origine",
    "Places prévues",
    "Ouverture prévue",
    "Places ouvertes",
    "Dernière ouverture",
    "Retard (jours)",
    "Nuitées perdues",
    "Coût journalier",
    "Source du coût",
    "Coût des nuitées perdues",
]


def export(request: RequeteAuthentifiee, format: str) -> HttpResponse:
    if format not in {"csv", "xlsx"}:
        raise Http404("Format inconnu.")
    _, filtres = _filtres(request)
    figures = queries.figures_ouverture(request.user, _aujourdhui(), filtres)
    lignes = [
        [
            ligne.lot.structure.nom,
            ligne.lot.structure.type,
            str(ligne.lot.structure.departement),
            str(ligne.lot.structure.operateur),
            ligne.origine,
            ligne.lot.places,
            ligne.lot.date_prevue,
            ligne.places_ouvertes,
            ligne.derniere_ouverture,
            ligne.retard,
            ligne.nuitees,
            ligne.cout_journalier,
            ligne.source_cout,
            ligne.cout,
        ]
        for ligne in figures.lignes
    ]
    if format == "xlsx":
        return reponse_xlsx("ouverture-des-places", ENTETES_EXPORT, lignes)
    return reponse_csv("ouverture-des-places", ENTETES_EXPORT, lignes)


@require_http_methods(["GET", "POST"])
def import_candidatures(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    # The upload → preview → confirmation steps are those of the park import.
    from abri.appels import imports
    from abri.structures.views import _traiter_import

    objet = _appel_ou_404(request, pk)
    if not peut_gerer_appels(request.user):
        raise PermissionDenied("L'import des candidatures est réservé aux agents.")
    user = request.user
    return _traiter_import(
        request,
        portee=f"candidatures-{objet.pk}",
        analyser=lambda contenu, nom: imports.analyser_import_candidatures(
            user, objet, contenu, nom
        ),
        appliquer=lambda contenu, nom, empreinte: imports.appliquer_import_candidatures(
            user, objet, contenu, nom, empreinte=empreinte
        ),
        gabarit="appels/import.html",
        contexte={"titre": "Importer des candidatures", "appel": objet},
    )


def lettre(request: RequeteAuthentifiee, pk: int, format: str) -> HttpResponse:
    from django.utils.http import content_disposition_header

    from abri.appels import documents

    objet = _candidature_ou_404(request, pk)
    if format not in {"pdf", "docx"}:
        raise Http404("Format inconnu.")
    if not peut_gerer_appels(request.user):
        raise PermissionDenied("Les lettres sont émises par les agents de l'État.")
    if format == "pdf":
        contenu = documents.lettre_pdf(objet, _aujourdhui())
        type_contenu = "application/pdf"
    else:
        contenu = documents.lettre_docx(objet, _aujourdhui())
        type_contenu = (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
    reponse = HttpResponse(contenu, content_type=type_contenu)
    reponse["Content-Disposition"] = (
        content_disposition_header(
            as_attachment=True, filename=f"lettre-candidature-{objet.pk}.{format}"
        )
        or ""
    )
    return reponse


@require_http_methods(["GET", "POST"])
def recevoir(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    """An agent records a candidature received otherwise, as submitted."""
    from abri.appels.forms import CandidatureRecueForm

    objet = _appel_ou_404(request, pk)
    if not peut_gerer_appels(request.user):
        raise PermissionDenied("Seuls les agents de l'État enregistrent ce dossier.")
    form = CandidatureRecueForm(
        request.POST or None, instance=Candidature(appel=objet), appel=objet
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.enregistrer_candidature_recue(
                request.user, objet, form.cleaned_data["operateur"], form.donnees()
            )
        except ErreurMetier as exc:
            _erreur(form, exc)
        else:
            messages.success(request, "Candidature enregistrée comme déposée.")
            return redirect("appels:appel", pk=objet.pk)
    return render(
        request,
        "appels/formulaire.html",
        {"titre": f"Enregistrer une candidature reçue — {objet}", "form": form},
    )
