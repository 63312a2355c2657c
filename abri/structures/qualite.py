"""Data-quality rules on the identity and capacity of structures."""

from collections.abc import Iterator

from django.conf import settings

from abri.pilotage.regles_qualite import Constat, ContexteStructure, regle
from abri.structures import regles
from abri.structures.models import TYPES_AUTORISES

CATEGORIE_CAPACITE = "Capacité"
CATEGORIE_CODES = "Codes et identifiants"

LIBELLES_SPECIALISES = {
    "pmr": ("places_pmr", "places PMR"),
    "lgbt": ("places_lgbt", "places LGBT"),
    "fvv_teh": ("places_fvv_teh", "places FVV-TEH"),
}


@regle(
    "CAP-01",
    "Places spécialisées supérieures aux places autorisées",
    CATEGORIE_CAPACITE,
)
def places_specialisees_excessives(contexte: ContexteStructure) -> Iterator[Constat]:
    autorisees = contexte.capacite.places_autorisees
    for cle, (champ, libelle) in LIBELLES_SPECIALISES.items():
        places = getattr(contexte.capacite, champ)
        if places > autorisees:
            yield Constat(
                f"{places} {libelle} pour {autorisees} places autorisées.", cle=cle
            )


@regle(
    "CAP-02",
    "Places des adresses éloignées de plus de 10 % des places autorisées",
    CATEGORIE_CAPACITE,
)
def ecart_places_adresses(contexte: ContexteStructure) -> Iterator[Constat]:
    if contexte.nombre_adresses == 0:
        return
    autorisees = contexte.capacite.places_autorisees
    if regles.ecart_adresses_excessif(
        contexte.places_adresses, autorisees, settings.ABRI_ECART_ADRESSES_TOLERE
    ):
        yield Constat(
            f"Les adresses d'hébergement totalisent {contexte.places_adresses} places "
            f"pour {autorisees} places autorisées."
        )


@regle("DNA-01", "Code DNA incohérent avec le département", CATEGORIE_CODES)
def code_dna_incoherent(contexte: ContexteStructure) -> Iterator[Constat]:
    attendu = regles.prefixe_departement_dna(contexte.departement_code)
    for code in contexte.codes_dna:
        if not regles.code_dna_coherent(code, contexte.departement_code):
            yield Constat(
                f"Le code {code} désigne le département {code[1:3]}, la structure est "
                f"dans le {contexte.departement_code} (chiffres {attendu} attendus).",
                cle=code,
            )


@regle("DNA-02", "Plusieurs codes DNA", CATEGORIE_CODES)
def plusieurs_codes_dna(contexte: ContexteStructure) -> Iterator[Constat]:
    if len(contexte.codes_dna) > 1:
        yield Constat(
            f"{len(contexte.codes_dna)} codes DNA : {', '.join(contexte.codes_dna)}."
        )


@regle(
    "FIN-01",
    "Numéro FINESS absent ou incohérent avec le département",
    CATEGORIE_CODES,
    types=TYPES_AUTORISES,
)
def finess_incoherent(contexte: ContexteStructure) -> Iterator[Constat]:
    if not contexte.finess:
        yield Constat("Établissement autorisé sans numéro FINESS.", cle="absent")
    elif not regles.finess_valide(contexte.finess, contexte.departement_code):
        prefixe = regles.prefixe_finess(contexte.departement_code)
        yield Constat(
            f"Le numéro FINESS {contexte.finess} ne commence pas par {prefixe}.",
            cle="prefixe",
        )
