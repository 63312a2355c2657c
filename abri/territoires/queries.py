"""Reads of the territorial reference data, used by forms and imports.

The reference data are public and the same for every user, so these reads are not
scoped to a perimeter.
"""

import re
from collections.abc import Sequence
from difflib import SequenceMatcher

from abri.communs.texte import normaliser_recherche
from abri.territoires.models import CodePostal, Commune, Departement

# Abbreviations found in addresses, as whole words of the normalised name.
ABREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
# "Paris 11e arrondissement", "Lyon 3eme", "Marseille 8", "… cedex 09": La Poste and
# address files add these to the town name; no commune name ends with such words.
SUFFIXE_ARRONDISSEMENT = re.compile(
    r"( \d+ ?(er|re|e|eme|ieme)?( arr| arrondissement)?| cedex( \d+)?)+$"
)
# A name "slightly off" (a typo, a missing word) still identifies the only commune
# that a postal code serves when it is at least this close to the official name.
SIMILARITE_MINIMALE = 0.8


class CommuneIntrouvable(Exception):
    """No single commune matches a postal code and a town name."""

    def __init__(
        self,
        message: str,
        code_postal: str,
        ville: str | None,
        candidates: Sequence[Commune] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code_postal = code_postal
        self.ville = ville
        self.candidates = list(candidates)


def mots_comparables(nom: str | None) -> list[str]:
    """The words in which two spellings of a commune name are compared.

    Accents, case, hyphens and apostrophes do not count; "St" and "Ste" stand for
    "Saint" and "Sainte"; an arrondissement number or a CEDEX mention at the end is
    dropped: "ST-DENIS cedex 9" gives ``["saint", "denis"]``.
    """
    texte = (nom or "").replace("œ", "oe").replace("Œ", "Oe")
    texte = texte.replace("æ", "ae").replace("Æ", "Ae")
    texte = SUFFIXE_ARRONDISSEMENT.sub("", normaliser_recherche(texte))
    return [ABREVIATIONS.get(mot, mot) for mot in texte.split()]


def forme_comparable(nom: str | None) -> str:
    """:func:`mots_comparables` run together, so that spaces do not count either."""
    return "".join(mots_comparables(nom))


def contient(mots: Sequence[str], partie: Sequence[str]) -> bool:
    """Whether the words ``partie`` appear in ``mots``, one after the other."""
    n = len(partie)
    return n > 0 and any(
        list(mots[i : i + n]) == list(partie) for i in range(len(mots) - n + 1)
    )


def noms_proches(donne: Sequence[str], officiel: Sequence[str]) -> bool:
    """Whether a given name is close enough to the official one (comparable words).

    One name containing the other counts as close: "Annecy-le-Vieux" for Annecy,
    "Pierre-Bénite" for Oullins-Pierre-Bénite; so does a small typo.
    """
    if contient(donne, officiel) or contient(officiel, donne):
        return True
    ratio = SequenceMatcher(None, "".join(donne), "".join(officiel)).ratio()
    return ratio >= SIMILARITE_MINIMALE


def designees(ville: str | None, noms: Sequence[str]) -> list[int]:
    """Indices of the names in ``noms`` that ``ville`` designates.

    In order of preference: the names equal to ``ville``; the only name, if ``ville``
    is empty or close to it; the names that begin with the words of ``ville``
    ("Château-Arnoux" for Château-Arnoux-Saint-Auban). One index means a match; several,
    an ambiguity; none, no match.
    """
    donne = mots_comparables(ville)
    compact = "".join(donne)
    exacts = [i for i, nom in enumerate(noms) if forme_comparable(nom) == compact]
    if exacts:
        return exacts
    if len(noms) == 1 and (not donne or noms_proches(donne, mots_comparables(noms[0]))):
        return [0]
    if not donne:
        return []
    return [
        i for i, nom in enumerate(noms) if mots_comparables(nom)[: len(donne)] == donne
    ]


def normaliser_code_postal(code_postal: str) -> str:
    """Five digits, spaces removed; a four-digit code gets back its leading zero.

    Spreadsheets store ``01310`` as the number 1310: the zero is restored, it is not
    guessed (no French postal code has four digits).
    """
    code = "".join(str(code_postal).split())
    if code.isdigit() and len(code) == 4:
        return "0" + code
    return code


def trouver_commune(code_postal: str, ville: str | None) -> Commune:
    """The commune served by ``code_postal`` whose name is ``ville``.

    Only the postal code table is used: a postal code says nothing reliable about the
    département (20000 is in Corse-du-Sud, 05110 Claret in the Alpes-de-Haute-Provence).
    When the code serves one commune, ``ville`` may be empty or slightly off; when it
    serves several, ``ville`` must name one of them. Raises :class:`CommuneIntrouvable`
    otherwise. The commune comes with its département loaded.
    """
    code = normaliser_code_postal(code_postal)
    nom = (ville or "").strip()
    if len(code) != 5 or not code.isdigit():
        raise CommuneIntrouvable(
            f"Code postal « {code_postal} » invalide : 5 chiffres attendus"
            + (f" (commune « {nom} »)." if nom else "."),
            code,
            ville,
        )

    candidates = [
        code_postal.commune
        for code_postal in CodePostal.objects.filter(code=code)
        .select_related("commune__departement")
        .order_by("commune__code_insee")
    ]
    if not candidates:
        raise CommuneIntrouvable(
            f"Code postal {str(code_postal).strip()} inconnu"
            + (f" (commune « {nom} »)." if nom else "."),
            code,
            ville,
        )

    indices = designees(nom, [c.nom for c in candidates])
    if len(indices) == 1:
        return candidates[indices[0]]
    if indices:
        retenues = [candidates[i] for i in indices]
        raise CommuneIntrouvable(
            f"« {nom} » désigne plusieurs communes du code postal {code} : "
            f"{_liste(retenues)}.",
            code,
            ville,
            retenues,
        )
    raise CommuneIntrouvable(
        _message_echec(code, nom, candidates), code, ville, candidates
    )


def _liste(communes: Sequence[Commune]) -> str:
    return ", ".join(f"{c.nom} ({c.departement_id})" for c in communes)


def _message_echec(code: str, nom: str, candidates: Sequence[Commune]) -> str:
    liste = _liste(candidates)
    if len(candidates) == 1:
        return (
            f"La commune « {nom} » ne correspond pas au code postal {code}, "
            f"qui dessert {liste}."
        )
    if not nom:
        return (
            f"Le code postal {code} dessert plusieurs communes, précisez laquelle : "
            f"{liste}."
        )
    return f"Aucune commune « {nom} » au code postal {code}, qui dessert : {liste}."


def departement_de_commune(commune: Commune) -> Departement:
    return commune.departement
