"""Static files in production (issue 10): hashed names, gzip and a year's cache, collected
by `wenyi setup`; every script deferred. The other tests use plain names (conftest)."""

import gzip
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client, override_settings

PRODUCTION = "whitenoise.storage.CompressedManifestStaticFilesStorage"


def _production(settings, root):
    return {
        "STATIC_ROOT": root,
        "STORAGES": {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION}},
    }


@pytest.fixture(scope="module")
def collected_root(tmp_path_factory):
    """The production storage collected once (~2 s) into a folder of this module's own."""
    from django.conf import settings

    root = tmp_path_factory.mktemp("collected") / "static"
    with override_settings(**_production(settings, root)):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def collected(settings, collected_root):
    for name, value in _production(settings, collected_root).items():
        setattr(settings, name, value)
    return collected_root


def test_collected_bootstrap_css_is_hashed_gzipped_and_cached_for_a_year(collected, db):
    url = static("bootstrap/css/bootstrap.min.css")

    # a new client builds WhiteNoise afresh, reading this test's STATIC_ROOT
    response = Client().get(url, headers={"accept-encoding": "gzip, deflate, br"})

    assert re.fullmatch(r"/static/bootstrap/css/bootstrap\.min\.[0-9a-f]{12}\.css", url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert response["Content-Encoding"] == "gzip"
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    sent = b"".join(response.streaming_content)
    css = gzip.decompress(sent)
    assert css.startswith(b"@charset") or b".container" in css
    assert len(sent) * 5 < len(css)  # ~233 KB sent as ~31 KB


def test_pages_name_the_hashed_files_and_defer_every_script(collected, db):
    page = Client().get("/login/").content.decode()

    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    scripts = re.findall(r"<script[^>]*>", page)
    assert stylesheets == [
        static("bootstrap/css/bootstrap.min.css"),
        static("wenyi/app.css"),
    ]
    assert all(re.search(r"\.[0-9a-f]{12}\.css$", url) for url in stylesheets)
    assert len(scripts) == 3  # Bootstrap, htmx, app.js
    assert all(re.search(r'src="[^"]+\.[0-9a-f]{12}\.js"', tag) for tag in scripts)
    assert all(" defer" in tag for tag in scripts)


def test_a_name_without_hash_is_cached_briefly(collected, db):
    response = Client().get("/static/wenyi/app.css")

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=60, public"


def test_setup_collects_the_static_files(db, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"

    call_command("setup", stdout=StringIO())

    assert (tmp_path / "static" / "bootstrap" / "css" / "bootstrap.min.css").is_file()
    assert (tmp_path / "static" / "wenyi" / "app.js").is_file()
