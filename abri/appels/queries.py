"""Reads of calls for projects and of the opening of places, scoped to the user.

:func:`figures_ouverture` builds every figure of the "Ouverture des places" page in
a fixed number of queries whatever the number of lots.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet

from abri.appels import regles
from abri.appels.models import (
    ETATS_DECIDES,
    AppelAProjets,
    Candidature,
    EtatAppel,
    EtatCandidature,
    Lot,
    Note,
    OuvertureLot,
)

if TYPE_CHECKING:
    from abri.comptes.models import Utilisateur


def appels_visibles(user: Utilisateur) -> QuerySet[AppelAProjets]:
    return AppelAProjets.objects.for_user(user).select_related("region", "departement")


def appel_visible(user: Utilisateur, pk: int) -> AppelAProjets:
    return appels_visibles(user).get(pk=pk)


def candidature_visible(user: Utilisateur, pk: int) -> Candidature:
    return (
        Candidature.objects.for_user(user)
        .select_related("appel", "operateur", "departement", "structure", "convention")
        .get(pk=pk)
    )


# Instruction -------------------------------------------------------------------


@dataclass
class LigneInstruction:
    candidature: Candidature
    notes: dict[int, dict[int, Note]]  # instructor id → criterion → note
    totaux: dict[int, Decimal | None]  # instructor id → weighted total
    moyenne: Decimal | None = None
    rang: int | None = None
    desaccords: list[str] = field(default_factory=list)
    a_note: bool = False


def instruction(appel: AppelAProjets, user: Utilisateur) -> list[LigneInstruction]:
    """Every submitted candidature with its scores; an instructor sees the others'
    scores of a candidature only once they have scored it themselves."""
    from abri.appels.services import criteres_de

    criteres = criteres_de(appel)
    candidatures = list(
        appel.candidatures.filter(etat=EtatCandidature.DEPOSEE)
        .select_related("operateur", "departement")
        .prefetch_related(
            Prefetch("notes", queryset=Note.objects.select_related("instructeur"))
        )
    )
    lignes = []
    for candidature in candidatures:
        par_instructeur: dict[int, dict[int, Note]] = defaultdict(dict)
        for note in candidature.notes.all():
            par_instructeur[note.instructeur_id][note.critere] = note
        totaux = {
            i: regles.total_pondere(criteres, {k: n.note for k, n in notes.items()})
            for i, notes in par_instructeur.items()
        }
        a_note = user.pk in par_instructeur and totaux.get(user.pk) is not None
        ligne = LigneInstruction(
            candidature=candidature,
            notes=dict(par_instructeur) if a_note else {},
            totaux=totaux if a_note else {},
            a_note=a_note,
        )
        ligne.moyenne = regles.moyenne(t for t in totaux.values() if t is not None)
        ligne.desaccords = [
            c.libelle
            for rang, c in enumerate(criteres)
            if regles.desaccord_fort(
                n[rang].note for n in par_instructeur.values() if rang in n
            )
        ]
        lignes.append(ligne)
    rangs = regles.classement({ligne.candidature.pk: ligne.moyenne for ligne in lignes})
    for ligne in lignes:
        ligne.rang = rangs.get(ligne.candidature.pk)
    lignes.sort(key=lambda ligne: (ligne.rang or 10**6, ligne.candidature.pk))
    return lignes


# Opening of places -------------------------------------------------------------


@dataclass
class LigneLot:
    lot: Lot
    places_ouvertes: int
    derniere_ouverture: datetime.date | None
    origine: str
    date_depart: datetime.date | None  # call published, or objective decided
    date_signature: datetime.date | None
    retard: int
    nuitees: int
    cout_journalier: Decimal | None
    source_cout: str
    cout: Decimal | None

    @property
    def places_restantes(self) -> int:
        return self.lot.places - self.places_ouvertes

    @property
    def en_retard(self) -> bool:
        return self.retard > 0 and self.places_restantes > 0

    @property
    def etape(self) -> str:
        if self.places_restantes == 0:
            return "Ouvertes"
        if self.date_signature is None and self.lot.candidature_id:
            return "Retenues, convention à signer"
        return "À ouvrir"


@dataclass
class Delais:
    """Delays in days, one value per opened place."""

    administratif: list[int] = field(default_factory=list)
    operationnel: list[int] = field(default_factory=list)
    total: list[int] = field(default_factory=list)

    def ajouter(
        self,
        places: int,
        depart: datetime.date | None,
        signature: datetime.date | None,
        ouverture: datetime.date,
    ) -> None:
        for liste, debut, fin in (
            (self.administratif, depart, signature),
            (self.operationnel, signature, ouverture),
            (self.total, depart, ouverture),
        ):
            jours = regles.jours_entre(debut, fin)
            if jours is not None:
                liste.extend([jours] * places)


@dataclass(frozen=True)
class Groupe:
    libelle: str
    places_prevues: int
    places_ouvertes: int
    delai_moyen_mois: Decimal | None
    delai_median_mois: Decimal | None
    nuitees: int
    cout: Decimal | None


@dataclass
class FiguresOuverture:
    aujourd_hui: datetime.date
    cible_mois: Decimal
    lignes: list[LigneLot]
    etapes: list[tuple[str, int]]
    delais: Delais
    appels_en_retard: list[tuple[AppelAProjets, str]]
    par_departement: list[Groupe]
    par_type: list[Groupe]
    par_operateur: list[Groupe]

    @property
    def nuitees(self) -> int:
        return sum(ligne.nuitees for ligne in self.lignes)

    @property
    def cout(self) -> Decimal:
        return sum(
            (ligne.cout for ligne in self.lignes if ligne.cout is not None), Decimal(0)
        )

    @property
    def nuitees_sans_cout(self) -> int:
        return sum(ligne.nuitees for ligne in self.lignes if ligne.cout is None)

    @property
    def lots_en_retard(self) -> list[LigneLot]:
        return [ligne for ligne in self.lignes if ligne.en_retard]

    def resume(self, jours: list[int]) -> dict[str, Any]:
        return {
            "moyenne": regles.en_mois(regles.moyenne_jours(jours)),
            "mediane": regles.en_mois(regles.mediane(jours)),
            "places": len(jours),
        }

    @property
    def resume_administratif(self) -> dict[str, Any]:
        return self.resume(self.delais.administratif)

    @property
    def resume_operationnel(self) -> dict[str, Any]:
        return self.resume(self.delais.operationnel)

    @property
    def resume_total(self) -> dict[str, Any]:
        return self.resume(self.delais.total)

    @property
    def part_dans_la_cible(self) -> Decimal | None:
        """Share of the opened places whose total delay is within the target."""
        if not self.delais.total:
            return None
        limite = self.cible_mois * regles.JOURS_PAR_MOIS
        dans = sum(1 for j in self.delais.total if j <= limite)
        return Decimal(dans) / len(self.delais.total)


def cible_mois() -> Decimal:
    return Decimal(str(settings.ABRI_APPELS_DELAI_CIBLE_MOIS))


def _couts_connus(structure_ids: Iterable[int]) -> dict[int, Decimal]:
    """The latest known daily cost of each structure (finances), if any."""
    from abri.finances import indicateurs

    couts: dict[int, Decimal] = {}
    for pk, donnees in indicateurs.charger(list(structure_ids)).items():
        for annee in sorted(donnees.annees, reverse=True):
            cout = donnees.annees[annee].cout_journalier
            if cout is not None:
                couts[pk] = cout
                break
    return couts


def _cout_de(lot: Lot, connus: dict[int, Decimal]) -> tuple[Decimal | None, str]:
    if lot.structure_id in connus:
        return connus[lot.structure_id], "Coût journalier de la structure"
    candidature = lot.candidature
    if candidature is not None and candidature.cout_journalier_propose is not None:
        return candidature.cout_journalier_propose, "Coût proposé à l'appel"
    defauts = settings.ABRI_APPELS_COUT_JOURNALIER_PAR_DEFAUT
    if lot.structure.type in defauts:
        return Decimal(str(defauts[lot.structure.type])), "Coût par défaut du type"
    return None, "Coût inconnu"


def _grouper(
    lignes: list[LigneLot], cle: Any, totaux: dict[str, list[int]]
) -> list[Groupe]:
    groupes: dict[str, list[LigneLot]] = defaultdict(list)
    for ligne in lignes:
        groupes[cle(ligne)].append(ligne)
    resultat = []
    for libelle, membres in sorted(groupes.items()):
        jours = totaux.get(libelle, [])
        couts = [m.cout for m in membres if m.cout is not None]
        resultat.append(
            Groupe(
                libelle=libelle,
                places_prevues=sum(m.lot.places for m in membres),
                places_ouvertes=sum(m.places_ouvertes for m in membres),
                delai_moyen_mois=regles.en_mois(regles.moyenne_jours(jours)),
                delai_median_mois=regles.en_mois(regles.mediane(jours)),
                nuitees=sum(m.nuitees for m in membres),
                cout=sum(couts, Decimal(0)) if couts else None,
            )
        )
    return resultat


@dataclass(frozen=True)
class FiltresOuverture:
    """Optional filters of the "Ouverture des places" page, already checked against
    the perimeter."""

    departement: str | None = None  # code
    type_structure: str | None = None
    annee: int | None = None  # year of the planned opening

    @property
    def actifs(self) -> bool:
        return bool(self.departement or self.type_structure or self.annee)


def _appels_du_tableau(
    user: Utilisateur, filtres: FiltresOuverture
) -> QuerySet[AppelAProjets]:
    """The calls the figures count. An operator counts only the calls it may
    answer: the published ones."""
    appels = appels_visibles(user).exclude(etat=EtatAppel.TERMINE)
    if user.perimetre.operateur_ids is not None:
        appels = appels.filter(etat=EtatAppel.PUBLIE)
    if filtres.departement:
        code = filtres.departement
        ids = AppelAProjets.objects.filter(
            Q(departement_id=code)
            | Q(departement__isnull=True, region__departements__code=code)
            | Q(departement__isnull=True, region__isnull=True)
        ).values("pk")
        appels = appels.filter(pk__in=ids)
    if filtres.type_structure:
        appels = appels.filter(type_structure=filtres.type_structure)
    if filtres.annee:
        appels = appels.filter(date_ouverture__year=filtres.annee)
    return appels


def _appels_en_retard(
    user: Utilisateur, aujourd_hui: datetime.date, filtres: FiltresOuverture
) -> tuple[list[tuple[AppelAProjets, str]], int]:
    en_retard = []
    places_en_appel = 0
    for appel in _appels_du_tableau(user, filtres):
        if appel.etat in {EtatAppel.PUBLIE, EtatAppel.CLOS, EtatAppel.EN_INSTRUCTION}:
            places_en_appel += appel.places_recherchees
        if appel.etat == EtatAppel.BROUILLON and appel.date_publication < aujourd_hui:
            en_retard.append((appel, "publication prévue dépassée"))
        elif appel.etat == EtatAppel.PUBLIE and appel.date_cloture < aujourd_hui:
            en_retard.append((appel, "clôture dépassée, appel non clos"))
        elif (
            appel.etat in {EtatAppel.CLOS, EtatAppel.EN_INSTRUCTION}
            and appel.date_decision
            and appel.date_decision < aujourd_hui
        ):
            en_retard.append((appel, "décision visée dépassée"))
        elif (
            appel.etat in ETATS_DECIDES
            and appel.date_ouverture
            and appel.date_ouverture < aujourd_hui
            and appel.etat != EtatAppel.INFRUCTUEUX
        ):
            en_retard.append((appel, "ouverture visée dépassée"))
    return en_retard, places_en_appel


def figures_ouverture(
    user: Utilisateur,
    aujourd_hui: datetime.date,
    filtres: FiltresOuverture | None = None,
) -> FiguresOuverture:
    filtres = filtres or FiltresOuverture()
    lots_visibles = Lot.objects.for_user(user)
    if filtres.departement:
        lots_visibles = lots_visibles.filter(
            structure__departement_id=filtres.departement
        )
    if filtres.type_structure:
        lots_visibles = lots_visibles.filter(structure__type=filtres.type_structure)
    if filtres.annee:
        lots_visibles = lots_visibles.filter(date_prevue__year=filtres.annee)
    lots = list(
        lots_visibles.select_related(
            "structure__operateur",
            "structure__departement",
            "candidature__appel",
            "candidature__convention",
            "objectif",
        )
        .prefetch_related(
            Prefetch("ouvertures", queryset=OuvertureLot.objects.order_by("date"))
        )
        .order_by("date_prevue", "id")
    )
    connus = _couts_connus({lot.structure_id for lot in lots})

    lignes = []
    delais = Delais()
    totaux_par: dict[str, dict[str, list[int]]] = {
        "departement": defaultdict(list),
        "type": defaultdict(list),
        "operateur": defaultdict(list),
    }
    for lot in lots:
        ouvertures = list(lot.ouvertures.all())
        candidature = lot.candidature
        if candidature is not None:
            origine = str(candidature.appel)
            depart = candidature.appel.publie_le or candidature.decidee_le
            signature = (
                candidature.convention.date_signature_etat
                if candidature.convention
                else None
            )
        else:
            origine = str(lot.objectif) if lot.objectif else "—"
            depart = lot.objectif.date_decision if lot.objectif else None
            signature = None
        nuitees = regles.nuitees_perdues(
            lot.places,
            lot.date_prevue,
            [regles.Ouverture(o.date, o.places) for o in ouvertures],
            aujourd_hui,
        )
        cout_journalier, source = _cout_de(lot, connus)
        ouvertes = sum(o.places for o in ouvertures)
        derniere = ouvertures[-1].date if ouvertures else None
        ligne = LigneLot(
            lot=lot,
            places_ouvertes=ouvertes,
            derniere_ouverture=derniere,
            origine=origine,
            date_depart=depart,
            date_signature=signature,
            retard=regles.retard_jours(
                lot.date_prevue,
                derniere if ouvertes >= lot.places else None,
                aujourd_hui,
            ),
            nuitees=nuitees,
            cout_journalier=cout_journalier,
            source_cout=source,
            cout=regles.cout_nuitees(nuitees, cout_journalier),
        )
        lignes.append(ligne)
        for o in ouvertures:
            delais.ajouter(o.places, depart, signature, o.date)
            jours = regles.jours_entre(depart, o.date)
            if jours is None:
                continue
            structure = lot.structure
            for cle, valeur in (
                ("departement", str(structure.departement)),
                ("type", structure.type),
                ("operateur", str(structure.operateur)),
            ):
                totaux_par[cle][valeur].extend([jours] * o.places)

    appels_en_retard, places_en_appel = _appels_en_retard(user, aujourd_hui, filtres)
    etapes: dict[str, int] = {
        "Recherchées dans les appels en cours": places_en_appel,
        "Retenues, convention à signer": 0,
        "À ouvrir": 0,
        "Ouvertes": 0,
    }
    for ligne in lignes:
        etapes["Ouvertes"] += ligne.places_ouvertes
        if ligne.places_restantes:
            etapes[ligne.etape] += ligne.places_restantes
    return FiguresOuverture(
        aujourd_hui=aujourd_hui,
        cible_mois=cible_mois(),
        lignes=lignes,
        etapes=list(etapes.items()),
        delais=delais,
        appels_en_retard=appels_en_retard,
        par_departement=_grouper(
            lignes,
            lambda ligne: str(ligne.lot.structure.departement),
            totaux_par["departement"],
        ),
        par_type=_grouper(
            lignes, lambda ligne: ligne.lot.structure.type, totaux_par["type"]
        ),
        par_operateur=_grouper(
            lignes,
            lambda ligne: str(ligne.lot.structure.operateur),
            totaux_par["operateur"],
        ),
    )
