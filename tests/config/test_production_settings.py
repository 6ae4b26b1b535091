"""Production settings fail closed: no secret, hosts or database, no start."""

import json
import os
import subprocess
import sys

import pytest

CHECK = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS)"


def _run(env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MARSOC_", "DATABASE_URL"))}
    env |= {"DJANGO_SETTINGS_MODULE": "marsoc.config.settings.production", **env_extra}
    return subprocess.run([sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, timeout=60)


def test_refuses_to_start_without_a_secret_key():
    result = _run({"MARSOC_ALLOWED_HOSTS": "hub.example", "DATABASE_URL": "postgres://u@h/db"})
    assert result.returncode != 0 and "MARSOC_SECRET_KEY must be set" in result.stderr


def test_refuses_to_start_without_allowed_hosts_or_database():
    key = {"MARSOC_SECRET_KEY": "k" * 60}
    assert "MARSOC_ALLOWED_HOSTS must be set" in _run(key | {"DATABASE_URL": "postgres://u@h/db"}).stderr
    assert "DATABASE_URL must be set" in _run(key | {"MARSOC_ALLOWED_HOSTS": "hub.example"}).stderr


def test_short_secret_key_is_refused():
    result = _run(
        {"MARSOC_SECRET_KEY": "short", "MARSOC_ALLOWED_HOSTS": "h", "DATABASE_URL": "postgres://u@h/db"}
    )
    assert result.returncode != 0 and "at least 50" in result.stderr


def test_refuses_to_start_without_the_audit_chain_key():
    base = {"MARSOC_SECRET_KEY": "k" * 60, "MARSOC_ALLOWED_HOSTS": "h", "DATABASE_URL": "postgres://u@h/db"}
    missing = _run(base)
    assert missing.returncode != 0 and "MARSOC_AUDIT_CHAIN_KEY must be set" in missing.stderr
    short = _run(base | {"MARSOC_AUDIT_CHAIN_KEY": "short"})
    assert short.returncode != 0 and "at least 32" in short.stderr


def test_starts_hardened_when_configured():
    result = _run(
        {
            "MARSOC_AUDIT_CHAIN_KEY": "a" * 40,
            "MARSOC_SECRET_KEY": "k" * 60,
            "MARSOC_ALLOWED_HOSTS": "hub.example",
            "DATABASE_URL": "postgres://u@h/db",
            "MARSOC_DEBUG": "1",
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "31536000"]


DATABASES_JSON = "import json, django; django.setup(); from django.conf import settings; print(json.dumps(settings.DATABASES['default'], sort_keys=True, default=str))"
SHOW_JIT = "import django; django.setup(); from django.db import connection; c = connection.cursor(); c.execute('SHOW jit'); print(c.fetchone()[0])"
PRODUCTION_ENV = {
    "MARSOC_AUDIT_CHAIN_KEY": "a" * 40,
    "MARSOC_SECRET_KEY": "k" * 60,
    "MARSOC_ALLOWED_HOSTS": "hub.example",
}


def _settings_of(module: str, database_url: str, code: str = DATABASES_JSON):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MARSOC_", "DATABASE_URL"))}
    env |= PRODUCTION_ENV | {"DJANGO_SETTINGS_MODULE": module, "DATABASE_URL": database_url}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_database_settings_are_the_test_settings():
    """Issue 14, defect 2: production parsed DATABASE_URL itself, so jit=off never applied there."""
    url = "postgres://marsoc:pw@db.example:5432/marsoc"
    production = json.loads(_settings_of("marsoc.config.settings.production", url))
    test = json.loads(_settings_of("marsoc.config.settings.test", url))
    assert "-c jit=off" in production["OPTIONS"]["options"]
    assert production["OPTIONS"] == test["OPTIONS"]
    assert production == test


def test_a_production_connection_to_postgresql_has_jit_off():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    assert _settings_of("marsoc.config.settings.production", url, SHOW_JIT) == "off"
