"""Deployment settings: the documented production environment passes `check --deploy`; no key, no start.

The first tests run `python -m django` in a subprocess, since settings are read once per process.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

import dangjian.settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_DOC = ROOT / "docs" / "deploy.md"


def documented_production_environment() -> dict[str, str]:
    """The KEY=value lines between the production-env markers of docs/deploy.md."""
    text = DEPLOY_DOC.read_text(encoding="utf-8")
    block = re.search(r"<!-- production-env -->\n```sh\n(.*?)```\n<!-- /production-env -->", text, re.S)
    assert block, "docs/deploy.md lost its production environment block"
    return dict(line.split("=", 1) for line in block.group(1).splitlines() if line.strip())


def run_django(tmp_path, env_vars: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("DANGJIAN_")
           # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process (a worker may have loaded them).
           and key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update({
        "DJANGO_SETTINGS_MODULE": "dangjian.settings",
        "DANGJIAN_VAR_DIR": str(tmp_path),
        "DANGJIAN_SECRET_KEY_FILE": str(tmp_path / "no-key-file"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **env_vars,
    })
    return subprocess.run([sys.executable, "-m", "django", *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_the_documented_production_environment_passes_the_deploy_check(tmp_path):
    env_vars = documented_production_environment()
    assert env_vars.get("DANGJIAN_DEBUG", "0") == "0"
    env_vars["DANGJIAN_SECRET_KEY"] = secrets.token_urlsafe(50)
    env_vars["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"  # the check does not connect
    code = (
        "from django.core.management import call_command; call_command('check', deploy=True, fail_level='DEBUG'); "
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER, s.SECURE_HSTS_SECONDS, "
        "s.CSRF_TRUSTED_ORIGINS, s.TRUSTED_PROXIES, s.SESSION_COOKIE_SECURE, s.ALLOWED_HOSTS)"
    )
    result = run_django(tmp_path, env_vars, "shell", "-v", "0", "-c", code)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "System check identified no issues (0 silenced).",
        "False True ('HTTP_X_FORWARDED_PROTO', 'https') 31536000 ['https://dangjian.example.gov.cn'] "
        "['127.0.0.1/32', '::1/128'] True ['dangjian.example.gov.cn']",
    ], result.stderr


def test_without_a_secret_key_and_without_debug_it_refuses_to_start(tmp_path):
    result = run_django(tmp_path, {"DANGJIAN_DEBUG": "0"}, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured: DANGJIAN_SECRET_KEY is not set" in result.stderr
    assert "make setup" in result.stderr


# The same rules in this process: the functions of the settings module, with the environment patched.

@pytest.fixture
def settings_module(monkeypatch, tmp_path):
    for name in ("DANGJIAN_SECRET_KEY", "DANGJIAN_TRUSTED_PROXIES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(dangjian.settings, "SECRET_KEY_FILE", tmp_path / "secret_key")
    monkeypatch.setattr(dangjian.settings, "DEBUG", False)
    return dangjian.settings


def test_the_environment_key_comes_first(settings_module, monkeypatch, tmp_path):
    (tmp_path / "secret_key").write_text("from-the-file\n")
    monkeypatch.setenv("DANGJIAN_SECRET_KEY", "from-the-environment")
    assert settings_module._secret_key() == "from-the-environment"


def test_the_local_key_file_is_used_when_the_variable_is_unset(settings_module, tmp_path):
    (tmp_path / "secret_key").write_text("a-key-written-by-make-setup\n")
    assert settings_module._secret_key() == "a-key-written-by-make-setup"


def test_no_key_starts_only_with_debug(settings_module, monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="DANGJIAN_SECRET_KEY is not set"):
        settings_module._secret_key()
    monkeypatch.setattr(settings_module, "DEBUG", True)
    assert settings_module._secret_key().startswith("insecure-development-key")


def test_trusted_proxies_are_networks_and_bad_ones_are_reported(settings_module, monkeypatch):
    assert settings_module._networks("DANGJIAN_TRUSTED_PROXIES") == []
    monkeypatch.setenv("DANGJIAN_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8,::1")
    assert settings_module._networks("DANGJIAN_TRUSTED_PROXIES") == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    monkeypatch.setenv("DANGJIAN_TRUSTED_PROXIES", "127.0.0.1,nginx")
    with pytest.raises(ImproperlyConfigured, match="DANGJIAN_TRUSTED_PROXIES"):
        settings_module._networks("DANGJIAN_TRUSTED_PROXIES")
