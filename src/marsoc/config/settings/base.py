"""Settings shared by every environment. Environment modules override; production fails closed."""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

SRC_DIR = Path(__file__).resolve().parents[2]
PROJECT_ROOT = SRC_DIR.parents[1]
NODE_MODULES = PROJECT_ROOT / "node_modules"
VAR_DIR = PROJECT_ROOT / "var"

DEBUG = False
SECRET_KEY = ""
# The key of the audit chain's HMAC (docs/audit.md). Empty here: nothing can be audited until an
# environment sets it (production reads MARSOC_AUDIT_CHAIN_KEY and refuses to start without it).
AUDIT_CHAIN_KEY = ""
# Retired keys still needed to verify entries they signed (newest first).
AUDIT_CHAIN_PREVIOUS_KEYS: list[str] = []
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    # Before django_tasks_db: core's `db_worker` (the same worker, with a start hook) takes precedence.
    "marsoc.core",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "marsoc.accounts",
    "marsoc.sharing",
    "marsoc.nominals",
    "marsoc.assessment",
    "marsoc.plans",
    "marsoc.linkage",
    "marsoc.intelligence",
    "marsoc.casework",
    "marsoc.network",
    "marsoc.workday",
    "marsoc.funding",
    "marsoc.reporting",
    "marsoc.rights",
    "marsoc.web",
    "marsoc.demo",
    "marsoc.ops",
]

MIDDLEWARE = [
    # First: every log line of the request, and its answer, carry the request id.
    "marsoc.ops.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside everything that may answer an error itself, so that every API failure is JSON.
    "marsoc.core.middleware.ApiJsonErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "marsoc.core.middleware.SecurityHeadersMiddleware",
    "marsoc.core.middleware.RejectControlCharactersMiddleware",
    "marsoc.core.middleware.HiddenAsMissingMiddleware",
    "marsoc.core.middleware.ProcessingSwitchMiddleware",
    "marsoc.accounts.middleware.RequireSecondFactorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "marsoc.config.urls"
WSGI_APPLICATION = "marsoc.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "marsoc" / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "marsoc.web.context_processors.navigation",
            ],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "marsoc.accounts.backends.UserBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout: five failed passwords for one username locks it for 30 minutes (django-axes).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# Sessions: idle timeout of 30 minutes, gone when the browser closes.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

OTP_TOTP_ISSUER = "MARSOC Hub"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

STATIC_URL = "/static/"
# Requests a minute one API token may make, unless the token says otherwise (accounts.ApiToken).
MARSOC_API_RATE_PER_MINUTE = int(os.environ.get("MARSOC_API_RATE_PER_MINUTE", "600"))
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    ("govuk", NODE_MODULES / "govuk-frontend" / "dist" / "govuk"),
    ("moj", NODE_MODULES / "@ministryofjustice" / "frontend" / "moj"),
    ("htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("cytoscape", NODE_MODULES / "cytoscape" / "dist"),
]
# GOV.UK Frontend's compiled CSS asks for fonts and images under /assets/.
WHITENOISE_ROOT = NODE_MODULES / "govuk-frontend" / "dist" / "govuk"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Application logs (not the s.62 audit log): one JSON object per line with the request id
# (marsoc.ops.logs, docs/deployment.md), or plain lines with MARSOC_LOG_FORMAT=plain.
LOG_FORMAT = os.environ.get("MARSOC_LOG_FORMAT", "json")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "marsoc.ops.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "marsoc.ops.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain" if LOG_FORMAT == "plain" else "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"marsoc": {"level": "INFO"}},
}

# Application settings (reference values an operator may change).
MARSOC_PAGE_SIZE = 50
MARSOC_RELEASE_WINDOW_DAYS = 183  # "release within 6 months"
# A decision record not yet approved is "due soon", and alerted, this many days before its date.
MARSOC_DECISION_DUE_SOON_DAYS = 14
# Demonstration helpers (printing second-factor codes) are refused unless this is set.
MARSOC_DEMO = False
# High-risk processing the service runs: one not listed is switched off everywhere, its pages, endpoints
# and tasks not offered (marsoc.core.processing). And the DPIA each rests on (marsoc.funding.dpia_gate):
# only production closes the gate, where each listed needs a completed DPIA in the governance register.
MARSOC_HIGH_RISK_PROCESSING: tuple[str, ...] = ("linkage", "intelligence", "network")
MARSOC_DPIA_REFERENCES: dict[str, str] = {}
MARSOC_DPIA_GATE = False

# Lockout is by username on purpose: an account under attack is protected whichever address the
# attempts come from. (Axes suggests adding the IP address, which would let rotating addresses through.)
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
