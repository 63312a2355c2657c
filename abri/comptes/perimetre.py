"""What a user may see: the one place where a role becomes a filter.

Every scoped queryset method (``for_user``) reads a :class:`Perimetre`; no view
decides on its own what a user sees.
"""

from dataclasses import dataclass

from abri.comptes.models import Role, Utilisateur


@dataclass(frozen=True)
class Perimetre:
    """``None`` means "no restriction on this axis"; an empty set means "nothing"."""

    departement_codes: frozenset[str] | None
    operateur_ids: frozenset[int] | None
    libelle: str

    @property
    def est_national(self) -> bool:
        return self.departement_codes is None and self.operateur_ids is None

    @property
    def est_vide(self) -> bool:
        return (
            self.departement_codes == frozenset() or self.operateur_ids == frozenset()
        )


RIEN = Perimetre(frozenset(), frozenset(), "Aucun périmètre")


def operateur_et_filiales(operateur_id: int) -> frozenset[int]:
    """An operator and every subsidiary below it, at any depth."""
    from abri.operateurs.models import Operateur

    trouves = {operateur_id}
    frontiere = {operateur_id}
    while frontiere:
        enfants = set(
            Operateur.objects.filter(groupe_id__in=frontiere).values_list(
                "id", flat=True
            )
        )
        frontiere = enfants - trouves
        trouves |= frontiere
    return frozenset(trouves)


def _territoire(user: Utilisateur) -> Perimetre | None:
    if user.region_id:
        from abri.territoires.models import Departement

        codes = Departement.objects.filter(region_id=user.region_id).values_list(
            "code", flat=True
        )
        return Perimetre(frozenset(codes), None, f"Région {user.region}")
    departements = list(user.departements.order_by("rang", "code"))
    if departements:
        libelle = ", ".join(f"{d.nom} ({d.code})" for d in departements)
        return Perimetre(frozenset(d.code for d in departements), None, libelle)
    return None


def perimetre_de(user: Utilisateur) -> Perimetre:
    if not user.is_authenticated or not user.is_active:
        return RIEN

    match user.role:
        case Role.NATIONAL:
            return Perimetre(None, None, "France entière")
        case Role.REGIONAL | Role.DEPARTEMENTAL:
            return _territoire(user) or RIEN
        case Role.LECTEUR:
            return _territoire(user) or Perimetre(None, None, "France entière")
        case Role.OPERATEUR:
            if not user.operateur_id:
                return RIEN
            return Perimetre(
                None,
                operateur_et_filiales(user.operateur_id),
                f"Opérateur {user.operateur}",
            )
    return RIEN
