"""Every write of the budget campaign: one function per business operation, journaled.

Each figure a user sets is also stamped in ``Budget.saisies`` with who set it and
when, so that the budget page shows the author of every figure without reading the
journal.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from abri.communs import documents as fichiers
from abri.communs.erreurs import ErreurMetier
from abri.comptes.droits import (
    peut_deposer_budget,
    peut_deposer_document_budget,
    peut_instruire_budget,
    peut_maintenir_tarifs_cibles,
    peut_ouvrir_campagne,
)
from abri.finances import regles
from abri.finances.models import (
    CHAMPS_COMPTES,
    CHAMPS_INSTRUCTION,
    CHAMPS_PROPOSITION,
    Affectation,
    Budget,
    Campagne,
    DocumentBudget,
    EtapeAffectation,
    StatutBudget,
    TarifCible,
    Versement,
)
from abri.journal.models import Action
from abri.journal.services import (
    differences,
    enregistrer,
    instantane,
    valeur_journal,
    verifier_version,
)
from abri.structures.models import EvenementCapacite, Structure

logger = logging.getLogger(__name__)

S = StatutBudget


def _actualiser_anomalies(budget: Budget) -> None:
    """Data-quality rules are per structure: a CPOM budget has none to refresh."""
    from abri.pilotage.services import recalculer_anomalies

    if budget.structure is not None:
        recalculer_anomalies([budget.structure])


# Campaigns -------------------------------------------------------------------------


def structures_attendues(annee: int) -> list[int]:
    """Structures with places at some point of ``annee``: open on 1 January, or
    opened during the year."""
    debut = datetime.date(annee, 1, 1)
    fin = datetime.date(annee, 12, 31)
    ouvertes = set(
        Structure.objects.avec_capacite(debut)
        .filter(places_autorisees_au__gt=0)  # type: ignore[misc]
        .values_list("id", flat=True)
    )
    ouvertes |= set(
        EvenementCapacite.objects.filter(
            date_effet__range=(debut, fin), places_autorisees__gt=0
        ).values_list("structure_id", flat=True)
    )
    return sorted(ouvertes)


def cpom_attendus(annee: int) -> set[tuple[int, str]]:
    """``(cpom_id, type of structure)`` of the CPOM in force on some day of
    ``annee`` (signed, from their start to their effective end), one per type of
    structure among their members of that year."""
    from abri.conventions.models import ETATS_SIGNES, AdhesionCpom

    debut = datetime.date(annee, 1, 1)
    fin = datetime.date(annee, 12, 31)
    attendus = set()
    for adhesion in (
        AdhesionCpom.objects.filter(
            cpom__etat__in=ETATS_SIGNES, cpom__date_debut__lte=fin, date_entree__lte=fin
        )
        .exclude(date_sortie__lt=debut)
        .select_related("cpom", "structure")
    ):
        fin_cpom = adhesion.cpom.date_fin_effective
        if fin_cpom is not None and fin_cpom < debut:
            continue
        attendus.add((adhesion.cpom_id, adhesion.structure.type))
    return attendus


def _creer_budgets_cpom(campagne: Campagne) -> list[Budget]:
    deja = set(
        Budget.objects.filter(annee=campagne.annee, cpom__isnull=False).values_list(
            "cpom_id", "type_structure"
        )
    )
    return Budget.objects.bulk_create(
        Budget(
            campagne=campagne,
            cpom_id=cpom_id,
            type_structure=type_structure,
            annee=campagne.annee,
        )
        for cpom_id, type_structure in sorted(cpom_attendus(campagne.annee) - deja)
    )


def ouvrir_campagne(
    auteur: Any, annee: int, echeances: Mapping[str, datetime.date] | None = None
) -> Campagne:
    """Open the campaign of ``annee`` with its deadlines (the usual calendar by
    default) and a draft budget for every structure expected to answer."""
    if not peut_ouvrir_campagne(auteur):
        raise ErreurMetier("Seule l'administration centrale ouvre une campagne.")
    dates = {**regles.echeances_par_defaut(annee), **(echeances or {})}
    with transaction.atomic():
        if Campagne.objects.filter(annee=annee).exists():
            raise ErreurMetier(f"La campagne {annee} est déjà ouverte.", "annee")
        campagne = Campagne.objects.create(annee=annee, ouverte_par=auteur, **dates)
        deja = set(
            Budget.objects.filter(annee=annee).values_list("structure_id", flat=True)
        )
        Budget.objects.bulk_create(
            Budget(campagne=campagne, structure_id=pk, annee=annee)
            for pk in structures_attendues(annee)
            if pk not in deja
        )
        _creer_budgets_cpom(campagne)
        enregistrer(
            auteur,
            Action.CREATION,
            campagne,
            {c: [None, valeur_journal(v)] for c, v in dates.items()},
            commentaire=f"{campagne.budgets.count()} budgets attendus.",
        )
    logger.info("campaign %s opened by user %s", annee, getattr(auteur, "pk", None))
    return campagne


def completer_campagne(auteur: Any, campagne_id: int) -> int:
    """Add the draft budgets of structures expected since the campaign opened (a
    structure created or opened later); the number added."""
    if not peut_ouvrir_campagne(auteur):
        raise ErreurMetier("Seule l'administration centrale complète une campagne.")
    with transaction.atomic():
        campagne = Campagne.objects.select_for_update().get(pk=campagne_id)
        deja = set(
            Budget.objects.filter(
                annee=campagne.annee, structure__isnull=False
            ).values_list("structure_id", flat=True)
        )
        nouveaux = Budget.objects.bulk_create(
            Budget(campagne=campagne, structure_id=pk, annee=campagne.annee)
            for pk in structures_attendues(campagne.annee)
            if pk not in deja
        )
        nouveaux += _creer_budgets_cpom(campagne)
        if nouveaux:
            enregistrer(
                auteur,
                Action.MODIFICATION,
                campagne,
                {"budgets attendus": [len(deja), len(deja) + len(nouveaux)]},
            )
    return len(nouveaux)


# Budgets ---------------------------------------------------------------------------


def _budget_verrouille(budget_id: int, version: int) -> Budget:
    budget = (
        Budget.objects.select_for_update(of=("self",))
        .select_related("structure", "cpom", "campagne")
        .get(pk=budget_id)
    )
    verifier_version(budget, version)
    return budget


def _tamponner(auteur: Any, budget: Budget, champs: list[str]) -> None:
    maintenant = timezone.now().isoformat()
    for champ in champs:
        budget.saisies[champ] = {
            "par": str(auteur),
            "par_id": getattr(auteur, "pk", None),
            "le": maintenant,
        }


def _appliquer(
    auteur: Any, budget: Budget, donnees: Mapping[str, Any], champs: tuple[str, ...]
) -> dict[str, list[Any]]:
    avant = instantane(budget, champs)
    for champ in champs:
        if champ in donnees:
            setattr(budget, champ, donnees[champ])
    changements = differences(avant, instantane(budget, champs))
    _tamponner(auteur, budget, list(changements))
    return changements


def _enregistrer_budget(
    auteur: Any,
    budget: Budget,
    changements: dict[str, list[Any]],
    commentaire: str = "",
) -> None:
    budget.version += 1
    budget.save()
    enregistrer(
        auteur,
        Action.MODIFICATION,
        budget,
        changements,
        commentaire=commentaire,
        structure_id=budget.structure_id,
    )


def _transition(budget: Budget, methode: str, refus: str) -> dict[str, list[Any]]:
    avant = budget.get_statut_display()
    transition = getattr(budget, methode)
    if not can_proceed(transition):
        raise ErreurMetier(refus)
    transition()
    return {"statut": [avant, budget.get_statut_display()]}


def _verifier_montants(donnees: Mapping[str, Any]) -> None:
    for champ, valeur in donnees.items():
        if (
            isinstance(valeur, Decimal)
            and valeur < 0
            and champ.startswith(("charges", "produits", "dotation"))
        ):
            raise ErreurMetier(
                "Un montant de charges, de produits ou de dotation ne peut pas être "
                "négatif.",
                champ,
            )
    etp = donnees.get("etp")
    if etp is not None and etp <= 0:
        raise ErreurMetier("Nombre d'ETP positif attendu.", "etp")
    places = donnees.get("places_declarees")
    if places is not None and places < 0:
        raise ErreurMetier("Nombre de places positif attendu.", "places_declarees")


def enregistrer_proposition(
    auteur: Any,
    budget_id: int,
    donnees: Mapping[str, Any],
    version: int,
    *,
    deposer: bool = False,
) -> Budget:
    """The operator's draft proposal, saved as typed; ``deposer`` submits it, after
    which it is locked for the operator."""
    if not peut_deposer_budget(auteur):
        raise ErreurMetier("Seul l'opérateur de la structure dépose sa proposition.")
    _verifier_montants(donnees)
    with transaction.atomic():
        budget = _budget_verrouille(budget_id, version)
        if not budget.proposition_modifiable:
            raise ErreurMetier(
                "La proposition est déposée : elle ne se modifie plus. Demandez aux "
                "services de l'État de vous la renvoyer."
            )
        changements = _appliquer(auteur, budget, donnees, CHAMPS_PROPOSITION)
        if deposer:
            manquants = budget.manquants(CHAMPS_PROPOSITION[:4])
            if manquants:
                raise ErreurMetier(
                    "Pour déposer la proposition, renseignez : "
                    + ", ".join(manquants)
                    + "."
                )
            changements |= _transition(
                budget, "deposer_proposition", "Cette proposition ne se dépose pas."
            )
            budget.proposition_deposee_le = timezone.now()
        if changements:
            _enregistrer_budget(auteur, budget, changements)
            _actualiser_anomalies(budget)
    return budget


MESSAGE_INSTRUCTION_CLOSE = (
    "L'instruction est close : les chiffres retenus et la dotation accordée ne se "
    "modifient plus. Pour les corriger, rouvrez l'instruction en indiquant le motif."
)


def enregistrer_instruction(
    auteur: Any,
    budget_id: int,
    donnees: Mapping[str, Any],
    version: int,
    *,
    valider: bool = False,
) -> Budget:
    """Retained figures, granted dotation and date of the tariff decision; ``valider``
    closes the instruction (the operator then fills the accounts)."""
    if not peut_instruire_budget(auteur):
        raise ErreurMetier("L'instruction est réservée aux services de l'État.")
    _verifier_montants(donnees)
    with transaction.atomic():
        budget = _budget_verrouille(budget_id, version)
        if not budget.instruction_modifiable:
            raise ErreurMetier(MESSAGE_INSTRUCTION_CLOSE)
        changements = _appliquer(auteur, budget, donnees, CHAMPS_INSTRUCTION)
        _verifier_dotation_et_versements(budget)
        if valider:
            manquants = budget.manquants(CHAMPS_INSTRUCTION[:3])
            if manquants:
                raise ErreurMetier(
                    "Pour clore l'instruction, renseignez : "
                    + ", ".join(manquants)
                    + "."
                )
            changements |= _transition(
                budget, "instruire", "Ce budget ne peut pas être instruit."
            )
            budget.instruit_le = timezone.now()
        if changements:
            _enregistrer_budget(auteur, budget, changements)
            _actualiser_anomalies(budget)
    return budget


def rouvrir_instruction(
    auteur: Any, budget_id: int, version: int, motif: str
) -> Budget:
    """Reopen a closed instruction to correct the retained figures or the dotation,
    with a reason kept in the journal; the budget goes back to « proposition
    déposée » until the instruction is closed again."""
    if not peut_instruire_budget(auteur):
        raise ErreurMetier("Seuls les services de l'État rouvrent une instruction.")
    if not motif.strip():
        raise ErreurMetier("Indiquez pourquoi l'instruction est rouverte.", "motif")
    with transaction.atomic():
        budget = _budget_verrouille(budget_id, version)
        if budget.statut != S.INSTRUIT:
            raise ErreurMetier(
                "Seule une instruction close, avant le dépôt des comptes, se rouvre."
            )
        changements = _transition(
            budget, "rouvrir_instruction", "Cette instruction ne se rouvre pas."
        )
        budget.instruit_le = None
        _enregistrer_budget(
            auteur,
            budget,
            changements,
            commentaire=f"Instruction rouverte : {motif.strip()}",
        )
        _actualiser_anomalies(budget)
    return budget


def _enregistrer_affectation(
    auteur: Any, budget: Budget, etape: str, montants: Mapping[str, Decimal]
) -> dict[str, list[Any]]:
    affectation = budget.affectations.filter(etape=etape).first() or Affectation(
        budget=budget, etape=etape
    )
    champs = affectation.champs(budget.type_budget)
    avant = instantane(affectation, champs) if affectation.pk else {}
    for champ in champs:
        setattr(affectation, champ, montants.get(champ) or Decimal(0))
    apres = instantane(affectation, champs)
    changements = differences(avant, apres)
    if not changements:
        return {}
    affectation.saisie_par = (
        auteur if getattr(auteur, "is_authenticated", False) else None
    )
    affectation.save()
    _tamponner(auteur, budget, ["affectation_" + etape])
    etape_lisible = "proposée" if etape == EtapeAffectation.PROPOSEE else "décidée"
    return {
        f"affectation {etape_lisible} : "
        + str(getattr(Affectation._meta.get_field(c), "verbose_name", c)): v
        for c, v in changements.items()
    }


def enregistrer_comptes(
    auteur: Any,
    budget_id: int,
    donnees: Mapping[str, Any],
    affectation: Mapping[str, Decimal],
    version: int,
    *,
    deposer: bool = False,
) -> Budget:
    """The operator's accounts and proposed allocation; ``deposer`` submits them."""
    if not peut_deposer_budget(auteur):
        raise ErreurMetier("Seul l'opérateur de la structure dépose ses comptes.")
    _verifier_montants(donnees)
    with transaction.atomic():
        budget = _budget_verrouille(budget_id, version)
        if not budget.comptes_modifiables:
            raise ErreurMetier(
                "Les comptes se saisissent une fois la proposition instruite et "
                "jusqu'à leur dépôt."
            )
        changements = _appliquer(auteur, budget, donnees, CHAMPS_COMPTES)
        if affectation:
            changements |= _enregistrer_affectation(
                auteur, budget, EtapeAffectation.PROPOSEE, affectation
            )
        if deposer:
            manquants = budget.manquants(CHAMPS_COMPTES)
            if manquants:
                raise ErreurMetier(
                    "Pour déposer les comptes, renseignez : "
                    + ", ".join(manquants)
                    + "."
                )
            changements |= _transition(
                budget, "deposer_comptes", "Ces comptes ne se déposent pas."
            )
            budget.comptes_deposes_le = timezone.now()
        if changements:
            _enregistrer_budget(auteur, budget, changements)
            _actualiser_anomalies(budget)
    return budget


