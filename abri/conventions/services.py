"""Every write on acts and CPOM: one function per business operation, journaled.

Steps of the life cycle go through :func:`franchir`, which checks the right of the
user, the version the user loaded, and the django-fsm-2 transition (an illegal step
is refused with a French message), dates the step and journals it.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django_fsm import TransitionNotAllowed, can_proceed

from abri.communs.erreurs import ErreurMetier
from abri.comptes.droits import peut_gerer_actes, peut_signer_pour_operateur
from abri.comptes.models import Role
from abri.conventions import regles, renouvellement
from abri.conventions.models import (
    Acte,
    AdhesionCpom,
    ChampAmende,
    Cpom,
    Etat,
    Evaluation,
    NatureActe,
    Partie,
)
from abri.journal.models import Action
from abri.journal.services import (
    differences,
    enregistrer,
    instantane,
    valeur_journal,
    verifier_version,
)
from abri.operateurs.models import Operateur
from abri.structures.models import Structure

logger = logging.getLogger(__name__)

CHAMPS_ACTE = (
    "nature",
    "nature_autre",
    "reference",
    "date_debut",
    "date_fin",
    "objet",
    "places",
    "dotation",
    "date_ouverture",
)
CHAMPS_AVENANT = (
    "reference",
    "date_debut",
    "objet",
    "champs_amendes",
    "nouvelle_date_fin",
    "places",
    "dotation",
)
CHAMPS_CPOM = (
    "intitule",
    "reference",
    "echelle",
    "region",
    "date_debut",
    "date_fin",
    "dotation",
)

Objet = Acte | Cpom


def durees_maximales() -> regles.DureesMaximales:
    return regles.DureesMaximales()


def actualiser_anomalies(structures: list[Structure] | list[int]) -> None:
    from abri.pilotage.services import recalculer_anomalies

    ids = [s if isinstance(s, int) else s.pk for s in structures]
    if ids:
        recalculer_anomalies(list(Structure.objects.filter(pk__in=ids)))


def type_structure(obj: Objet) -> str | None:
    """Type of the act's structure (``None`` for a CPOM and its avenants)."""
    if isinstance(obj, Acte) and obj.structure is not None:
        return obj.structure.type
    return None


def nature_de(obj: Objet) -> str:
    return obj.nature if isinstance(obj, Acte) else "cpom"


def _structures_de(obj: Objet) -> list[int]:
    if isinstance(obj, Acte):
        if obj.structure_id:
            return [obj.structure_id]
        if obj.cpom is None:
            return []
        obj = obj.cpom
    return list(obj.adhesions.values_list("structure_id", flat=True).distinct())


def _verifier_dates(debut: datetime.date | None, fin: datetime.date | None) -> None:
    if debut is None:
        raise ErreurMetier("Indiquez la date de début.", "date_debut")
    if fin is not None and fin < debut:
        raise ErreurMetier(
            "La date de fin précède la date de début : un acte commence avant de "
            "finir.",
            "date_fin",
        )


def _verifier_duree(
    nature: str,
    type_structure: str | None,
    debut: datetime.date,
    fin: datetime.date | None,
) -> None:
    maximum = regles.duree_maximale(nature, type_structure, durees_maximales())
    if maximum is None or fin is None:
        return
    if regles.depasse_duree(debut, fin, maximum):
        limite = regles.fin_pour_duree(debut, maximum)
        raise ErreurMetier(
            f"Cet acte dure {regles.duree_lisible(debut, fin)} : au plus "
            f"{maximum.years} an{'s' if maximum.years > 1 else ''} pour ce type, soit "
            f"une fin au plus tard le {limite:%d/%m/%Y}.",
            "date_fin",
        )


