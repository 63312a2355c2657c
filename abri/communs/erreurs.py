"""Errors raised by services and understood by views."""

from typing import Any


class ErreurMetier(Exception):
    """A business rule refuses the operation; the message is shown to the user."""

    def __init__(self, message: str, champ: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.champ = champ


class ModificationConcurrente(Exception):
    """The record changed since the user loaded it.

    ``changements`` lists what the other writers changed meanwhile, as journal entries
    ``{"auteur", "horodatage", "changements"}``, so that the second writer sees what
    changed and keeps what they typed.
    """

    def __init__(
        self, version_actuelle: int, changements: list[dict[str, Any]]
    ) -> None:
        super().__init__("L'enregistrement a été modifié entre-temps.")
        self.version_actuelle = version_actuelle
        self.changements = changements