def decider_affectation(
    auteur: Any,
    budget_id: int,
    affectation: Mapping[str, Decimal],
    version: int,
    *,
    cloturer: bool = False,
) -> Budget:
    """The allocation of the result decided by the State; ``cloturer`` closes the
    year. An allocation that does not add up is kept (it is a finding of the
    data-quality rules) but does not close the year."""
    if not peut_instruire_budget(auteur):
        raise ErreurMetier("L'affectation du résultat est décidée par l'État.")
    with transaction.atomic():
        budget = _budget_verrouille(budget_id, version)
        if budget.statut not in {S.COMPTES_DEPOSES, S.CLOTURE}:
            raise ErreurMetier("Le résultat s'affecte une fois les comptes déposés.")
        changements = _enregistrer_affectation(
            auteur, budget, EtapeAffectation.DECIDEE, affectation
        )
        if cloturer and budget.statut != S.CLOTURE:
            probleme = probleme_affectation(budget)
            if probleme:
                raise ErreurMetier(f"Affectation non close : {probleme}.")
            changements |= _transition(
                budget, "cloturer", "Enregistrez d'abord l'affectation décidée."
            )
        if changements:
            _enregistrer_budget(auteur, budget, changements)
            _actualiser_anomalies(budget)
    return budget


def probleme_affectation(budget: Budget) -> str:
    """Why the decided allocation cannot close the year; empty when it can."""
    resultat = budget.resultat
    affectation = budget.affectations.filter(etape=EtapeAffectation.DECIDEE).first()
    if resultat is None or affectation is None:
        return "comptes ou affectation manquants"
    match budget.regime:
        case regles.Regime.TARIFE:
            ecart = regles.controler_affectation_tarifee(
                resultat, affectation.comme_tarifee()
            )
            if ecart == regles.EcartAffectation.SIGNE_REPRISE_INVERSE:
                return "la reprise par l'État est saisie avec le mauvais signe"
            if ecart == regles.EcartAffectation.ECART:
                return "la reprise et les affectations ne font pas le résultat"
        case regles.Regime.SUBVENTIONNE:
            problemes = regles.controler_affectation_subventionnee(
                resultat, affectation.comme_subventionnee()
            )
            if problemes:
                return " ; ".join(problemes)
    return ""


