"""Production settings pass Django's deployment checks and refuse to start without a secret key."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    environment.update(env)
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_environment(tmp_path):
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        ARRIVAL_ENV="production", SECRET_KEY="x" * 60 + "-production-secret-for-the-check",
        ALLOWED_HOSTS="arrival.example.org", ARRIVAL_SITE_URL="https://arrival.example.org",
        ARRIVAL_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_a_local_site_address(tmp_path):
    """Links in notifications and e-mails start with ARRIVAL_SITE_URL: production must name its public address."""
    secret = "x" * 60 + "-production-secret-for-the-check"
    for address in ("", "http://localhost:8000", "https://127.0.0.1"):
        result = _manage("check", ARRIVAL_ENV="production", SECRET_KEY=secret, ALLOWED_HOSTS="arrival.example.org",
                         ARRIVAL_SITE_URL=address, ARRIVAL_DATA_DIR=str(tmp_path))
        assert result.returncode != 0, address
        assert "ARRIVAL_SITE_URL must be the public https:// address" in result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _manage("check", ARRIVAL_ENV="production", ALLOWED_HOSTS="arrival.example.org", ARRIVAL_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_security_headers_on_a_page(client):
    response = client.get("/api/v1/openapi.json")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_production_refuses_to_start_in_debug_mode(tmp_path):
    """Debug pages show settings and tracebacks to anyone: production with DEBUG=true stops at start-up."""
    result = _manage("check", ARRIVAL_ENV="production", DEBUG="true", SECRET_KEY="x" * 60 + "-production-secret",
                     ALLOWED_HOSTS="arrival.example.org", ARRIVAL_SITE_URL="https://arrival.example.org",
                     ARRIVAL_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DEBUG must be off when ARRIVAL_ENV=production" in result.stderr
