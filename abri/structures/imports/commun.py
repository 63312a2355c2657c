"""What both structure imports share: results, commune resolution, help rows, locks."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from abri.communs.tableurs import Ligne, RapportImport
from abri.communs.texte import normaliser_recherche
from abri.communs.valeurs import Cellule, ValeurInvalide
from abri.communs.verrou import verrou_exclusif
from abri.territoires.models import CodePostal, Commune

logger = logging.getLogger(__name__)

PLACES_MAX = 100_000  # places of one structure or address, far above the largest
LIGNES_AIDE_MAX = 3  # rows of help text a template may have between header and data
# First words of the help texts and prompts of templates ("Ex : '35000'",
# "Renseignez le nombre de places…", "Veuillez saisir vos adresses ici"),
# accents and case aside.
MOTS_CONSIGNE = frozenset(
    {"ex", "exemple", "exemples", "nombre", "merci", "format", "jj"}
)
DEBUTS_CONSIGNE = (
    "veuill",
    "saisi",
    "renseign",
    "indiqu",
    "precis",
    "rempli",
    "a rempli",
    "complet",
    "choisi",
    "selectionn",
)
MOTS_PHRASE = 8  # a cell of this many words or more is a sentence, not a value
MOTS_FORME = 6  # "5 chiffres", "'Oui' ou 'Non'": short, not a whole row in one cell
_FORMAT_ATTENDU = re.compile(r"\b\d+ (chiffre|caractere|lettre)s?\b")  # 5 chiffres


class Nature:
    """Kinds of :class:`Changement`."""

    CREATION = "creation"
    MODIFICATION = "modification"
    EVENEMENT = "evenement"
    REMPLACEMENT = "remplacement"


@dataclass(frozen=True)
class Changement:
    """One change an import makes (or would make), for the preview and the summary."""

    ligne: int | None
    objet: str  # "opérateur", "structure", "capacité", "adresses"
    action: str  # one of :class:`Nature`
    libelle: str  # the object concerned, as the user knows it
    description: str  # a French sentence
    details: dict[str, list[Any]] = field(default_factory=dict)  # {champ: [av, ap]}

    def __str__(self) -> str:
        if self.ligne is None:
            return self.description
        return f"Ligne {self.ligne} : {self.description}"


@dataclass
class ResultatAnalyse:
    """What an import found: its errors, and the changes it would make.

    ``empreinte`` summarises the changes, the warnings and the recorded data they
    were computed from (:attr:`etat`): pass it back when confirming, so that an
    import whose effect or starting point changed since the preview (someone edited
    the park or imported the same addresses meanwhile) is refused rather than
    applied unseen.
    """

    rapport: RapportImport
    changements: list[Changement] = field(default_factory=list)
    lignes_lues: int = 0
    lignes_ignorees: list[int] = field(default_factory=list)
    avertissements: list[str] = field(default_factory=list)
    # The recorded data the import compares the file with or replaces, as plain
    # JSON values: part of ``empreinte``, never shown.
    etat: list[Any] = field(default_factory=list, repr=False)

    @property
    def est_valide(self) -> bool:
        return self.rapport.est_valide

    @property
    def crees(self) -> int:
        return sum(c.action == Nature.CREATION for c in self.changements)

    @property
    def modifies(self) -> int:
        return sum(c.action != Nature.CREATION for c in self.changements)

    def nombre(self, objet: str, action: str | None = None) -> int:
        return sum(
            c.objet == objet and (action is None or c.action == action)
            for c in self.changements
        )

    @property
    def empreinte(self) -> str:
        contenu = json.dumps(
            {
                "changements": [
                    [c.ligne, c.objet, c.action, c.libelle, c.description, c.details]
                    for c in self.changements
                ],
                "avertissements": self.avertissements,
                "etat": self.etat,
            },
            default=str,
            sort_keys=True,
        )
        return hashlib.sha256(contenu.encode()).hexdigest()

    @property
    def message_lignes_ignorees(self) -> str:
        """The sentence for the preview ("Lignes 2 et 3 ignorées (aide ou exemple
        du modèle)."), empty when no row was skipped."""
        numeros = [str(n) for n in sorted(self.lignes_ignorees)]
        if not numeros:
            return ""
        if len(numeros) == 1:
            return f"Ligne {numeros[0]} ignorée (aide ou exemple du modèle)."
        liste = f"{', '.join(numeros[:-1])} et {numeros[-1]}"
        return f"Lignes {liste} ignorées (aide ou exemple du modèle)."

    def resume(self) -> str:
        if not self.est_valide:
            return f"{len(self.rapport)} erreur(s) : rien n'est enregistré."
        if not self.changements:
            return "Aucun changement : le fichier correspond aux données enregistrées."
        return f"{self.crees} création(s), {self.modifies} modification(s)."


