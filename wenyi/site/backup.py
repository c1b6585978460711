"""Backup and restore of a whole instance: `wenyi backup FILE`, `wenyi restore FILE`.

A backup is one tar file (`.tar`, or `.tar.gz` / `.tgz` compressed) holding

- `manifest.json`: the format, when and from which database it was made, the applied
  migrations, the rows per model and the SHA-256 of every other member;
- `data/<app>.<model>.jsonl`: every row of every model, one JSON object per line
  (Django's `jsonl` serialisation: primary keys kept, values in a form that does not
  depend on the database), read from one consistent snapshot — this is what `restore`
  loads, so a backup made on SQLite restores into PostgreSQL and back;
- `db/`: the database as its own tools write it, from the same snapshot — SQLite's
  online backup API (`db/wenyi.sqlite3`, a database file SQLite opens as it is) or
  `pg_dump -Fc` (`db/wenyi.pgdump`, for `pg_restore`) — for repairs by hand;
- `media/…`: the uploaded files, read through the media storage (the folder
  `WENYI_MEDIA_DIR`, or the S3 bucket `WENYI_S3_BUCKET`: `wenyi.core.storage`) and
  streamed into the archive; `campaigns/…`: the campaign files; `secret_key`: the
  generated secret key when the instance has one on disk (the public vote keeps phone
  numbers only as hashes keyed with it). The manifest comes last, once every member's
  hash is known: each file is read once.

The snapshot is consistent while the app runs: on SQLite one read transaction (in
WAL mode it sees the database as of its first read while the app writes on) reads the
rows and makes the online backup; on PostgreSQL one REPEATABLE READ transaction reads
the rows and exports its snapshot to `pg_dump --snapshot`. Files are copied after the
snapshot, so every file a row names was there.

`restore` goes into an empty instance only (no unit, login or campaign yet: a fresh
`WENYI_DATA_DIR` or database): it checks every member against the manifest before
touching anything, migrates the database, requires the same migrations the backup
was made with (else it says which version to restore with), loads the rows in one
transaction (`loaddata`, which also moves PostgreSQL's sequences past the loaded keys),
puts the files back through the media storage (a folder or a bucket, whichever this
instance has) and compares the rows per model and every file's hash with the manifest.
The archive holds every person's data and the secret key: keep it like the database
itself.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = "wenyi-backup/1"
# rows that are not data: logged-in sessions end with the instance they belonged to
SKIPPED = {"sessions.session"}
CHUNK = 1 << 20

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Chinese."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _models() -> list:
    """Every concrete model with a table of its own, in a stable order."""
    found = [
        model
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and model._meta.label_lower not in SKIPPED
    ]
    return sorted(found, key=lambda m: m._meta.label_lower)


def _applied_migrations(alias: str = "default") -> dict[str, list[str]]:
    loader = MigrationLoader(connections[alias], ignore_no_migrations=True)
    applied: dict[str, list[str]] = {}
    for app_label, name in sorted(loader.applied_migrations):
        applied.setdefault(app_label, []).append(name)
    return applied


def _code_migrations() -> dict[str, list[str]]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known: dict[str, list[str]] = {}
    for app_label, name in sorted(loader.disk_migrations):
        known.setdefault(app_label, []).append(name)
    return known


def _files(root: Path, pattern: str = "**/*") -> Iterator[Path]:
    if root.is_dir():
        for path in sorted(root.glob(pattern)):
            if path.is_file() and not path.is_symlink():
                yield path


def media_names(storage=None) -> list[str]:
    """The name of every file in the media storage, sorted: one flat listing of an S3
    bucket (`S3MediaStorage.names`), else a walk of its folders."""
    storage = storage or default_storage
    listing = getattr(storage, "names", None)
    if callable(listing):
        return sorted(listing())

    def walk(folder: str) -> Iterator[str]:
        try:
            folders, files = storage.listdir(folder)
        except FileNotFoundError:  # no upload yet: no media folder either
            return
        for name in files:
            yield f"{folder}/{name}" if folder else name
        for name in folders:
            yield from walk(f"{folder}/{name}" if folder else name)

    return sorted(walk(""))


def _storage_sha256(storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


class _Unreadable(Exception):
    """Reading a file for the archive failed (not writing the archive)."""


class _Hashing:
    """A file read into the archive, hashed on the way."""

    def __init__(self, f):
        self._f = f
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        try:
            block = self._f.read(size)
        except Exception as error:
            raise _Unreadable(error) from error
        self.sha256.update(block)
        return block


def _add(tar: tarfile.TarFile, name: str, f, size: int, mtime: float, mode: int = 0o644) -> str:
    """Stream the open file `f` of `size` bytes into the archive as `name`; its SHA-256."""
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, mtime, mode
    hashing = _Hashing(f)
    tar.addfile(info, hashing)
    return hashing.sha256.hexdigest()


# -- backup -------------------------------------------------------------------------


@dataclass
class Made:
    path: Path
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    size: int = 0


class ExactEncoder(DjangoJSONEncoder):
    """Django's JSON encoder, but times keep their microseconds (it cuts them to
    milliseconds, as JavaScript would read them): a restored row equals the one saved."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


