"""Reads of acts and CPOM, always scoped to what the user may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, F, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from abri.comptes.models import Utilisateur
from abri.conventions import echeances, regles, services
from abri.conventions.models import (
    ETATS_SIGNES,
    Acte,
    ActeQuerySet,
    AdhesionCpom,
    Cpom,
    CpomQuerySet,
    Document,
    Etat,
    Evaluation,
    NatureActe,
)
from abri.structures.models import Structure
from abri.ui.svg.frise import LigneFrise, Periode, frise_periodes

NATURE_CPOM = "cpom"


def _fin_avenant(parent: str) -> Subquery:
    return Subquery(
        Acte.objects.filter(
            **{parent: OuterRef("pk")},
            etat__in=ETATS_SIGNES,
            nouvelle_date_fin__isnull=False,
        )
        .order_by("-date_debut", "-id")
        .values("nouvelle_date_fin")[:1]
    )


# Lists show first what is still to be dealt with (drafts, acts in force or just
# expired), soonest end first; renewed and denounced acts come after.
CLOS = Case(
    When(etat__in=[Etat.RENOUVELEE, Etat.DENONCEE], then=Value(1)),
    default=Value(0),
)


def actes_avec_fin(qs: ActeQuerySet) -> ActeQuerySet:
    """Annotate ``fin_effective``: the end once signed avenants apply."""
    return qs.annotate(
        fin_effective=Coalesce(_fin_avenant("parent"), F("date_fin")), clos=CLOS
    )


def cpoms_avec_fin(qs: CpomQuerySet) -> CpomQuerySet:
    return qs.annotate(
        fin_effective=Coalesce(_fin_avenant("cpom"), F("date_fin")), clos=CLOS
    )


@dataclass(frozen=True)
class FiltresActes:
    nature: str = ""
    etat: str = ""
    type: str = ""
    departement: str = ""
    fin_du: datetime.date | None = None
    fin_au: datetime.date | None = None
    impossible: bool = False


def actes_filtres(user: Utilisateur, filtres: FiltresActes) -> ActeQuerySet:
    qs = actes_avec_fin(
        Acte.objects.for_user(user).exclude(nature=NatureActe.AVENANT)
    ).filter(structure__isnull=False)
    if filtres.impossible:
        qs = qs.none()
    if filtres.nature:
        qs = qs.filter(nature=filtres.nature)
    if filtres.etat:
        qs = qs.filter(etat=filtres.etat)
    if filtres.type:
        qs = qs.filter(structure__type=filtres.type)
    if filtres.departement:
        qs = qs.filter(structure__departement_id=filtres.departement)
    if filtres.fin_du:
        qs = qs.filter(fin_effective__gte=filtres.fin_du)  # type: ignore[misc]
    if filtres.fin_au:
        qs = qs.filter(fin_effective__lte=filtres.fin_au)  # type: ignore[misc]
    return qs.select_related(  # type: ignore[misc]  # annotated above
        "structure__departement", "structure__operateur"
    ).order_by("clos", "fin_effective", "id")


def cpoms_filtres(user: Utilisateur, filtres: FiltresActes) -> CpomQuerySet:
    qs = cpoms_avec_fin(Cpom.objects.for_user(user))
    if filtres.impossible:
        qs = qs.none()
    if filtres.etat:
        qs = qs.filter(etat=filtres.etat)
    if filtres.type:
        qs = qs.filter(adhesions__structure__type=filtres.type).distinct()
    if filtres.departement:
        qs = qs.filter(
            pk__in=Cpom.departements.through.objects.filter(
                departement_id=filtres.departement
            ).values("cpom_id")
        )
    if filtres.fin_du:
        qs = qs.filter(fin_effective__gte=filtres.fin_du)  # type: ignore[misc]
    if filtres.fin_au:
        qs = qs.filter(fin_effective__lte=filtres.fin_au)  # type: ignore[misc]
    return (
        qs.select_related("operateur", "region")
        .prefetch_related("departements")
        .order_by("clos", "fin_effective", "id")  # type: ignore[misc]
    )


def acte_visible(user: Utilisateur, pk: int) -> Acte:
    """The act if the user may see it; ``Acte.DoesNotExist`` otherwise."""
    return (
        Acte.objects.for_user(user)
        .select_related(
            "structure__departement",
            "structure__operateur",
            "parent",
            "cpom",
            "successeur",
            "cree_par",
        )
        .get(pk=pk)
    )


def cpom_visible(user: Utilisateur, pk: int) -> Cpom:
    return (
        Cpom.objects.for_user(user)
        .select_related("operateur", "region", "successeur")
        .get(pk=pk)
    )


def avenants_de(obj: Acte | Cpom) -> list[Acte]:
    return list(obj.avenants.prefetch_related("documents").order_by("date_debut", "id"))


def _statut(obj: Acte | Cpom, aujourdhui: datetime.date) -> str:
    if obj.en_vigueur_le(aujourdhui):
        return "en_vigueur"
    if obj.etat in ETATS_SIGNES and obj.date_debut > aujourdhui:
        return "a_venir"
    if obj.etat not in ETATS_SIGNES:
        return "a_venir"
    return "passee"


LIGNES_FRISE = (
    (NatureActe.AUTORISATION, "Autorisation"),
    (NatureActe.CONVENTION, "Conventions"),
    (NatureActe.TARIFICATION, "Tarification"),
)


def bloc_fiche_structure(structure: Structure, user: Utilisateur) -> dict[str, Any]:
    from abri.conventions.forms import EvaluationForm

    """What the structure sheet shows of its acts: a calendar of the authorisation,
    conventions and CPOM periods, the acts with their avenants and documents.
    Five queries whatever the number of acts."""
    aujourdhui = datetime.date.today()
    avenants_signes = Prefetch(
        "avenants",
        queryset=Acte.objects.order_by("date_debut", "id").prefetch_related(
            "documents"
        ),
        to_attr="avenants_lus",
    )
    actes = list(
        Acte.objects.filter(structure=structure, parent__isnull=True)
        .exclude(nature=NatureActe.AVENANT)
        .prefetch_related(avenants_signes, "documents")
        .order_by("nature", "date_debut", "id")
    )
    for acte in actes:
        acte._avenants_signes = [  # type: ignore[attr-defined]
            (a.date_debut, a.nouvelle_date_fin)
            for a in acte.avenants_lus
            if a.etat in ETATS_SIGNES
        ]
    adhesions = list(
        AdhesionCpom.objects.filter(structure=structure)
        .select_related("cpom")
        .order_by("date_entree", "id")
    )
    lignes = []
    for nature, libelle in LIGNES_FRISE:
        periodes = [
            Periode(
                a.date_debut,
                a.date_fin_effective,
                f"{a} ({a.get_etat_display().lower()})",
                _statut(a, aujourdhui),
            )
            for a in actes
            if a.nature == nature
        ]
        if periodes:
            lignes.append(LigneFrise(libelle, periodes))
    if adhesions:
        lignes.append(
            LigneFrise(
                "CPOM",
                [
                    Periode(
                        a.date_entree,
                        a.date_sortie or a.cpom.date_fin,
                        str(a.cpom),
                        "en_vigueur"
                        if regles.chevauchent(
                            a.date_entree, a.date_sortie, aujourdhui, aujourdhui
                        )
                        else "passee",
                    )
                    for a in adhesions
                ],
            )
        )
    courants = {
        nature: regles.acte_courant(
            [a for a in actes if a.nature == nature], aujourdhui
        )
        for nature, _ in LIGNES_FRISE
    }
    return {
        "structure": structure,
        "actes": actes,
        "adhesions": adhesions,
        "convention_courante": courants[NatureActe.CONVENTION],
        "autorisation_courante": courants[NatureActe.AUTORISATION],
        "evaluations": list(Evaluation.objects.filter(structure=structure)),
        "frise": frise_periodes(
            lignes, titre="Calendrier des actes", aujourdhui=aujourdhui
        ),
        "peut_gerer": services.peut_gerer_actes(user),
        "form_evaluation": EvaluationForm(prefix="evaluation"),
    }


def bloc_accueil(user: Utilisateur, aujourdhui: datetime.date) -> dict[str, Any]:
    """The home page's block: deadlines counted by criticality, the first ones."""
    toutes = echeances.echeances_de(user, aujourdhui)
    return {
        "urgentes": sum(e.criticite == regles.URGENT for e in toutes),
        "importantes": sum(e.criticite == regles.IMPORTANT for e in toutes),
        "plus_tard": sum(e.criticite == regles.PLUS_TARD for e in toutes),
        "premieres": [e for e in toutes if e.criticite != regles.PLUS_TARD][:5],
    }


def documents_de(obj: Acte | Cpom) -> list[Document]:
    return list(obj.documents.select_related("depose_par"))


def etats_choix() -> list[tuple[str, str]]:
    return list(Etat.choices)


def structures_hors_cpom(cpom: Cpom, user: Utilisateur) -> Any:
    from abri.comptes.perimetre import operateur_et_filiales

    return (
        Structure.objects.for_user(user)
        .filter(
            operateur_id__in=operateur_et_filiales(cpom.operateur_id),
            departement__in=cpom.departements.all(),
        )
        .exclude(
            Q(adhesions_cpom__cpom=cpom) & Q(adhesions_cpom__date_sortie__isnull=True)
        )
        .order_by("nom", "id")
    )
