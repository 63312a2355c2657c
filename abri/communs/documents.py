"""Documents deposited in the product (signed acts, budget documents): one check
and one storage for every app.

- The type is read from the content (magic bytes, and the inside of office zip
  archives), never from the name alone; the name must then carry an extension of
  that type.
- The size is bounded by ``settings.DOCUMENTS_MAX_BYTES``, the limit shown in every
  upload form being the one enforced; an upload is read no further than the limit
  plus one byte.
- Files live in the ``documents`` storage of ``STORAGES`` (file system under
  MEDIA_ROOT, outside the web root, or an S3-compatible bucket) under a random name,
  each app under its own prefix; they are served only by views that check the
  perimeter, through the storage (never through a local path).
"""

from __future__ import annotations

import io
import os
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import Storage, storages

from abri.communs.erreurs import ErreurMetier


@dataclass(frozen=True)
class TypeDocument:
    libelle: str
    type_contenu: str
    extensions: tuple[str, ...]


PDF = TypeDocument("PDF", "application/pdf", (".pdf",))
PNG = TypeDocument("image PNG", "image/png", (".png",))
JPEG = TypeDocument("image JPEG", "image/jpeg", (".jpg", ".jpeg"))
DOCX = TypeDocument(
    "document Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
XLSX = TypeDocument(
    "classeur Excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    (".xlsx",),
)
ODT = TypeDocument(
    "document OpenDocument", "application/vnd.oasis.opendocument.text", (".odt",)
)
ODS = TypeDocument(
    "classeur OpenDocument",
    "application/vnd.oasis.opendocument.spreadsheet",
    (".ods",),
)
ANCIEN_OFFICE = TypeDocument(
    "document Office 97-2003", "application/octet-stream", (".doc", ".xls")
)
ACCEPTES = (
    "PDF, PNG, JPEG, Word (.docx, .doc), Excel (.xlsx, .xls), OpenDocument (.odt, .ods)"
)
_OPENDOCUMENT = {t.type_contenu.encode(): t for t in (ODT, ODS)}


def taille_max() -> int:
    return settings.DOCUMENTS_MAX_BYTES


def taille_lisible(octets: int) -> str:
    """``10 Mo``, ``1,5 Mo``, ``512 ko``."""
    if octets >= 1024 * 1024:
        valeur = octets / (1024 * 1024)
        return (
            f"{valeur:.0f} Mo"
            if valeur.is_integer()
            else f"{valeur:.1f} Mo".replace(".", ",")
        )
    if octets >= 1024:
        return f"{octets // 1024} ko"
    return f"{octets} octet{'s' if octets > 1 else ''}"


def aide_depot() -> str:
    """The hint of an upload field: the formats and the limit enforced now."""
    limite = taille_lisible(taille_max())
    return f"Formats acceptés : {ACCEPTES}. Taille maximale : {limite}."


def _zip(contenu: bytes) -> TypeDocument | None:
    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            noms = set(archive.namelist())
            if "word/document.xml" in noms:
                return DOCX
            if "xl/workbook.xml" in noms:
                return XLSX
            if "mimetype" in noms:
                return _OPENDOCUMENT.get(archive.read("mimetype").strip())
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    return None


def type_du_contenu(contenu: bytes) -> TypeDocument | None:
    """The type the bytes say, ``None`` when it is none of the accepted ones."""
    if contenu.startswith(b"%PDF-"):
        return PDF
    if contenu.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if contenu.startswith(b"\xff\xd8\xff"):
        return JPEG
    if contenu.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return ANCIEN_OFFICE
    if contenu.startswith(b"PK\x03\x04"):
        return _zip(contenu)
    return None


def verifier_fichier(nom: str, contenu: bytes) -> TypeDocument:
    """The document's type, or :class:`ErreurMetier` (on ``fichier``) saying why it
    is refused: empty, too large, of no accepted type, or named as another type."""
    if not contenu:
        raise ErreurMetier("Le fichier est vide.", "fichier")
    if len(contenu) > taille_max():
        raise ErreurMetier(
            f"Le fichier dépasse la taille maximale de {taille_lisible(taille_max())}.",
            "fichier",
        )
    type_document = type_du_contenu(contenu)
    if type_document is None:
        raise ErreurMetier(
            f"Ce fichier n'est pas d'un type accepté ({ACCEPTES}).", "fichier"
        )
    extension = PurePath(nom).suffix.lower()
    if extension not in type_document.extensions:
        raise ErreurMetier(
            f"Le contenu est un {type_document.libelle} mais le nom finit par "
            f"« {extension or 'rien'} » : renommez-le en "
            f"{' ou '.join(type_document.extensions)}.",
            "fichier",
        )
    return type_document


def lire(fichier: IO[bytes] | Any) -> bytes:
    """Read an upload from its start, never more than the limit plus one byte (enough
    to refuse a larger file)."""
    if hasattr(fichier, "seek"):
        fichier.seek(0)
    return fichier.read(taille_max() + 1)


def nom_propre(nom: str | None) -> str:
    """The user's file name without any folder, as shown (never used as a path)."""
    return PurePath((nom or "").replace("\\", "/")).name[:200] or "document"


def nom_aleatoire(nom: str) -> str:
    """A random file name keeping the extension of ``nom``."""
    return f"{uuid.uuid4().hex}{PurePath(nom).suffix.lower()}"


def chemin_aleatoire(prefixe: str, nom: str) -> str:
    """A random name under ``prefixe`` keeping the extension of ``nom``."""
    return f"{prefixe}/{nom_aleatoire(nom)}"


class StockageDocuments(Storage):
    """Hands every call to the ``documents`` storage as configured at the time of
    the call, so that a file field follows a change of settings (tests, bucket)."""

    @property
    def _actuel(self) -> Storage:
        return storages["documents"]

    def save(
        self, name: str | None, content: Any, max_length: int | None = None
    ) -> str:
        return self._actuel.save(name, content, max_length=max_length)

    def open(self, name: str, mode: str = "rb") -> Any:
        return self._actuel.open(name, mode)

    def delete(self, name: str) -> None:
        self._actuel.delete(name)

    def exists(self, name: str) -> bool:
        return self._actuel.exists(name)

    def size(self, name: str) -> int:
        return self._actuel.size(name)

    def url(self, name: str | None) -> str:
        return self._actuel.url(name)

    def generate_filename(self, filename: str | os.PathLike[str]) -> str:
        return self._actuel.generate_filename(filename)

    def deconstruct(self) -> tuple[str, tuple[()], dict[str, Any]]:
        return ("abri.communs.documents.StockageDocuments", (), {})


_STOCKAGE = StockageDocuments()


def stockage_documents() -> Storage:
    """The ``documents`` storage as configured now (file system or bucket)."""
    return _STOCKAGE
