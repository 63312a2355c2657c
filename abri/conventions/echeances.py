"""Coming deadlines of acts: renewals, ends of authorisation, external evaluations,
caducity. Each has a criticality: urgent (passed), important (within its warning
window, a setting), later.

Only the act in force of each structure and kind counts (a renewed act hands its
deadline to its successor), so that the history of a structure does not pile up
deadlines. Computed from a constant number of queries for the whole perimeter.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from abri.conventions import regles
from abri.conventions.models import (
    ETATS_SIGNES,
    Acte,
    Cpom,
    Etat,
    Evaluation,
    NatureActe,
    NatureEvaluation,
)

# States whose end is still to be dealt with: in force, or passed without a successor.
ETATS_A_SUIVRE = (Etat.SIGNEE, Etat.ECHUE)


@dataclass(frozen=True)
class Echeance:
    cle: str
    nature: str
    date: datetime.date
    criticite: str
    libelle: str
    objet: str
    url: str
    departement_codes: frozenset[str]
    operateur_id: int

    @property
    def libelle_criticite(self) -> str:
        return regles.LIBELLES_CRITICITE[self.criticite]

    def visible_par(self, perimetre) -> bool:
        if perimetre.est_vide:
            return False
        if (
            perimetre.departement_codes is not None
            and not self.departement_codes & perimetre.departement_codes
        ):
            return False
        return (
            perimetre.operateur_ids is None
            or self.operateur_id in perimetre.operateur_ids
        )


def _mois(nom: str) -> relativedelta:
    return relativedelta(months=getattr(settings, nom))


def _avenants_signes() -> Prefetch:
    return Prefetch(
        "avenants",
        queryset=Acte.objects.filter(
            etat__in=ETATS_SIGNES, nouvelle_date_fin__isnull=False
        ).order_by("date_debut", "id"),
        to_attr="avenants_lus",
    )


def _pose_avenants(obj: Acte | Cpom) -> None:
    obj._avenants_signes = [  # type: ignore[union-attr]
        (a.date_debut, a.nouvelle_date_fin)
        for a in obj.avenants_lus  # type: ignore[union-attr]
    ]


def _courants(actes: Iterable[Acte], aujourdhui: datetime.date) -> list[Acte]:
    par_cle: dict[tuple[int | None, str], list[Acte]] = defaultdict(list)
    for acte in actes:
        par_cle[(acte.structure_id, acte.nature)].append(acte)
    courants = []
    for groupe in par_cle.values():
        courant = regles.acte_courant(groupe, aujourdhui)
        if courant is not None:
            courants.append(courant)
    return courants


def calculer_echeances(
    actes: QuerySet[Acte], cpoms: QuerySet[Cpom], aujourdhui: datetime.date
) -> list[Echeance]:
    """Deadlines of these acts and CPOM, most critical and soonest first."""
    lus = list(
        actes.filter(
            nature__in=[NatureActe.CONVENTION, NatureActe.AUTORISATION],
            etat__in=ETATS_A_SUIVRE,
            successeur__isnull=True,
            structure__isnull=False,
        )
        .select_related("structure__departement")
        .prefetch_related(_avenants_signes())
    )
    for acte in lus:
        _pose_avenants(acte)
    courants = _courants(lus, aujourdhui)
    autorisees = [
        a.structure_id
        for a in courants
        if a.nature == NatureActe.AUTORISATION and a.structure_id is not None
    ]
    evaluations: dict[int, list[datetime.date]] = defaultdict(list)
    for structure_id, date in Evaluation.objects.filter(
        structure_id__in=autorisees, nature=NatureEvaluation.EXTERNE
    ).values_list("structure_id", "date"):
        evaluations[structure_id].append(date)

    echeances: list[Echeance] = []
    for acte in courants:
        if acte.nature == NatureActe.CONVENTION:
            echeances.extend(_renouvellement(acte, aujourdhui))
        else:
            echeances.extend(_autorisation(acte, aujourdhui, evaluations))
    cpoms_lus = list(
        cpoms.filter(etat__in=ETATS_A_SUIVRE, successeur__isnull=True)
        .select_related("operateur")
        .prefetch_related(_avenants_signes(), "departements")
    )
    for cpom in cpoms_lus:
        _pose_avenants(cpom)
        echeances.extend(_renouvellement_cpom(cpom, aujourdhui))
    return trier(echeances)


def trier(echeances: Iterable[Echeance]) -> list[Echeance]:
    return sorted(
        echeances,
        key=lambda e: (regles.ORDRE_CRITICITE[e.criticite], e.date, e.cle),
    )


def _structure(acte: Acte) -> tuple[str, str, frozenset[str], int]:
    structure = acte.structure
    assert structure is not None
    return (
        structure.nom,
        reverse("conventions:acte", args=[acte.pk]),
        frozenset({structure.departement_id}),
        structure.operateur_id,
    )


def _renouvellement(acte: Acte, aujourdhui: datetime.date) -> list[Echeance]:
    fin = acte.date_fin_effective
    if fin is None:
        return []
    nom, url, departements, operateur_id = _structure(acte)
    criticite = regles.criticite(
        fin, aujourdhui, _mois("ABRI_FENETRE_RENOUVELLEMENT_MOIS")
    )
    libelle = (
        f"{acte} échue le {fin:%d/%m/%Y}, sans convention suivante"
        if fin < aujourdhui
        else f"{acte} à renouveler avant le {fin:%d/%m/%Y}"
    )
    return [
        Echeance(
            f"renouvellement-acte-{acte.pk}-{fin:%Y%m%d}",
            "Renouvellement de convention",
            fin,
            criticite,
            libelle,
            nom,
            url,
            departements,
            operateur_id,
        )
    ]


def _autorisation(
    acte: Acte,
    aujourdhui: datetime.date,
    evaluations: dict[int, list[datetime.date]],
) -> list[Echeance]:
    nom, url, departements, operateur_id = _structure(acte)
    resultat = []
    fin = acte.date_fin_effective
    if acte.date_ouverture is None:
        delai = relativedelta(years=settings.ABRI_DELAI_CADUCITE_ANNEES)
        limite = regles.date_caducite(acte.date_debut, delai)
        resultat.append(
            Echeance(
                f"caducite-{acte.pk}",
                "Caducité de l'autorisation",
                limite,
                regles.criticite(
                    limite - regles.UN_JOUR,
                    aujourdhui,
                    _mois("ABRI_FENETRE_CADUCITE_MOIS"),
                ),
                f"{acte} caduque le {limite:%d/%m/%Y} si la structure n'ouvre pas",
                nom,
                url,
                departements,
                operateur_id,
            )
        )
    if fin is None:
        return resultat
    resultat.append(
        Echeance(
            f"autorisation-{acte.pk}-{fin:%Y%m%d}",
            "Renouvellement de l'autorisation",
            fin,
            regles.criticite(fin, aujourdhui, _mois("ABRI_FENETRE_AUTORISATION_MOIS")),
            f"{acte} prend fin le {fin:%d/%m/%Y}",
            nom,
            url,
            departements,
            operateur_id,
        )
    )
    periodes = regles.periodes_evaluation(
        acte.date_debut,
        fin,
        relativedelta(years=settings.ABRI_EVALUATION_PREMIERE_ANNEES),
        relativedelta(years=settings.ABRI_EVALUATION_SECONDE_AVANT_FIN_ANNEES),
    )
    assert acte.structure_id is not None
    for periode in regles.evaluations_manquantes(
        periodes, evaluations.get(acte.structure_id, [])
    ):
        resultat.append(
            Echeance(
                f"evaluation-{acte.pk}-{periode.rang}",
                "Évaluation externe",
                periode.fin,
                regles.criticite(
                    periode.fin, aujourdhui, _mois("ABRI_FENETRE_EVALUATION_MOIS")
                ),
                f"{'Première' if periode.rang == 1 else 'Seconde'} évaluation externe "
                f"attendue au plus tard le {periode.fin:%d/%m/%Y}",
                nom,
                url,
                departements,
                operateur_id,
            )
        )
    return resultat


def _renouvellement_cpom(cpom: Cpom, aujourdhui: datetime.date) -> list[Echeance]:
    fin = cpom.date_fin_effective
    if fin is None:
        return []
    return [
        Echeance(
            f"renouvellement-cpom-{cpom.pk}-{fin:%Y%m%d}",
            "Renouvellement de CPOM",
            fin,
            regles.criticite(
                fin, aujourdhui, _mois("ABRI_FENETRE_RENOUVELLEMENT_MOIS")
            ),
            f"{cpom} à renouveler avant le {fin:%d/%m/%Y}"
            if fin >= aujourdhui
            else f"{cpom} échu le {fin:%d/%m/%Y}, sans CPOM suivant",
            cpom.operateur.nom,
            reverse("conventions:cpom", args=[cpom.pk]),
            frozenset(d.code for d in cpom.departements.all()),
            cpom.operateur_id,
        )
    ]


def echeances_de(user, aujourdhui: datetime.date) -> list[Echeance]:
    """Deadlines of the user's perimeter."""
    return calculer_echeances(
        Acte.objects.for_user(user), Cpom.objects.for_user(user), aujourdhui
    )