def renvoyer(auteur: Any, budget_id: int, version: int, motif: str) -> Budget:
    """Send a submitted proposal or accounts back to the operator, with a reason."""
    if not peut_instruire_budget(auteur):
        raise ErreurMetier("Seuls les services de l'État renvoient un dossier.")
    if not motif.strip():
        raise ErreurMetier("Indiquez à l'opérateur ce qu'il doit reprendre.", "motif")
    with transaction.atomic():
        budget = _budget_verrouille(budget_id, version)
        if budget.statut == S.PROPOSITION_DEPOSEE:
            changements = _transition(budget, "renvoyer_proposition", "")
        elif budget.statut == S.COMPTES_DEPOSES:
            changements = _transition(budget, "renvoyer_comptes", "")
        else:
            raise ErreurMetier("Rien n'est déposé : il n'y a rien à renvoyer.")
        _enregistrer_budget(auteur, budget, changements, commentaire=motif.strip())
    return budget


TOLERANCE_MONTANT = Decimal("0.01")


def _euros(montant: Decimal) -> str:
    return f"{montant:,.2f}".replace(",", "\u00a0").replace(".", ",") + "\u00a0€"


def _total_verse(budget: Budget) -> Decimal:
    return sum((v.montant for v in budget.versements.all()), Decimal(0))


