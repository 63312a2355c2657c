"""Import of the monthly occupancy file (xlsx or csv), in two steps as the park's.

- ``analyser_import_activite(auteur, fichier, nom_fichier) -> AnalyseActivite``:
  a dry run listing every error (sheet, row, column, value), the months the file
  brings, the unknown codes kept pending and the warnings;
- ``appliquer_import_activite(auteur, fichier, nom_fichier, *, empreinte)
  -> ResultatImportActivite``: checks the file again against the base as it is now,
  refuses it if the preview's ``empreinte`` differs, and applies it whole or not at
  all;
- ``ecrire_fichier_activite(feuilles, *, titre) -> bytes``: a workbook in the file's
  real layout (title above the header, one sheet per entry), for the demonstration
  sample and the benchmark.
"""

from abri.activite.imports.mensuel import (
    AnalyseActivite,
    ResultatImportActivite,
    analyser_import_activite,
    appliquer_import_activite,
)
from abri.activite.imports.modele import ENTETES, ecrire_fichier_activite

__all__ = [
    "ENTETES",
    "AnalyseActivite",
    "ResultatImportActivite",
    "analyser_import_activite",
    "appliquer_import_activite",
    "ecrire_fichier_activite",
]
