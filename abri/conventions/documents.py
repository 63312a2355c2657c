"""Signed documents of acts and CPOM: checked, named and stored as every document
of the product (``abri.communs.documents``: type read from the content, size bounded
by ``settings.DOCUMENTS_MAX_BYTES``, random name under ``actes/`` in the
``documents`` storage), served only by a view that checks the perimeter.
"""

from __future__ import annotations

import logging
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction

from abri.communs import documents as fichiers
from abri.communs.erreurs import ErreurMetier
from abri.comptes.droits import peut_deposer_document
from abri.conventions.models import Acte, Cpom, Document
from abri.journal.models import Action
from abri.journal.services import enregistrer

logger = logging.getLogger(__name__)


def deposer_document(
    auteur: Any, obj: Acte | Cpom, nom: str, contenu: bytes
) -> Document:
    if not peut_deposer_document(auteur):
        raise ErreurMetier("Vous ne pouvez pas déposer de document.")
    type_document = fichiers.verifier_fichier(nom, contenu)
    nom_propre = fichiers.nom_propre(nom)
    stockage = fichiers.stockage_documents()
    with transaction.atomic():
        chemin = stockage.save(
            fichiers.chemin_aleatoire("actes", nom_propre),
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
    return fichiers.stockage_documents().open(document.chemin, "rb")
