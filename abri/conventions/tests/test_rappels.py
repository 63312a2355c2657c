import datetime

from django.core import mail
from django.core.management import call_command

from abri.conventions.models import EnvoiEcheance
from abri.conventions.tests.conftest import acte

D = datetime.date


def test_digest_is_sent_once_a_day(parc, agent_rhone, agent_loire, national):
    acte(parc.cada_rhone, debut=D(2021, 1, 1), fin=D(2025, 12, 31), reference="C69")

    call_command("envoyer_rappels_echeances", "--date", "2026-03-01")
    call_command("envoyer_rappels_echeances", "--date", "2026-03-01")

    destinataires = sorted(m.to[0] for m in mail.outbox)
    assert destinataires == ["national@abri.test", "rhone@abri.test"]
    assert "C69" in mail.outbox[0].body
    assert EnvoiEcheance.objects.count() == 2


def test_an_important_deadline_becoming_urgent_is_sent_again(parc, agent_rhone):
    acte(parc.cada_rhone, debut=D(2022, 1, 1), fin=D(2026, 12, 31))

    call_command("envoyer_rappels_echeances", "--date", "2026-09-01")
    call_command("envoyer_rappels_echeances", "--date", "2026-10-01")
    call_command("envoyer_rappels_echeances", "--date", "2027-01-01")

    assert len(mail.outbox) == 2
    assert "Importantes" in mail.outbox[0].body
    assert "Urgentes" in mail.outbox[1].body


def test_operators_and_readers_get_no_digest(parc, operateur, lecteur):
    acte(parc.cph_paris, debut=D(2021, 1, 1), fin=D(2025, 12, 31))

    call_command("envoyer_rappels_echeances", "--date", "2026-03-01")

    assert mail.outbox == []


def test_dry_run_sends_nothing(parc, agent_rhone):
    acte(parc.cada_rhone, debut=D(2021, 1, 1), fin=D(2025, 12, 31))

    call_command("envoyer_rappels_echeances", "--date", "2026-03-01", "--dry-run")

    assert mail.outbox == []
    assert not EnvoiEcheance.objects.exists()


def test_daily_job_records_expired_acts(parc, agent_rhone):
    from abri.conventions.models import Acte, Etat
    from abri.journal.models import EntreeJournal

    passee = acte(parc.cada_rhone, debut=D(2021, 1, 1), fin=D(2025, 12, 31))
    en_cours = acte(parc.huda_ain, debut=D(2024, 1, 1), fin=D(2026, 12, 31))

    call_command("envoyer_rappels_echeances", "--date", "2026-01-01")
    call_command("envoyer_rappels_echeances", "--date", "2026-01-01")

    assert Acte.objects.get(pk=passee.pk).etat == Etat.ECHUE
    assert Acte.objects.get(pk=en_cours.pk).etat == Etat.SIGNEE
    entree = EntreeJournal.objects.get(object_id=str(passee.pk))
    assert entree.auteur is None and entree.changements["etat"] == ["signee", "echue"]


def test_digest_links_follow_the_setting_or_the_url_option(parc, agent_rhone, settings):
    acte(parc.cada_rhone, debut=D(2021, 1, 1), fin=D(2025, 12, 31), reference="C69")
    settings.ABRI_URL_PUBLIQUE = "http://127.0.0.1:8820/"

    call_command("envoyer_rappels_echeances", "--date", "2026-03-01")
    EnvoiEcheance.objects.all().delete()
    call_command(
        "envoyer_rappels_echeances",
        "--date",
        "2026-03-01",
        "--url",
        "https://abri.example.gouv.fr",
    )

    premier, second = (m.body for m in mail.outbox)
    assert "http://127.0.0.1:8820/conventions/echeances/" in premier
    assert "https://abri.example.gouv.fr/conventions/echeances/" in second
    assert "127.0.0.1:8000" not in premier + second
