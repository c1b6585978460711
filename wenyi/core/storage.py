"""Uploaded files in an S3-compatible bucket (MinIO, Ceph, a cloud's object storage), for
a deployment on several machines: `WENYI_S3_BUCKET` and the other `WENYI_S3_` variables
(`wenyi.env.media_storage`) make `S3MediaStorage` the default storage, else files stay
under `WENYI_MEDIA_DIR`.

Nothing else changes with it: every app reads, writes and deletes files through the
storage API alone (`field.storage.open / save / size / delete`), and files are served by
the app's own views after their permission checks (`core.uploads.serve`), never by a
link to the bucket — which stays private (no ACL is set on a file; the bucket's own
policy must not make it public).

What this adds to django-storages' `S3Storage`:

- a file opened for reading fetches what is read, from where it is read (one ranged GET
  from the position to the end, a new one after a seek), where S3Storage downloads the
  whole object first, into memory: a phone playing a video asks for many byte ranges of
  it, and each costs one request here, not the whole video. A small file (a photo, a
  spreadsheet, a Word file: up to `SMALL`) is fetched whole at its first read instead, in
  one request, since readers of such formats seek back and forth;
- the client's settings for S3-compatible servers: checksums only where the protocol
  requires them (botocore sends CRC32 headers by default that some servers refuse), a
  short connection timeout and three tries;
- `names()`: every stored name in one flat listing (`wenyi backup` reads them all).

Imported only when a bucket is set (the `s3` extra installs django-storages and boto3).
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from botocore.config import Config
from botocore.exceptions import ClientError
from django.core.files import File
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

READ_BUFFER = 256 * 1024  # bytes read from S3 at a time (a sequential read is one GET)
SMALL = 2 * 1024 * 1024  # objects up to this size are fetched whole at their first read


class _RangedObject(io.RawIOBase):
    """An S3 object as a seekable, read-only raw file: reading opens one GET from the
    current position to the end and goes on reading it; a seek elsewhere drops it. An
    object of at most SMALL bytes is fetched whole at the first read."""

    def __init__(self, obj, size: int):
        super().__init__()
        self._obj = obj
        self._size = size
        self._pos = 0
        self._body = None
        self._whole: bytes | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            position = offset
        elif whence == io.SEEK_CUR:
            position = self._pos + offset
        elif whence == io.SEEK_END:
            position = self._size + offset
        else:
            raise ValueError(f"invalid whence ({whence})")
        if position < 0:
            raise ValueError(f"negative seek position {position}")
        if position != self._pos:
            self._drop()
            self._pos = position
        return position

    def readinto(self, buffer) -> int:
        wanted = min(len(buffer), self._size - self._pos)
        if wanted <= 0:
            return 0
        if self._size <= SMALL:
            if self._whole is None:
                self._whole = self._obj.get()["Body"].read()
            data = self._whole[self._pos : self._pos + wanted]
        else:
            if self._body is None:
                self._body = self._obj.get(Range=f"bytes={self._pos}-")["Body"]
            data = self._body.read(wanted)
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def close(self) -> None:
        self._drop()
        self._whole = None
        super().close()

    def _drop(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None


class S3ObjectFile(File):
    """A stored file opened for reading (Django's `File`, so `FieldFile.open`, `chunks()`
    and `FileResponse` work as with a file on disk); it opens again after closing."""

    def __init__(self, obj, name: str, size: int):
        self._obj = obj
        super().__init__(self._reader(obj, size), name)
        self.size = size

    @staticmethod
    def _reader(obj, size: int) -> io.BufferedReader:
        return io.BufferedReader(_RangedObject(obj, size), buffer_size=READ_BUFFER)

    def open(self, mode: str | None = None) -> S3ObjectFile:
        if mode not in (None, "rb"):
            raise ValueError(f"{self.name}: stored files open for reading only (rb)")
        if self.closed:
            self.file = self._reader(self._obj, self.size)
        else:
            self.seek(0)
        return self


class S3MediaStorage(S3Storage):
    """django-storages' S3Storage with ranged reads, the client's settings for
    S3-compatible servers and a flat listing (see the module's docstring)."""

    def __init__(self, **options):
        super().__init__(**options)
        self.client_config = Config(
            s3={"addressing_style": self.addressing_style},
            signature_version=self.signature_version,
            connect_timeout=10,
            read_timeout=60,
            retries={"max_attempts": 3, "mode": "standard"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )

    def _open(self, name: str, mode: str = "rb"):
        if mode != "rb":  # writing through an open file: as django-storages does it
            return super()._open(name, mode)
        obj = self.bucket.Object(self._normalize_name(clean_name(name)))
        try:
            obj.load()  # one HEAD: a missing file is FileNotFoundError here, as on disk
        except ClientError as error:
            if error.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
                raise FileNotFoundError(f"File does not exist: {name}") from None
            raise
        return S3ObjectFile(obj, name, obj.content_length)

    def names(self) -> Iterator[str]:
        """Every stored file's name (below the prefix, if any), in key order."""
        prefix = self._normalize_name("")
        prefix = f"{prefix.rstrip('/')}/" if prefix else ""
        client = self.connection.meta.client
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket_name, Prefix=prefix
        )
        for page in pages:
            for entry in page.get("Contents", ()):
                key = entry["Key"]
                if not key.endswith("/"):  # a "folder" some consoles make
                    yield key[len(prefix) :]
