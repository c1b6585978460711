"""Hardening (issue 8, finding 8): security headers, request size, long file names,
active content in PDFs and Word files, video metadata, and `check --deploy`."""

import io
import os
import re
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.activities.factories import make_activity
from tests.media import ACTIVE_PDFS, COMMENT, PLACE, plain_pdf, video_bytes
from tests.works.test_views import _docx, _upload_refused
from wenyi.activities.models import Evidence
from wenyi.works.models import WorkFile

# --- headers ---------------------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"\sstyle\s*=", re.I)


@pytest.fixture
def pages(linyi, county_a):
    return [
        reverse("home"),
        reverse("campaigns:detail", args=[linyi.slug]),
        reverse("activities:list", args=[linyi.slug]),
        reverse("activities:add", args=[linyi.slug]) + "?type=weiwen",
        reverse("activities:quota", args=[linyi.slug]),
        reverse("reporting:list", args=[linyi.slug]),
        reverse("works:list", args=[linyi.slug]),
        reverse("orgs:people"),
        reverse("orgs:units"),
        reverse("orgs:unit", args=[county_a.code]),
        reverse("orgs:audit"),
        reverse("orgs:sign_in_security"),
        reverse("core:notifications"),
        "/no-such-page/",
    ]


def test_pages_carry_a_strict_csp_and_no_inline_code(login, office, pages):
    client = login(office)
    for url in pages:
        response = client.get(url, follow=True)
        csp = response["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]*)", csp).group(1)
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        assert "frame-ancestors 'none'" in csp
        assert response["Permissions-Policy"].startswith("accelerometer=()")
        html = response.content.decode()
        assert INLINE_SCRIPT.findall(html) == [], url
        assert INLINE_HANDLER.findall(html) == [], url
        assert INLINE_STYLE.findall(html) == [], url


def test_login_page_is_protected_too(client):
    response = client.get(reverse("login"))
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_hsts_is_sent_over_https_when_configured(settings, client):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_files_people_uploaded_are_served_in_a_sandbox(
    login, office, coordinator_a, county_a, linyi
):
    from wenyi.activities import evidence

    activity = make_activity(coordinator_a, county_a)
    item = evidence.store_evidence(
        coordinator_a, activity, SimpleUploadedFile("a.pdf", plain_pdf())
    )
    response = login(office).get(
        reverse("activities:evidence_file", args=[activity.pk, item.pk, "original"])
    )
    assert response.status_code == 200
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["X-Content-Type-Options"] == "nosniff"


# --- request size ----------------------------------------------------------------------


class _Unreadable(io.RawIOBase):
    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


def test_a_huge_body_is_refused_unread(login, coordinator_a, linyi):
    response = login(coordinator_a).generic(
        "POST",
        reverse("activities:add", args=[linyi.slug]),
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(1024**3),
        **{"wsgi.input": _Unreadable()},
    )
    assert response.status_code == 413
    assert "一次最多只能发送" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_huge_body_is_refused_by_the_server_before_it_arrives(live_server):
    host, port = live_server.url.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /login/ HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 1073741824\r\n\r\nusername=a"
        )
        head = sock.recv(4096).decode("latin-1")
    assert head.startswith("HTTP/1.1 413"), head[:80]


# --- long file names ---------------------------------------------------------------------


