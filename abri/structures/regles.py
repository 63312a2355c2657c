"""Plain rules on structures: codes, derived values, capacity arithmetic."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from abri.structures.models import TypeBati

_DNA = re.compile(r"^\s*([A-Za-z])\s*[-_.]?\s*([0-9]{1,4})\s*$", re.ASCII)


def normaliser_code_dna(valeur: str) -> str | None:
    """``H 0209``, ``h209``, ``H-0209`` → ``H0209``; ``None`` when it is not a DNA code.

    A DNA code is one letter and four digits; short typed forms lose their leading
    zeros, which are put back.
    """
    correspondance = _DNA.match(valeur or "")
    if not correspondance:
        return None
    lettre, chiffres = correspondance.groups()
    return f"{lettre.upper()}{chiffres.zfill(4)}"


def prefixe_departement_dna(code_departement: str) -> str:
    """The two digits a DNA code of a département starts with (``2A``/``2B`` → ``20``,
    overseas → ``97``)."""
    if code_departement in {"2A", "2B"}:
        return "20"
    return code_departement[:2]


def code_dna_coherent(code_dna: str, code_departement: str) -> bool:
    """The first two digits of a DNA code name the département of its structure."""
    return code_dna[1:3] == prefixe_departement_dna(code_departement)


def prefixe_finess(code_departement: str) -> str:
    """FINESS numbers start with the département: ``2A``/``2B`` for Corsica, three
    digits overseas (``971``…``974``), and ``98`` for Mayotte."""
    if code_departement == "976":
        return "98"
    if code_departement.startswith("97"):
        return code_departement
    return code_departement


def finess_valide(finess: str, code_departement: str) -> bool:
    return (
        len(finess) == 9
        and finess.isascii()
        and finess.isalnum()
        and finess.upper().startswith(prefixe_finess(code_departement))
    )


def type_bati_des_adresses(types: Iterable[str]) -> str:
    """Collective, scattered or mixed, from the addresses' own types; empty if none."""
    distincts = set(types)
    if not distincts:
        return ""
    if distincts == {TypeBati.COLLECTIF}:
        return TypeBati.COLLECTIF
    if distincts == {TypeBati.DIFFUS}:
        return TypeBati.DIFFUS
    return TypeBati.MIXTE


@dataclass(frozen=True)
class Capacite:
    places_autorisees: int = 0
    places_pmr: int = 0
    places_lgbt: int = 0
    places_fvv_teh: int = 0

    def __add__(self, autre: "Capacite") -> "Capacite":
        return Capacite(
            self.places_autorisees + autre.places_autorisees,
            self.places_pmr + autre.places_pmr,
            self.places_lgbt + autre.places_lgbt,
            self.places_fvv_teh + autre.places_fvv_teh,
        )

    def __neg__(self) -> "Capacite":
        return Capacite(
            -self.places_autorisees,
            -self.places_pmr,
            -self.places_lgbt,
            -self.places_fvv_teh,
        )

    @property
    def est_valide(self) -> bool:
        """No negative figure, and no kind of specialised place above the total."""
        valeurs = (
            self.places_autorisees,
            self.places_pmr,
            self.places_lgbt,
            self.places_fvv_teh,
        )
        return min(valeurs) >= 0 and max(valeurs[1:]) <= self.places_autorisees


def ecart_adresses_excessif(
    places_adresses: int, places_autorisees: int, tolerance: float = 0.10
) -> bool:
    """More than ``tolerance`` away from the authorised places (exactly 10 % passes)."""
    # Integer arithmetic: 10 % of 110 must not become 11.000000000000002.
    ecart = abs(places_adresses - places_autorisees)
    return ecart * 100 > round(tolerance * 100) * places_autorisees