def creer_acte(
    auteur: Any,
    structure: Structure,
    donnees: Mapping[str, Any],
    *,
    controler_duree: bool = True,
    commentaire: str = "",
    repris: bool = False,
) -> Acte:
    """Draft an act of a structure (an avenant is :func:`creer_avenant`).

    ``repris=True`` is for acts taken over from the past as they are (imports): they
    are recorded as signed, their dates unchecked, so that their durations and
    periods become findings of the data-quality rules."""
    nature = donnees.get("nature")
    if nature not in NatureActe.values or nature == NatureActe.AVENANT:
        raise ErreurMetier("Choisissez la nature de l'acte.", "nature")
    if donnees.get("date_debut") is None:
        raise ErreurMetier("Indiquez la date de début.", "date_debut")
    if not repris:
        _verifier_dates(donnees.get("date_debut"), donnees.get("date_fin"))
    if nature != NatureActe.AUTRE and donnees.get("date_fin") is None:
        raise ErreurMetier("Indiquez la date de fin.", "date_fin")
    if controler_duree and not repris:
        _verifier_duree(
            nature, structure.type, donnees["date_debut"], donnees["date_fin"]
        )
    with transaction.atomic():
        acte = Acte(
            structure=structure,
            cree_par=auteur if getattr(auteur, "is_authenticated", False) else None,
            **{c: donnees[c] for c in CHAMPS_ACTE if c in donnees},
        )
        if repris:
            acte.etat = Etat.SIGNEE
        acte.full_clean(exclude=["cree_par", "etat"])
        acte.save()
        enregistrer(
            auteur,
            Action.CREATION,
            acte,
            differences({}, instantane(acte, CHAMPS_ACTE)),
            commentaire=commentaire,
        )
        actualiser_anomalies([structure.pk])
    logger.info("act %s created by user %s", acte.pk, getattr(auteur, "pk", None))
    return acte


def modifier_acte(
    auteur: Any, acte_id: int, donnees: Mapping[str, Any], version: int
) -> Acte:
    """Change a draft; a sent or signed act changes only by an avenant."""
    with transaction.atomic():
        acte = (
            Acte.objects.select_for_update().select_related("structure").get(pk=acte_id)
        )
        verifier_version(acte, version)
        if acte.etat != Etat.BROUILLON:
            raise ErreurMetier(
                "Seul un brouillon se modifie : un acte envoyé ou signé change par "
                "avenant."
            )
        champs: tuple[str, ...] = tuple(
            c
            for c in (
                CHAMPS_AVENANT if acte.nature == NatureActe.AVENANT else CHAMPS_ACTE
            )
            if c != "nature"
        )
        avant = instantane(acte, champs)
        for champ in champs:
            if champ in donnees:
                setattr(acte, champ, donnees[champ])
        fin = (
            acte.nouvelle_date_fin
            if acte.nature == NatureActe.AVENANT
            else acte.date_fin
        )
        _verifier_dates(
            acte.date_debut, fin if acte.nature != NatureActe.AVENANT else None
        )
        if acte.nature != NatureActe.AVENANT:
            _verifier_duree(
                acte.nature, type_structure(acte), acte.date_debut, acte.date_fin
            )
        changements = differences(avant, instantane(acte, champs))
        if not changements:
            return acte
        acte.full_clean(exclude=["cree_par", "etat"])
        acte.version += 1
        acte.save()
        enregistrer(auteur, Action.MODIFICATION, acte, changements)
        actualiser_anomalies(_structures_de(acte))
    return acte