def test_a_360_character_file_name_gets_a_chinese_page(login, coordinator_a, county_a, linyi):
    activity = make_activity(coordinator_a, county_a)
    name = "慰问演出现场照片" * 45 + ".jpg"  # 360 characters, as a browser sends it
    # written by hand: Django's own upload classes shorten names to 255 characters
    client = login(coordinator_a)
    page = client.get(reverse("activities:detail", args=[activity.pk]))
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else ""
    body = (
        b'--B\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        + token.encode()
        + b'\r\n--B\r\nContent-Disposition: form-data; name="files"; filename="'
        + name.encode()
        + b'"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff'
        + bytes(100)
        + b"\r\n--B--\r\n"
    )
    response = client.generic(
        "POST",
        reverse("activities:evidence_add", args=[activity.pk]),
        body,
        content_type="multipart/form-data; boundary=B",
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "文件名过长" in text and "Bad Request" not in text
    assert Evidence.objects.count() == 0


def test_a_long_file_name_is_shortened_with_a_note(login, coordinator_a, county_a):
    activity = make_activity(coordinator_a, county_a)
    response = login(coordinator_a).post(
        reverse("activities:evidence_add", args=[activity.pk]),
        {"files": SimpleUploadedFile("报" * 150 + ".pdf", plain_pdf())},
        follow=True,
    )
    item = Evidence.objects.get()
    assert len(item.original_name) <= 100 and item.original_name.endswith(".pdf")
    assert "文件名已缩短" in response.content.decode()


# --- active content ------------------------------------------------------------------------


@pytest.mark.parametrize("how", sorted(ACTIVE_PDFS))
def test_pdf_with_script_or_launch_is_refused_as_evidence(
    how, login, coordinator_a, county_a, linyi, settings
):
    activity = make_activity(coordinator_a, county_a)
    response = login(coordinator_a).post(
        reverse("activities:evidence_add", args=[activity.pk]),
        {"files": SimpleUploadedFile("通知.pdf", ACTIVE_PDFS[how])},
        follow=True,
    )
    text = response.content.decode()
    assert "通知.pdf" in text and "不予接收" in text
    assert ("启动程序" in text) == (how == "launch action")
    assert Evidence.objects.count() == 0
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.pdf"))


def test_pdf_with_script_is_refused_as_a_work_file(login, coordinator_a, linyi, county_a, settings):
    upload = SimpleUploadedFile("剧本.pdf", ACTIVE_PDFS["open action with JavaScript"])
    message = _upload_refused(
        login(coordinator_a), linyi, "xiaopin", county_a, coordinator_a.person, upload, settings
    )
    assert "剧本.pdf" in message and "JavaScript" in message


def _docm() -> bytes:
    """A macro-enabled Word document (.docm), as Word writes one."""
    source = zipfile.ZipFile(io.BytesIO(_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"wordprocessingml.document.main+xml",
                    b"ms-word.document.macroEnabled.main+xml",
                )
            target.writestr(item, data)
        target.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    return out.getvalue()


def test_macro_word_file_renamed_docx_is_refused(login, coordinator_a, linyi, county_a, settings):
    upload = SimpleUploadedFile("剧本.docx", _docm())
    message = _upload_refused(
        login(coordinator_a), linyi, "xiaopin", county_a, coordinator_a.person, upload, settings
    )
    assert "剧本.docx" in message and "宏" in message


def test_plain_word_and_pdf_are_accepted(coordinator_a, linyi, county_a):
    from tests.works.test_views import make_work
    from wenyi.works.files import store_work_file

    work = make_work(linyi, county_a, coordinator_a.person, key="xiaopin", text="")
    store_work_file(coordinator_a, work, SimpleUploadedFile("剧本.docx", _docx()))
    store_work_file(coordinator_a, work, SimpleUploadedFile("剧本.pdf", plain_pdf()))
    assert WorkFile.objects.filter(work=work).count() == 2


# --- videos --------------------------------------------------------------------------------


def test_video_shown_outside_the_office_carries_no_metadata(
    login, office, coordinator_a, county_a, linyi, django_capture_on_commit_callbacks
):
    activity = make_activity(coordinator_a, county_a)
    original = video_bytes("mov")
    assert PLACE.encode() in original
    client = login(coordinator_a)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        response = client.post(
            reverse("activities:evidence_add", args=[activity.pk]),
            {"files": SimpleUploadedFile("演出.mov", original)},
        )
    assert response.status_code == 302
    item = Evidence.objects.get()
    public = reverse("activities:evidence_file", args=[activity.pk, item.pk, "public"])
    # not shown until the copy without metadata is made
    assert client.get(public).status_code == 404
    assert (
        "正在处理" in client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    )
    for callback in pending:
        callback()
    shown = client.get(public)
    assert shown.status_code == 200 and shown["Content-Type"] == "video/quicktime"
    data = b"".join(shown.streaming_content)
    assert PLACE.encode() not in data and COMMENT.encode() not in data
    assert len(data) > 500
    # the original, with the place, is the office's
    original_url = reverse("activities:evidence_file", args=[activity.pk, item.pk, "original"])
    assert client.get(original_url).status_code == 403
    office_copy = login(office).get(original_url)
    assert PLACE.encode() in b"".join(office_copy.streaming_content)


def test_work_video_is_shown_without_metadata(
    login, coordinator_a, linyi, county_a, django_capture_on_commit_callbacks
):
    from tests.works.test_views import make_work
    from wenyi.works.files import store_work_file

    work = make_work(linyi, county_a, coordinator_a.person, key="xiaopin", text="")
    with django_capture_on_commit_callbacks(execute=True):
        item = store_work_file(
            coordinator_a, work, SimpleUploadedFile("剧.mp4", video_bytes("mp4"))
        )
    item.refresh_from_db()
    assert item.public_file and item.thumbnail
    response = login(coordinator_a).get(reverse("works:file", args=[work.pk, item.pk, "public"]))
    assert COMMENT.encode() not in b"".join(response.streaming_content)


def test_damaged_video_is_refused(login, coordinator_a, county_a, linyi):
    activity = make_activity(coordinator_a, county_a)
    broken = video_bytes("mp4")[:200]
    response = login(coordinator_a).post(
        reverse("activities:evidence_add", args=[activity.pk]),
        {"files": SimpleUploadedFile("坏.mp4", broken)},
        follow=True,
    )
    assert "坏.mp4" in response.content.decode() and "无法读取" in response.content.decode()
    assert Evidence.objects.count() == 0


# --- deployment check ---------------------------------------------------------------------


def _production_env() -> dict[str, str]:
    """The variables of .env.example's production section, as an operator sets them."""
    text = (Path(django_settings.PROJECT_DIR) / ".env.example").read_text("utf-8")
    section = text.split("# --- production", 1)[1]
    env = {}
    for line in section.splitlines():
        match = re.match(r"^#?([A-Z_][A-Z0-9_]*)=(.*)$", line.strip())
        if match:
            env[match.group(1)] = match.group(2)
    return env


def test_check_deploy_with_the_production_example_reports_nothing(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WENYI_", "DATABASE_URL"))}
    env.update(_production_env())
    env["WENYI_DATA_DIR"] = str(tmp_path)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    env.pop("DATABASE_URL", None)  # no server needed to check settings
    result = subprocess.run(
        [sys.executable, "-m", "wenyi", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