@dataclass
class ResultatImport(ResultatAnalyse):
    """The outcome of a confirmed import: ``applique`` is true when it was written."""

    applique: bool = False

    @classmethod
    def depuis(cls, analyse: ResultatAnalyse, applique: bool) -> ResultatImport:
        return cls(
            rapport=analyse.rapport,
            changements=analyse.changements,
            lignes_lues=analyse.lignes_lues,
            lignes_ignorees=analyse.lignes_ignorees,
            avertissements=analyse.avertissements,
            etat=analyse.etat,
            applique=applique,
        )


def empreinte_confirmee(analyse: ResultatAnalyse, empreinte: str) -> bool:
    """Whether ``empreinte``, sent back by the confirmation, is that of the analysis
    made now; otherwise the error asking to look at the preview again is added."""
    if empreinte and empreinte == analyse.empreinte:
        return True
    analyse.rapport.ajouter(
        "les données ont changé depuis l'aperçu : relancez l'analyse du fichier et "
        "vérifiez les changements avant de confirmer"
        if empreinte
        else "aucun aperçu à confirmer : relancez l'analyse du fichier et vérifiez "
        "les changements avant de confirmer"
    )
    return False


class EchecApplication(Exception):
    """A service refused a row while applying: everything is rolled back."""

    def __init__(self, ligne: int | None, message: str) -> None:
        super().__init__(message)
        self.ligne = ligne
        self.message = message


def est_consigne(valeur: Cellule, aides: Collection[str] = ()) -> bool:
    """A cell written by a template for the user to read: "Ex : '35000'", an
    instruction ("Renseignez…", "Veuillez saisir…", "Nombre de places"), the
    expected form ("5 chiffres", "jj/mm/aaaa", "Oui/Non"), one of ``aides`` (the
    template's own help texts, compared in normalised form), or a sentence of
    :data:`MOTS_PHRASE` words or more without any digit (with digits, it may be a
    whole row of data read as one cell)."""
    if not isinstance(valeur, str):
        return False
    texte = normaliser_recherche(valeur)
    if not texte:
        return False
    mots = texte.split()
    return (
        texte in aides
        or mots[0] in MOTS_CONSIGNE
        or texte.startswith(DEBUTS_CONSIGNE)
        or (len(mots) <= MOTS_FORME and {"oui", "non"} <= set(mots))
        or (len(mots) <= MOTS_FORME and _FORMAT_ATTENDU.search(texte) is not None)
        or (len(mots) >= MOTS_PHRASE and not any(c.isdigit() for c in texte))
    )


def _ressemble_a_une_donnee(valeur: Cellule, aides: Collection[str]) -> bool:
    """A number, a date, or text holding a digit that is not a help text."""
    if valeur is None:
        return False
    if not isinstance(valeur, str):
        return True
    return any(c.isdigit() for c in valeur) and not est_consigne(valeur, aides)