def creer_avenant(auteur: Any, parent: Objet, donnees: Mapping[str, Any]) -> Acte:
    """Draft an avenant of an act or a CPOM, listing the clauses it amends. Once
    signed, its new end date becomes the effective end of its parent."""
    champs = list(donnees.get("champs_amendes") or [])
    if not champs or set(champs) - set(ChampAmende.values):
        raise ErreurMetier("Indiquez ce que l'avenant modifie.", "champs_amendes")
    if isinstance(parent, Acte) and parent.nature not in {
        NatureActe.CONVENTION,
        NatureActe.AUTORISATION,
    }:
        raise ErreurMetier(
            "Seules une convention, une autorisation ou un CPOM reçoivent un avenant."
        )
    if parent.etat not in {Etat.SIGNEE, Etat.ECHUE}:
        raise ErreurMetier(
            "Un avenant modifie un acte signé par l'État : celui-ci est "
            f"« {parent.get_etat_display()} »."
        )
    nouvelle_fin = donnees.get("nouvelle_date_fin")
    if ChampAmende.DATE_FIN in champs and nouvelle_fin is None:
        raise ErreurMetier("Indiquez la nouvelle date de fin.", "nouvelle_date_fin")
    if ChampAmende.DATE_FIN not in champs:
        nouvelle_fin = None
    if nouvelle_fin is not None and nouvelle_fin < parent.date_debut:
        raise ErreurMetier(
            "La nouvelle date de fin précède le début de l'acte amendé.",
            "nouvelle_date_fin",
        )
    _verifier_dates(donnees.get("date_debut"), None)
    if nouvelle_fin is not None:
        _verifier_duree(
            nature_de(parent), type_structure(parent), parent.date_debut, nouvelle_fin
        )
    with transaction.atomic():
        avenant = Acte(
            nature=NatureActe.AVENANT,
            parent=parent if isinstance(parent, Acte) else None,
            cpom=parent if isinstance(parent, Cpom) else None,
            structure_id=parent.structure_id if isinstance(parent, Acte) else None,
            reference=donnees.get("reference", ""),
            date_debut=donnees["date_debut"],
            objet=donnees.get("objet", ""),
            champs_amendes=champs,
            nouvelle_date_fin=nouvelle_fin,
            places=donnees.get("places") if ChampAmende.PLACES in champs else None,
            dotation=donnees.get("dotation")
            if ChampAmende.DOTATION in champs
            else None,
            cree_par=auteur if getattr(auteur, "is_authenticated", False) else None,
        )
        avenant.full_clean(exclude=["cree_par", "etat"])
        avenant.save()
        enregistrer(
            auteur,
            Action.CREATION,
            avenant,
            differences({}, instantane(avenant, CHAMPS_AVENANT)),
            commentaire=f"Avenant de {parent}",
        )
    return avenant


# Life cycle -------------------------------------------------------------------------

ETAPES = {
    # name: (label, date field, who may)
    "envoyer": ("Envoyer à l'opérateur", "date_envoi"),
    "signer_operateur": (
        "Enregistrer la signature de l'opérateur",
        "date_signature_operateur",
    ),
    "signer_etat": ("Signer pour l'État", "date_signature_etat"),
    "constater_echeance": ("Constater l'échéance", "date_echeance_constatee"),
}
COMMENTAIRES = {
    "envoyer": "Envoyé à l'opérateur",
    "signer_operateur": "Signé par l'opérateur",
    "signer_etat": "Signé par l'État",
    "constater_echeance": "Échu",
    "renouveler": "Renouvelé",
    "denoncer": "Dénoncé",
}


def peut_franchir(user: Any, nom: str, obj: Objet | None = None) -> bool:
    """Whether ``user`` may take step ``nom`` (the object is already in the user's
    perimeter: seeing is ``for_user``'s job)."""
    if nom == "signer_operateur":
        return peut_signer_pour_operateur(user)
    if nom == "denoncer":
        return peut_signer_pour_operateur(user)
    return peut_gerer_actes(user)


def etapes_possibles(user: Any, obj: Objet) -> list[str]:
    """Steps allowed from the current state, with their conditions, for this user."""
    return [
        nom
        for nom in (
            "envoyer",
            "signer_operateur",
            "signer_etat",
            "constater_echeance",
            "renouveler",
            "denoncer",
        )
        if can_proceed(getattr(obj, nom))
        and peut_franchir(user, nom, obj)
        and not (nom == "renouveler" and obj.successeur_id)
    ]


def _verrouiller(obj: Objet) -> Objet:
    return type(obj).objects.select_for_update().get(pk=obj.pk)


