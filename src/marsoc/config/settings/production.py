"""Production: every secret comes from the environment and the service refuses to start without it."""

import os

from django.core.exceptions import ImproperlyConfigured

from ._database import database_from_url
from .base import *  # noqa: F403


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set for production; refusing to start.")
    return value


SECRET_KEY = _required("MARSOC_SECRET_KEY")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("MARSOC_SECRET_KEY must be at least 50 characters; refusing to start.")
ALLOWED_HOSTS = [h.strip() for h in _required("MARSOC_ALLOWED_HOSTS").split(",") if h.strip()]
_database_url = _required("DATABASE_URL")
# The audit chain's HMAC key lives outside the database (docs/audit.md, docs/deployment.md): without it
# nothing could be audited, so the service does not start.
AUDIT_CHAIN_KEY = _required("MARSOC_AUDIT_CHAIN_KEY")
if len(AUDIT_CHAIN_KEY) < 32:
    raise ImproperlyConfigured("MARSOC_AUDIT_CHAIN_KEY must be at least 32 characters; refusing to start.")
AUDIT_CHAIN_PREVIOUS_KEYS = [
    k.strip() for k in os.environ.get("MARSOC_AUDIT_CHAIN_PREVIOUS_KEYS", "").split(",") if k.strip()
]

# The same path as every other settings module (jit=off and the rest: see _database.py).
DATABASES = {"default": database_from_url(_database_url)}

# DEBUG stays off in production whatever the environment says.
DEBUG = False
SECURE_SSL_REDIRECT = os.environ.get("MARSOC_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
EMAIL_BACKEND = os.environ.get("MARSOC_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")

# High-risk processing runs only under a completed DPIA (marsoc.funding.dpia_gate, docs/deployment.md):
# MARSOC_DPIA_REFERENCES="linkage=DPIA-1,intelligence=DPIA-2,network=DPIA-3"; /readyz stays 503 until
# each processing switched on names a DPIA the governance register holds as completed. One left out of
# MARSOC_HIGH_RISK_PROCESSING is off: its pages, endpoints and tasks are not offered (marsoc.core.processing).
MARSOC_DPIA_GATE = True
MARSOC_HIGH_RISK_PROCESSING = tuple(
    p.strip()
    for p in os.environ.get("MARSOC_HIGH_RISK_PROCESSING", ",".join(MARSOC_HIGH_RISK_PROCESSING)).split(",")  # noqa: F405
    if p.strip()
)
MARSOC_DPIA_REFERENCES = dict(
    pair.split("=", 1) for pair in os.environ.get("MARSOC_DPIA_REFERENCES", "").split(",") if "=" in pair
)