def _dump_rows(alias: str, folder: Path, say: Progress) -> dict[str, int]:
    """Every model's rows from database `alias` into folder/<label>.jsonl."""
    counts = {}
    for model in _models():
        label = model._meta.label_lower
        rows = model._base_manager.using(alias).order_by("pk")
        with (folder / f"{label}.jsonl").open("w", encoding="utf-8") as out:
            serializers.serialize(
                "jsonl", rows.iterator(chunk_size=2000), stream=out, cls=ExactEncoder
            )
        counts[label] = rows.count()
        if counts[label]:
            say(f"  {label}: {counts[label]:,}")
    return counts


def _sqlite_snapshot(work: Path, say: Progress) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Rows and migrations read in one read transaction, and SQLite's online backup of
    the same connection inside it: in WAL mode a read transaction sees the database as
    of its first read, while the app goes on writing."""
    copy = work / "db" / "wenyi.sqlite3"
    copy.parent.mkdir()
    # a DEFERRED transaction by hand: Django's atomic() begins IMMEDIATE here (settings),
    # which would take the write lock and hold up the app for the whole backup
    own = not connection.in_atomic_block
    connection.ensure_connection()
    with connection.cursor() as cursor:
        if own:
            cursor.execute("BEGIN DEFERRED")
        try:
            cursor.execute("SELECT COUNT(*) FROM django_migrations")  # the snapshot begins
            target = sqlite3.connect(copy)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
            return _dump_rows("default", work / "data", say), _applied_migrations()
        finally:
            if own:
                cursor.execute("COMMIT")


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[name] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    env["PGDATABASE"] = db["NAME"]
    return env


def pg_tool(name: str) -> str:
    """The PostgreSQL client program `name` (pg_dump, pg_restore): on PATH, else in
    `pg_config --bindir`, else Debian's newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    try:
        bindir = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=True
        ).stdout.strip()
        if (Path(bindir) / name).is_file():
            return str(Path(bindir) / name)
    except (OSError, subprocess.CalledProcessError):
        pass
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if candidates:
        return str(candidates[-1])
    raise BackupError(
        _("PostgreSQL's %(program)s program was not found: install postgresql-client.")
        % {"program": name}
    )


