"""Typed environment helpers that refuse bad values, naming the variable.

Kept apart from settings.py so that `wenyi serve` and tests can use them too.
"""

import os
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
