"""Every write on structures: one function per business operation, journaled."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Sum

from abri.communs.erreurs import ErreurMetier, ModificationConcurrente
from abri.journal.models import Action, EntreeJournal
from abri.journal.services import differences, enregistrer, instantane
from abri.structures import regles
from abri.structures.models import (
    CHAMPS_CAPACITE,
    AdresseHebergement,
    CodeDna,
    EvenementCapacite,
    NatureEvenement,
    Site,
    Structure,
)
from abri.structures.regles import Capacite

logger = logging.getLogger(__name__)

CHAMPS_IDENTITE = (
    "nom",
    "type",
    "operateur",
    "departement",
    "public",
    "adresse",
    "code_postal",
    "commune",
    "finess",
)
CHAMPS_MODIFIABLES = tuple(c for c in CHAMPS_IDENTITE if c != "departement")


def capacite_au(structure: Structure, date: datetime.date) -> Capacite:
    """Capacity in force on ``date``: the sum of the events effective by then."""
    totaux = EvenementCapacite.objects.filter(
        structure=structure, date_effet__lte=date
    ).aggregate(**{champ: Sum(champ) for champ in CHAMPS_CAPACITE})
    return Capacite(**{champ: totaux[champ] or 0 for champ in CHAMPS_CAPACITE})


def actualiser_anomalies(structure: Structure) -> None:
    """Re-run the data-quality rules on the structure, in the writer's transaction."""
    from abri.pilotage.services import recalculer_anomalies

    recalculer_anomalies([structure])


def actualiser_recherche(structure: Structure) -> None:
    structure.recherche = structure.texte_recherche()
    Structure.objects.filter(pk=structure.pk).update(recherche=structure.recherche)


def creer_structure(auteur: Any, donnees: Mapping[str, Any]) -> Structure:
    """Create a structure from its identity fields (no capacity: that is an event)."""
    with transaction.atomic():
        structure = Structure(
            **{c: donnees[c] for c in CHAMPS_IDENTITE if c in donnees}
        )
        structure.full_clean(exclude=["recherche"])
        structure.save()
        actualiser_recherche(structure)
        enregistrer(
            auteur,
            Action.CREATION,
            structure,
            differences({}, instantane(structure, CHAMPS_IDENTITE)),
        )
        actualiser_anomalies(structure)
    logger.info(
        "structure %s created by user %s", structure.pk, getattr(auteur, "pk", None)
    )
    return structure


def _changements_depuis(structure: Structure, version: int) -> list[dict[str, Any]]:
    entrees = (
        EntreeJournal.objects.filter(
            structure_id=structure.pk, object_id=str(structure.pk), version__gt=version
        )
        .select_related("auteur")
        .order_by("horodatage", "id")
    )
    return [
        {
            "auteur": str(e.auteur) if e.auteur else "Système",
            "horodatage": e.horodatage,
            "changements": e.changements,
        }
        for e in entrees
        if e.content_type.model == "structure"
    ]


def modifier_structure(
    auteur: Any, structure_id: int, donnees: Mapping[str, Any], version: int
) -> Structure:
    """Change identity fields. ``version`` is the one the user loaded: if the record has
    changed since, nothing is written and :class:`ModificationConcurrente` says what
    changed. The administrative département is fixed once set."""
    with transaction.atomic():
        structure = Structure.objects.select_for_update().get(pk=structure_id)
        if structure.version != version:
            raise ModificationConcurrente(
                structure.version, _changements_depuis(structure, version)
            )
        if "departement" in donnees and donnees["departement"] != structure.departement:
            raise ErreurMetier(
                "Le département administratif d'une structure ne change pas.",
                "departement",
            )

        avant = instantane(structure, CHAMPS_MODIFIABLES)
        for champ in CHAMPS_MODIFIABLES:
            if champ in donnees:
                setattr(structure, champ, donnees[champ])
        changements = differences(avant, instantane(structure, CHAMPS_MODIFIABLES))
        if not changements:
            return structure
        structure.full_clean(exclude=["recherche"])
        structure.version += 1
        structure.save()
        actualiser_recherche(structure)
        enregistrer(auteur, Action.MODIFICATION, structure, changements)
        actualiser_anomalies(structure)
    return structure


