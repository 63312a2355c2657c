"""Pages of acts, CPOM and deadlines: thin views that parse, call, render."""

from abri.conventions.views.actes import (
    acte,
    ajouter_evaluation,
    brouillon,
    denoncer,
    deposer,
    document,
    etape,
    nouvel_acte,
    nouvel_avenant,
    renouveler,
)
from abri.conventions.views.cpom import (
    cpom,
    cpom_adhesion,
    cpom_avenant,
    cpom_deposer,
    cpom_etape,
    cpom_renouveler,
    nouveau_cpom,
)
from abri.conventions.views.listes import (
    export,
    import_actes,
    liste,
    liste_echeances,
)

__all__ = [
    "acte",
    "ajouter_evaluation",
    "brouillon",
    "cpom",
    "cpom_adhesion",
    "cpom_avenant",
    "cpom_deposer",
    "cpom_etape",
    "cpom_renouveler",
    "denoncer",
    "deposer",
    "document",
    "etape",
    "export",
    "import_actes",
    "liste",
    "liste_echeances",
    "nouveau_cpom",
    "nouvel_acte",
    "nouvel_avenant",
    "renouveler",
]
