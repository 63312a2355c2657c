"""Columns of the monthly occupancy file and the reading of one of its rows.

The file is an export of the occupancy information system: one row per centre, its
DNA code, its place figures and the undue presences. Numbers may be stored as text
(``"80"``, ``"1 200"``); percentages as a share (``0.95``, a percentage cell) or as
text (``"95 %"``, ``"95,5%"``).
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from abri.activite.regles import cle_departement
from abri.communs.tableurs import Colonne, LectureLigne
from abri.communs.texte import normaliser_recherche
from abri.communs.valeurs import Cellule, ValeurInvalide, lire_decimal, lire_entier
from abri.structures.imports.commun import PLACES_MAX
from abri.structures.regles import normaliser_code_dna
from abri.territoires.models import Departement

TAUX_MAX = Decimal(1)  # a share of a whole: 100 % at most

COLONNES = (
    Colonne("code", "Code", alias=("Code DNA", "Code centre", "Code du centre")),
    Colonne("nom", "Nom du centre", obligatoire=False, alias=("Nom", "Centre")),
    Colonne(
        "type",
        "Type",
        obligatoire=False,
        alias=("Catégorie de centre", "Catégorie", "Type de centre"),
    ),
    Colonne("operateur", "Opérateur", obligatoire=False, alias=("Gestionnaire",)),
    Colonne("departement", "Département"),
    Colonne(
        "direction_territoriale",
        "Direction territoriale",
        obligatoire=False,
        alias=("DT", "Direction territoriale OFII"),
    ),
    Colonne("capacite", "Capacité", alias=("Capacité totale",)),
    Colonne(
        "places_desinsectisation",
        "Désinsectisation",
        obligatoire=False,
    ),
    Colonne(
        "places_remise_en_etat",
        "Remise en état de l'unité",
        obligatoire=False,
        alias=("Remise en état",),
    ),
    Colonne("places_sous_occupation", "Sous-occupation", obligatoire=False),
    Colonne("places_travaux", "Travaux", obligatoire=False),
    Colonne(
        "places_indisponibles",
        "Total de places indisponibles",
        obligatoire=False,
        alias=("Places indisponibles", "Total places indisponibles"),
    ),
    Colonne("taux_indisponibilite", "Taux d'indisponibilité", obligatoire=False),
    Colonne("taux_occupation", "Taux d'occupation", obligatoire=False),
    Colonne("places_occupees", "Places occupées"),
    Colonne(
        "taux_bpi", "% de BPI en PI", obligatoire=False, alias=("Taux de BPI en PI",)
    ),
    Colonne(
        "bpi", "Nb de BPI en PI", obligatoire=False, alias=("Nombre de BPI en PI",)
    ),
    Colonne(
        "taux_deboutes",
        "% de DEB en PI",
        obligatoire=False,
        alias=("Taux de DEB en PI",),
    ),
    Colonne(
        "deboutes",
        "Nb de DEB en PI",
        obligatoire=False,
        alias=("Nombre de DEB en PI",),
    ),
)

MOTIFS = (
    "places_desinsectisation",
    "places_remise_en_etat",
    "places_sous_occupation",
    "places_travaux",
)

_DEPARTEMENT_AVEC_CODE = re.compile(
    r"^\s*(?:(\d{2,3}|2[ABab])\s*[-–—:]\s*)?(.*?)\s*(?:\((\d{2,3}|2[ABab])\))?\s*$"
)


def lire_pourcentage(valeur: Cellule) -> Decimal | None:
    """``0.95`` (a share, as a percentage cell stores it), ``"95 %"`` or
    ``"95,5%"`` (a percentage typed as text) → ``Decimal("0.95")``.

    Every rate of the file is a share of a whole: between 0 and 1 without the sign,
    between 0 % and 100 % with it; anything else is refused (``1.5`` would be
    150 %). The rates are informative: the product recomputes its own from the
    counts."""
    if valeur is None or (isinstance(valeur, str) and not valeur.strip()):
        return None
    if isinstance(valeur, str) and valeur.strip().endswith("%"):
        nombre = lire_decimal(valeur.strip().removesuffix("%").strip())
        assert nombre is not None
        part = nombre / 100
    else:
        lu = lire_decimal(valeur)
        assert lu is not None
        part = lu
    if part < 0 or part > TAUX_MAX:
        raise ValeurInvalide(
            "taux invraisemblable : une part entre 0 et 1 (0,95) ou un pourcentage "
            "entre 0 % et 100 % (95 %) attendu"
        )
    return part


def lire_places(valeur: Cellule) -> int | None:
    return lire_entier(valeur, minimum=0, maximum=PLACES_MAX)


def lire_code(valeur: Cellule) -> str | None:
    if valeur is None or (isinstance(valeur, str) and not valeur.strip()):
        return None
    code = normaliser_code_dna(str(valeur))
    if code is None:
        raise ValeurInvalide("code DNA invalide (une lettre et quatre chiffres)")
    return code


class ResolveurDepartements:
    """Finds a département from the name the file gives (accents, case, hyphens,
    ``St`` for ``Saint`` aside), or from its code written beside it."""

    def __init__(self) -> None:
        departements = list(Departement.objects.all())
        self.par_code = {d.code: d for d in departements}
        self.par_nom = {cle_departement(d.nom): d for d in departements}
        self.noms = {cle: d.nom for cle, d in self.par_nom.items()}

    def resoudre(self, valeur: Cellule) -> Departement:
        texte = "" if valeur is None else str(valeur).strip()
        if isinstance(valeur, int):
            texte = f"{valeur:02d}"
        correspondance = _DEPARTEMENT_AVEC_CODE.match(texte)
        assert correspondance is not None  # the pattern matches any text
        code_avant, nom, code_apres = correspondance.groups()
        if nom and (trouve := self.par_nom.get(cle_departement(nom))):
            return trouve
        code = (code_avant or code_apres or (nom if nom.isalnum() else "")).upper()
        if code.isdigit() and len(code) == 1:
            code = code.zfill(2)
        if code in self.par_code and (not nom or nom.upper() == code):
            return self.par_code[code]
        proches = difflib.get_close_matches(
            cle_departement(nom), list(self.par_nom), n=1, cutoff=0.75
        )
        suggestion = f" (« {self.noms[proches[0]]} » ?)" if proches else ""
        raise ValeurInvalide(
            "département inconnu : écrivez le nom officiel du département" + suggestion
        )


@dataclass
class LigneActivite:
    """One row of the file, read and checked on its own."""

    feuille: str | None
    numero: int
    mois: datetime.date
    code: str
    nom: str
    type: str
    operateur: str
    departement: Departement
    capacite: int
    motifs: dict[str, int]
    places_indisponibles: int
    places_occupees: int
    bpi: int
    deboutes: int

    @property
    def disponibles(self) -> int:
        return self.capacite - self.places_indisponibles

    @property
    def suroccupee(self) -> bool:
        """More occupied places than available ones (but within the capacity):
        real files carry it (a unit counted unavailable yet lived in); kept, with a
        warning and a data-quality finding."""
        return self.places_occupees > self.disponibles

    def donnees(self) -> dict[str, int]:
        """The figures, as the fields of ``ActiviteMensuelle`` name them."""
        return {
            "capacite": self.capacite,
            **self.motifs,
            "places_indisponibles": self.places_indisponibles,
            "places_occupees": self.places_occupees,
            "presences_indues_bpi": self.bpi,
            "presences_indues_deboutes": self.deboutes,
        }


def est_ligne_total(cellules: Iterable[Cellule]) -> bool:
    """A total or subtotal row at the bottom of a sheet (no code, "Total …")."""
    textes = [c for c in cellules if isinstance(c, str) and c.strip()]
    return bool(textes) and normaliser_recherche(textes[0]).startswith(
        ("total", "sous total", "ensemble")
    )


def _personnes(
    lecture: LectureLigne, cle_nombre: str, cle_taux: str, occupees: int | None
) -> int:
    """A count of undue presences; from its rate × occupied places when only the
    rate is given."""
    nombre = lecture.lire(cle_nombre, lire_places)
    part = lecture.lire(cle_taux, lire_pourcentage)
    if nombre is None and part is not None and occupees is not None:
        nombre = int((part * occupees).to_integral_value())
    return nombre or 0


def lire_ligne(
    lecture: LectureLigne,
    mois: datetime.date,
    code: str,
    departement: Departement,
) -> LigneActivite | None:
    """The figures of a row whose code and département are read; ``None`` (errors
    recorded) when one is invalid."""
    capacite = lecture.lire("capacite", lire_places, obligatoire=True)
    motifs = {cle: lecture.lire(cle, lire_places) or 0 for cle in MOTIFS}
    total = lecture.lire("places_indisponibles", lire_places)
    occupees = lecture.lire("places_occupees", lire_places, obligatoire=True)
    lecture.lire("taux_indisponibilite", lire_pourcentage)
    lecture.lire("taux_occupation", lire_pourcentage)
    bpi = _personnes(lecture, "bpi", "taux_bpi", occupees)
    deboutes = _personnes(lecture, "deboutes", "taux_deboutes", occupees)

    somme = sum(motifs.values())
    if total is None:
        total = somme
    elif total < somme:
        lecture.erreur(
            f"le total est inférieur à la somme des motifs d'indisponibilité ({somme})",
            "places_indisponibles",
        )
    if capacite is not None and total > capacite:
        lecture.erreur(
            f"plus de places indisponibles que de places ({capacite})",
            "places_indisponibles",
        )
    if capacite is not None and occupees is not None and occupees > capacite:
        lecture.erreur(
            f"plus de places occupées que de places ({capacite})", "places_occupees"
        )
    if occupees is not None and occupees < bpi + deboutes:
        lecture.erreur(
            "les présences indues dépassent les places occupées", "places_occupees"
        )
    if not lecture.est_valide or capacite is None or occupees is None:
        return None
    return LigneActivite(
        feuille=lecture.tableau.feuille,
        numero=lecture.numero,
        mois=mois,
        code=code,
        nom=lecture.lire("nom") or "",
        type=lecture.lire("type") or "",
        operateur=lecture.lire("operateur") or "",
        departement=departement,
        capacite=capacite,
        motifs=motifs,
        places_indisponibles=total,
        places_occupees=occupees,
        bpi=bpi,
        deboutes=deboutes,
    )
