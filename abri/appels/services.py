"""Every write on calls for projects, candidatures, scores, decisions and lots.

One function per business operation, inside ``transaction.atomic``, journaled.
Steps of a call go through :func:`franchir`, which checks the right, the version
the user loaded and the django-fsm-2 transition, dates the step and journals it.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from abri.appels import regles
from abri.appels.models import (
    ETATS_DECIDES,
    AppelAProjets,
    Candidature,
    Decision,
    EtapeAppel,
    EtatAppel,
    EtatCandidature,
    Lot,
    Note,
    ObjectifRegional,
    OuvertureLot,
)
from abri.communs.erreurs import ErreurMetier
from abri.comptes.droits import peut_gerer_appels
from abri.journal.models import Action
from abri.journal.services import (
    differences,
    enregistrer,
    instantane,
    verifier_version,
)
from abri.structures.models import EvenementCapacite, NatureEvenement, Structure

logger = logging.getLogger(__name__)

CHAMPS_APPEL = (
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
    "criteres",
    "date_publication",
    "date_cloture",
    "date_instruction",
    "date_commission",
    "date_decision",
    "date_ouverture",
)
CHAMPS_CANDIDATURE = (
    "projet",
    "departement",
    "implantations",
    "type_bati",
    "public",
    "places_proposees",
    "places_specialisees",
    "cout_journalier_propose",
    "budget_propose",
    "etp",
    "lots_proposes",
    "structure_existante",
)

# Step name → (transition, label shown on its button, what it is refused for).
ETAPES: dict[str, tuple[str, str]] = {
    "publier": ("publier", "Publier l'appel"),
    "clore": ("clore", "Clore les candidatures"),
    "instruire": ("instruire", "Ouvrir l'instruction"),
    "attribuer": ("attribuer", "Attribuer"),
    "attribuer_partiellement": ("attribuer_partiellement", "Attribuer partiellement"),
    "declarer_infructueux": ("declarer_infructueux", "Déclarer infructueux"),
    "terminer": ("terminer", "Terminer l'appel"),
}


def aujourdhui() -> datetime.date:
    return timezone.localdate()


def _exiger_agent(auteur: Any) -> None:
    if not peut_gerer_appels(auteur):
        raise ErreurMetier("Seuls les agents de l'État gèrent les appels à projets.")


def _verifier_appel(appel: AppelAProjets) -> None:
    departement = appel.departement if appel.departement_id else None
    if (
        departement is not None
        and appel.region_id
        and departement.region_id != appel.region_id
    ):
        raise ErreurMetier(
            "Le département n'appartient pas à la région choisie.", "departement"
        )
    if appel.date_cloture < appel.date_publication:
        raise ErreurMetier(
            "La clôture des candidatures précède la publication.", "date_cloture"
        )
    for champ in ("date_instruction", "date_commission", "date_decision"):
        valeur = getattr(appel, champ)
        if valeur is not None and valeur < appel.date_cloture:
            raise ErreurMetier(
                "Le calendrier doit suivre la clôture des candidatures.", champ
            )
    if appel.places_specialisees > appel.places_recherchees:
        raise ErreurMetier(
            "Les places spécialisées dépassent les places recherchées.",
            "places_specialisees",
        )
    criteres = appel.criteres or []
    for critere in criteres:
        if not str(critere.get("libelle", "")).strip():
            raise ErreurMetier("Chaque critère a un libellé.", "criteres")
        try:
            poids = Decimal(str(critere.get("poids")))
        except ArithmeticError as exc:
            raise ErreurMetier("Chaque critère a un poids.", "criteres") from exc
        if poids <= 0:
            raise ErreurMetier("Le poids d'un critère est positif.", "criteres")


def criteres_de(appel: AppelAProjets) -> list[regles.Critere]:
    return [
        regles.Critere(str(c["libelle"]), Decimal(str(c["poids"])))
        for c in appel.criteres or []
    ]


def creer_appel(auteur: Any, donnees: Mapping[str, Any]) -> AppelAProjets:
    _exiger_agent(auteur)
    appel = AppelAProjets(
        cree_par=auteur if getattr(auteur, "is_authenticated", False) else None,
        **{c: donnees[c] for c in CHAMPS_APPEL if c in donnees},
    )
    _verifier_appel(appel)
    with transaction.atomic():
        appel.full_clean(exclude=["cree_par", "etat"])
        appel.save()
        EtapeAppel.objects.create(
            appel=appel,
            etat=EtatAppel.BROUILLON,
            date=aujourdhui(),
            auteur=appel.cree_par,
        )
        enregistrer(
            auteur,
            Action.CREATION,
            appel,
            differences({}, instantane(appel, CHAMPS_APPEL)),
        )
    logger.info("call %s created by user %s", appel.pk, getattr(auteur, "pk", None))
    return appel


def modifier_appel(
    auteur: Any, appel_id: int, donnees: Mapping[str, Any], version: int
) -> AppelAProjets:
    """A draft changes freely; a published call keeps its criteria and places."""
    _exiger_agent(auteur)
    with transaction.atomic():
        appel = AppelAProjets.objects.select_for_update().get(pk=appel_id)
        verifier_version(appel, version)
        if appel.etat not in {EtatAppel.BROUILLON, EtatAppel.PUBLIE}:
            raise ErreurMetier(
                "Un appel clos ne se modifie plus : son état est "
                f"« {appel.get_etat_display()} »."
            )
        champs: tuple[str, ...] = CHAMPS_APPEL
        if appel.etat == EtatAppel.PUBLIE:
            champs = tuple(
                c
                for c in CHAMPS_APPEL
                if c
                not in {"criteres", "places_recherchees", "type_structure", "public"}
            )
        avant = instantane(appel, champs)
        for champ in champs:
            if champ in donnees:
                setattr(appel, champ, donnees[champ])
        _verifier_appel(appel)
        changements = differences(avant, instantane(appel, champs))
        if not changements:
            return appel
        appel.full_clean(exclude=["cree_par", "etat"])
        appel.version += 1
        appel.save()
        enregistrer(auteur, Action.MODIFICATION, appel, changements)
    return appel


def _condition_etape(appel: AppelAProjets, etape: str, jour: datetime.date) -> None:
    if etape == "publier" and not appel.criteres:
        raise ErreurMetier("Indiquez les critères de notation avant de publier.")
    if etape == "clore" and jour <= appel.date_cloture:
        raise ErreurMetier(
            "Les candidatures restent ouvertes jusqu'au "
            f"{appel.date_cloture:%d/%m/%Y} inclus."
        )
    if etape in {"attribuer", "attribuer_partiellement", "declarer_infructueux"}:
        deposees = appel.candidatures.filter(etat=EtatCandidature.DEPOSEE)
        if deposees.filter(decision="").exists():
            raise ErreurMetier("Chaque candidature attend encore sa décision.")
        retenues = sum(
            c.places_retenues or 0 for c in deposees.filter(decision=Decision.RETENUE)
        )
        if etape == "declarer_infructueux" and retenues:
            raise ErreurMetier(
                "Des candidatures sont retenues : l'appel n'est pas infructueux."
            )
        if etape == "attribuer" and retenues < appel.places_recherchees:
            raise ErreurMetier(
                f"{retenues} places retenues sur {appel.places_recherchees} "
                "recherchées : l'appel est attribué partiellement."
            )
        if etape == "attribuer_partiellement" and not (
            0 < retenues < appel.places_recherchees
        ):
            raise ErreurMetier(
                "Une attribution partielle retient des places, moins que celles "
                "recherchées."
            )


def etapes_possibles(appel: AppelAProjets) -> list[tuple[str, str]]:
    return [
        (nom, libelle)
        for nom, (methode, libelle) in ETAPES.items()
        if can_proceed(getattr(appel, methode))
    ]


def franchir(
    auteur: Any,
    appel_id: int,
    etape: str,
    version: int,
    *,
    jour: datetime.date | None = None,
) -> AppelAProjets:
    """Take one step of the call's life cycle; an illegal step is refused."""
    _exiger_agent(auteur)
    if etape not in ETAPES:
        raise ErreurMetier("Étape inconnue.")
    jour = jour or aujourdhui()
    with transaction.atomic():
        appel = AppelAProjets.objects.select_for_update().get(pk=appel_id)
        verifier_version(appel, version)
        methode = getattr(appel, ETAPES[etape][0])
        if not can_proceed(methode):
            raise ErreurMetier(
                f"Étape impossible : l'appel est « {appel.get_etat_display()} »."
            )
        _condition_etape(appel, etape, jour)
        avant = appel.get_etat_display()
        methode()
        if etape == "publier":
            appel.publie_le = jour
        if appel.etat in ETATS_DECIDES:
            appel.decide_le = jour
        appel.version += 1
        appel.save()
        EtapeAppel.objects.create(
            appel=appel,
            etat=appel.etat,
            date=jour,
            auteur=auteur if getattr(auteur, "is_authenticated", False) else None,
        )
        enregistrer(
            auteur,
            Action.MODIFICATION,
            appel,
            {"État": [avant, appel.get_etat_display()]},
            commentaire=ETAPES[etape][1],
        )
        if etape in {"attribuer", "attribuer_partiellement"}:
            for candidature in appel.candidatures.filter(
                decision=Decision.RETENUE, structure__isnull=True
            ).select_related("operateur", "departement", "structure_existante"):
                concretiser(auteur, candidature, jour)
    return appel


