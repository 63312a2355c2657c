"""Rules on operators' identifiers."""

from stdnum.fr import siret as stdnum_siret


def normaliser_siret(valeur: str) -> str:
    return "".join(valeur.split()).replace(".", "")


def siret_valide(valeur: str) -> bool:
    """14 digits with a Luhn key, La Poste's establishments included.

    La Poste (SIREN 356000000) numbers its establishments beyond what Luhn allows: their
    SIRETs are valid when the sum of their digits is a multiple of 5 (INSEE's rule,
    implemented by python-stdnum).
    """
    valeur = normaliser_siret(valeur)
    return (
        len(valeur) == 14
        and valeur.isascii()
        and valeur.isdigit()
        and stdnum_siret.is_valid(valeur)
    )
