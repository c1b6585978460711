"""Uploaded files on S3-compatible storage (issue 16, point 4): with `WENYI_S3_BUCKET` set,
an upload goes into the bucket, is served by the app's own permission-checked view (the
whole file and a byte range), leaves the bucket when deleted, and goes into a backup and
back into another bucket with `wenyi restore`.

Against a real S3 server: moto's server mode, started by each test on 127.0.0.1 on a
port the system chooses and stopped afterwards; every test has its own bucket. The
storage is configured from the environment as in production (`wenyi.env.media_storage`).
"""

import hashlib
import io
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import boto3
import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from moto.server import ThreadedMotoServer
from PIL import Image

from tests.activities.factories import make_activity
from wenyi.activities import evidence as evidence_files
from wenyi.activities.models import Evidence
from wenyi.core.storage import SMALL
from wenyi.env import EnvError, media_storage

PROJECT = Path(django_settings.BASE_DIR).parent
KEY, SECRET, REGION = "wenyi-test-key", "wenyi-test-secret", "us-east-1"
PREFIX = "uploads"


def photo_bytes() -> bytes:
    """A JPEG as a phone writes it: with the place it was taken in its EXIF."""
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (35.0, 3.0, 0.0), 3: "E", 4: (118.0, 20.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGB", (64, 32), "red").save(out, "JPEG", exif=exif)
    return out.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def s3_server():
    """moto's S3 server on 127.0.0.1, on a free port; stopped when the test ends."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


class Bucket:
    """A new bucket on the test's server, and the variables that point wenyi at it."""

    def __init__(self, endpoint: str):
        self.name = f"wenyi-{uuid.uuid4().hex[:16]}"
        self.env = {
            "WENYI_S3_BUCKET": self.name,
            "WENYI_S3_ENDPOINT_URL": endpoint,
            "WENYI_S3_REGION": REGION,
            "WENYI_S3_ACCESS_KEY_ID": KEY,
            "WENYI_S3_SECRET_ACCESS_KEY": SECRET,
            "WENYI_S3_PREFIX": PREFIX,
        }
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id=KEY,
            aws_secret_access_key=SECRET,
        )
        self.client.create_bucket(Bucket=self.name)

    def objects(self) -> dict[str, bytes]:
        """{name below the prefix: content} of every object in the bucket."""
        listed = self.client.list_objects_v2(Bucket=self.name).get("Contents", [])
        found = {}
        for entry in listed:
            assert entry["Key"].startswith(f"{PREFIX}/"), entry["Key"]
            data = self.client.get_object(Bucket=self.name, Key=entry["Key"])["Body"].read()
            found[entry["Key"].removeprefix(f"{PREFIX}/")] = data
        return found


@pytest.fixture
def bucket(s3_server, settings, monkeypatch):
    """The default storage in a new bucket, configured from the environment as in
    production."""
    made = Bucket(s3_server)
    for name, value in made.env.items():
        monkeypatch.setenv(name, value)
    # assigning STORAGES makes Django drop the storages it made (setting_changed)
    settings.STORAGES = {**settings.STORAGES, "default": media_storage()}
    return made


@pytest.fixture
def activity(coordinator_a, county_a):
    return make_activity(coordinator_a, county_a)


def file_url(evidence, variant: str) -> str:
    return reverse("activities:evidence_file", args=[evidence.activity_id, evidence.pk, variant])