def _refus(obj: Objet, nom: str) -> ErreurMetier:
    etat = obj.get_etat_display()
    if nom == "envoyer" and obj.est_unilateral:
        return ErreurMetier(
            "Un arrêté est signé par l'État seul : il ne s'envoie pas "
            "à la signature de l'opérateur."
        )
    if nom == "signer_etat" and obj.etat == Etat.ENVOYEE:
        return ErreurMetier(
            "L'opérateur n'a pas encore signé : l'État signe après lui."
        )
    if nom == "constater_echeance" and obj.etat == Etat.SIGNEE:
        fin = obj.date_fin_effective
        return ErreurMetier(
            f"L'acte court jusqu'au {fin:%d/%m/%Y} : il n'est pas encore échu."
            if fin
            else "Cet acte n'a pas de date de fin."
        )
    libelle = COMMENTAIRES.get(nom, nom).lower()
    return ErreurMetier(
        f"Étape impossible : un acte « {etat} » ne peut pas être {libelle}."
    )


def franchir(
    auteur: Any,
    obj: Objet,
    nom: str,
    *,
    date: datetime.date | None = None,
    version: int | None = None,
) -> Objet:
    """Take step ``nom`` (``envoyer``, ``signer_operateur``, ``signer_etat``,
    ``constater_echeance``) on ``date`` (today by default)."""
    if nom not in ETAPES:
        raise ErreurMetier("Étape inconnue.")
    if not peut_franchir(auteur, nom, obj):
        raise ErreurMetier("Vous ne pouvez pas franchir cette étape.")
    date = date or datetime.date.today()
    with transaction.atomic():
        obj = _verrouiller(obj)
        if version is not None:
            verifier_version(obj, version)
        avant = obj.etat
        try:
            getattr(obj, nom)()
        except TransitionNotAllowed as exc:
            raise _refus(obj, nom) from exc
        champ_date = ETAPES[nom][1]
        setattr(obj, champ_date, date)
        obj.version += 1
        obj.save()
        _journaliser_etape(auteur, obj, nom, avant, {champ_date: [None, date]})
        actualiser_anomalies(_structures_de(obj))
    return obj


def _journaliser_etape(
    auteur: Any, obj: Objet, nom: str, avant: str, autres: Mapping[str, list[Any]]
) -> None:
    changements = {"etat": [avant, obj.etat]}
    changements |= {
        c: [valeur_journal(a), valeur_journal(b)] for c, (a, b) in autres.items()
    }
    enregistrer(
        auteur,
        Action.EVENEMENT,
        obj,
        changements,
        commentaire=f"{COMMENTAIRES[nom]} — {obj}",
        structure_id=obj.structure_id if isinstance(obj, Acte) else None,
    )


def preavis(obj: Objet) -> relativedelta:
    return regles.preavis_denonciation(
        nature_de(obj),
        type_structure(obj),
        settings.ABRI_PREAVIS_DENONCIATION_CADA_MOIS,
        settings.ABRI_PREAVIS_DENONCIATION_AUTRES_MOIS,
    )


def denoncer(
    auteur: Any,
    obj: Objet,
    *,
    date_notification: datetime.date,
    motif: str,
    version: int | None = None,
) -> Objet:
    """Denounce an act in force. The party is the author's (an operator denounces
    for the operator, an agent for the State); the act stops after the notice."""
    if not peut_franchir(auteur, "denoncer", obj):
        raise ErreurMetier("Vous ne pouvez pas dénoncer cet acte.")
    if not motif.strip():
        raise ErreurMetier("Indiquez le motif de la dénonciation.", "motif")
    partie = Partie.OPERATEUR if auteur.role == Role.OPERATEUR else Partie.ETAT
    with transaction.atomic():
        obj = _verrouiller(obj)
        if version is not None:
            verifier_version(obj, version)
        avant = obj.etat
        try:
            obj.denoncer()
        except TransitionNotAllowed as exc:
            raise _refus(obj, "denoncer") from exc
        effet = regles.date_effet_denonciation(date_notification, preavis(obj))
        obj.date_denonciation = date_notification
        obj.date_effet_denonciation = effet
        obj.denoncee_par = partie
        obj.motif_denonciation = motif.strip()
        obj.version += 1
        obj.save()
        _journaliser_etape(
            auteur,
            obj,
            "denoncer",
            avant,
            {
                "date_denonciation": [None, date_notification],
                "date_effet_denonciation": [None, effet],
                "denoncee_par": [None, partie],
            },
        )
        actualiser_anomalies(_structures_de(obj))
    return obj


