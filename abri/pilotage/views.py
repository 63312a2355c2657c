"""Home page and data-quality pages."""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from dsfr.forms import DsfrBaseForm

from abri.activite import queries as activite_queries
from abri.communs.erreurs import ErreurMetier
from abri.comptes.requetes import RequeteAuthentifiee
from abri.conventions import queries as conventions_queries
from abri.finances import queries as finances_queries
from abri.pilotage import queries, services
from abri.pilotage.models import Anomalie
from abri.pilotage.regles_qualite import REGLES
from abri.structures.models import TypeStructure
from abri.territoires.models import Departement
from abri.ui.svg.carte import carte_departements
from abri.ui.svg.graphiques import barres


class DateForm(DsfrBaseForm):
    au = forms.DateField(
        label="Chiffres au",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def accueil(request: RequeteAuthentifiee) -> HttpResponse:
    form_date = DateForm(request.GET or None)
    aujourdhui = datetime.date.today()
    if form_date.is_valid() and form_date.cleaned_data["au"]:
        aujourdhui = form_date.cleaned_data["au"]
    par_type = queries.chiffres_par_type(request.user, aujourdhui)
    places = queries.places_par_departement(request.user, aujourdhui)
    nombre_structures = queries.structures_par_departement(request.user, aujourdhui)
    perimetre = request.user.perimetre
    codes = perimetre.departement_codes
    departements = Departement.objects.order_by("rang")
    if codes is not None:
        departements = departements.filter(code__in=codes)
    liste_url = reverse("structures:liste")
    tableau = [
        {
            "departement": d,
            "structures": nombre_structures.get(d.code, 0),
            "places": places.get(d.code, 0),
        }
        for d in departements
        if d.code in places or codes is not None
    ]
    # Frame the map on the user's territory; an operator has none, so frame it on
    # the départements of its structures. National users see the whole of France.
    cadrage = codes
    if cadrage is None and not perimetre.est_national:
        cadrage = frozenset(places)
    return render(
        request,
        "pilotage/accueil.html",
        {
            "titre": "Accueil",
            "par_type": par_type,
            "total_structures": sum(ligne.structures for ligne in par_type),
            "total_places": sum(ligne.places_autorisees for ligne in par_type),
            "total_pmr": sum(ligne.places_pmr for ligne in par_type),
            "total_lgbt": sum(ligne.places_lgbt for ligne in par_type),
            "total_fvv_teh": sum(ligne.places_fvv_teh for ligne in par_type),
            "carte": carte_departements(
                places,
                titre="Places autorisées par département",
                lien=lambda code: f"{liste_url}?departement={code}",
                cadrage=cadrage,
            ),
            "graphique_types": barres(
                [(ligne.type, ligne.places_autorisees) for ligne in par_type],
                titre="Places autorisées par type de structure",
                unite="places",
            ),
            "tableau_departements": tableau,
            "date": aujourdhui,
            "form_date": form_date,
            "activite_accueil": activite_queries.chiffres_accueil(
                request.user, aujourdhui
            ),
            "finances": finances_queries.chiffres_accueil(request.user, aujourdhui),
            "bloc_conventions": conventions_queries.bloc_accueil(
                request.user, aujourdhui
            ),
        },
    )


class FiltresAnomaliesForm(DsfrBaseForm):
    regle = forms.ChoiceField(label="Règle", required=False)
    departement = forms.ChoiceField(label="Département", required=False)
    statut = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[("", "Tous"), ("a_traiter", "À traiter"), ("justifiees", "Justifiés")],
    )

    def __init__(self, *args, departements, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["regle"].choices = [("", "Toutes")] + [
            (r.code, f"{r.code} — {r.libelle}")
            for r in sorted(REGLES.values(), key=lambda r: r.code)
        ]
        self.fields["departement"].choices = [("", "Tous")] + [
            (d.code, f"{d.code} — {d.nom}") for d in departements
        ]


def anomalies(request: RequeteAuthentifiee) -> HttpResponse:
    codes = request.user.perimetre.departement_codes
    departements = Departement.objects.order_by("rang")
    if codes is not None:
        departements = departements.filter(code__in=codes)
    form = FiltresAnomaliesForm(request.GET or None, departements=list(departements))
    filtres = queries.FiltresAnomalies()
    if form.is_valid():
        filtres = queries.FiltresAnomalies(
            regle=form.cleaned_data["regle"],
            departement=form.cleaned_data["departement"],
            statut=form.cleaned_data["statut"],
        )
    page = Paginator(queries.anomalies_filtrees(request.user, filtres), 50).get_page(
        request.GET.get("page")
    )
    parametres = request.GET.copy()
    parametres.pop("page", None)
    par_regle = queries.anomalies_par_regle(request.user)
    return render(
        request,
        "pilotage/anomalies.html",
        {
            "titre": "Qualité des données",
            "form": form,
            "page": page,
            "parametres": parametres.urlencode(),
            "regles": [
                {
                    "regle": r,
                    "total": par_regle.get(r.code, {}).get("total", 0),
                    "justifiees": par_regle.get(r.code, {}).get("justifiees", 0),
                    "types": [t for t in TypeStructure.values if t in r.types],
                }
                for r in sorted(REGLES.values(), key=lambda r: r.code)
            ],
            "libelles_regles": {code: r.libelle for code, r in REGLES.items()},
            "peut_justifier": services.peut_justifier(request.user),
        },
    )


@require_POST
def justifier(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    if not Anomalie.objects.for_user(request.user).filter(pk=pk).exists():
        raise Http404("Constat introuvable.")
    if not services.peut_justifier(request.user):
        raise PermissionDenied("Seuls les agents de l'État justifient un constat.")
    justifiee = request.POST.get("justifiee", "1") == "1"
    try:
        services.justifier_anomalie(
            request.user, pk, request.POST.get("justification", ""), justifiee
        )
    except ErreurMetier as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, "Constat justifié." if justifiee else "Justification retirée."
        )
    suivant = request.POST.get("suivant", "")
    if url_has_allowed_host_and_scheme(suivant, allowed_hosts={request.get_host()}):
        return redirect(suivant)
    return redirect("pilotage:anomalies")
