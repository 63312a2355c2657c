"""Small text helpers shared by every part of the business."""

import unicodedata


def normaliser_recherche(texte: str | None) -> str:
    """Lower-case, accent-free, single-spaced form of a text, used for search columns.

    Searching "etienne" finds "Saint-Étienne": both sides go through this function.
    """
    if not texte:
        return ""
    decompose = unicodedata.normalize("NFKD", texte)
    sans_accents = "".join(c for c in decompose if not unicodedata.combining(c))
    remplace = "".join(c if c.isalnum() else " " for c in sans_accents.lower())
    return " ".join(remplace.split())