def motivation_requise(obj: Objet, aujourdhui: datetime.date) -> bool | None:
    """A renewal needs a written motivation when the structure had a deficit in two
    of its last three closed years (``None``: results unknown)."""
    if not isinstance(obj, Acte) or not obj.structure_id:
        return False
    resultats = renouvellement.resultats_recents(obj.structure, aujourdhui)
    if resultats is None:
        return None
    return regles.en_deficit_deux_sur_trois(resultats)


def proposition_successeur(obj: Objet) -> dict[str, Any]:
    """The successor pre-filled from the act in force: it starts the day after the
    effective end and lasts as long, within the maximum of its kind."""
    fin = obj.date_fin_effective or obj.date_debut
    debut = fin + regles.UN_JOUR
    longueur = regles.duree(obj.date_debut, fin)
    maximum = regles.duree_maximale(
        nature_de(obj), type_structure(obj), durees_maximales()
    )
    if maximum is not None and regles.depasse_duree(
        debut, regles.fin_pour_duree(debut, longueur), maximum
    ):
        longueur = maximum
    dernier = _dernier_avenant(obj)
    return {
        "date_debut": debut,
        "date_fin": regles.fin_pour_duree(debut, longueur),
        "places": (
            dernier.places
            if dernier and dernier.places is not None
            else getattr(obj, "places", None)
        ),
        "dotation": (
            dernier.dotation
            if dernier and dernier.dotation is not None
            else obj.dotation
        ),
        "objet": getattr(obj, "objet", ""),
        "reference": "",
    }


def _dernier_avenant(obj: Objet) -> Acte | None:
    return (
        obj.avenants.filter(etat__in=[Etat.SIGNEE, Etat.ECHUE, Etat.RENOUVELEE])
        .order_by("-date_debut", "-id")
        .first()
    )


def renouveler(
    auteur: Any,
    obj: Objet,
    *,
    motivation: str = "",
    donnees: Mapping[str, Any] | None = None,
    aujourdhui: datetime.date | None = None,
    version: int | None = None,
) -> Objet:
    """Renew an act in force (or just expired): it becomes « renouvelée », linked to
    its successor, a draft pre-filled from it (``donnees`` overrides the
    proposal)."""
    if not peut_franchir(auteur, "renouveler", obj):
        raise ErreurMetier("Vous ne pouvez pas renouveler cet acte.")
    aujourdhui = aujourdhui or datetime.date.today()
    if motivation_requise(obj, aujourdhui) and not motivation.strip():
        raise ErreurMetier(
            "La structure est en déficit deux des trois derniers exercices clos : "
            "motivez le renouvellement.",
            "motivation",
        )
    with transaction.atomic():
        obj = _verrouiller(obj)
        if version is not None:
            verifier_version(obj, version)
        if obj.successeur_id:
            raise ErreurMetier("Cet acte est déjà renouvelé.")
        avant = obj.etat
        try:
            obj.renouveler()
        except TransitionNotAllowed as exc:
            raise _refus(obj, "renouveler") from exc
        proposition = proposition_successeur(obj) | dict(donnees or {})
        _verifier_dates(proposition["date_debut"], proposition["date_fin"])
        if isinstance(obj, Acte):
            successeur: Objet = Acte.objects.create(
                nature=obj.nature,
                structure_id=obj.structure_id,
                cree_par=auteur if getattr(auteur, "is_authenticated", False) else None,
                **{
                    c: proposition[c]
                    for c in (
                        "date_debut",
                        "date_fin",
                        "places",
                        "dotation",
                        "objet",
                        "reference",
                    )
                },
            )
        else:
            successeur = Cpom.objects.create(
                operateur_id=obj.operateur_id,
                echelle=obj.echelle,
                region_id=obj.region_id,
                intitule=obj.intitule,
                cree_par=auteur if getattr(auteur, "is_authenticated", False) else None,
                **{
                    c: proposition[c]
                    for c in ("date_debut", "date_fin", "dotation", "reference")
                },
            )
            successeur.departements.set(obj.departements.all())
            AdhesionCpom.objects.bulk_create(
                AdhesionCpom(
                    cpom=successeur,
                    structure_id=a.structure_id,
                    date_entree=successeur.date_debut,
                )
                for a in obj.adhesions.filter(date_sortie__isnull=True)
            )
        obj.successeur = successeur
        obj.motivation_renouvellement = motivation.strip()
        obj.version += 1
        obj.save()
        enregistrer(
            auteur,
            Action.CREATION,
            successeur,
            {
                "date_debut": [None, valeur_journal(successeur.date_debut)],
                "date_fin": [None, valeur_journal(successeur.date_fin)],
            },
            commentaire=f"Renouvellement de {obj}",
            structure_id=getattr(successeur, "structure_id", None),
        )
        _journaliser_etape(
            auteur, obj, "renouveler", avant, {"successeur": [None, str(successeur)]}
        )
        actualiser_anomalies(_structures_de(obj))
    return successeur


