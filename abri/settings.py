"""Settings of abri: one module, every knob read from the environment.

Defaults suit a developer's machine (embedded SQLite under ``var/``); production sets
``DEBUG=0``, ``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``DATABASE_URL`` at least.
"""

import os
import warnings
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ABRI_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "oui", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY est obligatoire quand DEBUG est désactivé "
            "(variable d'environnement SECRET_KEY)."
        )
    SECRET_KEY = "abri-development-only-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "dsfr",
    "simple_history",
    "axes",
    "mozilla_django_oidc",
    "abri.ui",
    "abri.territoires",
    "abri.comptes",
    "abri.operateurs",
    "abri.structures",
    "abri.appels",
    "abri.activite",
    "abri.finances",
    "abri.conventions",
    "abri.journal",
    "abri.pilotage",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "abri.urls"
WSGI_APPLICATION = "abri.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "abri.ui.context_processors.abri",
            ],
            "builtins": ["abri.ui.templatetags.abri_format"],
        },
    }
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'abri.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded database lives under var/, which a fresh clone does not have yet.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while an import writes; the timeout makes a second
        # writer wait instead of failing at once.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "comptes.Utilisateur"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
VALIDATEURS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{VALIDATEURS}.UserAttributeSimilarityValidator"},
    {
        "NAME": f"{VALIDATEURS}.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": f"{VALIDATEURS}.CommonPasswordValidator"},
]
LOGIN_URL = "comptes:connexion"
LOGIN_REDIRECT_URL = "pilotage:accueil"
LOGOUT_REDIRECT_URL = "comptes:connexion"

# Login throttling (django-axes): a account + address pair is locked after this many
# failures, for this many hours.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "abri.comptes.connexion.identifiant_de_connexion"
AXES_LOCKOUT_TEMPLATE = "comptes/verrouille.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_VERBOSE = False

# ProConnect (OpenID Connect). Off unless its client id is set.
PROCONNECT_ENABLED = bool(os.environ.get("OIDC_RP_CLIENT_ID"))
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email given_name usual_name")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("OIDC_OP_LOGOUT_ENDPOINT", "")
OIDC_CREATE_USER = (
    False  # agents are created by a national admin, then matched by email
)
if PROCONNECT_ENABLED:
    AUTHENTICATION_BACKENDS.insert(1, "abri.comptes.proconnect.ProConnectBackend")

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# No MEDIA_URL: uploaded files are served by views that check the perimeter, never
# directly by the web server.
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))

EMAIL_BACKEND_CHOISI = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS: dict[str, dict[str, Any]] = {"default": {"BACKEND": EMAIL_BACKEND_CHOISI}}
if EMAIL_BACKEND_CHOISI.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
    }
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "abri <ne-pas-repondre@abri.local>"
)

SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE = not DEBUG and env_bool("SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(
    os.environ.get("SECURE_HSTS_SECONDS", "31536000" if SECURE else "0")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env_bool("BEHIND_HTTPS_PROXY", False)
    else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

DSFR_MARK_OPTIONAL_FIELDS = True
# django-dsfr warns at every form rendering that this transitional setting will go.
warnings.filterwarnings(
    "ignore", "Transitional Django setting DSFR_MARK_OPTIONAL_FIELDS", UserWarning
)

# Data-quality thresholds and other business knobs.
ABRI_ECART_ADRESSES_TOLERE = 0.10  # share of authorised places

# conventions
# Documents of acts: the file system under MEDIA_ROOT (outside the web root) unless
# a bucket is named, then an S3-compatible bucket through django-storages.
DOCUMENTS_S3_BUCKET = os.environ.get("DOCUMENTS_S3_BUCKET", "")
if DOCUMENTS_S3_BUCKET:
    STORAGES["documents"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": DOCUMENTS_S3_BUCKET,
            "endpoint_url": os.environ.get("DOCUMENTS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("DOCUMENTS_S3_REGION") or None,
            "access_key": os.environ.get("DOCUMENTS_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("DOCUMENTS_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("DOCUMENTS_S3_PREFIX", "documents"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    STORAGES["documents"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT / "documents", "base_url": None},
    }
# Largest document deposited on an act, a CPOM or a budget (abri.communs.documents).
DOCUMENTS_MAX_BYTES = int(os.environ.get("DOCUMENTS_MAX_BYTES", str(10 * 1024 * 1024)))
# Warning windows (months) of the deadlines, and the rules' durations (years).
ABRI_FENETRE_RENOUVELLEMENT_MOIS = int(
    os.environ.get("ABRI_FENETRE_RENOUVELLEMENT_MOIS", "6")
)
ABRI_FENETRE_AUTORISATION_MOIS = int(
    os.environ.get("ABRI_FENETRE_AUTORISATION_MOIS", "12")
)
ABRI_FENETRE_EVALUATION_MOIS = int(os.environ.get("ABRI_FENETRE_EVALUATION_MOIS", "18"))
ABRI_FENETRE_CADUCITE_MOIS = int(os.environ.get("ABRI_FENETRE_CADUCITE_MOIS", "12"))
ABRI_DELAI_CADUCITE_ANNEES = 4
ABRI_PREAVIS_DENONCIATION_CADA_MOIS = 6
ABRI_PREAVIS_DENONCIATION_AUTRES_MOIS = 3
ABRI_EVALUATION_PREMIERE_ANNEES = 7  # first external evaluation within 7 years
ABRI_EVALUATION_SECONDE_AVANT_FIN_ANNEES = 2  # second at least 2 years before the end
# Address of the service, for the links of emails sent by scheduled commands.
ABRI_URL_PUBLIQUE = os.environ.get("ABRI_URL_PUBLIQUE", "http://127.0.0.1:8000/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "simple": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "simple"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": os.environ.get("AXES_LOG_LEVEL", "WARNING")},
    },
}

# activite
# Thresholds of the monthly occupancy above which a structure is a finding (shares:
# 0.03 is 3 %), and how old its latest month may be to still say something.
ABRI_ACTIVITE_SEUIL_INDISPONIBILITE = os.environ.get(
    "ABRI_ACTIVITE_SEUIL_INDISPONIBILITE", "0.03"
)
ABRI_ACTIVITE_SEUIL_BPI = os.environ.get("ABRI_ACTIVITE_SEUIL_BPI", "0.03")
ABRI_ACTIVITE_SEUIL_DEBOUTES = os.environ.get("ABRI_ACTIVITE_SEUIL_DEBOUTES", "0.04")
ABRI_ACTIVITE_SEUIL_PRESENCES_INDUES = os.environ.get(
    "ABRI_ACTIVITE_SEUIL_PRESENCES_INDUES", "0.07"
)
ABRI_ACTIVITE_ANCIENNETE_MAX_MOIS = int(
    os.environ.get("ABRI_ACTIVITE_ANCIENNETE_MAX_MOIS", "3")
)

# appels
# Target delay from the call (or decision) to the opened place, in months.
ABRI_APPELS_DELAI_CIBLE_MOIS = float(
    os.environ.get("ABRI_APPELS_DELAI_CIBLE_MOIS", "4.5")
)
# Daily cost per type used for the nights lost when neither the structure's accounts
# nor the candidature give one, e.g. "CADA=21.5,HUDA=17". Empty: "coût inconnu".
ABRI_APPELS_COUT_JOURNALIER_PAR_DEFAUT = {
    type_structure.strip(): cout.strip()
    for type_structure, _, cout in (
        element.partition("=")
        for element in os.environ.get(
            "ABRI_APPELS_COUT_JOURNALIER_PAR_DEFAUT", ""
        ).split(",")
        if "=" in element
    )
}
