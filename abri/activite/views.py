"""Pages of the monthly occupancy: thin views that parse, call, render."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods, require_POST

from abri.activite import imports, queries, regles, services
from abri.activite.forms import (
    CorrespondanceForm,
    DeclarationForm,
    MoisField,
    RattachementForm,
)
from abri.activite.models import (
    ActiviteMensuelle,
    CorrespondanceOperateur,
    LigneEnAttente,
    Source,
)
from abri.communs.erreurs import ErreurMetier, ModificationConcurrente
from abri.communs.exports import reponse_csv, reponse_xlsx
from abri.comptes.droits import peut_declarer_activite, peut_importer_activite
from abri.comptes.requetes import RequeteAuthentifiee
from abri.operateurs.models import Operateur
from abri.structures import queries as structures_queries
from abri.structures import services as structures_services
from abri.structures.models import Structure
from abri.structures.views import _erreur_sur_form, _traiter_import
from abri.ui.svg.graphiques import graphique_courbes_mensuelles

TABLEAUX_EXPORT = (
    "structures",
    "region",
    "departement",
    "type",
    "operateur",
    "historique",
)
AU_DESSUS_AFFICHEES = 200  # the export has them all
ENTETES_PLACES = [
    "Structures",
    "Places autorisées (parc)",
    "Places ouvertes (capacité du fichier)",
    "Places indisponibles",
    "Places disponibles",
    "Places occupées",
    "Places vacantes",
    "Taux d'occupation",
    "Taux d'indisponibilité",
    "Réfugiés (BPI) en présence indue",
    "Déboutés en présence indue",
    "Taux de présences indues",
]


def _mois_choisi(request: RequeteAuthentifiee) -> datetime.date | None:
    dernier = queries.dernier_mois(request.user)
    texte = request.GET.get("mois", "")
    if dernier is None or not texte:
        return dernier
    try:
        mois = datetime.date.fromisoformat(f"{texte}-01")
    except ValueError:
        return dernier
    return min(mois, dernier)


def places(request: RequeteAuthentifiee) -> HttpResponse:
    mois = _mois_choisi(request)
    contexte: dict[str, Any] = {
        "titre": "Places",
        "mois": mois,
        "seuils": queries.seuils(),
        "peut_importer": peut_importer_activite(request.user),
        "en_attente": queries.lignes_en_attente(request.user).count()
        if peut_importer_activite(request.user)
        else 0,
    }
    if mois is None:
        return render(request, "activite/places.html", contexte)

    axes = {axe: queries.par_axe(request.user, mois, axe) for axe in queries.AXES}
    autorisees, total = queries.total(axes["type"])
    historique = queries.historique(request.user, mois)
    au_dessus = queries.structures_au_dessus_des_seuils(request.user, mois)
    contexte.update(
        {
            "libelle_mois": regles.libelle_mois(mois),
            "mois_precedents": [
                (m, regles.libelle_mois(m))
                for m in reversed(regles.mois_recents(mois, 24))
            ],
            "autorisees": autorisees,
            "total": total,
            "axes": [
                {"cle": axe, "libelle": queries.LIBELLES_AXES[axe], "lignes": lignes}
                for axe, lignes in axes.items()
            ],
            "graphique": graphique_courbes_mensuelles(
                [m for m, _ in historique],
                {
                    "Places ouvertes": [p.capacite for _, p in historique],
                    "Places disponibles": [p.disponibles for _, p in historique],
                    "Places occupées": [p.occupees for _, p in historique],
                },
                titre="Places des 24 derniers mois",
                unite="places",
            ),
            "graphique_ecarts": graphique_courbes_mensuelles(
                [m for m, _ in historique],
                {
                    "Places vacantes": [max(p.vacantes, 0) for _, p in historique],
                    "Places indisponibles": [p.indisponibles for _, p in historique],
                    "Présences indues": [p.presences_indues for _, p in historique],
                },
                titre="Places vacantes, indisponibles et présences indues",
                unite="places",
            ),
            "au_dessus": au_dessus[:AU_DESSUS_AFFICHEES],
            "nombre_au_dessus": len(au_dessus),
            "sources": queries.sources_du_mois(request.user, mois),
            "libelles_seuils": regles.LIBELLES_SEUILS,
        }
    )
    return render(request, "activite/places.html", contexte)


def _ligne_places(autorisees: int | None, p: regles.Places) -> list[Any]:
    return [
        p.structures,
        autorisees,
        p.capacite,
        p.indisponibles,
        p.disponibles,
        p.occupees,
        p.vacantes,
        p.taux_occupation,
        p.taux_indisponibilite,
        p.bpi,
        p.deboutes,
        p.taux_presences_indues,
    ]


def export(request: RequeteAuthentifiee, format: str) -> HttpResponse:
    if format not in {"xlsx", "csv"}:
        raise Http404("Format d'export inconnu.")
    tableau = request.GET.get("tableau", "structures")
    if tableau not in TABLEAUX_EXPORT:
        raise Http404("Tableau inconnu.")
    mois = _mois_choisi(request)
    entetes: list[str]
    lignes: Any
    if mois is None:
        entetes, lignes = ["Mois"], []
    elif tableau == "structures":
        entetes = [
            "Structure",
            "Type",
            "Département",
            "Opérateur",
            "Source des chiffres",
            *ENTETES_PLACES[2:],
            "Seuils dépassés",
        ]
        lignes = (
            [
                ligne.nom,
                ligne.type,
                ligne.departement,
                ligne.operateur,
                ligne.source,
                *_ligne_places(None, ligne.places)[2:],
                ", ".join(regles.LIBELLES_SEUILS[c] for c, _ in ligne.depassements),
            ]
            for ligne in queries.structures_du_mois(request.user, mois)
        )
    elif tableau == "historique":
        entetes = ["Mois", *ENTETES_PLACES[:1], *ENTETES_PLACES[2:]]
        lignes = [
            [
                regles.libelle_mois(m),
                *[v for i, v in enumerate(_ligne_places(None, p)) if i != 1],
            ]
            for m, p in queries.historique(request.user, mois)
        ]
    else:
        entetes = [queries.LIBELLES_AXES[tableau], *ENTETES_PLACES]
        lignes = [
            [ligne.libelle, *_ligne_places(ligne.autorisees, ligne.places)]
            for ligne in queries.par_axe(request.user, mois, tableau)
        ]
    nom = f"places-{tableau}-{mois:%Y-%m}" if mois else "places"
    if format == "xlsx":
        return reponse_xlsx(nom, entetes, lignes, feuille="Places")
    return reponse_csv(nom, entetes, lignes)


def _refuser_si_pas_agent(request: RequeteAuthentifiee) -> None:
    if not peut_importer_activite(request.user):
        raise PermissionDenied("Réservé aux agents de l'État.")


@require_http_methods(["GET", "POST"])
def import_activite(request: RequeteAuthentifiee) -> HttpResponse:
    _refuser_si_pas_agent(request)
    user = request.user
    return _traiter_import(
        request,
        portee="activite",
        analyser=lambda contenu, nom: imports.analyser_import_activite(
            user, contenu, nom
        ),
        appliquer=lambda contenu, nom, empreinte: imports.appliquer_import_activite(
            user, contenu, nom, empreinte=empreinte
        ),
        gabarit="activite/import.html",
        contexte={
            "titre": "Importer le fichier mensuel d'occupation",
            # read when the page is drawn, after the import it may just record
            "imports_precedents": SimpleLazyObject(
                lambda: queries.imports_recents(user)
            ),
        },
    )


def en_attente(request: RequeteAuthentifiee) -> HttpResponse:
    _refuser_si_pas_agent(request)
    lignes = list(queries.lignes_en_attente(request.user)[:500])
    return render(
        request,
        "activite/en_attente.html",
        {
            "titre": "Codes DNA en attente",
            "lignes": lignes,
            "connus": queries.codes_connus_depuis(
                request.user, {ligne.code_dna for ligne in lignes}
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def rattacher(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    try:
        ligne = queries.lignes_en_attente(request.user).get(pk=pk)
    except LigneEnAttente.DoesNotExist as exc:
        raise Http404("Ligne introuvable.") from exc
    _refuser_si_pas_agent(request)
    structures = (
        Structure.objects.for_user(request.user)
        .filter(departement_id=ligne.departement_id)
        .select_related("operateur")
        .order_by("nom", "id")
    )
    connue = queries.codes_connus_depuis(request.user, {ligne.code_dna}).get(
        ligne.code_dna
    )
    form = RattachementForm(
        request.POST or None,
        structures=structures,
        initial={"structure": connue.pk if connue else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            nombre = services.rattacher_code(
                request.user, ligne.code_dna, form.cleaned_data["structure"]
            )
        except ErreurMetier as exc:
            _erreur_sur_form(form, exc)
        else:
            messages.success(
                request,
                f"Code {ligne.code_dna} rattaché : {nombre} mois enregistré(s).",
            )
            return redirect("structures:fiche", pk=form.cleaned_data["structure"].pk)
    autres_mois = list(
        queries.lignes_en_attente(request.user)
        .filter(code_dna=ligne.code_dna)
        .values_list("mois", flat=True)
    )
    return render(
        request,
        "activite/rattacher.html",
        {
            "titre": f"Rattacher le code {ligne.code_dna}",
            "ligne": ligne,
            "form": form,
            "mois_en_attente": [regles.libelle_mois(m) for m in autres_mois],
        },
    )


@require_http_methods(["GET", "POST"])
def correspondances(request: RequeteAuthentifiee) -> HttpResponse:
    _refuser_si_pas_agent(request)
    operateurs = Operateur.objects.for_user(request.user).order_by("nom", "id")
    form = CorrespondanceForm(
        request.POST or None,
        operateurs=operateurs,
        initial={
            "libelle": request.GET.get("libelle", ""),
            "operateur": request.GET.get("operateur", ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.enregistrer_correspondance(
                request.user,
                form.cleaned_data["libelle"],
                form.cleaned_data["operateur"],
            )
        except ErreurMetier as exc:
            _erreur_sur_form(form, exc)
        else:
            messages.success(request, "Correspondance enregistrée.")
            return redirect("activite:correspondances")
    return render(
        request,
        "activite/correspondances.html",
        {
            "titre": "Noms des opérateurs dans le fichier mensuel",
            "form": form,
            "correspondances": list(
                CorrespondanceOperateur.objects.for_user(request.user).select_related(
                    "operateur"
                )
            ),
        },
    )


@require_POST
def supprimer_correspondance(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    try:
        correspondance = CorrespondanceOperateur.objects.for_user(request.user).get(
            pk=pk
        )
    except CorrespondanceOperateur.DoesNotExist as exc:
        raise Http404("Correspondance introuvable.") from exc
    _refuser_si_pas_agent(request)
    services.supprimer_correspondance(request.user, correspondance)
    messages.success(request, "Correspondance supprimée.")
    return redirect("activite:correspondances")


@require_http_methods(["GET", "POST"])
def declarer(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    try:
        structure = structures_queries.structure_visible(request.user, pk)
    except Structure.DoesNotExist as exc:
        raise Http404("Structure introuvable.") from exc
    if not peut_declarer_activite(request.user):
        raise PermissionDenied("Seul l'opérateur de la structure déclare son activité.")
    initial: dict[str, Any] = {}
    if texte := request.GET.get("mois", ""):
        try:
            mois = MoisField().to_python(texte)
        except ValidationError:
            mois = None
        existante = (
            ActiviteMensuelle.objects.filter(
                structure=structure, source=Source.DECLARATION, mois=mois
            ).first()
            if mois
            else None
        )
        initial = {"mois": texte}
        if existante:
            initial.update(
                {c: getattr(existante, c) for c in services.CHAMPS_CHIFFRES},
                version=existante.version,
            )
    if "capacite" not in initial:
        # The park's authorised places, as a starting point the operator corrects.
        initial["capacite"] = structures_services.capacite_au(
            structure, datetime.date.today()
        ).places_autorisees
    form = DeclarationForm(request.POST or None, initial=initial)
    conflit = None
    if request.method == "POST" and form.is_valid():
        donnees = form.cleaned_data
        try:
            services.declarer_mois(
                request.user,
                structure,
                donnees["mois"],
                {c: donnees[c] for c in services.CHAMPS_CHIFFRES},
                donnees["version"],
            )
        except ModificationConcurrente as exc:
            conflit = exc
        except ErreurMetier as exc:
            _erreur_sur_form(form, exc)
        else:
            messages.success(request, "Mois déclaré.")
            return redirect("structures:fiche", pk=structure.pk)
    return render(
        request,
        "activite/declarer.html",
        {
            "titre": f"Déclarer un mois — {structure.nom}",
            "structure": structure,
            "form": form,
            "conflit": conflit,
        },
    )