# CPOM ---------------------------------------------------------------------------------


def creer_cpom(
    auteur: Any, operateur: Operateur, donnees: Mapping[str, Any], departements: list
) -> Cpom:
    if not peut_gerer_actes(auteur):
        raise ErreurMetier("Seuls les agents de l'État concluent un CPOM.")
    _verifier_dates(donnees.get("date_debut"), donnees.get("date_fin"))
    if donnees.get("date_fin") is None:
        raise ErreurMetier("Indiquez la date de fin.", "date_fin")
    _verifier_duree("cpom", None, donnees["date_debut"], donnees["date_fin"])
    if not departements:
        raise ErreurMetier("Un CPOM couvre au moins un département.", "departements")
    with transaction.atomic():
        cpom = Cpom(
            operateur=operateur,
            cree_par=auteur if getattr(auteur, "is_authenticated", False) else None,
            **{c: donnees[c] for c in CHAMPS_CPOM if c in donnees},
        )
        cpom.full_clean(exclude=["cree_par", "etat", "departements"])
        cpom.save()
        cpom.departements.set(departements)
        enregistrer(
            auteur,
            Action.CREATION,
            cpom,
            differences({}, instantane(cpom, CHAMPS_CPOM)),
        )
    return cpom


def adhesions_en_conflit(
    structure_id: int,
    debut: datetime.date,
    fin: datetime.date | None,
    sauf: int | None = None,
) -> list[AdhesionCpom]:
    autres = AdhesionCpom.objects.filter(structure_id=structure_id).select_related(
        "cpom"
    )
    if sauf is not None:
        autres = autres.exclude(pk=sauf)
    return [
        a
        for a in autres
        if regles.chevauchent(debut, fin, a.date_entree, a.date_sortie)
    ]


