"""ProConnect (OpenID Connect) login: only the mapping of claims to users is ours.

Accounts are created by a national administrator with a role and a perimeter; an agent
who logs in through ProConnect is matched to that account by email. An unknown email
gets no account: its perimeter would be unknown.
"""

import logging
from typing import Any

from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from abri.comptes.models import Utilisateur

logger = logging.getLogger(__name__)


class ProConnectBackend(OIDCAuthenticationBackend):
    def filter_users_by_claims(self, claims: dict[str, Any]):
        email = (claims.get("email") or "").strip().lower()
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email, is_active=True)

    def update_user(self, user: Utilisateur, claims: dict[str, Any]) -> Utilisateur:
        prenom = claims.get("given_name") or user.prenom
        nom = claims.get("usual_name") or claims.get("family_name") or user.nom
        if (prenom, nom) != (user.prenom, user.nom):
            user.prenom, user.nom = prenom, nom
            user.save(update_fields=["prenom", "nom"])
        return user

    def create_user(self, claims: dict[str, Any]) -> None:
        logger.warning("ProConnect login refused: no account for this email")
        return None