def definir_codes_dna(auteur: Any, structure: Structure, codes: Iterable[str]) -> None:
    """Replace the structure's DNA codes with ``codes`` (typed variants normalised)."""
    normalises = []
    for brut in codes:
        code = regles.normaliser_code_dna(brut)
        if code is None:
            raise ErreurMetier(
                f"« {brut} » n'est pas un code DNA (une lettre et 4 chiffres)."
            )
        normalises.append(code)
    with transaction.atomic():
        avant = sorted(structure.codes_dna.values_list("code", flat=True))
        pris = CodeDna.objects.filter(code__in=normalises).exclude(structure=structure)
        deja_pris = pris.first()
        if deja_pris is not None:
            raise ErreurMetier(
                f"Le code DNA {deja_pris} est déjà celui d'une autre structure."
            )
        structure.codes_dna.exclude(code__in=normalises).delete()
        for code in normalises:
            CodeDna.objects.get_or_create(structure=structure, code=code)
        apres = sorted(set(normalises))
        if avant != apres:
            enregistrer(
                auteur, Action.MODIFICATION, structure, {"codes_dna": [avant, apres]}
            )
            actualiser_recherche(structure)


@dataclass(frozen=True)
class Variation:
    places_autorisees: int = 0
    places_pmr: int = 0
    places_lgbt: int = 0
    places_fvv_teh: int = 0

    def comme_capacite(self) -> Capacite:
        return Capacite(
            self.places_autorisees,
            self.places_pmr,
            self.places_lgbt,
            self.places_fvv_teh,
        )


def _verifier_capacite_future(structure: Structure, nouvel: EvenementCapacite) -> None:
    """After the new event, the capacity stays valid on every date from its own on."""
    dates = sorted(
        {nouvel.date_effet}
        | set(
            EvenementCapacite.objects.filter(
                structure=structure, date_effet__gt=nouvel.date_effet
            ).values_list("date_effet", flat=True)
        )
    )
    ajout = Capacite(*(getattr(nouvel, c) for c in CHAMPS_CAPACITE))
    for date in dates:
        capacite = capacite_au(structure, date) + ajout
        if capacite.places_autorisees < 0:
            raise ErreurMetier(
                f"Au {date:%d/%m/%Y}, la structure aurait {capacite.places_autorisees} "
                "places autorisées : une capacité ne peut pas être négative."
            )
        if not capacite.est_valide:
            raise ErreurMetier(
                f"Au {date:%d/%m/%Y}, des places spécialisées seraient négatives ou "
                "dépasseraient les places autorisées."
            )


def enregistrer_evenement(
    auteur: Any,
    structure: Structure,
    nature: str,
    date_effet: datetime.date,
    acte: str,
    variation: Variation,
    *,
    date_acte: datetime.date | None = None,
    commentaire: str = "",
) -> EvenementCapacite:
    """Record a dated change of capacity carried by its administrative act."""
    if not acte.strip():
        raise ErreurMetier(
            "Indiquez l'acte administratif qui porte ce changement.", "acte"
        )
    if nature in {NatureEvenement.TRANSFERT_ENTRANT, NatureEvenement.TRANSFERT_SORTANT}:
        raise ErreurMetier("Un transfert s'enregistre entre deux structures.", "nature")
    if nature == NatureEvenement.FERMETURE:
        actuelle = capacite_au(structure, date_effet)
        variation = Variation(*(-v for v in vars(actuelle).values()))
    _verifier_signe(nature, variation)

    with transaction.atomic():
        Structure.objects.select_for_update().filter(pk=structure.pk).first()
        evenement = EvenementCapacite(
            structure=structure,
            nature=nature,
            date_effet=date_effet,
            acte=acte.strip(),
            date_acte=date_acte,
            commentaire=commentaire,
            cree_par=auteur if getattr(auteur, "is_authenticated", False) else None,
            **vars(variation),
        )
        _verifier_capacite_future(structure, evenement)
        evenement.save()
        enregistrer(
            auteur,
            Action.EVENEMENT,
            evenement,
            {
                c: [0, getattr(evenement, c)]
                for c in CHAMPS_CAPACITE
                if getattr(evenement, c)
            },
            commentaire=f"{evenement} — {evenement.acte}",
            structure_id=structure.pk,
        )
        actualiser_anomalies(structure)
    return evenement


def _verifier_signe(nature: str, variation: Variation) -> None:
    total = variation.places_autorisees
    if (
        nature
        in {
            NatureEvenement.CREATION,
            NatureEvenement.OUVERTURE,
            NatureEvenement.EXTENSION,
        }
        and total <= 0
    ):
        raise ErreurMetier(
            "Une ouverture ou une extension ajoute des places.", "places_autorisees"
        )
    if nature == NatureEvenement.REDUCTION and total >= 0:
        raise ErreurMetier("Une réduction retire des places.", "places_autorisees")
    if nature == NatureEvenement.REQUALIFICATION and total != 0:
        raise ErreurMetier(
            "Une requalification change les places spécialisées, pas le total.",
            "places_autorisees",
        )


