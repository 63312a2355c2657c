from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from dsfr.forms import DsfrBaseForm

from abri.comptes.droits import peut_lire_journal_complet
from abri.comptes.requetes import RequeteAuthentifiee
from abri.journal import queries
from abri.journal.models import Action


class RechercheForm(DsfrBaseForm):
    texte = forms.CharField(label="Objet ou commentaire", required=False)
    auteur = forms.CharField(label="Adresse de l'auteur", required=False)
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Toutes"), *Action.choices]
    )
    du = forms.DateField(
        label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    au = forms.DateField(
        label="Au", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def recherche(request: RequeteAuthentifiee) -> HttpResponse:
    if not peut_lire_journal_complet(request.user):
        raise PermissionDenied(
            "Le journal complet est réservé aux administrateurs nationaux."
        )
    form = RechercheForm(request.GET or None)
    filtres = (
        queries.FiltresJournal(**form.cleaned_data)
        if form.is_valid()
        else queries.FiltresJournal()
    )
    page = Paginator(queries.rechercher(filtres), 50).get_page(request.GET.get("page"))
    parametres = request.GET.copy()
    parametres.pop("page", None)
    return render(
        request,
        "journal/recherche.html",
        {
            "titre": "Journal",
            "form": form,
            "page": page,
            "parametres": parametres.urlencode(),
        },
    )
