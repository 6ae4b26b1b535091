"""Demonstration and local development: SQLite by default, DEBUG only if asked for."""

import os

from ._database import database_from_env
from .base import *  # noqa: F403
from .base import LOGGING, VAR_DIR

DEBUG = os.environ.get("MARSOC_DEBUG", "") == "1"
SECRET_KEY = os.environ.get("MARSOC_SECRET_KEY", "demo-only-secret-key-not-for-production-use-0123456789")
# A fixed, public key: the demo's chain proves nothing to anyone who reads this file (docs/audit.md).
AUDIT_CHAIN_KEY = os.environ.get("MARSOC_AUDIT_CHAIN_KEY", "demo-only-audit-chain-key-not-secret-0123456789")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
DATABASES = {"default": database_from_env(VAR_DIR / "demo.sqlite3")}
WHITENOISE_USE_FINDERS = True
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
MARSOC_DEMO = True
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)  # whitenoise expects STATIC_ROOT to exist
# Plain log lines on a developer's terminal unless JSON is asked for.
if "MARSOC_LOG_FORMAT" not in os.environ:
    LOGGING["handlers"]["console"]["formatter"] = "plain"