def local_files() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_upload_is_stored_served_and_deleted_in_the_bucket(
    bucket,
    activity,
    coordinator_a,
    coordinator_b,
    office,
    login,
    django_capture_on_commit_callbacks,
):
    data = photo_bytes()
    with django_capture_on_commit_callbacks(execute=True):  # the thumbnail is made too
        response = login(coordinator_a).post(
            reverse("activities:evidence_add", args=[activity.pk]),
            {"files": [SimpleUploadedFile("IMG_0001.JPG", data, "image/jpeg")], "caption": "演出"},
        )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.thumbnail and evidence.public_file

    # in the bucket, under the prefix: the original as uploaded, its public copy and the
    # thumbnail; nothing on the local disk
    stored = bucket.objects()
    assert set(stored) == {evidence.file.name, evidence.public_file.name, evidence.thumbnail.name}
    assert stored[evidence.file.name] == data
    assert local_files() == []
    # private: the files carry no grant to anyone but the bucket's owner
    acl = bucket.client.get_object_acl(Bucket=bucket.name, Key=f"{PREFIX}/{evidence.file.name}")
    assert all("URI" not in grant["Grantee"] for grant in acl["Grants"])

    # served by the app after its permission check: the whole file, and a byte range
    client = login(office)
    whole = client.get(file_url(evidence, "original"))
    assert whole.status_code == 200 and whole["Content-Type"] == "image/jpeg"
    served = body(whole)
    assert sha256(served) == sha256(data) == evidence.sha256
    part = client.get(file_url(evidence, "original"), HTTP_RANGE="bytes=4-11")
    assert part.status_code == 206 and body(part) == data[4:12]
    assert part["Content-Range"] == f"bytes 4-11/{len(data)}"
    tail = client.get(file_url(evidence, "original"), HTTP_RANGE="bytes=-5")
    assert body(tail) == data[-5:]
    public = body(login(coordinator_a).get(file_url(evidence, "public")))
    assert public == stored[evidence.public_file.name]
    assert Image.open(io.BytesIO(public)).getexif().get_ifd(0x8825) == {}
    # the same rules as on disk: the original with its location is the office's only,
    # another county does not see the record at all
    assert login(coordinator_a).get(file_url(evidence, "original")).status_code == 403
    assert login(coordinator_b).get(file_url(evidence, "public")).status_code == 404

    # deleted through the app: gone from the bucket once the deletion is committed
    with django_capture_on_commit_callbacks(execute=True):
        response = login(coordinator_a).post(
            reverse("activities:evidence_delete", args=[activity.pk, evidence.pk])
        )
    assert response.status_code == 302
    assert not Evidence.objects.exists()
    assert bucket.objects() == {}


def reads_of(storage) -> list[str]:
    """The Range header of every GET the storage's S3 client sends from now on ("" for
    the whole object)."""
    ranges: list[str] = []

    def note(request, **kwargs):
        ranges.append(request.headers.get("Range", b"").decode() if request.headers else "")

    storage.connection.meta.client.meta.events.register("before-send.s3.GetObject", note)
    return ranges


@pytest.mark.parametrize("size", [SMALL + 300_000, 100_000], ids=["large", "small"])
def test_stored_files_read_in_ranges_and_reopen(bucket, size):
    """A file opened from the bucket reads what is asked for, from where it is asked,
    seeks both ways, reports its size and opens again after closing (as FieldFile.open
    does), as a file on disk does; a large one in ranges, a small one whole at once."""
    data = os.urandom(size)
    name = default_storage.save("works/1/clip.mp4", ContentFile(data))
    assert name == "works/1/clip.mp4"
    # a name already taken gets another, as on disk: nothing stored is replaced
    again = default_storage.save("works/1/clip.mp4", ContentFile(b"other"))
    assert again != name and bucket.objects()[name] == data
    gets = reads_of(default_storage)

    f = default_storage.open(name, "rb")
    assert f.size == len(data) == default_storage.size(name)
    assert gets == []  # nothing read yet
    assert f.read(10) == data[:10]
    f.seek(size - 50_000)
    assert f.read(5) == data[size - 50_000 : size - 49_995]
    f.seek(-3, io.SEEK_END)
    assert f.read() == data[-3:] and f.read(1) == b""
    f.seek(100)
    assert f.tell() == 100 and f.read(300_000) == data[100:300_100]
    if size > SMALL:  # one GET from each place read, the rest of the object streamed
        assert gets == ["bytes=0-", f"bytes={size - 50_000}-", f"bytes={size - 3}-", "bytes=100-"]
    else:  # fetched whole, once
        assert gets == [""]
    assert b"".join(f.chunks(64 * 1024)) == data
    f.close()
    assert f.closed
    with f.open("rb") as reopened:
        assert reopened.read() == data

    with pytest.raises(FileNotFoundError):
        default_storage.open("works/1/missing.mp4", "rb")
    assert sorted(default_storage.names()) == sorted([name, again])