def est_ligne_aide(ligne: Ligne, aides: Iterable[str] = ()) -> bool:
    """A help or prompt row of a template: at least one help text (see
    :func:`est_consigne`) and nothing that looks like data (no number, date or
    digit outside a help text). A row of data with bad values (places ``-5``,
    ``12.5`` or ``douze`` next to a postal code, a département or a SIRET) is data.
    """
    normalisees = {normaliser_recherche(a) for a in aides}
    cellules = [c for c in ligne.cellules if c is not None]
    return any(est_consigne(c, normalisees) for c in cellules) and not any(
        _ressemble_a_une_donnee(c, normalisees) for c in cellules
    )


def separer_lignes_aide(
    lignes: Iterable[Ligne], est_aide: Callable[[Ligne], bool] = est_ligne_aide
) -> tuple[list[int], list[Ligne]]:
    """Split the help rows a template puts under its header from the data rows.

    Only the first rows can be help rows, at most :data:`LIGNES_AIDE_MAX`, and only
    while they clearly are (``est_aide``); from the first other row on, every row is
    data and its errors are reported. The numbers of the rows skipped are returned
    so that the preview can say so ("lignes 2 et 3 ignorées").
    """
    aide: list[int] = []
    donnees: list[Ligne] = []
    for ligne in lignes:
        if not donnees and len(aide) < LIGNES_AIDE_MAX and est_aide(ligne):
            aide.append(ligne.numero)
            continue
        donnees.append(ligne)
    return aide, donnees


_SAINT = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_ARRONDISSEMENT = re.compile(r"^\d{1,2}(e|er|eme|ieme|me)?$")


def cle_commune(nom: str) -> str:
    """Comparable form of a town name: accents, case, hyphens, ``St``/``Ste``, a
    trailing ``Cedex 07`` or arrondissement (``Paris 11e``) do not matter."""
    mots = [_SAINT.get(m, m) for m in normaliser_recherche(nom).split()]
    if "cedex" in mots:
        mots = mots[: mots.index("cedex")]
    while len(mots) > 1 and (
        mots[-1] == "arrondissement" or _ARRONDISSEMENT.match(mots[-1])
    ):
        mots.pop()
    return " ".join(mots)


class ResolveurCommunes:
    """Finds the commune of a postal code and a town name, from the table of postal
    codes (loaded once for all the codes of a file).

    The département is never derived from the digits of a postal code: 20000 is
    Ajaccio (2A), 97400 Saint-Denis (974), 05110 serves Claret, in the 04.
    """

    def __init__(self, codes_postaux: Iterable[str]) -> None:
        self._communes: dict[str, list[Commune]] = defaultdict(list)
        codes = {c for c in codes_postaux if c}
        lignes = (
            CodePostal.objects.filter(code__in=codes)
            .select_related("commune__departement")
            .order_by("code", "commune__nom", "commune_id")
        )
        for ligne in lignes:
            self._communes[ligne.code].append(ligne.commune)

    def resoudre(self, code_postal: str, ville: str | None) -> Commune:
        """The commune, or :class:`ValeurInvalide` saying why none fits."""
        candidates = self._communes.get(code_postal, [])
        if not candidates:
            raise ValeurInvalide("code postal inconnu")
        noms = ", ".join(c.nom for c in candidates)
        if not ville:
            if len(candidates) == 1:
                return candidates[0]
            raise ValeurInvalide(
                f"plusieurs communes ont le code postal {code_postal} : précisez la "
                f"ville ({noms})"
            )
        cle = cle_commune(ville)
        trouvees = [c for c in candidates if cle_commune(c.nom) == cle]
        if len(trouvees) == 1:
            return trouvees[0]
        if len(trouvees) > 1:
            raise ValeurInvalide(
                f"plusieurs communes nommées ainsi ont le code postal {code_postal}"
            )
        raise ValeurInvalide(
            f"pas de commune de ce nom au code postal {code_postal} (communes : {noms})"
        )


def verrouiller_import(nom: str) -> None:
    """Serialise the imports of one kind until the current transaction ends."""
    verrou_exclusif(f"import-{nom}")
