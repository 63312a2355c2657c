"""The figures a renewal decision reads, from the occupancy and finance parts.

Both functions answer ``None`` until those parts are wired in: the renewal screen
then says the figures are unknown, and no motivation is required for lack of them.

- ``occupation_recente(structure)``: the latest month of occupancy (an object with
  ``mois`` and ``taux_occupation``), or ``None``;
- ``resultats_recents(structure, aujourdhui)``: the results of the last three closed
  years, oldest first, ``[(annee, Decimal | None), ...]``, or ``None``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any


def occupation_recente(structure: Any) -> Any | None:
    return None


def resultats_recents(
    structure: Any, aujourdhui: datetime.date
) -> list[tuple[int, Decimal | None]] | None:
    return None
