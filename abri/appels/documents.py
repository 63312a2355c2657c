"""Letters to candidates: the notification of the commission's decision (or, before
it, the acknowledgement of receipt), in PDF (WeasyPrint, from an HTML template,
fetching nothing) and DOCX (python-docx, built from the same text)."""

from __future__ import annotations

import datetime
import io
from typing import Any, NoReturn

from django.template.loader import render_to_string
from docx import Document as DocumentWord

from abri.appels.models import Candidature, Decision
from abri.ui.templatetags.abri_format import date_fr


def _aucune_ressource(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    raise ValueError(f"ressource externe refusée : {url}")


def paragraphes(candidature: Candidature, aujourd_hui: datetime.date) -> dict[str, Any]:
    """Title and paragraphs of the letter, shared by both formats."""
    appel = candidature.appel
    reference = f"Appel à projets « {appel.intitule} » ({appel.territoire})"
    if candidature.decision:
        titre = "Notification de la décision de la commission"
        corps = {
            Decision.RETENUE: (
                f"Votre candidature est retenue pour {candidature.places_retenues} "
                "places. Les services de l'État vous adresseront le projet de "
                "convention et le calendrier d'ouverture des places."
            ),
            Decision.LISTE_COMPLEMENTAIRE: (
                "Votre candidature est inscrite sur la liste complémentaire : elle "
                "pourra être retenue si des places restent à attribuer."
            ),
            Decision.NON_RETENUE: "Votre candidature n'est pas retenue.",
        }[Decision(candidature.decision)]
        lignes = [corps, f"Motivation : {candidature.motivation}"]
    elif candidature.est_deposee:
        titre = "Accusé de réception de votre candidature"
        depot = candidature.deposee_le
        lignes = [
            "Votre candidature a été reçue"
            + (f" le {date_fr(depot.date())}" if depot else "")
            + f" sous la référence {candidature.accuse}.",
            "Elle sera instruite après la clôture des candidatures, le "
            f"{date_fr(appel.date_cloture)}.",
        ]
    else:
        titre = "Candidature non déposée"
        lignes = ["Cette candidature est un brouillon : elle n'a pas été déposée."]
    return {
        "titre": titre,
        "destinataire": candidature.operateur.nom,
        "reference": reference,
        "lignes": lignes,
        "date": date_fr(aujourd_hui),
    }


def lettre_pdf(candidature: Candidature, aujourd_hui: datetime.date) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "appels/lettre.html", {"lettre": paragraphes(candidature, aujourd_hui)}
    )
    return HTML(string=html, url_fetcher=_aucune_ressource).write_pdf()


def lettre_docx(candidature: Candidature, aujourd_hui: datetime.date) -> bytes:
    lettre = paragraphes(candidature, aujourd_hui)
    document = DocumentWord()
    document.add_paragraph(f"Le {lettre['date']}")
    document.add_paragraph(lettre["destinataire"])
    document.add_heading(lettre["titre"], level=1)
    document.add_paragraph(lettre["reference"])
    for ligne in lettre["lignes"]:
        document.add_paragraph(ligne)
    document.add_paragraph("Pour le préfet, par délégation.")
    tampon = io.BytesIO()
    document.save(tampon)
    return tampon.getvalue()