def backup(target: Path, *, progress: Progress | None = None) -> Made:
    """Write the instance's backup to `target` (module docstring)."""
    say = progress or (lambda line: None)
    target = Path(target)
    if not target.name.endswith((".tar", ".tar.gz", ".tgz")):
        raise BackupError(
            _("%(name)s: a backup file name ends in .tar, .tar.gz or .tgz.") % {"name": target.name}
        )
    made = Made(target)
    with tempfile.TemporaryDirectory(prefix="wenyi-backup-") as tmp:
        work = Path(tmp)
        (work / "data").mkdir()
        vendor = connection.vendor
        say(_("Reading a snapshot of the database…"))
        if vendor == "sqlite":
            made.rows, applied = _sqlite_snapshot(work, say)
        elif vendor == "postgresql":
            made.rows, applied = _pg_snapshot(work, say)
        else:
            raise BackupError(_("Unsupported database: %(vendor)s.") % {"vendor": vendor})
        members: list[tuple[Path, str]] = []
        for path in sorted((work / "data").iterdir()):
            members.append((path, f"data/{path.name}"))
        for path in _files(work / "db"):
            members.append((path, f"db/{path.name}"))
        for path in _files(Path(settings.CAMPAIGNS_DIR), "*.toml"):
            members.append((path, f"campaigns/{path.name}"))
        secret = Path(settings.DATA_DIR) / "secret_key"
        if secret.is_file() and not os.environ.get("WENYI_SECRET_KEY"):
            members.append((secret, "secret_key"))
        partial = target.with_name(target.name + ".part")
        mode = "w:gz" if target.name.endswith(("gz", ".tgz")) else "w"
        try:
            with tarfile.open(partial, mode) as tar:
                say(_("Copying the uploaded files and the campaign files…"))
                hashes = {}
                for path, name in members:
                    with path.open("rb") as f:
                        stat = path.stat()
                        hashes[name] = _add(
                            tar, name, f, stat.st_size, stat.st_mtime, stat.st_mode & 0o777
                        )
                made.files = _add_media(tar, hashes)
                manifest = {
                    "format": FORMAT,
                    "created_at": timezone.now().isoformat(),
                    "vendor": vendor,
                    "migrations": applied,
                    "rows": made.rows,
                    "sha256": hashes,
                }
                (work / "manifest.json").write_text(
                    json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
                )
                tar.add(work / "manifest.json", "manifest.json")
            partial.replace(target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    made.size = target.stat().st_size
    return made


def _add_media(tar: tarfile.TarFile, hashes: dict[str, str]) -> int:
    """Every file of the media storage into the archive under media/; how many."""
    storage, now, added = default_storage, timezone.now().timestamp(), 0

    def unreadable(error: Exception) -> BackupError:  # a bucket out of reach, say
        return BackupError(
            _("The uploaded files could not be read from the media storage: %(error)s")
            % {"error": error}
        )

    try:
        names = media_names(storage)
    except Exception as error:
        raise unreadable(error) from error
    for name in names:
        try:
            f = storage.open(name, "rb")
        except FileNotFoundError:  # deleted since the listing, with its row
            continue
        except Exception as error:
            raise unreadable(error) from error
        with f:
            try:
                hashes[f"media/{name}"] = _add(tar, f"media/{name}", f, f.size, now)
            except _Unreadable as error:
                raise unreadable(error.__cause__) from error
        added += 1
    return added


def _pg_snapshot(work: Path, say: Progress) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Rows and migrations read in one REPEATABLE READ transaction, and pg_dump of the
    same snapshot."""
    (work / "db").mkdir()
    connection.ensure_connection()  # its set-up statements before the transaction
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
        dump = subprocess.Popen(
            [
                pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                f"--snapshot={snapshot}",
                f"--file={work / 'db' / 'wenyi.pgdump'}",
            ],
            env=_pg_env(),
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            rows = _dump_rows("default", work / "data", say)
            applied = _applied_migrations()
        finally:
            _out, errors = dump.communicate()
        if dump.returncode:
            raise BackupError(_("pg_dump failed: %(error)s") % {"error": errors.strip()})
    return rows, applied


# -- restore ------------------------------------------------------------------------


@dataclass
class Restored:
    rows: dict[str, int]
    files: int
    notes: list[str]


def _read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.getmember("manifest.json")
        manifest = json.loads(tar.extractfile(member).read().decode("utf-8"))
    except (KeyError, ValueError, AttributeError) as error:
        raise BackupError(
            _("This is not a backup of the platform: manifest.json is missing or unreadable.")
        ) from error
    if manifest.get("format") != FORMAT:
        raise BackupError(
            _("Backup format %(found)s is not known (this version reads %(format)s).")
            % {"found": manifest.get("format"), "format": FORMAT}
        )
    return manifest


def _unpack(source: Path, work: Path) -> dict:
    """Extract the archive into `work` after checking each member against the manifest
    (names inside the archive only, the hashes all equal)."""
    if not source.is_file():
        raise BackupError(_("No backup file at %(path)s.") % {"path": source})
    try:
        tar = tarfile.open(source)
    except (OSError, tarfile.TarError) as error:
        raise BackupError(
            _("%(name)s: the backup file cannot be opened (%(error)s).")
            % {"name": source.name, "error": error}
        ) from error
    with tar:
        manifest = _read_manifest(tar)
        expected = manifest.get("sha256", {})
        names = {m.name for m in tar.getmembers() if m.isfile()} - {"manifest.json"}
        if names != set(expected):
            missing = sorted(set(expected) - names)[:5]
            extra = sorted(names - set(expected))[:5]
            raise BackupError(
                _(
                    "The backup file is incomplete or was changed: missing %(missing)s, "
                    "extra %(extra)s."
                )
                % {"missing": missing, "extra": extra}
            )
        tar.extractall(work, filter="data")
    for name, digest in expected.items():
        if _sha256(work / name) != digest:
            raise BackupError(
                _("The backup file is damaged: the checksum of %(name)s does not match.")
                % {"name": name}
            )
    return manifest


def _refuse_unless_empty() -> None:
    from wenyi.campaigns.models import Campaign
    from wenyi.orgs.models import OrgUnit

    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    units, logins = OrgUnit.objects.count(), user_model.objects.count()
    campaigns = Campaign.objects.count()
    if units or logins or campaigns:
        raise BackupError(
            _(
                "A backup is restored into an empty instance only: this one has %(units)s "
                "units, %(logins)s logins and %(campaigns)s campaigns. Use a new "
                "WENYI_DATA_DIR or a new database."
            )
            % {"units": units, "logins": logins, "campaigns": campaigns}
        )


def restore(source: Path, *, progress: Progress | None = None) -> Restored:
    """Restore the backup `source` into this (empty) instance (module docstring)."""
    say = progress or (lambda line: None)
    source = Path(source)
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="wenyi-restore-") as tmp:
        work = Path(tmp)
        say(_("Checking the backup file…"))
        manifest = _unpack(source, work)
        code = _code_migrations()
        theirs = manifest["migrations"]
        missing = sorted(
            f"{app}.{name}"
            for app, names in theirs.items()
            for name in names
            if name not in code.get(app, [])
        )
        if missing:
            raise BackupError(
                _(
                    "The backup comes from a newer version (this one lacks the migrations "
                    "%(names)s): upgrade the platform first, then restore."
                )
                % {"names": ", ".join(missing[:5])}
            )
        say(_("Creating the database tables…"))
        call_command("migrate", verbosity=0)
        behind = sorted(
            f"{app}.{name}"
            for app, names in code.items()
            for name in names
            if name not in theirs.get(app, []) and app in {m._meta.app_label for m in _models()}
        )
        if behind:
            raise BackupError(
                _(
                    "The backup comes from an earlier version (it lacks the migrations "
                    "%(names)s): restore it with the version that made it, then upgrade."
                )
                % {"names": ", ".join(behind[:5])}
            )
        _refuse_unless_empty()
        files = [
            work / "data" / f"{label}.jsonl" for label, n in sorted(manifest["rows"].items()) if n
        ]
        say(_("Writing %(n)s rows…") % {"n": f"{sum(manifest['rows'].values()):,}"})
        with transaction.atomic():
            # what migrate made by itself (content types, permissions) comes from the backup
            for model in reversed(_models()):
                model._base_manager.all().delete()
            call_command("loaddata", *[str(f) for f in files], verbosity=0)
            rows = {m._meta.label_lower: m._base_manager.count() for m in _models()}
            differ = {
                label: (n, rows.get(label))
                for label, n in manifest["rows"].items()
                if rows.get(label) != n
            }
            if differ:
                raise BackupError(
                    _("The rows restored differ from the backup: %(models)s") % {"models": differ}
                )
        say(_("Restoring the uploaded files…"))
        restored_files = 0
        for name, digest in manifest["sha256"].items():
            if name.startswith("media/"):
                _put_media(work / name, name.removeprefix("media/"), digest)
                restored_files += 1
            elif name.startswith("campaigns/"):
                target = Path(settings.CAMPAIGNS_DIR) / name.removeprefix("campaigns/")
                if target.exists() and _sha256(target) != manifest["sha256"][name]:
                    kept = Path(settings.DATA_DIR) / "restored-campaigns" / target.name
                    _put(work / name, kept)
                    notes.append(
                        _(
                            "Campaign file %(name)s differs from the one here: the backup's "
                            "copy is in %(path)s."
                        )
                        % {"name": target.name, "path": kept}
                    )
                elif not target.exists():
                    _put(work / name, target)
            elif name == "secret_key":
                if os.environ.get("WENYI_SECRET_KEY"):
                    notes.append(
                        _(
                            "WENYI_SECRET_KEY is set, so the backup's secret key was not used: "
                            "phone numbers of the public vote will no longer match."
                        )
                    )
                    continue
                key = Path(settings.DATA_DIR) / "secret_key"
                if key.exists() and _sha256(key) != manifest["sha256"][name]:
                    # made when this empty instance first started: it guards nothing yet
                    key.unlink()
                if not key.exists():
                    _put(work / name, key)
                    key.chmod(0o600)
                    notes.append(
                        _("The secret key file was restored; restart the running services.")
                    )
        for name, digest in manifest["sha256"].items():
            if name.startswith("media/"):
                if _storage_sha256(default_storage, name.removeprefix("media/")) != digest:
                    raise BackupError(
                        _("The restored file %(name)s differs from the backup.") % {"name": name}
                    )
    return Restored(rows=rows, files=restored_files, notes=notes)


def _put_media(source: Path, name: str, digest: str) -> None:
    """An uploaded file back into the media storage under its own name (the rows name
    it); one already there with the same content is left as it is."""
    storage = default_storage
    taken = BackupError(
        _(
            "The uploaded file %(name)s is already stored with other content: restore "
            "into an empty media folder or bucket."
        )
        % {"name": name}
    )
    try:
        if storage.exists(name):
            if _storage_sha256(storage, name) == digest:
                return
            raise taken
        with source.open("rb") as f:
            saved = storage.save(name, File(f, name=name))
    except BackupError:
        raise
    except Exception as error:  # a bucket out of reach, or refusing: said in a line
        raise BackupError(
            _("The uploaded file %(name)s could not be written to the media storage: %(error)s")
            % {"name": name, "error": error}
        ) from error
    if saved != name:  # stored meanwhile by someone else: this copy goes again
        storage.delete(saved)
        raise taken


def _put(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        if _sha256(target) == _sha256(source):
            return
        raise BackupError(
            _("%(path)s exists with other content: restore into an empty data folder.")
            % {"path": target}
        )
    shutil.copy2(source, target)
