"""The example deployment in deploy/ (issue 16, point 4; docs/deploy.md) is one that
works: `wenyi check --deploy` reports nothing with deploy/wenyi.env once its CHANGE-ME
placeholders are filled in (and refuses to start while the secret key is one), every
variable it sets is one wenyi reads, every `wenyi` command the systemd units run
exists, and nginx's body limit is wenyi's."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands

PROJECT = Path(settings.BASE_DIR).parent
DEPLOY = PROJECT / "deploy"
UNITS = sorted(DEPLOY.glob("*.service"))


def deploy_env() -> dict[str, str]:
    """deploy/wenyi.env as systemd's EnvironmentFile= and `set -a; . file` read it."""
    env = {}
    for line in (DEPLOY / "wenyi.env").read_text("utf-8").splitlines():
        match = re.match(r"^([A-Z_][A-Z0-9_]*)=(.*)$", line)
        if match:
            env[match.group(1)] = match.group(2)
    return env


def run_wenyi(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`python -m wenyi …` with the machine's environment less wenyi's, plus `env`."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WENYI_", "DATABASE_URL", "AWS_", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    return subprocess.run(
        [sys.executable, "-m", "wenyi", *args],
        cwd=PROJECT,
        env={**clean, "LANG": "C.UTF-8", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_the_example_environment_reports_nothing(tmp_path):
    env = deploy_env()
    assert env["DATABASE_URL"].startswith("postgres://") and env["WENYI_S3_BUCKET"]
    # the operator's part: a real secret key, this machine's data folder; the database
    # and the bucket are not reached (checking the settings needs neither)
    env["WENYI_SECRET_KEY"] = secrets.token_urlsafe(50)
    env["WENYI_DATA_DIR"] = str(tmp_path)
    result = run_wenyi("check", "--deploy", "--fail-level", "WARNING", env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in result.stdout, output
    assert "WARNING" not in output and "?:" not in output, output


def test_the_placeholder_secret_key_stops_start_up(tmp_path):
    env = {**deploy_env(), "WENYI_DATA_DIR": str(tmp_path)}
    assert env["WENYI_SECRET_KEY"] == "CHANGE-ME"
    result = run_wenyi("check", env=env)
    assert result.returncode != 0
    assert "WENYI_SECRET_KEY" in result.stderr


def test_every_variable_of_the_example_is_one_wenyi_reads():
    listed = set(
        re.findall(r"^#?([A-Z_][A-Z0-9_]*)=", (PROJECT / ".env.example").read_text(), re.M)
    )
    assert set(deploy_env()) - listed == set()


@pytest.mark.parametrize("unit", UNITS, ids=lambda path: path.name)
def test_every_command_the_units_run_exists(unit):
    text = unit.read_text("utf-8")
    commands = re.findall(r"/opt/wenyi/venv/bin/wenyi ([a-z][a-z_-]*)", text)
    assert commands, f"{unit.name} runs no wenyi command"
    known = get_commands()
    for command in commands:
        assert command.replace("-", "_") in known, f"{unit.name}: no command {command}"
    assert "EnvironmentFile=/etc/wenyi.env" in text
    assert f"WorkingDirectory={deploy_env()['WENYI_DATA_DIR']}" in text
    # what the unit logs is rotated by deploy/logrotate
    for log in re.findall(r"^Standard(?:Output|Error)=append:(\S+)$", text, re.M):
        assert log.startswith("/var/log/wenyi/") and log.endswith(".log")
    assert "/var/log/wenyi/*.log {" in (DEPLOY / "logrotate").read_text()


def test_the_proxy_takes_the_bodies_wenyi_takes():
    nginx = (DEPLOY / "nginx.conf").read_text("utf-8")
    (limit,) = re.findall(r"^\s*client_max_body_size (\d+)m;", nginx, re.M)
    assert int(limit) == int(deploy_env()["WENYI_REQUEST_MAX_MB"])
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in nginx
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in nginx
    assert "/media" not in nginx.replace("no /media/ location", "")
