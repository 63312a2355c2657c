"""Who may do what, inside the perimeter they see (seeing is ``for_user``'s job)."""

from abri.comptes.models import ROLES_AGENTS, Role, Utilisateur


def peut_modifier_structure(user: Utilisateur) -> bool:
    """Identity, codes and capacity of a structure: State agents of the perimeter."""
    return user.is_active and user.role in ROLES_AGENTS


def peut_modifier_adresses(user: Utilisateur) -> bool:
    """Accommodation addresses: agents, and the operator that runs the structure."""
    return user.is_active and (user.role in ROLES_AGENTS or user.role == Role.OPERATEUR)


def peut_modifier_operateur(user: Utilisateur) -> bool:
    """An operator's identity and contacts: agents, and the operator itself."""
    return peut_modifier_adresses(user)


def peut_importer_parc(user: Utilisateur) -> bool:
    return user.is_active and user.role in ROLES_AGENTS


def peut_lire_journal_complet(user: Utilisateur) -> bool:
    return user.est_administrateur_national


def peut_importer_activite(user: Utilisateur) -> bool:
    """The monthly occupancy file, the operator spellings and the linking of
    unknown DNA codes: State agents of the perimeter."""
    return user.is_active and user.role in ROLES_AGENTS


def peut_declarer_activite(user: Utilisateur) -> bool:
    """The month of one of its structures missing from the file: the operator."""
    return user.is_active and user.role == Role.OPERATEUR


def peut_deposer_budget(user: Utilisateur) -> bool:
    """Budget proposals and accounts: the operator that runs the structure."""
    return user.is_active and user.role == Role.OPERATEUR


def peut_instruire_budget(user: Utilisateur) -> bool:
    """Retained figures, granted dotation, instalments, allocation: State agents."""
    return user.is_active and user.role in ROLES_AGENTS


def peut_deposer_document_budget(user: Utilisateur) -> bool:
    return peut_deposer_budget(user) or peut_instruire_budget(user)


def peut_ouvrir_campagne(user: Utilisateur) -> bool:
    return user.est_administrateur_national


def peut_maintenir_tarifs_cibles(user: Utilisateur) -> bool:
    return user.est_administrateur_national


# conventions


def peut_gerer_actes(user: Utilisateur) -> bool:
    """Acts and CPOM: State agents of the perimeter draft, send, sign for the State,
    renew, denounce and import them."""
    return user.is_active and user.role in ROLES_AGENTS


def peut_signer_pour_operateur(user: Utilisateur) -> bool:
    """The operator's step of an act: the operator itself, or an agent recording a
    signature made on paper."""
    return user.is_active and (user.role in ROLES_AGENTS or user.role == Role.OPERATEUR)


def peut_deposer_document(user: Utilisateur) -> bool:
    """Signed documents: agents, and the operator whose act it is."""
    return peut_signer_pour_operateur(user)


# appels


def peut_gerer_appels(user: Utilisateur) -> bool:
    """Calls for projects, their instruction, decisions and openings: State agents
    of the perimeter."""
    return user.is_active and user.role in ROLES_AGENTS


def peut_creer_objectif(user: Utilisateur) -> bool:
    """Yearly regional objectives of places to create: regional and national
    agents."""
    return user.is_active and user.role in {Role.NATIONAL, Role.REGIONAL}


def peut_candidater(user: Utilisateur) -> bool:
    """A candidature online: the operator itself."""
    return user.is_active and user.role == Role.OPERATEUR
