"""Drafts of conventions generated from a model: DOCX (docxtpl, from the Word model
national administrators maintain, or the default one built here) and PDF
(WeasyPrint, from an HTML template).

Placeholders a Word model may use (Jinja syntax of docxtpl): ``structure``,
``type_structure``, ``adresse``, ``departement``, ``operateur``, ``siret``,
``places``, ``date_debut``, ``date_fin``, ``duree``, ``dotation``,
``dotation_en_lettres``, ``reference``, ``nature``.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from docx import Document as DocumentWord
from docx.shared import Pt
from docxtpl import DocxTemplate
from num2words import num2words

from abri.conventions import regles
from abri.conventions.models import Acte, ModeleDocument
from abri.structures.services import capacite_au
from abri.ui.templatetags.abri_format import date_fr, euros


def adresse_postale(structure: Any) -> str:
    """``53 boulevard Voltaire, 44380 Pornichet``: the street, then the postcode
    and the commune."""
    commune = structure.commune.nom if structure.commune_id else ""
    ville = " ".join(p for p in (structure.code_postal, commune) if p)
    return ", ".join(p for p in (structure.adresse.strip(), ville) if p)


def _nombre_de(nombre: int, unite: str) -> str:
    """``un euro``, ``mille euros``, ``un million d'euros`` (« de » after a
    million or a billion)."""
    lettres = num2words(nombre, lang="fr")
    pluriel = unite if nombre in (0, 1) else unite + "s"
    if lettres.endswith(("million", "millions", "milliard", "milliards")):
        return (
            f"{lettres} d'{pluriel}"
            if unite[0] in "aeiou"
            else f"{lettres} de {pluriel}"
        )
    return f"{lettres} {pluriel}"


def euros_en_lettres(montant: Decimal) -> str:
    """``1000`` → ``mille euros``; ``1234.50`` → ``mille deux cent trente-quatre
    euros et cinquante centimes``: no « zéro centime » for a round amount."""
    centimes_total = int((montant * 100).to_integral_value())
    euros_entiers, centimes = divmod(centimes_total, 100)
    texte = _nombre_de(euros_entiers, "euro")
    if centimes:
        texte += " et " + _nombre_de(centimes, "centime")
    return texte


def contexte_brouillon(acte: Acte) -> dict[str, Any]:
    structure = acte.structure
    assert structure is not None
    places = acte.places
    if places is None:
        places = capacite_au(structure, acte.date_debut).places_autorisees
    dotation: Decimal | None = acte.dotation
    return {
        "nature": acte.get_nature_display(),
        "reference": acte.reference or "(à attribuer)",
        "structure": structure.nom,
        "type_structure": structure.type,
        "adresse": adresse_postale(structure),
        "departement": structure.departement.nom,
        "operateur": structure.operateur.nom,
        "siret": structure.operateur.siret or "",
        "places": places,
        "date_debut": date_fr(acte.date_debut),
        "date_fin": date_fr(acte.date_fin) if acte.date_fin else "",
        "duree": regles.duree_lisible(acte.date_debut, acte.date_fin)
        if acte.date_fin
        else "",
        "dotation": euros(dotation) if dotation is not None else "(à fixer)",
        "dotation_en_lettres": euros_en_lettres(dotation)
        if dotation is not None
        else "",
        "date_generation": date_fr(datetime.date.today()),
    }


PARAGRAPHES_DEFAUT = (
    ("titre", "{{ nature }} {{ reference }}"),
    ("sous-titre", "Entre l'État et {{ operateur }}"),
    (
        "texte",
        "Entre l'État, représenté par le préfet (département : "
        "{{ departement }}), d'une part, et "
        "{{ operateur }} (SIRET {{ siret }}), gestionnaire, d'autre part,",
    ),
    ("texte", "il est convenu ce qui suit."),
    ("article", "Article 1 — Objet"),
    (
        "texte",
        "La présente convention fixe les conditions de fonctionnement et de "
        "financement de la structure {{ structure }} ({{ type_structure }}), "
        "{{ adresse }}.",
    ),
    ("article", "Article 2 — Capacité"),
    ("texte", "La structure accueille {{ places }} places."),
    ("article", "Article 3 — Durée"),
    (
        "texte",
        "La convention prend effet le {{ date_debut }} et s'achève le "
        "{{ date_fin }}, soit une durée de {{ duree }}.",
    ),
    ("article", "Article 4 — Financement"),
    (
        "texte",
        "L'État alloue une dotation annuelle de {{ dotation }} "
        "({{ dotation_en_lettres }}).",
    ),
    ("texte", "Projet établi le {{ date_generation }}."),
)


def modele_par_defaut() -> bytes:
    """The default Word model, built in code (no third-party document)."""
    document = DocumentWord()
    for genre, texte in PARAGRAPHES_DEFAUT:
        if genre == "titre":
            document.add_heading(texte, level=0)
        elif genre == "sous-titre":
            document.add_heading(texte, level=2)
        elif genre == "article":
            document.add_heading(texte, level=1)
        else:
            paragraphe = document.add_paragraph(texte)
            for morceau in paragraphe.runs:
                morceau.font.size = Pt(11)
    tampon = io.BytesIO()
    document.save(tampon)
    return tampon.getvalue()


def _modele() -> io.BytesIO:
    modele = (
        ModeleDocument.objects.filter(actif=True).order_by("-cree_le", "-id").first()
    )
    if modele is not None:
        with modele.fichier.open("rb") as fichier:
            return io.BytesIO(fichier.read())
    return io.BytesIO(modele_par_defaut())


def brouillon_docx(acte: Acte) -> bytes:
    gabarit = DocxTemplate(_modele())
    gabarit.render(contexte_brouillon(acte))
    tampon = io.BytesIO()
    gabarit.save(tampon)
    return tampon.getvalue()


def brouillon_pdf(acte: Acte) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "conventions/brouillon_pdf.html", {"c": contexte_brouillon(acte)}
    )
    return HTML(string=html).write_pdf()
