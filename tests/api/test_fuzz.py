"""Schemathesis against the running app (issue 16): every operation of the OpenAPI
document called with generated input, as the office and as an expert with work to score;
no answer may be a server error, and every answer must match the document (status code,
media type, headers, body schema)."""

import subprocess
import sys
from pathlib import Path

import pytest

from wenyi.api import services

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    )
)


def _fuzz(url: str, user, tmp_path, *extra: str) -> None:
    _token, raw = services.create_token(user, name="schemathesis", valid_days=None)
    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{url}/api/v1/openapi.json",
            "--header",
            f"Authorization: Bearer {raw}",
            "--checks",
            CHECKS,
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            "15",
            "--seed",
            "2014",
            "--generation-database",
            "none",
            "--no-color",
            "--workers",
            "1",
            *extra,
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "operations" in run.stdout.lower() or "API Operations" in run.stdout


@pytest.mark.django_db(transaction=True)
def test_every_operation_as_the_office(
    live_server, tmp_path, office, record, coordinator_a, county_a, linyi
):
    record(coordinator_a, county_a, "peixun")
    record(coordinator_a, county_a, "weiwen", status="submitted")
    _fuzz(live_server.url, office, tmp_path)


@pytest.mark.django_db(transaction=True)
def test_the_review_operations_as_an_expert(live_server, tmp_path, expert, scored):
    _fuzz(live_server.url, expert, tmp_path, "--include-path-regex", "/review/")
