import datetime

import pytest

from abri.communs.erreurs import ErreurMetier
from abri.conventions import services
from abri.conventions.models import Cpom, Etat

D = datetime.date
DEBUT = D(2022, 1, 1)
FIN = D(2026, 12, 31)


def _cpom(parc, intitule, debut=DEBUT, fin=FIN):
    cpom = Cpom.objects.create(
        operateur=parc.association,
        echelle="interdepartementale",
        intitule=intitule,
        date_debut=debut,
        date_fin=fin,
        etat=Etat.SIGNEE,
    )
    cpom.departements.set([parc.ain, parc.loire_atlantique])
    return cpom


def test_a_structure_is_never_in_two_cpom_on_one_date(parc, national):
    premier = _cpom(parc, "Premier")
    second = _cpom(parc, "Second", D(2025, 1, 1), D(2029, 12, 31))
    services.ajouter_structure_cpom(national, premier, parc.huda_ain, D(2022, 1, 1))

    with pytest.raises(ErreurMetier, match="jamais dans deux CPOM"):
        services.ajouter_structure_cpom(national, second, parc.huda_ain, D(2025, 1, 1))


def test_a_structure_moves_to_the_next_cpom_after_leaving(parc, national):
    premier = _cpom(parc, "Premier")
    second = _cpom(parc, "Second", D(2025, 1, 1), D(2029, 12, 31))
    adhesion = services.ajouter_structure_cpom(
        national, premier, parc.huda_ain, D(2022, 1, 1)
    )

    services.retirer_structure_cpom(national, adhesion, D(2024, 12, 31))
    services.ajouter_structure_cpom(national, second, parc.huda_ain, D(2025, 1, 1))

    assert parc.huda_ain.adhesions_cpom.count() == 2


def test_a_cpom_binds_one_operator(parc, national):
    cpom = _cpom(parc, "Premier")
    cpom.departements.add(parc.rhone)

    with pytest.raises(ErreurMetier, match="un CPOM lie un seul opérateur"):
        services.ajouter_structure_cpom(national, cpom, parc.cada_rhone, D(2022, 1, 1))


def test_a_structure_outside_the_cpom_departements_is_refused(parc, national):
    cpom = _cpom(parc, "Premier")
    cpom.departements.set([parc.ain])

    with pytest.raises(ErreurMetier, match="hors des départements"):
        services.ajouter_structure_cpom(national, cpom, parc.huda_loire, D(2022, 1, 1))


def test_a_cpom_lasts_five_years_at_most(parc, national):
    with pytest.raises(ErreurMetier, match="au plus 5 ans"):
        services.creer_cpom(
            national,
            parc.association,
            {
                "intitule": "Long",
                "echelle": "regionale",
                "date_debut": D(2025, 1, 1),
                "date_fin": D(2030, 1, 1),
            },
            [parc.ain],
        )


def test_operator_signs_a_cpom_then_the_state(parc, national, operateur):
    cpom = services.creer_cpom(
        national,
        parc.groupe,
        {
            "intitule": "Groupe",
            "echelle": "regionale",
            "date_debut": D(2025, 1, 1),
            "date_fin": D(2029, 12, 31),
        },
        [parc.paris],
    )
    services.franchir(national, cpom, "envoyer")
    services.franchir(operateur, cpom, "signer_operateur")
    cpom = services.franchir(national, cpom, "signer_etat")

    assert cpom.etat == Etat.SIGNEE
    assert cpom.en_vigueur_le(D(2025, 1, 1))
