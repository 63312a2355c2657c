"""Every write on structures: one function per business operation, journaled."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Sum

from abri.communs.erreurs import ErreurMetier
from abri.journal.models import Action
from abri.journal.services import (
    differences,
    enregistrer,
    instantane,
    verifier_version,
)
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


def modifier_structure(
    auteur: Any,
    structure_id: int,
    donnees: Mapping[str, Any],
    version: int,
    *,
    codes_dna: Iterable[str] | None = None,
) -> Structure:
    """Change identity fields and, when given, the DNA codes, all or nothing.

    ``version`` is the one the user loaded: if the record has changed since, nothing
    is written and :class:`ModificationConcurrente` says what changed. The
    administrative département is fixed once set."""
    codes = _normaliser_codes(codes_dna) if codes_dna is not None else None
    with transaction.atomic():
        structure = Structure.objects.select_for_update().get(pk=structure_id)
        verifier_version(structure, version)
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
        if codes is not None:
            changements |= _remplacer_codes(structure, codes)
        if not changements:
            return structure
        structure.full_clean(exclude=["recherche"])
        structure.version += 1
        structure.save()
        actualiser_recherche(structure)
        enregistrer(auteur, Action.MODIFICATION, structure, changements)
        actualiser_anomalies(structure)
    return structure


def _normaliser_codes(codes: Iterable[str]) -> list[str]:
    normalises = []
    for brut in codes:
        code = regles.normaliser_code_dna(brut)
        if code is None:
            raise ErreurMetier(
                f"« {brut} » n'est pas un code DNA (une lettre et 4 chiffres).",
                "codes_dna",
            )
        normalises.append(code)
    return sorted(set(normalises))


def _remplacer_codes(structure: Structure, codes: list[str]) -> dict[str, list[Any]]:
    """Replace the codes (inside the caller's transaction); the change, if any."""
    avant = sorted(structure.codes_dna.values_list("code", flat=True))
    if avant == codes:
        return {}
    deja_pris = (
        CodeDna.objects.filter(code__in=codes).exclude(structure=structure).first()
    )
    if deja_pris is not None:
        # The other structure may lie outside the user's perimeter: it is not named.
        raise ErreurMetier(
            f"Le code DNA {deja_pris.code} est déjà attribué à une autre structure.",
            "codes_dna",
        )
    structure.codes_dna.exclude(code__in=codes).delete()
    CodeDna.objects.bulk_create(
        CodeDna(structure=structure, code=code) for code in codes if code not in avant
    )
    return {"codes_dna": [avant, codes]}


def definir_codes_dna(auteur: Any, structure: Structure, codes: Iterable[str]) -> None:
    """Replace the structure's DNA codes with ``codes`` (typed variants normalised).

    A change of codes is a change of the record: it takes a new version, so that a
    form loaded before it is told."""
    normalises = _normaliser_codes(codes)
    with transaction.atomic():
        verrouillee = Structure.objects.select_for_update().get(pk=structure.pk)
        changements = _remplacer_codes(verrouillee, normalises)
        if not changements:
            return
        verrouillee.version += 1
        Structure.objects.filter(pk=structure.pk).update(version=verrouillee.version)
        structure.version = verrouillee.version
        enregistrer(auteur, Action.MODIFICATION, verrouillee, changements)
        actualiser_recherche(verrouillee)
        actualiser_anomalies(verrouillee)


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
    _verifier_date_effet(date_effet)

    with transaction.atomic():
        Structure.objects.select_for_update().filter(pk=structure.pk).first()
        if (
            nature == NatureEvenement.CREATION
            and EvenementCapacite.objects.filter(structure=structure).exists()
        ):
            raise ErreurMetier(
                "La capacité initiale est déjà enregistrée : choisissez une ouverture, "
                "une extension ou une réduction.",
                "nature",
            )
        _verifier_apres_capacite_initiale(structure, date_effet)
        if date_acte is not None:
            _verifier_date_effet(date_acte, "date_acte", "La date de l'acte")
        if nature == NatureEvenement.FERMETURE:
            actuelle = capacite_au(structure, date_effet)
            if actuelle.places_autorisees == 0:
                raise ErreurMetier(
                    f"La structure n'a aucune place au {date_effet:%d/%m/%Y} : "
                    "il n'y a rien à fermer.",
                    "nature",
                )
            variation = Variation(*(-v for v in vars(actuelle).values()))
        _verifier_signe(nature, variation)
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
        _journaliser_evenement(auteur, evenement)
        actualiser_anomalies(structure)
    return evenement


# Events are dated within what an act of the park may carry: none predates the
# national reception scheme, none is planned more than 15 years ahead.
PREMIERE_ANNEE = 1950
ANNEES_A_VENIR = 15


def _verifier_date_effet(
    date: datetime.date, champ: str = "date_effet", libelle: str = "La date d'effet"
) -> None:
    limite = datetime.date.today().year + ANNEES_A_VENIR
    if not PREMIERE_ANNEE <= date.year <= limite:
        raise ErreurMetier(
            f"{libelle} doit être comprise entre {PREMIERE_ANNEE} et {limite}.", champ
        )


def _verifier_apres_capacite_initiale(
    structure: Structure, date_effet: datetime.date
) -> None:
    """No change of capacity before the structure's initial capacity."""
    debut = (
        EvenementCapacite.objects.filter(
            structure=structure, nature=NatureEvenement.CREATION
        )
        .order_by("date_effet")
        .values_list("date_effet", flat=True)
        .first()
    )
    if debut is not None and date_effet < debut:
        raise ErreurMetier(
            f"La capacité de {structure} commence le {debut:%d/%m/%Y} : aucun "
            "changement ne peut la précéder.",
            "date_effet",
        )


LIBELLES_CAPACITE = {
    "places_autorisees": "Places autorisées",
    "places_pmr": "Places PMR",
    "places_lgbt": "Places LGBT",
    "places_fvv_teh": "Places FVV-TEH",
}


def _journaliser_evenement(auteur: Any, evenement: EvenementCapacite) -> None:
    """Journal the capacity in force at the event's date, before and after it."""
    apres = capacite_au(evenement.structure, evenement.date_effet)
    changements = {
        LIBELLES_CAPACITE[champ]: [
            getattr(apres, champ) - getattr(evenement, champ),
            getattr(apres, champ),
        ]
        for champ in CHAMPS_CAPACITE
        if getattr(evenement, champ)
    }
    enregistrer(
        auteur,
        Action.EVENEMENT,
        evenement,
        changements,
        commentaire=f"{evenement} — {evenement.acte}",
        structure_id=evenement.structure_id,
    )


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
    _verifier_date_effet(date_effet)

    with transaction.atomic():
        premier, second = sorted([origine.pk, destination.pk])
        list(Structure.objects.select_for_update().filter(pk__in=[premier, second]))
        for structure in (origine, destination):
            _verifier_apres_capacite_initiale(structure, date_effet)
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
            _journaliser_evenement(auteur, evenement)
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
