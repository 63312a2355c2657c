"""Imports of the park and of accommodation addresses from xlsx or csv files.

Both imports read every row first and collect every error with its file, sheet,
row, column and value (:class:`abri.communs.tableurs.RapportImport`); the analysis is
a dry run that writes nothing and lists the changes it would make; confirming checks
the file again against the base as it is then, inside one transaction, and applies
it whole or not at all, each write journaled by the services of
:mod:`abri.structures.services`.

API for views (``fichier`` is the uploaded file or its bytes, ``nom_fichier`` its
name, whose extension decides the format; ``auteur`` the user, whose perimeter
bounds what the import may touch):

- ``analyser_import_parc(auteur, fichier, nom_fichier) -> ResultatAnalyse``
- ``appliquer_import_parc(auteur, fichier, nom_fichier, *, empreinte: str)
  -> ResultatImport``
- ``modele_import_parc() -> bytes``: the xlsx template to download
- ``analyser_import_adresses(auteur, structure, fichier, nom_fichier)
  -> ResultatAnalyse``
- ``appliquer_import_adresses(auteur, structure, fichier, nom_fichier, *,
  empreinte: str) -> ResultatImport``

A :class:`ResultatAnalyse` has ``est_valide``, ``rapport`` (iterate it for the
errors, ``str()`` of each is a French sentence with its place), ``changements``
(``str()`` of each: "Ligne 4 : création de la structure « … »"), ``crees``,
``modifies``, ``nombre(objet, action)``, ``lignes_ignorees`` (help and example rows
of a template) with ``message_lignes_ignorees`` ("Lignes 2 et 3 ignorées (aide ou
exemple du modèle)."), ``avertissements`` and ``empreinte``. Pass the preview's
``empreinte`` back, as is, when confirming; it is required: if it is empty, or if
the base changed since the preview (the changes, or the recorded data they start
from), nothing is written and the user is asked to look again.
:class:`ResultatImport` adds ``applique``.

Messages never name a structure or an operator outside the author's perimeter.
"""

from abri.structures.imports.adresses import (
    analyser_import_adresses,
    appliquer_import_adresses,
)
from abri.structures.imports.commun import (
    Changement,
    ResultatAnalyse,
    ResultatImport,
)
from abri.structures.imports.parc import analyser_import_parc, appliquer_import_parc
from abri.structures.imports.parc_lignes import modele_import_parc

__all__ = [
    "Changement",
    "ResultatAnalyse",
    "ResultatImport",
    "analyser_import_adresses",
    "analyser_import_parc",
    "appliquer_import_adresses",
    "appliquer_import_parc",
    "modele_import_parc",
]