def _verifier_dotation_et_versements(budget: Budget) -> None:
    """A granted dotation is not set below the instalments already paid on it."""
    verse = _total_verse(budget)
    if not verse:
        return
    if budget.dotation_accordee is None:
        raise ErreurMetier(
            f"{_euros(verse)} sont déjà versés : la dotation accordée ne s'efface pas.",
            "dotation_accordee",
        )
    if verse - budget.dotation_accordee > TOLERANCE_MONTANT:
        raise ErreurMetier(
            f"La dotation accordée ({_euros(budget.dotation_accordee)}) ne peut pas "
            f"être inférieure aux versements déjà faits ({_euros(verse)}).",
            "dotation_accordee",
        )


def ajouter_versement(
    auteur: Any, budget_id: int, date: datetime.date, montant: Decimal
) -> Versement:
    """Record an instalment of the granted dotation."""
    if not peut_instruire_budget(auteur):
        raise ErreurMetier("Les versements sont saisis par les services de l'État.")
    if montant <= 0:
        raise ErreurMetier("Un versement a un montant positif.", "montant")
    with transaction.atomic():
        budget = Budget.objects.select_for_update().get(pk=budget_id)
        if budget.dotation_accordee is None:
            raise ErreurMetier(
                "Aucune dotation n'est accordée sur ce budget : fixez-la à "
                "l'instruction avant de saisir un versement.",
                "montant",
            )
        deja = _total_verse(budget)
        if deja + montant - budget.dotation_accordee > TOLERANCE_MONTANT:
            reste = max(budget.dotation_accordee - deja, Decimal(0))
            raise ErreurMetier(
                f"Ce versement de {_euros(montant)} porterait le total versé à "
                f"{_euros(deja + montant)}, au-delà de la dotation accordée de "
                f"{_euros(budget.dotation_accordee)} (déjà versé : {_euros(deja)} ; "
                f"reste à verser : {_euros(reste)}).",
                "montant",
            )
        if abs(date.year - budget.annee) > 1:
            raise ErreurMetier(
                f"Un versement de la dotation {budget.annee} est daté de "
                f"{budget.annee - 1} à {budget.annee + 1}.",
                "date",
            )
        versement = Versement.objects.create(
            budget=budget,
            date=date,
            montant=montant,
            cree_par=auteur if getattr(auteur, "is_authenticated", False) else None,
        )
        enregistrer(
            auteur,
            Action.CREATION,
            versement,
            {"date": [None, date.isoformat()], "montant": [None, str(montant)]},
            structure_id=budget.structure_id,
            commentaire=str(budget),
        )
    return versement


