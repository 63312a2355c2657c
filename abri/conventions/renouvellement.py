"""The figures a renewal decision reads, from the occupancy and finance parts.

- ``occupation_recente(structure)``: the latest month of occupancy declared for the
  structure (``abri.activite.queries.derniere_activite``: month, capacity, occupied
  and vacant places, occupancy rate), or ``None`` when no month is known;
- ``resultats_recents(structure, aujourdhui)``: the results of the last three closed
  years, oldest first, ``[(annee, Decimal | None), ...]`` (``None`` where the accounts
  are not known), from ``abri.finances.queries.situation_financiere``;
- ``en_deficit(resultats)``: the one rule of the product for a structure in deficit
  (``abri.finances.regles.en_deficit``: a negative result in at least two of the
  three years), ``None`` when no year is known.

A renewal of a structure in deficit needs a written motivation; with unknown results
the decision rests on the agent and no motivation is required.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from abri.activite.queries import ActiviteStructure, derniere_activite
from abri.finances import regles as regles_finances
from abri.finances.queries import situation_financiere
from abri.structures.models import Structure


def occupation_recente(structure: Structure | None) -> ActiviteStructure | None:
    if structure is None:
        return None
    return derniere_activite(structure)


def resultats_recents(
    structure: Structure | None, aujourdhui: datetime.date
) -> list[tuple[int, Decimal | None]] | None:
    if structure is None:
        return None
    return situation_financiere(structure, aujourdhui).resultats


def en_deficit(resultats: Sequence[tuple[int, Decimal | None]]) -> bool | None:
    return regles_finances.en_deficit([resultat for _, resultat in resultats])