# Candidatures ------------------------------------------------------------------


def _verifier_lots(lots: Any) -> list[dict[str, Any]]:
    propres = []
    for lot in lots or []:
        try:
            places = int(lot["places"])
            date = (
                lot["date"]
                if isinstance(lot["date"], datetime.date)
                else datetime.date.fromisoformat(str(lot["date"]))
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ErreurMetier(
                "Chaque ouverture a un nombre de places et une date.", "lots_proposes"
            ) from exc
        if places <= 0:
            raise ErreurMetier(
                "Une ouverture compte au moins une place.", "lots_proposes"
            )
        propres.append({"places": places, "date": date.isoformat()})
    return propres


def enregistrer_brouillon(
    auteur: Any,
    appel: AppelAProjets,
    operateur: Any,
    donnees: Mapping[str, Any],
    *,
    version: int | None = None,
) -> Candidature:
    """Save the operator's candidature as a draft (created at the first save)."""
    if appel.etat != EtatAppel.PUBLIE:
        raise ErreurMetier("L'appel n'est pas ouvert aux candidatures.")
    with transaction.atomic():
        candidature = (
            Candidature.objects.select_for_update()
            .filter(appel=appel, operateur=operateur, recue_hors_ligne=False)
            .first()
        )
        creation = candidature is None
        if candidature is None:
            candidature = Candidature(appel=appel, operateur=operateur)
        elif version is not None:
            verifier_version(candidature, version)
        if candidature.est_deposee:
            raise ErreurMetier("Une candidature déposée ne se modifie plus.")
        avant = {} if creation else instantane(candidature, CHAMPS_CANDIDATURE)
        for champ in CHAMPS_CANDIDATURE:
            if champ in donnees:
                setattr(candidature, champ, donnees[champ])
        candidature.lots_proposes = _verifier_lots(candidature.lots_proposes)
        changements = differences(avant, instantane(candidature, CHAMPS_CANDIDATURE))
        if not creation and not changements:
            return candidature
        if not creation:
            candidature.version += 1
        candidature.save()
        enregistrer(
            auteur,
            Action.CREATION if creation else Action.MODIFICATION,
            candidature,
            changements,
            commentaire="Brouillon enregistré",
        )
    return candidature


def _completude(candidature: Candidature) -> None:
    if not candidature.projet.strip():
        raise ErreurMetier("Décrivez le projet.", "projet")
    if candidature.departement_id is None:
        raise ErreurMetier("Indiquez le département d'implantation.", "departement")
    if not candidature.places_proposees:
        raise ErreurMetier("Indiquez les places proposées.", "places_proposees")
    if candidature.places_specialisees > candidature.places_proposees:
        raise ErreurMetier(
            "Les places spécialisées dépassent les places proposées.",
            "places_specialisees",
        )
    if not candidature.lots_proposes:
        raise ErreurMetier(
            "Indiquez au moins une date d'ouverture proposée.", "lots_proposes"
        )
    if sum(lot["places"] for lot in candidature.lots_proposes) != (
        candidature.places_proposees
    ):
        raise ErreurMetier(
            "Les ouvertures proposées doivent totaliser les places proposées.",
            "lots_proposes",
        )


def deposer(
    auteur: Any,
    candidature_id: int,
    version: int,
    *,
    instant: datetime.datetime | None = None,
) -> Candidature:
    """Submit before the closing date (inclusive, Paris time); answer with an
    acknowledgement reference. Then it is locked."""
    instant = instant or timezone.now()
    with transaction.atomic():
        candidature = (
            Candidature.objects.select_for_update()
            .select_related("appel")
            .get(pk=candidature_id)
        )
        verifier_version(candidature, version)
        if candidature.est_deposee:
            raise ErreurMetier("Cette candidature est déjà déposée.")
        appel = candidature.appel
        if appel.etat != EtatAppel.PUBLIE or not regles.depot_dans_les_temps(
            appel.date_cloture, instant
        ):
            raise ErreurMetier(
                "Les candidatures étaient ouvertes jusqu'au "
                f"{appel.date_cloture:%d/%m/%Y} à 23 h 59 heure de Paris."
            )
        _completude(candidature)
        candidature.etat = EtatCandidature.DEPOSEE
        candidature.deposee_le = instant
        candidature.accuse = f"AAP{appel.pk}-C{candidature.pk}-{instant:%Y%m%d%H%M}"
        candidature.version += 1
        candidature.save()
        enregistrer(
            auteur,
            Action.MODIFICATION,
            candidature,
            {"État": ["Brouillon", "Déposée"]},
            commentaire=f"Accusé de réception {candidature.accuse}",
        )
    return candidature


def enregistrer_candidature_recue(
    auteur: Any, appel: AppelAProjets, operateur: Any, donnees: Mapping[str, Any]
) -> Candidature:
    """A candidature received otherwise (paper, online procedure), recorded by an
    agent as submitted."""
    _exiger_agent(auteur)
    if appel.etat not in {EtatAppel.PUBLIE, EtatAppel.CLOS}:
        raise ErreurMetier("L'appel ne reçoit plus de candidatures.")
    with transaction.atomic():
        candidature = Candidature(
            appel=appel, operateur=operateur, recue_hors_ligne=True
        )
        for champ in CHAMPS_CANDIDATURE:
            if champ in donnees:
                setattr(candidature, champ, donnees[champ])
        candidature.lots_proposes = _verifier_lots(candidature.lots_proposes)
        _completude(candidature)
        candidature.etat = EtatCandidature.DEPOSEE
        candidature.deposee_le = donnees.get("deposee_le") or timezone.now()
        candidature.save()
        candidature.accuse = f"AAP{appel.pk}-C{candidature.pk}"
        candidature.save(update_fields=["accuse"])
        enregistrer(
            auteur,
            Action.CREATION,
            candidature,
            differences({}, instantane(candidature, CHAMPS_CANDIDATURE)),
            commentaire="Candidature reçue hors ligne",
        )
    return candidature


# Instruction and decision ------------------------------------------------------


def noter(
    instructeur: Any,
    candidature: Candidature,
    notes: Mapping[int, tuple[Decimal, str]],
) -> None:
    """Record (or replace) the instructor's scores, one per criterion, 0 to 20."""
    _exiger_agent(instructeur)
    appel = candidature.appel
    if appel.etat != EtatAppel.EN_INSTRUCTION:
        raise ErreurMetier("Les notes se donnent pendant l'instruction.")
    criteres = criteres_de(appel)
    if set(notes) != set(range(len(criteres))):
        raise ErreurMetier("Notez chacun des critères.")
    for note, _ in notes.values():
        if not 0 <= note <= regles.NOTE_MAXIMUM:
            raise ErreurMetier(f"Une note va de 0 à {regles.NOTE_MAXIMUM}.")
    with transaction.atomic():
        for rang, (note, commentaire) in notes.items():
            Note.objects.update_or_create(
                candidature=candidature,
                instructeur=instructeur,
                critere=rang,
                defaults={"note": note, "commentaire": commentaire},
            )
        enregistrer(
            instructeur,
            Action.MODIFICATION,
            candidature,
            {
                criteres[rang].libelle: [None, str(note)]
                for rang, (note, _) in notes.items()
            },
            commentaire="Notation",
        )


def decider(
    auteur: Any,
    candidature: Candidature,
    decision: str,
    places_retenues: int | None,
    motivation: str,
    *,
    jour: datetime.date | None = None,
) -> Candidature:
    _exiger_agent(auteur)
    if candidature.appel.etat != EtatAppel.EN_INSTRUCTION:
        raise ErreurMetier("La décision se prend pendant l'instruction.")
    if decision not in Decision.values:
        raise ErreurMetier("Choisissez la décision.", "decision")
    if not motivation.strip():
        raise ErreurMetier("Motivez la décision.", "motivation")
    if decision == Decision.RETENUE:
        if not places_retenues or places_retenues > candidature.places_proposees:
            raise ErreurMetier(
                "Une candidature retenue l'est pour des places, au plus celles "
                "proposées.",
                "places_retenues",
            )
    else:
        places_retenues = None
    with transaction.atomic():
        avant = instantane(candidature, ("decision", "places_retenues", "motivation"))
        candidature.decision = decision
        candidature.places_retenues = places_retenues
        candidature.motivation = motivation.strip()
        candidature.decidee_le = jour or aujourdhui()
        candidature.version += 1
        candidature.save()
        enregistrer(
            auteur,
            Action.MODIFICATION,
            candidature,
            differences(
                avant,
                instantane(candidature, ("decision", "places_retenues", "motivation")),
            ),
            commentaire="Décision de la commission",
        )
    return candidature


def _lots_retenus(candidature: Candidature) -> list[tuple[int, datetime.date]]:
    """The proposed openings, cut down to the retained places (latest lots first)."""
    restantes = candidature.places_retenues or 0
    lots = []
    for lot in sorted(candidature.lots_proposes, key=lambda lot: lot["date"]):
        places = min(int(lot["places"]), restantes)
        if places > 0:
            lots.append((places, datetime.date.fromisoformat(lot["date"])))
        restantes -= places
    return lots


def concretiser(
    auteur: Any, candidature: Candidature, jour: datetime.date
) -> Structure:
    """A retained candidature becomes a new structure (or an extension of an
    existing one) with its planned lots, and a draft convention."""
    from abri.conventions.models import NatureActe
    from abri.conventions.services import creer_acte
    from abri.structures.services import creer_structure

    appel = candidature.appel
    structure = candidature.structure_existante
    if structure is None:
        structure = creer_structure(
            auteur,
            {
                "nom": f"{appel.type_structure} {candidature.operateur.nom} "
                f"({candidature.departement.nom if candidature.departement else ''})"[
                    :200
                ],
                "type": appel.type_structure,
                "operateur": candidature.operateur,
                "departement": candidature.departement or appel.departement,
                "public": candidature.public or appel.public,
            },
        )
    lots = _lots_retenus(candidature)
    Lot.objects.bulk_create(
        [
            Lot(structure=structure, candidature=candidature, places=p, date_prevue=d)
            for p, d in lots
        ]
    )
    debut = lots[0][1] if lots else jour
    convention = creer_acte(
        auteur,
        structure,
        {
            "nature": NatureActe.CONVENTION,
            "date_debut": debut,
            "date_fin": debut + relativedelta(years=5, days=-1),
            "objet": f"Places retenues à l'appel « {appel.intitule} »",
            "places": candidature.places_retenues,
        },
        controler_duree=False,
        commentaire=f"Projet de convention issu de l'appel « {appel.intitule} »",
    )
    candidature.structure = structure
    candidature.convention = convention
    candidature.save(update_fields=["structure", "convention"])
    return structure


# Opening -----------------------------------------------------------------------


def places_ouvertes(lot: Lot) -> int:
    return sum(o.places for o in lot.ouvertures.all())


def ouvrir_places(
    auteur: Any,
    lot: Lot,
    date: datetime.date,
    places: int,
    acte: str,
) -> OuvertureLot:
    """Open some or all of the lot's remaining places on ``date``: a capacity event
    of the structure, like every other change of capacity."""
    from abri.structures.services import Variation, enregistrer_evenement

    _exiger_agent(auteur)
    if date > aujourdhui():
        raise ErreurMetier(
            "Une ouverture se constate : sa date ne peut être dans le futur.", "date"
        )
    restantes = lot.places - places_ouvertes(lot)
    if places <= 0 or places > restantes:
        raise ErreurMetier(
            f"Il reste {restantes} places à ouvrir dans ce lot.", "places"
        )
    with transaction.atomic():
        nature = NatureEvenement.EXTENSION
        candidature = lot.candidature
        if not EvenementCapacite.objects.filter(structure=lot.structure).exists():
            nature = NatureEvenement.CREATION
        elif (
            candidature is not None
            and candidature.structure_existante_id is None
            and candidature.structure_id == lot.structure_id
        ):
            nature = NatureEvenement.OUVERTURE
        evenement = enregistrer_evenement(
            auteur,
            lot.structure,
            nature,
            date,
            acte,
            Variation(places_autorisees=places),
            commentaire=f"Ouverture du lot prévu le {lot.date_prevue:%d/%m/%Y}",
        )
        ouverture = OuvertureLot.objects.create(
            lot=lot, date=date, places=places, evenement=evenement
        )
    return ouverture


def creer_objectif(
    auteur: Any,
    region: Any,
    annee: int,
    type_structure: str,
    places: int,
    date_decision: datetime.date | None = None,
) -> ObjectifRegional:
    from abri.comptes.droits import peut_creer_objectif

    if not peut_creer_objectif(auteur):
        raise ErreurMetier(
            "Seuls les agents régionaux et nationaux fixent un objectif régional."
        )
    codes = auteur.perimetre.departement_codes
    if codes is not None and not region.departements.filter(code__in=codes).exists():
        raise ErreurMetier("Cette région n'est pas dans votre périmètre.", "region")
    if places <= 0:
        raise ErreurMetier("Indiquez un nombre de places positif.", "places")
    with transaction.atomic():
        objectif = ObjectifRegional.objects.create(
            region=region,
            annee=annee,
            type_structure=type_structure,
            places=places,
            date_decision=date_decision,
        )
        enregistrer(auteur, Action.CREATION, objectif, {"Places": [None, places]})
    return objectif


def planifier_lot_objectif(
    auteur: Any,
    objectif: ObjectifRegional,
    structure: Structure,
    places: int,
    date_prevue: datetime.date,
) -> Lot:
    """Places of a regional objective planned in a structure, tracked like a lot of
    a call."""
    _exiger_agent(auteur)
    if places <= 0:
        raise ErreurMetier("Indiquez un nombre de places positif.", "places")
    if structure.departement.region_id != objectif.region_id:
        raise ErreurMetier("La structure n'est pas dans la région de l'objectif.")
    deja = sum(lot.places for lot in objectif.lots.all())
    if deja + places > objectif.places:
        raise ErreurMetier(
            f"L'objectif prévoit {objectif.places} places, {deja} sont déjà "
            "planifiées.",
            "places",
        )
    with transaction.atomic():
        lot = Lot.objects.create(
            structure=structure,
            objectif=objectif,
            places=places,
            date_prevue=date_prevue,
        )
        enregistrer(
            auteur,
            Action.CREATION,
            lot,
            {"Places": [None, places]},
            structure_id=structure.pk,
        )
    return lot
