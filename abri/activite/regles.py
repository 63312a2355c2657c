"""Rules of the monthly occupancy, as plain functions over plain values.

Definitions (those of the occupancy office's monthly file):

- places disponibles = capacité − places indisponibles (works, disinfestation,
  repair of a unit, under-occupation);
- places vacantes (free) = places disponibles − places occupées;
- taux d'occupation = places occupées ÷ places disponibles;
- taux d'indisponibilité = places indisponibles ÷ capacité;
- taux de présences indues (refugees past their delay, rejected applicants, and both
  together) = persons present without right ÷ places occupées.

Aggregates over a territory, a type or an operator sum the places and recompute the
rates from the sums: a rate is never averaged, so that a structure of 300 places
weighs thirty times one of 10.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from abri.communs.texte import normaliser_recherche

MOIS_FRANCAIS = (
    "janvier",
    "fevrier",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "aout",
    "septembre",
    "octobre",
    "novembre",
    "decembre",
)
# Short forms seen in sheet names ("oct 2025", "sept. 25").
ABREVIATIONS_MOIS = {
    "janv": 1,
    "fev": 2,
    "fevr": 2,
    "avr": 4,
    "juil": 7,
    "sept": 9,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
ANNEE_MIN = 2000  # the occupancy information system has no older month

_MOIS_CHIFFRES = re.compile(r"(?<!\d)(\d{1,2})[ ._/-](\d{4}|\d{2})(?!\d)", re.ASCII)


def premier_du_mois(date: datetime.date) -> datetime.date:
    return date.replace(day=1)


def ajouter_mois(mois: datetime.date, nombre: int) -> datetime.date:
    """First day of the month ``nombre`` months after ``mois`` (before if < 0)."""
    rang = mois.year * 12 + mois.month - 1 + nombre
    return datetime.date(rang // 12, rang % 12 + 1, 1)


def dernier_jour(mois: datetime.date) -> datetime.date:
    return ajouter_mois(mois, 1) - datetime.timedelta(days=1)


def ecart_mois(debut: datetime.date, fin: datetime.date) -> int:
    """Months from ``debut`` to ``fin`` (0 for the same month)."""
    return (fin.year - debut.year) * 12 + fin.month - debut.month


def mois_recents(fin: datetime.date, nombre: int) -> list[datetime.date]:
    """The ``nombre`` months ending with the month of ``fin``, oldest first."""
    dernier = premier_du_mois(fin)
    return [ajouter_mois(dernier, -k) for k in range(nombre - 1, -1, -1)]


def libelle_mois(mois: datetime.date) -> str:
    """``octobre 2025``."""
    nom = MOIS_FRANCAIS[mois.month - 1]
    nom = {"fevrier": "février", "aout": "août", "decembre": "décembre"}.get(nom, nom)
    return f"{nom} {mois.year}"


def _mois(annee: int, numero: int) -> datetime.date | None:
    if annee < 100:
        annee += 2000
    if not 1 <= numero <= 12 or annee < ANNEE_MIN or annee > 2100:
        return None
    return datetime.date(annee, numero, 1)


def mois_du_nom_de_fichier(nom: str) -> datetime.date | None:
    """``Liste données par centre 10.25 VF.xlsx`` → 1 October 2025; the last
    month-like group of the name wins (``2025`` alone is not a month)."""
    base = nom.rsplit("/", 1)[-1]
    base = re.sub(r"\.(xlsx|csv)$", "", base, flags=re.IGNORECASE)
    trouves = [_mois(int(a), int(m)) for m, a in _MOIS_CHIFFRES.findall(base)]
    trouves = [m for m in trouves if m is not None]
    if trouves:
        return trouves[-1]
    return mois_du_nom_de_feuille(base)


def mois_du_nom_de_feuille(nom: str) -> datetime.date | None:
    """``10 25``, ``10.2025``, ``octobre 2025``, ``Oct 25``, ``sept. 2025`` → the
    first of that month; ``None`` when the name is not a month."""
    texte = normaliser_recherche(nom)
    if correspondance := re.fullmatch(r"(\d{1,2}) (\d{4}|\d{2})", texte, re.ASCII):
        return _mois(int(correspondance[2]), int(correspondance[1]))
    mots = texte.split()
    for rang, mot in enumerate(mots[:-1]):
        numero = (
            MOIS_FRANCAIS.index(mot) + 1
            if mot in MOIS_FRANCAIS
            else ABREVIATIONS_MOIS.get(mot)
        )
        suivant = mots[rang + 1]
        if numero and re.fullmatch(r"\d{4}|\d{2}", suivant, re.ASCII):
            return _mois(int(suivant), numero)
    return None


def defaut_nom_de_feuille(nom: str) -> str | None:
    """Why a sheet name written like a month (``13 26``, ``00.2025``, ``10 1999``) is
    not one; ``None`` when the name is a month or does not look like one."""
    texte = normaliser_recherche(nom)
    correspondance = re.fullmatch(r"(\d{1,2}) (\d{4}|\d{2})", texte, re.ASCII)
    if correspondance is None or mois_du_nom_de_feuille(nom) is not None:
        return None
    numero, annee = int(correspondance[1]), int(correspondance[2])
    if not 1 <= numero <= 12:
        return f"il n'y a pas de mois {numero} (de 1 à 12)"
    annee = annee + 2000 if annee < 100 else annee
    return f"l'année {annee} est hors des années connues ({ANNEE_MIN} à 2100)"


def taux(numerateur: int, denominateur: int) -> Decimal | None:
    """A rate to four decimals (``0.9512`` is 95.12 %); ``None`` over zero."""
    if denominateur <= 0:
        return None
    return (Decimal(numerateur) / Decimal(denominateur)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class Places:
    """Figures of one structure, or a sum of structures, for one month."""

    capacite: int = 0
    indisponibles: int = 0
    occupees: int = 0
    bpi: int = 0  # refugees present past their delay (BPI en présence indue)
    deboutes: int = 0  # rejected applicants still present (DEB en présence indue)
    structures: int = 1
    # Occupied places beyond the available ones, structure by structure; ``None``
    # for one structure (computed), the sum for an aggregate.
    excedent: int | None = None

    @property
    def disponibles(self) -> int:
        return self.capacite - self.indisponibles

    @property
    def suroccupees(self) -> int:
        """Occupied places beyond the available ones (never negative); for an
        aggregate, the sum over its structures."""
        if self.excedent is not None:
            return self.excedent
        return max(self.occupees - self.disponibles, 0)

    @property
    def vacantes(self) -> int:
        """Free places, never negative: a structure holding more than it has
        counts no free place, and its excess (:attr:`suroccupees`) does not eat
        the free places of the others in an aggregate."""
        return self.disponibles - self.occupees + self.suroccupees

    @property
    def presences_indues(self) -> int:
        return self.bpi + self.deboutes

    @property
    def taux_occupation(self) -> Decimal | None:
        return taux(self.occupees, self.disponibles)

    @property
    def taux_indisponibilite(self) -> Decimal | None:
        return taux(self.indisponibles, self.capacite)

    @property
    def taux_bpi(self) -> Decimal | None:
        return taux(self.bpi, self.occupees)

    @property
    def taux_deboutes(self) -> Decimal | None:
        return taux(self.deboutes, self.occupees)

    @property
    def taux_presences_indues(self) -> Decimal | None:
        return taux(self.presences_indues, self.occupees)

    def __add__(self, autre: Places) -> Places:
        return Places(
            self.capacite + autre.capacite,
            self.indisponibles + autre.indisponibles,
            self.occupees + autre.occupees,
            self.bpi + autre.bpi,
            self.deboutes + autre.deboutes,
            self.structures + autre.structures,
            self.suroccupees + autre.suroccupees,
        )


AUCUNE = Places(structures=0, excedent=0)


def agreger(lignes: Iterable[Places]) -> Places:
    """Sum of the places; the rates of the result are recomputed from the sums."""
    total = AUCUNE
    for ligne in lignes:
        total = total + ligne
    return total


@dataclass(frozen=True)
class Seuils:
    """Thresholds above which a rate is a finding (``ABRI_ACTIVITE_SEUIL_*``)."""

    indisponibilite: Decimal
    bpi: Decimal
    deboutes: Decimal
    presences_indues: Decimal


LIBELLES_SEUILS = {
    "indisponibilite": "places indisponibles",
    "bpi": "réfugiés (BPI) en présence indue",
    "deboutes": "déboutés en présence indue",
    "presences_indues": "présences indues (total)",
}


def seuils_depasses(places: Places, seuils: Seuils) -> list[tuple[str, Decimal]]:
    """``(key, rate)`` of every rate strictly above its threshold (exactly at the
    threshold passes)."""
    mesures = {
        "indisponibilite": places.taux_indisponibilite,
        "bpi": places.taux_bpi,
        "deboutes": places.taux_deboutes,
        "presences_indues": places.taux_presences_indues,
    }
    return [
        (cle, valeur)
        for cle, valeur in mesures.items()
        if valeur is not None and valeur > getattr(seuils, cle)
    ]


def mois_encore_significatif(
    mois: datetime.date, date: datetime.date, anciennete_max: int
) -> bool:
    """A month says something about ``date`` when it is at most ``anciennete_max``
    months before it (and not after it)."""
    return 0 <= ecart_mois(mois, date) <= anciennete_max


_SAINT = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def cle_departement(nom: str) -> str:
    """Comparable form of a département's name: accents, case, hyphens, apostrophes
    and ``St``/``Ste`` aside (``Cotes d Armor``, ``côtes-d'armor``)."""
    mots = [_SAINT.get(m, m) for m in normaliser_recherche(nom).split()]
    return "".join(mots)


TYPES_DU_FICHIER = {
    "nuitee hoteliere": "Nuitées hôtelières",
    "nuitees hotelieres": "Nuitées hôtelières",
}


def libelle_type_centre(type_centre: str) -> str:
    """The type as the file writes it, spelled out where it is a code
    (``NUITEE HOTELIERE``: places paid by the night in hotels)."""
    return TYPES_DU_FICHIER.get(normaliser_recherche(type_centre), type_centre)


def cle_operateur(nom: str) -> str:
    """Comparable form of an operator's name (``FRANCE TERRE D ASILE`` and
    ``France terre d'asile`` compare equal)."""
    return " ".join(normaliser_recherche(nom).split())
