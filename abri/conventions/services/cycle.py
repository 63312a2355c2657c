"""Steps of the life cycle of acts and CPOM: sending, signatures, expiry,
renewal, denunciation."""

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
    Cpom,
    Etat,
    Partie,
)
from abri.conventions.services.commun import (
    Objet,
    _structures_de,
    _verifier_dates,
    actualiser_anomalies,
    durees_maximales,
    nature_de,
    type_structure,
)
from abri.journal.models import Action
from abri.journal.services import (
    enregistrer,
    valeur_journal,
    verifier_version,
)

logger = logging.getLogger(__name__)


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
    return renouvellement.en_deficit(resultats)


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