def ajouter_structure_cpom(
    auteur: Any,
    cpom: Cpom,
    structure: Structure,
    date_entree: datetime.date,
    date_sortie: datetime.date | None = None,
) -> AdhesionCpom:
    """A structure of the operator (or of its subsidiaries) joins the CPOM; never in
    two CPOM on one date."""
    from abri.comptes.perimetre import operateur_et_filiales

    if not peut_gerer_actes(auteur):
        raise ErreurMetier("Seuls les agents de l'État modifient un CPOM.")
    if structure.operateur_id not in operateur_et_filiales(cpom.operateur_id):
        raise ErreurMetier(
            f"{structure} n'est pas gérée par {cpom.operateur} : un CPOM lie un seul "
            "opérateur.",
            "structure",
        )
    if not cpom.departements.filter(pk=structure.departement_id).exists():
        raise ErreurMetier(
            f"{structure} est hors des départements du CPOM.", "structure"
        )
    if date_sortie is not None and date_sortie < date_entree:
        raise ErreurMetier("La sortie précède l'entrée.", "date_sortie")
    with transaction.atomic():
        Structure.objects.select_for_update().filter(pk=structure.pk).first()
        conflits = adhesions_en_conflit(structure.pk, date_entree, date_sortie)
        if conflits:
            autre = conflits[0]
            raise ErreurMetier(
                f"{structure} est déjà dans {autre.cpom} à partir du "
                f"{autre.date_entree:%d/%m/%Y} : une structure n'est jamais dans deux "
                "CPOM à la même date.",
                "date_entree",
            )
        adhesion = AdhesionCpom.objects.create(
            cpom=cpom,
            structure=structure,
            date_entree=date_entree,
            date_sortie=date_sortie,
        )
        enregistrer(
            auteur,
            Action.MODIFICATION,
            cpom,
            {"adhesions": [None, f"{structure} entre le {date_entree:%d/%m/%Y}"]},
            commentaire=f"{structure} entre dans {cpom}",
            structure_id=structure.pk,
        )
        actualiser_anomalies([structure.pk])
    return adhesion


def retirer_structure_cpom(
    auteur: Any, adhesion: AdhesionCpom, date_sortie: datetime.date
) -> AdhesionCpom:
    if not peut_gerer_actes(auteur):
        raise ErreurMetier("Seuls les agents de l'État modifient un CPOM.")
    if date_sortie < adhesion.date_entree:
        raise ErreurMetier("La sortie précède l'entrée.", "date_sortie")
    with transaction.atomic():
        avant = adhesion.date_sortie
        adhesion.date_sortie = date_sortie
        adhesion.save(update_fields=["date_sortie"])
        enregistrer(
            auteur,
            Action.MODIFICATION,
            adhesion.cpom,
            {
                "adhesions": [
                    valeur_journal(avant),
                    f"{adhesion.structure} sort le {date_sortie:%d/%m/%Y}",
                ]
            },
            structure_id=adhesion.structure_id,
        )
        actualiser_anomalies([adhesion.structure_id])
    return adhesion


def enregistrer_evaluation(
    auteur: Any, structure: Structure, date: datetime.date, nature: str
) -> Evaluation:
    if not peut_gerer_actes(auteur):
        raise ErreurMetier("Seuls les agents de l'État enregistrent une évaluation.")
    with transaction.atomic():
        evaluation = Evaluation(structure=structure, date=date, nature=nature)
        evaluation.full_clean()
        evaluation.save()
        enregistrer(
            auteur,
            Action.CREATION,
            evaluation,
            differences({}, instantane(evaluation, ("date", "nature"))),
            structure_id=structure.pk,
        )
        actualiser_anomalies([structure.pk])
    return evaluation


def constater_echeances(aujourdhui: datetime.date) -> int:
    """Record as « échue » every act and CPOM signed by the State whose effective end
    has passed (run by the daily job; the journal names no author: the system did
    it). Returns how many changed."""
    from abri.conventions.queries import actes_avec_fin, cpoms_avec_fin

    nombre = 0
    with transaction.atomic():
        for qs in (
            actes_avec_fin(Acte.objects.filter(etat=Etat.SIGNEE)),
            cpoms_avec_fin(Cpom.objects.filter(etat=Etat.SIGNEE)),
        ):
            for obj in qs.filter(fin_effective__lt=aujourdhui).select_for_update(  # type: ignore[misc]
                of=("self",)
            ):
                obj.etat = Etat.ECHUE
                obj.date_echeance_constatee = aujourdhui
                obj.version += 1
                obj.save(
                    update_fields=[
                        "etat",
                        "date_echeance_constatee",
                        "version",
                        "modifie_le",
                    ]
                )
                _journaliser_etape(
                    None,
                    obj,
                    "constater_echeance",
                    Etat.SIGNEE,
                    {"date_echeance_constatee": [None, aujourdhui]},
                )
                nombre += 1
    logger.info("%s acts recorded as expired", nombre)
    return nombre
