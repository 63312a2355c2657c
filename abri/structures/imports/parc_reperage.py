"""Recognition of the operators and structures a park import names.

Messages name a recorded operator or structure only when the author may see it
(``for_user``): an import must not reveal what lies outside the perimeter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from abri.communs.tableurs import LectureLigne
from abri.communs.texte import normaliser_recherche
from abri.operateurs.models import Operateur
from abri.structures.imports.parc_lignes import LigneParc
from abri.structures.models import CodeDna, Structure


@dataclass(eq=False)
class OperateurPrevu:
    """An operator the file names: one already recorded, or one to create."""

    nom: str
    siret: str | None
    ligne: int
    existant: Operateur | None = None
    siret_a_renseigner: bool = False
    instance: Operateur | None = None  # set when applying

    @property
    def libelle(self) -> str:
        return self.existant.nom if self.existant else self.nom


class ReperageOperateurs:
    def __init__(self, auteur: Any, lignes: Sequence[LigneParc]) -> None:
        sirets = {x.operateur_siret for x in lignes if x.operateur_siret}
        noms = {normaliser_recherche(x.operateur_nom) for x in lignes}
        self.connus_siret = {
            o.siret: o for o in Operateur.objects.filter(siret__in=sirets)
        }
        self.connus_nom: dict[str, list[Operateur]] = defaultdict(list)
        for operateur in Operateur.objects.filter(nom_recherche__in=noms).order_by(
            "pk"
        ):
            self.connus_nom[operateur.nom_recherche].append(operateur)
        connus = {o.pk for o in self.connus_siret.values()} | {
            o.pk for liste in self.connus_nom.values() for o in liste
        }
        self.visibles = set(
            Operateur.objects.for_user(auteur)
            .filter(pk__in=connus)
            .values_list("pk", flat=True)
        )
        self.par_siret: dict[str, OperateurPrevu] = {}
        self.par_nom: dict[str, OperateurPrevu] = {}
        self.existants: dict[int, OperateurPrevu] = {}

    def _existant(self, operateur: Operateur, numero: int) -> OperateurPrevu:
        return self.existants.setdefault(
            operateur.pk,
            OperateurPrevu(operateur.nom, operateur.siret, numero, operateur),
        )

    def _retenir(self, prevu: OperateurPrevu, cle_nom: str) -> OperateurPrevu:
        if prevu.siret:
            self.par_siret.setdefault(prevu.siret, prevu)
        self.par_nom.setdefault(cle_nom, prevu)
        return prevu

    def reperer(self, lecture: LectureLigne, ligne: LigneParc) -> OperateurPrevu | None:
        siret, nom = ligne.operateur_siret, ligne.operateur_nom
        cle_nom = normaliser_recherche(nom)
        if siret and siret in self.par_siret:
            return self._retenir(self.par_siret[siret], cle_nom)
        if siret and siret in self.connus_siret:
            existant = self._existant(self.connus_siret[siret], ligne.numero)
            return self._retenir(existant, cle_nom)

        prevu = self.par_nom.get(cle_nom)
        if prevu is None:
            connus = self.connus_nom.get(cle_nom, [])
            if len(connus) > 1:
                lecture.erreur(
                    "plusieurs opérateurs portent cette raison sociale : indiquez "
                    "le SIRET",
                    "operateur_siret" if siret is None else "operateur_nom",
                )
                return None
            if connus:
                prevu = self._existant(connus[0], ligne.numero)
        if prevu is None:
            return self._retenir(OperateurPrevu(nom, siret, ligne.numero), cle_nom)
        if siret and prevu.siret and prevu.siret != siret:
            if prevu.existant is None or prevu.existant.pk in self.visibles:
                message = (
                    f"l'opérateur « {prevu.libelle} » a le SIRET {prevu.siret} : "
                    "vérifiez le SIRET ou la raison sociale"
                )
            else:
                message = (
                    "un opérateur hors de votre périmètre porte cette raison sociale "
                    "avec un autre SIRET : vérifiez le SIRET ou la raison sociale"
                )
            lecture.erreur(message, "operateur_siret")
            return None
        if siret and not prevu.siret:
            prevu.siret = siret
            prevu.siret_a_renseigner = prevu.existant is not None
        return self._retenir(prevu, cle_nom)


class ReperageStructures:
    def __init__(
        self, auteur: Any, lignes: Sequence[LigneParc], operateurs: Sequence[int]
    ) -> None:
        codes = {c for x in lignes for c in x.codes_dna or []}
        finess = {x.finess for x in lignes if x.finess}
        departements = {x.departement.code for x in lignes if x.departement}
        structures = Structure.objects.select_related(
            "operateur", "departement", "commune"
        )
        self.par_code = {
            c.code: c.structure
            for c in CodeDna.objects.filter(code__in=codes).select_related(
                "structure__operateur", "structure__departement", "structure__commune"
            )
        }
        self.par_finess: dict[str, list[Structure]] = defaultdict(list)
        for structure in structures.filter(finess__in=finess).order_by("pk"):
            self.par_finess[structure.finess].append(structure)
        self.par_cle: dict[tuple[int, str, str], list[Structure]] = defaultdict(list)
        for structure in structures.filter(
            operateur_id__in=operateurs, departement_id__in=departements
        ).order_by("pk"):
            self.par_cle[
                self.cle(
                    structure.operateur_id, structure.nom, structure.departement_id
                )
            ].append(structure)
        connues = {s.pk for s in self.par_code.values()} | {
            s.pk for liste in self.par_finess.values() for s in liste
        }
        self.visibles = set(
            Structure.objects.for_user(auteur)
            .filter(pk__in=connues)
            .values_list("pk", flat=True)
        )

    def designation(self, ligne: LigneParc) -> str:
        """The column by which the row's structure was recognised."""
        if any(c in self.par_code for c in ligne.codes_dna or []):
            return "codes_dna"
        if ligne.finess and ligne.finess in self.par_finess:
            return "finess"
        return "nom"

    @staticmethod
    def cle(operateur_id: int, nom: str, departement: str) -> tuple[int, str, str]:
        return (operateur_id, normaliser_recherche(nom), departement)

    def reperer(
        self, lecture: LectureLigne, ligne: LigneParc, operateur: OperateurPrevu
    ) -> tuple[bool, Structure | None]:
        """``(ok, structure)``: the recorded structure of the row, ``None`` if new."""
        par_code = {
            self.par_code[c] for c in ligne.codes_dna or [] if c in self.par_code
        }
        if len(par_code) > 1:
            if all(s.pk in self.visibles for s in par_code):
                noms = ", ".join(sorted(f"« {s.nom} »" for s in par_code))
                message = f"ces codes DNA sont ceux de plusieurs structures ({noms})"
            else:
                message = (
                    "ces codes DNA sont ceux de plusieurs structures, dont une au "
                    "moins hors de votre périmètre"
                )
            lecture.erreur(message, "codes_dna")
            return False, None
        par_finess = self.par_finess.get(ligne.finess or "", [])
        if par_code:
            structure = par_code.pop()
            if par_finess and structure not in par_finess:
                autre = par_finess[0]
                if {structure.pk, autre.pk} <= self.visibles:
                    message = (
                        f"ce numéro FINESS est celui de « {autre.nom} », pas de la "
                        f"structure du code DNA (« {structure.nom} »)"
                    )
                else:
                    message = (
                        "ce numéro FINESS et ce code DNA désignent deux structures "
                        "différentes"
                    )
                lecture.erreur(message, "finess")
                return False, None
            return True, structure
        if len(par_finess) > 1:
            lecture.erreur(
                "plusieurs structures ont ce numéro FINESS : indiquez le code DNA",
                "finess",
            )
            return False, None
        if par_finess:
            return True, par_finess[0]
        if operateur.existant is None or ligne.departement is None:
            return True, None
        candidates = self.par_cle.get(
            self.cle(operateur.existant.pk, ligne.nom, ligne.departement.code), []
        )
        if len(candidates) > 1:
            lecture.erreur(
                "plusieurs structures de cet opérateur portent ce nom dans ce "
                "département : indiquez le code DNA",
                "nom",
            )
            return False, None
        return True, candidates[0] if candidates else None
