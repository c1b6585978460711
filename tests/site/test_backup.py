"""`wenyi backup` and `wenyi restore` (issue 16, point 3): a backup restores into an
empty instance with every row and every file as they were — on the database the suite
runs on and across: the PostgreSQL run (`.ci/run`) backs up PostgreSQL, restores into
SQLite, backs that up and restores it into a new PostgreSQL database. Bad archives and
a non-empty target are refused with the reason, and leave nothing behind."""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from wenyi.site.backup import BackupError, restore

PROJECT = Path(settings.BASE_DIR).parent


def _wenyi(*args: str, data_dir: Path, database_url: str = "") -> str:
    """Run `python -m wenyi …` in a fresh process on another instance."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WENYI_", "DATABASE_URL"))}
    env |= {"WENYI_DATA_DIR": str(data_dir), "LANG": "C.UTF-8"}
    if database_url:
        env["DATABASE_URL"] = database_url
    done = subprocess.run(
        [sys.executable, "-m", "wenyi", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _contents(archive: Path) -> tuple[dict, dict]:
    """({model: [rows as parsed JSON]}, {file name: sha256}) of a backup: rows compared
    as data (PostgreSQL's jsonb keeps a JSON value's keys in its own order)."""
    rows, files = {}, {}
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        for member in tar.getmembers():
            if member.name.startswith("data/"):
                lines = tar.extractfile(member).read().decode("utf-8").splitlines()
                rows[member.name] = [json.loads(line) for line in lines if line.strip()]
    for name, digest in manifest["sha256"].items():
        if name.startswith(("media/", "campaigns/")) or name == "secret_key":
            files[name] = digest
    return rows, files


@pytest.fixture
def instance(transactional_db, settings, tmp_path, linyi, office, coordinator_a, county_a):
    """A small instance with committed rows of many kinds and two uploaded files."""
    from wenyi.activities import services

    activity = services.create_activity(
        coordinator_a,
        campaign=linyi,
        unit=county_a,
        type=linyi.activity_types.get(key="weiwen"),
        title="走进车间慰问演出",
        start_date=linyi.start,
        place="兰山机械厂",
        values={"shows": 2, "audience": 300, "effect": "反响热烈"},
    )
    services.submit_activity(coordinator_a, activity)
    services.verify_activity(office, activity)
    media = Path(settings.MEDIA_ROOT)
    (media / "evidence" / "1").mkdir(parents=True)
    (media / "evidence" / "1" / "照片.jpg").write_bytes(os.urandom(4096))
    (media / "covers").mkdir()
    (media / "covers" / "a.png").write_bytes(b"\x89PNG" + os.urandom(100))
    return tmp_path


def test_backup_restores_every_row_and_file(instance):
    first = instance / "first.tar.gz"
    call_command("backup", str(first))
    rows, files = _contents(first)
    assert rows["data/activities.activity.jsonl"][0]["fields"]["title"] == "走进车间慰问演出"
    assert {"media/evidence/1/照片.jpg", "media/covers/a.png"} <= set(files)
    assert not list(instance.glob("*.part"))
    with tarfile.open(first) as tar:
        native = [m.name for m in tar.getmembers() if m.name.startswith("db/")]
    assert native == [
        "db/wenyi.pgdump" if connection.vendor == "postgresql" else "db/wenyi.sqlite3"
    ]

    # into a fresh SQLite instance, and back up again: the same rows, the same files
    target = instance / "sqlite-target"
    out = _wenyi("restore", str(first), data_dir=target)
    assert "已恢复" in out
    second = instance / "second.tar"
    _wenyi("backup", str(second), data_dir=target)
    assert _contents(second) == (rows, files)
    restored = target / "media" / "evidence" / "1" / "照片.jpg"
    assert hashlib.sha256(restored.read_bytes()).hexdigest() == files["media/evidence/1/照片.jpg"]

    if connection.vendor == "postgresql":
        # the SQLite backup into a new PostgreSQL database, and back up once more
        name = f"wenyi_restore_{uuid.uuid4().hex[:8]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            url = _url_of(name)
            _wenyi("restore", str(second), data_dir=instance / "pg-target", database_url=url)
            third = instance / "third.tar"
            _wenyi("backup", str(third), data_dir=instance / "pg-target", database_url=url)
            assert _contents(third) == (rows, files)
            with tarfile.open(third) as tar:
                assert "db/wenyi.pgdump" in tar.getnames()
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _url_of(name: str) -> str:
    """The URL of database `name` on the suite's PostgreSQL server."""
    db = settings.DATABASES["default"]
    host = str(db.get("HOST", "")).replace("/", "%2F")
    port = db.get("PORT") or 5432
    return f"postgres://{db['USER']}:{db.get('PASSWORD', '')}@{host}:{port}/{name}"


def test_restore_refuses_a_non_empty_instance_and_bad_files(instance):
    archive = instance / "b.tar"
    call_command("backup", str(archive))

    with pytest.raises(BackupError, match="只能恢复到空的实例"):
        restore(archive)

    # a member changed after the backup was made
    damaged = instance / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else None
            if member.name == "media/covers/a.png":
                data = b"\x89PNG" + b"\0" * 100
                member.size = len(data)
            out.addfile(member, None if data is None else io.BytesIO(data))
    with pytest.raises(BackupError, match="备份文件已损坏：media/covers/a.png"):
        restore(damaged)

    not_a_backup = instance / "notes.tar"
    with tarfile.open(not_a_backup, "w") as out:
        out.add(archive, "something.tar")
    with pytest.raises(BackupError, match="manifest.json"):
        restore(not_a_backup)
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(instance / "missing.tar"))

    with pytest.raises(CommandError, match=r"\.tar、\.tar\.gz 或 \.tgz"):
        call_command("backup", str(instance / "backup.zip"))
    assert not (instance / "backup.zip").exists() and not list(instance.glob("*.part"))
