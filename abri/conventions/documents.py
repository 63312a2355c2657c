"""Signed documents of acts: their type is checked from their content (magic bytes),
not from their name alone; their size against ``settings.DOCUMENTS_MAX_BYTES``;
they are stored under a random name in the ``documents`` storage (file system under
MEDIA_ROOT, outside the web root, or an S3-compatible bucket) and served only by a
view that checks the perimeter.
"""

from __future__ import annotations

import io
import logging
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from abri.communs.erreurs import ErreurMetier
from abri.comptes.droits import peut_deposer_document
from abri.conventions.models import Acte, Cpom, Document, stockage_documents
from abri.journal.models import Action
from abri.journal.services import enregistrer

logger = logging.getLogger(__name__)


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
ANCIEN_OFFICE = TypeDocument(
    "document Office 97-2003", "application/octet-stream", (".doc", ".xls")
)
ACCEPTES = (
    "PDF, PNG, JPEG, Word (.docx, .doc), Excel (.xlsx, .xls), OpenDocument (.odt)"
)


def taille_max() -> int:
    return settings.DOCUMENTS_MAX_BYTES


def taille_lisible(octets: int) -> str:
    if octets >= 1024 * 1024:
        valeur = octets / (1024 * 1024)
        return (
            f"{valeur:.0f} Mo"
            if valeur.is_integer()
            else f"{valeur:.1f} Mo".replace(".", ",")
        )
    return f"{octets // 1024} ko"


def _zip(contenu: bytes) -> TypeDocument | None:
    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            noms = set(archive.namelist())
            if "word/document.xml" in noms:
                return DOCX
            if "xl/workbook.xml" in noms:
                return XLSX
            if "mimetype" in noms and archive.read("mimetype").strip() == (
                ODT.type_contenu.encode()
            ):
                return ODT
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    return None


def type_du_contenu(contenu: bytes) -> TypeDocument | None:
    """The type the first bytes say, ``None`` when it is none of the accepted ones."""
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
    """The document's type, or :class:`ErreurMetier` saying why it is refused."""
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
    """Read an upload, never more than the limit plus one byte."""
    contenu = fichier.read(taille_max() + 1)
    return contenu


def deposer_document(
    auteur: Any, obj: Acte | Cpom, nom: str, contenu: bytes
) -> Document:
    if not peut_deposer_document(auteur):
        raise ErreurMetier("Vous ne pouvez pas déposer de document.")
    type_document = verifier_fichier(nom, contenu)
    nom_propre = PurePath(nom.replace("\\", "/")).name[:200] or "document"
    stockage = stockage_documents()
    with transaction.atomic():
        chemin = stockage.save(
            f"actes/{uuid.uuid4().hex}{PurePath(nom_propre).suffix.lower()}",
            ContentFile(contenu),
        )
        try:
            document = Document.objects.create(
                acte=obj if isinstance(obj, Acte) else None,
                cpom=obj if isinstance(obj, Cpom) else None,
                chemin=chemin,
                nom=nom_propre,
                type_contenu=type_document.type_contenu,
                taille=len(contenu),
                depose_par=auteur
                if getattr(auteur, "is_authenticated", False)
                else None,
            )
            enregistrer(
                auteur,
                Action.CREATION,
                document,
                {"nom": [None, nom_propre]},
                commentaire=f"Document déposé sur {obj}",
                structure_id=obj.structure_id if isinstance(obj, Acte) else None,
            )
        except Exception:
            stockage.delete(chemin)
            raise
    logger.info("document %s stored for %s %s", document.pk, type(obj).__name__, obj.pk)
    return document


def ouvrir(document: Document) -> IO[bytes]:
    return stockage_documents().open(document.chemin, "rb")
