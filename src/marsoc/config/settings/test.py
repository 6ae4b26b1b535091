"""Test settings: SQLite in memory unless DATABASE_URL points at PostgreSQL."""

from ._database import database_from_env
from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = False
SECRET_KEY = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105
AUDIT_CHAIN_KEY = "test-audit-chain-key-not-secret-0123456789"  # fixed and public: tests only
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
DATABASES = {"default": database_from_env(VAR_DIR / "test.sqlite3")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never in production
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
AXES_ENABLED = True
MARSOC_DEMO = True
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)  # whitenoise expects STATIC_ROOT to exist
