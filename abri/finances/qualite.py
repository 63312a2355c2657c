"""Data-quality rules on budgets, per closed fiscal year from the opening year.

Findings are keyed by year (``cle``), so that each year's finding is justified on
its own. Thresholds and their sources: ``docs/domaine.md``, section Finances.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping

from abri.finances import indicateurs, regles
from abri.finances.indicateurs import AnneeFinanciere, DonneesFinancieres
from abri.pilotage.regles_qualite import (
    Constat,
    ContexteStructure,
    collecteur,
    regle,
)
from abri.ui.templatetags.abri_format import euros, nombre

CATEGORIE = "Budgets"


@collecteur("finances")
def collecter(ids: list[int], date: datetime.date) -> Mapping[int, DonneesFinancieres]:
    return indicateurs.charger(ids, range(date.year - 30, date.year + 1))


def annees_closes(contexte: ContexteStructure) -> Iterator[AnneeFinanciere]:
    """Years ended by the date of the computation, from the opening year on."""
    donnees: DonneesFinancieres | None = contexte.donnees.get("finances")
    if donnees is None:
        return
    for annee, figures in sorted(donnees.annees.items()):
        if annee >= contexte.date.year:
            continue
        if donnees.annee_ouverture is not None and annee < donnees.annee_ouverture:
            continue
        yield figures


def _affectees(contexte: ContexteStructure) -> Iterator[AnneeFinanciere]:
    """Closed years with a known result, where the result is allocated."""
    for figures in annees_closes(contexte):
        if figures.regime != regles.Regime.MARCHE and figures.resultat is not None:
            yield figures


@regle("BUD-01", "Résultat exactement nul", CATEGORIE)
def resultat_nul(contexte: ContexteStructure) -> Iterator[Constat]:
    for f in annees_closes(contexte):
        if f.resultat is not None and f.resultat == 0:
            yield Constat(
                f"{f.annee} : produits et charges réels identiques au centime "
                f"({euros(f.charges_reelles)}), résultat nul à vérifier.",
                cle=str(f.annee),
            )


@regle("BUD-02", "Affectation du résultat absente", CATEGORIE)
def affectation_absente(contexte: ContexteStructure) -> Iterator[Constat]:
    for f in _affectees(contexte):
        if f.resultat and f.affectation is None:
            yield Constat(
                f"{f.annee} : résultat de {euros(f.resultat)} sans affectation.",
                cle=str(f.annee),
            )


@regle("BUD-03", "Affectation ne correspondant pas au résultat", CATEGORIE)
def affectation_incoherente(contexte: ContexteStructure) -> Iterator[Constat]:
    for f in _affectees(contexte):
        assert f.resultat is not None
        affectation = f.affectation
        if isinstance(affectation, regles.AffectationTarifee):
            ecart = regles.controler_affectation_tarifee(f.resultat, affectation)
            if ecart == regles.EcartAffectation.ECART:
                yield Constat(
                    f"{f.annee} : reprise et affectations de "
                    f"{euros(affectation.total)} pour un résultat de "
                    f"{euros(f.resultat)}.",
                    cle=str(f.annee),
                )
        elif (
            isinstance(affectation, regles.AffectationSubventionnee)
            and f.resultat > 0
            and not regles.egaux(affectation.excedents_affectes, f.resultat)
        ):
            yield Constat(
                f"{f.annee} : excédent de {euros(f.resultat)}, dont "
                f"{euros(affectation.excedents_affectes)} reversés, réemployés ou "
                "en fonds dédiés.",
                cle=str(f.annee),
            )


@regle(
    "BUD-04",
    "Reprise par l'État de signe inversé",
    CATEGORIE,
    types=("CADA", "CPH"),
)
def reprise_signe_inverse(contexte: ContexteStructure) -> Iterator[Constat]:
    for f in _affectees(contexte):
        assert f.resultat is not None
        affectation = f.affectation
        if isinstance(affectation, regles.AffectationTarifee) and (
            regles.controler_affectation_tarifee(f.resultat, affectation)
            == regles.EcartAffectation.SIGNE_REPRISE_INVERSE
        ):
            yield Constat(
                f"{f.annee} : la reprise de {euros(affectation.reprise_etat)} ne fait "
                f"le résultat de {euros(f.resultat)} qu'avec le signe inverse.",
                cle=str(f.annee),
            )


@regle(
    "BUD-05",
    "Déficit d'une structure subventionnée avec des excédents affectés",
    CATEGORIE,
    types=("HUDA", "CAES"),
)
def deficit_avec_excedents(contexte: ContexteStructure) -> Iterator[Constat]:
    for f in _affectees(contexte):
        assert f.resultat is not None
        affectation = f.affectation
        if (
            isinstance(affectation, regles.AffectationSubventionnee)
            and f.resultat < 0
            and affectation.excedents_affectes
        ):
            yield Constat(
                f"{f.annee} : déficit de {euros(f.resultat)} et "
                f"{euros(affectation.excedents_affectes)} d'excédents affectés.",
                cle=str(f.annee),
            )


@regle(
    "BUD-06",
    "Excédent d'une structure subventionnée repris comme un déficit",
    CATEGORIE,
    types=("HUDA", "CAES"),
)
def excedent_avec_reprise(contexte: ContexteStructure) -> Iterator[Constat]:
    for f in _affectees(contexte):
        assert f.resultat is not None
        affectation = f.affectation
        if (
            isinstance(affectation, regles.AffectationSubventionnee)
            and f.resultat > 0
            and affectation.deficit_compense
        ):
            yield Constat(
                f"{f.annee} : excédent de {euros(f.resultat)} et une compensation de "
                f"l'État de {euros(affectation.deficit_compense)}.",
                cle=str(f.annee),
            )


@regle("BUD-07", "Taux d'encadrement hors des bornes", CATEGORIE)
def taux_encadrement(contexte: ContexteStructure) -> Iterator[Constat]:
    for f in annees_closes(contexte):
        taux = f.taux_encadrement
        if taux is not None and regles.taux_encadrement_hors_bornes(
            f.type_structure, taux
        ):
            maximum = regles.taux_encadrement_maximum(f.type_structure)
            yield Constat(
                f"{f.annee} : {nombre(taux, 2)} places par ETP (attendu entre "
                f"{nombre(regles.TAUX_ENCADREMENT_MINIMUM)} et {nombre(maximum)}).",
                cle=str(f.annee),
            )


@regle("BUD-08", "Coût journalier hors des bornes", CATEGORIE)
def cout_journalier(contexte: ContexteStructure) -> Iterator[Constat]:
    for f in annees_closes(contexte):
        cout = f.cout_journalier
        if cout is None:
            continue
        if cout < regles.COUT_JOURNALIER_MINIMUM:
            yield Constat(
                f"{f.annee} : {euros(cout)} par place et par jour, moins de "
                f"{euros(regles.COUT_JOURNALIER_MINIMUM)}.",
                cle=str(f.annee),
            )
        elif f.tarif_cible is not None and cout > f.tarif_cible:
            yield Constat(
                f"{f.annee} : {euros(cout)} par place et par jour, au-dessus du coût "
                f"cible de {euros(f.tarif_cible)}.",
                cle=str(f.annee),
            )


@regle("BUD-09", "Structure en déficit répété", CATEGORIE)
def deficit_repete(contexte: ContexteStructure) -> Iterator[Constat]:
    donnees: DonneesFinancieres | None = contexte.donnees.get("finances")
    if donnees is None or not donnees.en_deficit(contexte.date):
        return
    deficits = [
        f"{annee} ({euros(r)})"
        for annee, r in donnees.resultats(contexte.date)
        if r is not None and r < 0
    ]
    yield Constat(
        "Résultat négatif deux années au moins sur les trois dernières closes : "
        + ", ".join(deficits)
        + "."
    )
