"""Forms of calls for projects. Lists (criteria, openings, places by commune) are
typed one item per line, fields separated by « ; »."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from dsfr.forms import DsfrBaseForm

from abri.appels.models import AppelAProjets, Candidature, Decision
from abri.appels.regles import NOTE_MAXIMUM
from abri.operateurs.models import Operateur
from abri.structures.models import Structure, TypeStructure
from abri.territoires.models import Departement, Region

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _decimal(texte: str) -> Decimal:
    try:
        return Decimal(texte.replace("\u00a0", "").replace(" ", "").replace(",", "."))
    except InvalidOperation as exc:
        raise forms.ValidationError(f"« {texte} » n'est pas un nombre.") from exc


def _lignes(texte: str, colonnes: int) -> list[list[str]]:
    lignes = []
    for numero, ligne in enumerate(texte.splitlines(), start=1):
        if not ligne.strip():
            continue
        morceaux = [m.strip() for m in ligne.split(";")]
        if len(morceaux) != colonnes:
            raise forms.ValidationError(
                f"Ligne {numero} : {colonnes} éléments séparés par « ; » attendus."
            )
        lignes.append(morceaux)
    return lignes


def _date(texte: str, numero: int) -> datetime.date:
    for format_ in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(texte, format_).date()
        except ValueError:
            continue
    raise forms.ValidationError(f"Ligne {numero} : date « {texte} » illisible.")


class AppelForm(DsfrBaseForm, forms.ModelForm):
    criteres_texte = forms.CharField(
        label="Critères de notation",
        help_text="Un critère par ligne : libellé ; poids (« Qualité du projet ; 3 »).",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    class Meta:
        model = AppelAProjets
        fields = [
            "intitule",
            "region",
            "departement",
            "type_structure",
            "public",
            "places_recherchees",
            "places_specialisees",
            "nature_places_specialisees",
            "enveloppe",
            "cout_journalier_cible",
            "date_publication",
            "date_cloture",
            "date_instruction",
            "date_commission",
            "date_decision",
            "date_ouverture",
        ]
        widgets = dict.fromkeys(
            (
                "date_publication",
                "date_cloture",
                "date_instruction",
                "date_commission",
                "date_decision",
                "date_ouverture",
            ),
            DATE,
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["criteres_texte"] = "\n".join(
                f"{c['libelle']} ; {c['poids']}" for c in self.instance.criteres
            )

    def clean_criteres_texte(self) -> list[dict[str, Any]]:
        return [
            {"libelle": libelle, "poids": str(_decimal(poids))}
            for libelle, poids in _lignes(self.cleaned_data["criteres_texte"], 2)
        ]

    def donnees(self) -> dict[str, Any]:
        donnees = {c: self.cleaned_data[c] for c in self.Meta.fields}
        donnees["criteres"] = self.cleaned_data["criteres_texte"]
        return donnees


class CandidatureForm(DsfrBaseForm, forms.ModelForm):
    implantations_texte = forms.CharField(
        label="Places par commune",
        help_text="Une ligne par implantation : commune ; adresse ; places.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    lots_texte = forms.CharField(
        label="Ouvertures proposées",
        help_text="Une ligne par lot : places ; date (JJ/MM/AAAA).",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    class Meta:
        model = Candidature
        fields = [
            "projet",
            "departement",
            "type_bati",
            "public",
            "places_proposees",
            "places_specialisees",
            "cout_journalier_propose",
            "budget_propose",
            "etp",
        ]
        widgets = {"projet": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, appel: AppelAProjets, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        departements = Departement.objects.order_by("rang")
        if appel.departement_id:
            departements = departements.filter(code=appel.departement_id)
        elif appel.region_id:
            departements = departements.filter(region_id=appel.region_id)
        self.fields["departement"].queryset = departements  # type: ignore[attr-defined]
        for champ in self.fields.values():
            champ.required = False
        if self.instance.pk and not self.is_bound:
            self.initial["implantations_texte"] = "\n".join(
                f"{i['commune']} ; {i['adresse']} ; {i['places']}"
                for i in self.instance.implantations
            )
            self.initial["lots_texte"] = "\n".join(
                f"{lot['places']} ; {datetime.date.fromisoformat(lot['date']):%d/%m/%Y}"
                for lot in self.instance.lots_proposes
            )

    def clean_implantations_texte(self) -> list[dict[str, Any]]:
        resultat = []
        for numero, (commune, adresse, places) in enumerate(
            _lignes(self.cleaned_data["implantations_texte"], 3), start=1
        ):
            if not places.isdigit():
                raise forms.ValidationError(f"Ligne {numero} : places « {places} ».")
            resultat.append(
                {"commune": commune, "adresse": adresse, "places": int(places)}
            )
        return resultat

    def clean_lots_texte(self) -> list[dict[str, Any]]:
        resultat = []
        for numero, (places, date) in enumerate(
            _lignes(self.cleaned_data["lots_texte"], 2), start=1
        ):
            if not places.isdigit():
                raise forms.ValidationError(f"Ligne {numero} : places « {places} ».")
            resultat.append({"places": int(places), "date": _date(date, numero)})
        return resultat

    def donnees(self) -> dict[str, Any]:
        donnees = {c: self.cleaned_data[c] for c in self.Meta.fields}
        for champ in ("places_proposees", "places_specialisees"):
            donnees[champ] = donnees[champ] or 0
        for champ in ("type_bati", "public"):
            donnees[champ] = donnees[champ] or ""
        donnees["implantations"] = self.cleaned_data["implantations_texte"]
        donnees["lots_proposes"] = self.cleaned_data["lots_texte"]
        return donnees


class NotesForm(DsfrBaseForm):
    """One score (0-20) and comment per criterion of the call."""

    def __init__(self, *args: Any, criteres: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteres = criteres
        for rang, critere in enumerate(criteres):
            self.fields[f"note_{rang}"] = forms.DecimalField(
                label=f"{critere.libelle} (poids {critere.poids})",
                min_value=0,
                max_value=NOTE_MAXIMUM,
                decimal_places=1,
            )
            self.fields[f"commentaire_{rang}"] = forms.CharField(
                label="Commentaire", required=False
            )

    def notes(self) -> dict[int, tuple[Decimal, str]]:
        return {
            rang: (
                self.cleaned_data[f"note_{rang}"],
                self.cleaned_data[f"commentaire_{rang}"],
            )
            for rang in range(len(self.criteres))
        }


class DecisionForm(DsfrBaseForm):
    decision = forms.ChoiceField(label="Décision", choices=Decision.choices)
    places_retenues = forms.IntegerField(
        label="Places retenues", min_value=1, required=False
    )
    motivation = forms.CharField(label="Motivation", widget=forms.Textarea)


class OuvertureForm(DsfrBaseForm):
    date = forms.DateField(label="Ouvertes le", widget=DATE)
    places = forms.IntegerField(label="Places ouvertes", min_value=1)
    acte = forms.CharField(label="Acte administratif", max_length=250)


class ObjectifForm(DsfrBaseForm):
    region = forms.ModelChoiceField(label="Région", queryset=Region.objects.none())
    annee = forms.IntegerField(label="Année", min_value=2000, max_value=2100)
    type_structure = forms.ChoiceField(
        label="Type de structure", choices=TypeStructure.choices
    )
    places = forms.IntegerField(label="Places à créer", min_value=1)
    date_decision = forms.DateField(label="Décidé le", widget=DATE, required=False)

    def __init__(self, *args: Any, regions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions


class PlanificationForm(DsfrBaseForm):
    structure = forms.ModelChoiceField(
        label="Structure", queryset=Structure.objects.none()
    )
    places = forms.IntegerField(label="Places", min_value=1)
    date_prevue = forms.DateField(label="Ouverture prévue le", widget=DATE)

    def __init__(self, *args: Any, structures: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = structures


class FiltresOuvertureForm(DsfrBaseForm):
    departement = forms.ChoiceField(label="Département", required=False)
    type_structure = forms.ChoiceField(
        label="Type de structure",
        required=False,
        choices=[("", "Tous"), *TypeStructure.choices],
    )
    annee = forms.ChoiceField(label="Ouverture prévue en", required=False)

    def __init__(
        self, *args: Any, departements: Any, annees: list[int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = [
            ("", "Tous"),
            *((d.code, str(d)) for d in departements),
        ]
        self.fields["annee"].choices = [
            ("", "Toutes"),
            *((str(a), str(a)) for a in annees),
        ]


class CandidatureRecueForm(CandidatureForm):
    """A candidature received otherwise (paper, email), recorded by an agent."""

    operateur = forms.ModelChoiceField(
        label="Opérateur", queryset=Operateur.objects.order_by("nom")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operateur"].required = True
        self.order_fields(["operateur"])
