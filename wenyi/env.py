"""Typed environment helpers that refuse bad values, naming the variable.

Kept apart from settings.py so that `wenyi serve` and tests can use them too.
"""

import importlib.util
import os
import re
import urllib.parse
from pathlib import Path


class EnvError(Exception):
    """A variable has a value we cannot use; the message names it."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise EnvError(f"{name}={raw!r}: expected one of 1/0, true/false, yes/no, on/off")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise EnvError(f"{name}={raw!r}: expected a whole number") from None
    if minimum is not None and value < minimum:
        raise EnvError(f"{name}={raw!r}: must be at least {minimum}")
    return value


def env_float(name: str, default: float, *, low: float = 0.0, high: float = 1.0) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise EnvError(f"{name}={raw!r}: expected a number such as 0.5") from None
    if not low <= value <= high:
        raise EnvError(f"{name}={raw!r}: must be between {low} and {high}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


S3_VARIABLES = (
    "WENYI_S3_BUCKET",
    "WENYI_S3_ENDPOINT_URL",
    "WENYI_S3_REGION",
    "WENYI_S3_ACCESS_KEY_ID",
    "WENYI_S3_SECRET_ACCESS_KEY",
    "WENYI_S3_PREFIX",
    "WENYI_S3_ADDRESSING_STYLE",
)
S3_ADDRESSING_STYLES = ("path", "virtual", "auto")
# S3's rule for bucket names (MinIO and the others follow it)
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def media_storage() -> dict:
    """STORAGES["default"]: the uploaded files in the S3-compatible bucket WENYI_S3_BUCKET
    (wenyi.core.storage, private: files are served only through the app's own views),
    or under WENYI_MEDIA_DIR when no bucket is set."""
    bucket = env_str("WENYI_S3_BUCKET", "").strip()
    if not bucket:
        stray = [name for name in S3_VARIABLES if os.environ.get(name, "").strip()]
        if stray:
            raise EnvError(
                f"{stray[0]} is set but WENYI_S3_BUCKET is empty: set the bucket too, or "
                "leave every WENYI_S3_ variable empty to keep files under WENYI_MEDIA_DIR"
            )
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if not _BUCKET.match(bucket) or ".." in bucket:
        raise EnvError(
            f"WENYI_S3_BUCKET={bucket!r}: expected a bucket name of 3 to 63 lower-case "
            "letters, digits, dots and hyphens"
        )
    if any(importlib.util.find_spec(name) is None for name in ("storages", "boto3")):
        raise EnvError(
            "WENYI_S3_BUCKET is set but django-storages or boto3 is not installed: "
            "pip install 'wenyi[s3]' (the s3 extra)"
        )
    endpoint = env_str("WENYI_S3_ENDPOINT_URL", "").strip()
    if endpoint:
        parts = urllib.parse.urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise EnvError(
                f"WENYI_S3_ENDPOINT_URL={endpoint!r}: expected an address such as "
                "https://s3.example.org or http://10.0.0.5:9000"
            )
    key = env_str("WENYI_S3_ACCESS_KEY_ID", "").strip()
    secret = env_str("WENYI_S3_SECRET_ACCESS_KEY", "").strip()
    if bool(key) != bool(secret):
        missing = "WENYI_S3_SECRET_ACCESS_KEY" if key else "WENYI_S3_ACCESS_KEY_ID"
        raise EnvError(
            f"{missing}: set both WENYI_S3_ACCESS_KEY_ID and WENYI_S3_SECRET_ACCESS_KEY, "
            "or neither (the usual AWS credentials of the machine are used then)"
        )
    # path style (https://host/bucket/key) is what MinIO and most self-hosted services
    # answer; virtual hosts (https://bucket.host/key) need a DNS name per bucket
    style = env_str("WENYI_S3_ADDRESSING_STYLE", "").strip().lower()
    style = style or ("path" if endpoint else "auto")
    if style not in S3_ADDRESSING_STYLES:
        raise EnvError(
            f"WENYI_S3_ADDRESSING_STYLE={style!r}: expected one of "
            + ", ".join(S3_ADDRESSING_STYLES)
        )
    options = {
        "bucket_name": bucket,
        "location": env_str("WENYI_S3_PREFIX", "").strip().strip("/"),
        "addressing_style": style,
        # private: no ACL of our own (the bucket's, which must not be public), and no
        # file is ever linked to the bucket directly (signed links, were one made)
        "default_acl": None,
        "querystring_auth": True,
        # a name already taken gets another, as on disk: no stored file is replaced
        "file_overwrite": False,
    }
    for option, value in (
        ("endpoint_url", endpoint),
        ("region_name", env_str("WENYI_S3_REGION", "").strip()),
        ("access_key", key),
        ("secret_key", secret),
    ):
        if value:
            options[option] = value
    return {"BACKEND": "wenyi.core.storage.S3MediaStorage", "OPTIONS": options}


def load_or_create_secret(data_dir: Path) -> str:
    """The secret key: WENYI_SECRET_KEY, else one generated on first use and kept on disk."""
    given = os.environ.get("WENYI_SECRET_KEY", "")
    if given:
        if len(given) < 32:
            raise EnvError("WENYI_SECRET_KEY: must be at least 32 characters long")
        return given
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    from django.utils.crypto import get_random_string

    data_dir.mkdir(parents=True, exist_ok=True)
    key = get_random_string(64, "abcdefghijklmnopqrstuvwxyz0123456789!@#%^&*(-_=+)")
    # create the file readable by the owner only, and never overwrite a key a
    # concurrent process wrote first
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key
