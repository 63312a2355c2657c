"""Every write on acts and CPOM: one function per business operation, journaled.

Steps of the life cycle go through :func:`franchir`, which checks the right of the
user, the version the user loaded, and the django-fsm-2 transition (an illegal step
is refused with a French message), dates the step and journals it.
"""

from abri.comptes.droits import peut_gerer_actes, peut_signer_pour_operateur
from abri.conventions.services.actes import creer_acte, creer_avenant, modifier_acte
from abri.conventions.services.commun import (
    CHAMPS_ACTE,
    CHAMPS_AVENANT,
    CHAMPS_CPOM,
    Objet,
    actualiser_anomalies,
    durees_maximales,
    nature_de,
    type_structure,
)
from abri.conventions.services.cpom import (
    adhesions_en_conflit,
    ajouter_structure_cpom,
    creer_cpom,
    enregistrer_evaluation,
    retirer_structure_cpom,
)
from abri.conventions.services.cycle import (
    COMMENTAIRES,
    ETAPES,
    constater_echeances,
    denoncer,
    etapes_possibles,
    franchir,
    motivation_requise,
    peut_franchir,
    preavis,
    proposition_successeur,
    renouveler,
)

__all__ = [
    "CHAMPS_ACTE",
    "CHAMPS_AVENANT",
    "CHAMPS_CPOM",
    "COMMENTAIRES",
    "ETAPES",
    "Objet",
    "actualiser_anomalies",
    "adhesions_en_conflit",
    "ajouter_structure_cpom",
    "constater_echeances",
    "creer_acte",
    "creer_avenant",
    "creer_cpom",
    "denoncer",
    "durees_maximales",
    "enregistrer_evaluation",
    "etapes_possibles",
    "franchir",
    "modifier_acte",
    "motivation_requise",
    "nature_de",
    "peut_franchir",
    "peut_gerer_actes",
    "peut_signer_pour_operateur",
    "preavis",
    "proposition_successeur",
    "renouveler",
    "retirer_structure_cpom",
    "type_structure",
]
