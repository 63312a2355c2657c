import pytest
from django.urls import reverse

from abri.comptes.proconnect import ProConnectBackend

CONNEXION = "comptes:connexion"


def test_agent_logs_in_with_email_and_password(client, agent_rhone):
    reponse = client.post(
        reverse(CONNEXION),
        {"username": "rhone@abri.test", "password": "mot-de-passe-de-test"},
    )

    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("pilotage:accueil")


def test_email_is_case_insensitive_at_login(client, agent_rhone):
    reponse = client.post(
        reverse(CONNEXION),
        {"username": "Rhone@ABRI.test", "password": "mot-de-passe-de-test"},
    )

    assert reponse.status_code == 302


def test_wrong_password_says_so_in_french(client, agent_rhone):
    reponse = client.post(
        reverse(CONNEXION), {"username": "rhone@abri.test", "password": "faux"}
    )

    assert "mot de passe incorrect" in reponse.content.decode()


def test_account_is_locked_after_repeated_failures(client, agent_rhone, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse(CONNEXION), {"username": "rhone@abri.test", "password": "x"}
        )

    reponse = client.post(
        reverse(CONNEXION),
        {"username": "rhone@abri.test", "password": "mot-de-passe-de-test"},
    )

    assert reponse.status_code == 429
    assert "Trop d'essais" in reponse.content.decode()


def test_lock_does_not_depend_on_the_case_of_the_email(client, agent_rhone, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse(CONNEXION), {"username": "rhone@abri.test", "password": "x"}
        )

    reponse = client.post(
        reverse(CONNEXION),
        {"username": "Rhone@abri.test", "password": "mot-de-passe-de-test"},
    )

    assert reponse.status_code == 429


def test_failures_in_several_cases_add_up_to_one_lock(client, agent_rhone, settings):
    for numero in range(settings.AXES_FAILURE_LIMIT):
        email = "rhone@abri.test" if numero % 2 else "RHONE@abri.test"
        client.post(reverse(CONNEXION), {"username": email, "password": "x"})

    reponse = client.post(
        reverse(CONNEXION),
        {"username": "rhone@abri.test", "password": "mot-de-passe-de-test"},
    )

    assert reponse.status_code == 429


def test_login_does_not_redirect_to_another_site(client, agent_rhone):
    reponse = client.post(
        reverse(CONNEXION) + "?next=https://ailleurs.example/",
        {
            "username": "rhone@abri.test",
            "password": "mot-de-passe-de-test",
            "next": "https://ailleurs.example/",
        },
    )

    assert reponse["Location"] == reverse("pilotage:accueil")


def test_passwords_are_hashed_with_argon2(agent_rhone):
    assert agent_rhone.password.startswith("argon2")


@pytest.fixture
def proconnect(settings):
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://proconnect.invalid/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://proconnect.invalid/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = "https://proconnect.invalid/jwks"
    settings.OIDC_RP_CLIENT_ID = "abri"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    return ProConnectBackend()


def test_proconnect_matches_an_existing_account_by_email(proconnect, agent_rhone):
    trouves = proconnect.filter_users_by_claims({"email": "RHONE@abri.test"})

    assert list(trouves) == [agent_rhone]


def test_proconnect_creates_no_account_for_an_unknown_email(proconnect, parc):
    assert proconnect.create_user({"email": "inconnu@abri.test"}) is None


def test_proconnect_updates_the_agent_names(proconnect, agent_rhone):
    proconnect.update_user(
        agent_rhone, {"given_name": "Camille", "usual_name": "Durand"}
    )

    agent_rhone.refresh_from_db()
    assert agent_rhone.nom_complet == "Camille Durand"