def _wenyi(*args: str, data_dir: Path, env: dict[str, str]) -> str:
    """`python -m wenyi …` in a fresh process: another instance, SQLite in `data_dir`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("WENYI_", "DATABASE_URL"))}
    clean |= {"WENYI_DATA_DIR": str(data_dir), "LANG": "C.UTF-8", **env}
    done = subprocess.run(
        [sys.executable, "-m", "wenyi", *args],
        cwd=PROJECT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_backup_reads_the_bucket_and_restore_fills_another(
    transactional_db, bucket, s3_server, activity, coordinator_a, tmp_path
):
    evidence_files.store_evidence(
        coordinator_a, activity, SimpleUploadedFile("a.jpg", photo_bytes(), "image/jpeg")
    )
    stored = bucket.objects()
    assert len(stored) == 3  # original, public copy, thumbnail

    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive))
    with tarfile.open(archive) as tar:
        media = {
            m.name.removeprefix("media/"): tar.extractfile(m).read()
            for m in tar.getmembers()
            if m.name.startswith("media/")
        }
    assert media == stored

    # into a new instance whose files go to another bucket on the same server
    other = Bucket(s3_server)
    out = _wenyi("restore", str(archive), data_dir=tmp_path / "restored", env=other.env)
    assert "、3 个上传文件" in out  # "Restored … rows and 3 uploaded files."
    assert other.objects() == stored
    assert not (tmp_path / "restored" / "media").exists()


def test_backup_says_when_the_bucket_cannot_be_read(
    transactional_db, s3_server, settings, monkeypatch, tmp_path
):
    """(Committed rows, as in tests/site/test_backup.py: SQLite's online backup waits for
    a write transaction of its own connection to end.)"""
    made = Bucket(s3_server)
    for name, value in {**made.env, "WENYI_S3_BUCKET": "wenyi-no-such-bucket"}.items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {**settings.STORAGES, "default": media_storage()}
    with pytest.raises(CommandError, match="NoSuchBucket"):
        call_command("backup", str(tmp_path / "b.tar"))
    assert list(tmp_path.iterdir()) == []  # no archive, no part of one


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"WENYI_S3_BUCKET": "Wenyi_Media"}, "WENYI_S3_BUCKET"),
        ({"WENYI_S3_BUCKET": "wenyi", "WENYI_S3_ENDPOINT_URL": "minio:9000"}, "ENDPOINT_URL"),
        ({"WENYI_S3_BUCKET": "wenyi", "WENYI_S3_ACCESS_KEY_ID": "k"}, "SECRET_ACCESS_KEY"),
        ({"WENYI_S3_BUCKET": "wenyi", "WENYI_S3_SECRET_ACCESS_KEY": "s"}, "ACCESS_KEY_ID"),
        ({"WENYI_S3_BUCKET": "wenyi", "WENYI_S3_ADDRESSING_STYLE": "dns"}, "ADDRESSING_STYLE"),
        ({"WENYI_S3_ENDPOINT_URL": "http://10.0.0.5:9000"}, "WENYI_S3_ENDPOINT_URL"),
    ],
)
def test_bad_s3_settings_are_refused_naming_the_variable(monkeypatch, env, named):
    for name in (
        "WENYI_S3_BUCKET",
        "WENYI_S3_ENDPOINT_URL",
        "WENYI_S3_ACCESS_KEY_ID",
        "WENYI_S3_SECRET_ACCESS_KEY",
        "WENYI_S3_ADDRESSING_STYLE",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(EnvError, match=named):
        media_storage()


def test_no_bucket_keeps_files_on_disk_and_a_bucket_is_private(monkeypatch):
    for name in ("WENYI_S3_BUCKET", "WENYI_S3_ENDPOINT_URL", "WENYI_S3_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    assert media_storage() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    monkeypatch.setenv("WENYI_S3_BUCKET", "wenyi-media")
    monkeypatch.setenv("WENYI_S3_ENDPOINT_URL", "https://s3.example.org")
    monkeypatch.setenv("WENYI_S3_PREFIX", "/wenyi/")
    options = media_storage()["OPTIONS"]
    assert options["default_acl"] is None and options["querystring_auth"] is True
    assert options["file_overwrite"] is False
    assert (options["location"], options["addressing_style"]) == ("wenyi", "path")