def transferer_places(
    auteur: Any,
    origine: Structure,
    destination: Structure,
    date_effet: datetime.date,
    acte: str,
    variation: Variation,
) -> tuple[EvenementCapacite, EvenementCapacite]:
    """Move places from one structure to another: two linked events, one act."""
    if origine.pk == destination.pk:
        raise ErreurMetier("Un transfert relie deux structures différentes.")
    if variation.places_autorisees <= 0:
        raise ErreurMetier(
            "Indiquez le nombre de places transférées.", "places_autorisees"
        )
    if not acte.strip():
        raise ErreurMetier(
            "Indiquez l'acte administratif qui porte ce changement.", "acte"
        )

    with transaction.atomic():
        premier, second = sorted([origine.pk, destination.pk])
        list(Structure.objects.select_for_update().filter(pk__in=[premier, second]))
        sortant = EvenementCapacite(
            structure=origine,
            nature=NatureEvenement.TRANSFERT_SORTANT,
            date_effet=date_effet,
            acte=acte.strip(),
            cree_par=auteur if getattr(auteur, "is_authenticated", False) else None,
            **{c: -v for c, v in vars(variation).items()},
        )
        _verifier_capacite_future(origine, sortant)
        sortant.save()
        entrant = EvenementCapacite.objects.create(
            structure=destination,
            nature=NatureEvenement.TRANSFERT_ENTRANT,
            date_effet=date_effet,
            acte=acte.strip(),
            evenement_lie=sortant,
            cree_par=sortant.cree_par,
            **vars(variation),
        )
        sortant.evenement_lie = entrant
        sortant.save(update_fields=["evenement_lie"])
        for evenement in (sortant, entrant):
            enregistrer(
                auteur,
                Action.EVENEMENT,
                evenement,
                {
                    c: [0, getattr(evenement, c)]
                    for c in CHAMPS_CAPACITE
                    if getattr(evenement, c)
                },
                commentaire=f"{evenement} — {evenement.acte}",
                structure_id=evenement.structure_id,
            )
        actualiser_anomalies(origine)
        actualiser_anomalies(destination)
    return sortant, entrant


@dataclass(frozen=True)
class NouvelleAdresse:
    adresse: str
    code_postal: str
    commune_id: str | None
    places_autorisees: int
    type_bati: str
    logement_social: bool | None = None
    qpv: bool | None = None


def remplacer_adresses(
    auteur: Any,
    structure: Structure,
    adresses: list[NouvelleAdresse],
    *,
    source: str = "",
) -> None:
    """Replace every accommodation address of the structure, all or nothing."""
    if not adresses:
        raise ErreurMetier("Aucune adresse : les adresses existantes sont conservées.")
    origine = f" depuis {source}" if source else ""
    with transaction.atomic():
        avant = structure.adresses.count()
        structure.adresses.all().delete()
        AdresseHebergement.objects.bulk_create(
            AdresseHebergement(structure=structure, **vars(a)) for a in adresses
        )
        actualiser_type_bati(structure)
        enregistrer(
            auteur,
            Action.IMPORT if source else Action.MODIFICATION,
            structure,
            {"adresses": [avant, len(adresses)]},
            commentaire=f"Adresses d'hébergement remplacées{origine}.",
        )
        actualiser_anomalies(structure)


def actualiser_type_bati(structure: Structure) -> None:
    type_bati = regles.type_bati_des_adresses(
        structure.adresses.values_list("type_bati", flat=True)
    )
    if type_bati != structure.type_bati:
        structure.type_bati = type_bati
        Structure.objects.filter(pk=structure.pk).update(type_bati=type_bati)


CHAMPS_SITE = ("libelle", "adresse", "code_postal", "commune")


def ajouter_site(auteur: Any, structure: Structure, donnees: Mapping[str, Any]) -> Site:
    """Add an administrative address to the structure."""
    with transaction.atomic():
        site = Site(structure=structure, **{c: donnees.get(c) for c in CHAMPS_SITE})
        site.full_clean()
        site.save()
        enregistrer(
            auteur,
            Action.CREATION,
            site,
            differences({}, instantane(site, CHAMPS_SITE)),
            structure_id=structure.pk,
        )
    return site


def supprimer_site(auteur: Any, site: Site) -> None:
    with transaction.atomic():
        avant = instantane(site, CHAMPS_SITE)
        enregistrer(
            auteur,
            Action.SUPPRESSION,
            site,
            differences(avant, dict.fromkeys(avant)),
            structure_id=site.structure_id,
        )
        site.delete()
