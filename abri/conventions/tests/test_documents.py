import io
import zipfile

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from abri.communs import documents as fichiers
from abri.communs.erreurs import ErreurMetier
from abri.communs.tests.stockage import bucket, cles
from abri.conventions import documents
from abri.conventions.models import Document

__all__ = ["bucket"]  # the fixture

PDF = b"%PDF-1.7\n% convention signee\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20


def _docx() -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return tampon.getvalue()


@pytest.mark.parametrize(
    ("nom", "contenu", "type_contenu"),
    [
        ("convention.pdf", PDF, "application/pdf"),
        ("scan.PNG", PNG, "image/png"),
        ("scan.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 10, "image/jpeg"),
        ("avenant.docx", _docx(), fichiers.DOCX.type_contenu),
    ],
)
def test_accepted_types_are_recognised_by_content(nom, contenu, type_contenu):
    assert fichiers.verifier_fichier(nom, contenu).type_contenu == type_contenu


def test_a_renamed_executable_is_refused():
    with pytest.raises(ErreurMetier, match="pas d'un type accepté"):
        fichiers.verifier_fichier("convention.pdf", b"MZ\x90\x00" + b"\x00" * 50)


def test_a_zip_that_is_no_office_file_is_refused():
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as archive:
        archive.writestr("script.sh", "echo")
    with pytest.raises(ErreurMetier, match="pas d'un type accepté"):
        fichiers.verifier_fichier("avenant.docx", tampon.getvalue())


def test_a_pdf_named_as_an_image_is_refused():
    with pytest.raises(ErreurMetier, match=r"renommez-le en \.pdf"):
        fichiers.verifier_fichier("scan.png", PDF)


def test_the_limit_shown_is_the_limit_enforced(settings):
    settings.DOCUMENTS_MAX_BYTES = 1024 * 1024
    assert fichiers.taille_lisible(fichiers.taille_max()) == "1 Mo"

    fichiers.verifier_fichier("a.pdf", PDF + b"x" * (1024 * 1024 - len(PDF)))
    with pytest.raises(ErreurMetier, match="taille maximale de 1 Mo"):
        fichiers.verifier_fichier("a.pdf", PDF + b"x" * (1024 * 1024 - len(PDF) + 1))


def test_upload_and_download_through_the_act_page(client, agent_rhone, convention_cada):
    client.force_login(agent_rhone)

    client.post(
        reverse("conventions:deposer", args=[convention_cada.pk]),
        {"fichier": SimpleUploadedFile("signée.pdf", PDF)},
    )
    document = Document.objects.get()
    reponse = client.get(reverse("conventions:document", args=[document.pk]))

    assert document.nom == "signée.pdf"
    assert not document.chemin.endswith("signée.pdf")
    assert b"".join(reponse.streaming_content) == PDF
    assert "attachment" in reponse["Content-Disposition"]


def test_act_page_shows_the_enforced_limit(
    client, agent_rhone, convention_cada, settings
):
    settings.DOCUMENTS_MAX_BYTES = 3 * 1024 * 1024
    client.force_login(agent_rhone)

    reponse = client.get(reverse("conventions:acte", args=[convention_cada.pk]))

    assert "Taille maximale : 3 Mo" in reponse.content.decode()


def test_refused_upload_says_why(client, agent_rhone, convention_cada):
    client.force_login(agent_rhone)

    reponse = client.post(
        reverse("conventions:deposer", args=[convention_cada.pk]),
        {"fichier": SimpleUploadedFile("virus.pdf", b"MZ" + b"\x00" * 30)},
        follow=True,
    )

    assert "pas d&#x27;un type accepté" in reponse.content.decode()
    assert not Document.objects.exists()


def test_agent_of_another_departement_cannot_download(
    client, agent_rhone, agent_loire, convention_cada
):
    document = documents.deposer_document(agent_rhone, convention_cada, "c.pdf", PDF)
    client.force_login(agent_loire)

    assert (
        client.get(reverse("conventions:document", args=[document.pk])).status_code
        == 404
    )


def test_documents_go_to_the_bucket_when_configured(
    client, agent_rhone, convention_cada, bucket
):
    document = documents.deposer_document(agent_rhone, convention_cada, "c.pdf", PDF)

    assert cles(bucket) == [f"documents/{document.chemin}"]
    assert storages["documents"].__class__.__name__ == "S3Storage"

    client.force_login(agent_rhone)
    reponse = client.get(reverse("conventions:document", args=[document.pk]))
    assert b"".join(reponse.streaming_content) == PDF
