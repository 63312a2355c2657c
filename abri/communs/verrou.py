"""One writer at a time for work that several web processes or machines may start."""

import hashlib

from django.db import connection


def verrou_exclusif(nom: str) -> None:
    """Hold a lock named ``nom`` until the current transaction ends (call it inside
    ``transaction.atomic``). PostgreSQL takes an advisory lock, shared by every
    machine that serves the application; SQLite already serialises its writers."""
    if connection.vendor != "postgresql":
        return
    cle = int.from_bytes(hashlib.sha256(nom.encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as curseur:
        curseur.execute("SELECT pg_advisory_xact_lock(%s)", [cle])