# Documents -------------------------------------------------------------------------


def deposer_document(
    auteur: Any, budget_id: int, nature: str, fichier: UploadedFile
) -> DocumentBudget:
    """Keep a document of the budget, checked as every document of the product
    (type read from the content, size bounded by ``DOCUMENTS_MAX_BYTES``) and stored
    under ``budgets/`` in the ``documents`` storage."""
    if not peut_deposer_document_budget(auteur):
        raise ErreurMetier("Vous ne pouvez pas déposer de document sur ce budget.")
    nom = fichiers.nom_propre(fichier.name)
    contenu = fichiers.lire(fichier)
    type_document = fichiers.verifier_fichier(nom, contenu)
    with transaction.atomic():
        budget = Budget.objects.get(pk=budget_id)
        document = DocumentBudget(
            budget=budget,
            nature=nature,
            nom=nom,
            taille=len(contenu),
            type_contenu=type_document.type_contenu,
            depose_par=auteur if getattr(auteur, "is_authenticated", False) else None,
        )
        document.fichier.save(
            fichiers.nom_aleatoire(nom),  # under budgets/<year>/ (upload_to)
            ContentFile(contenu),
            save=False,
        )
        document.save()
        enregistrer(
            auteur,
            Action.CREATION,
            document,
            {"document": [None, nom]},
            structure_id=budget.structure_id,
            commentaire=str(budget),
        )
    return document


# Target daily costs -----------------------------------------------------------------


def enregistrer_tarif_cible(
    auteur: Any, type_structure: str, ile_de_france: bool, annee: int, montant: Decimal
) -> TarifCible:
    """Set (or change) a target daily cost; its history is kept."""
    if not peut_maintenir_tarifs_cibles(auteur):
        raise ErreurMetier("Les coûts cibles sont fixés par l'administration centrale.")
    if montant <= 0:
        raise ErreurMetier("Un coût journalier cible est positif.", "montant")
    with transaction.atomic():
        tarif = (
            TarifCible.objects.select_for_update()
            .filter(type_structure=type_structure, ile_de_france=ile_de_france,
                    annee=annee)
            .first()
        )  # fmt: skip
        avant = str(tarif.montant) if tarif else None
        if tarif is None:
            tarif = TarifCible(
                type_structure=type_structure, ile_de_france=ile_de_france, annee=annee
            )
        tarif.montant = montant
        tarif.modifie_par = auteur
        tarif.save()
        enregistrer(
            auteur,
            Action.MODIFICATION if avant else Action.CREATION,
            tarif,
            {"montant": [avant, str(montant)]},
        )
    return tarif
