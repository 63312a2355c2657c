import datetime

import pytest

from abri.conventions.models import Acte, Etat, NatureActe

D = datetime.date
DEBUT = D(2022, 1, 1)
FIN = D(2026, 12, 31)


def acte(
    structure,
    nature=NatureActe.CONVENTION,
    debut=DEBUT,
    fin=FIN,
    etat=Etat.SIGNEE,
    **autres,
) -> Acte:
    return Acte.objects.create(
        structure=structure,
        nature=nature,
        date_debut=debut,
        date_fin=fin,
        etat=etat,
        **autres,
    )


@pytest.fixture
def convention_cada(parc):
    return acte(parc.cada_rhone, reference="CONV-69-001", places=80, dotation=1000)
