import pytest

from wenyi.env import EnvError, env_bool, env_int, env_list, load_or_create_secret


def test_env_bool_refuses_bad_value_naming_variable(monkeypatch):
    monkeypatch.setenv("WENYI_DEBUG", "maybe")
    with pytest.raises(EnvError, match="WENYI_DEBUG"):
        env_bool("WENYI_DEBUG")


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("off", False)])
def test_env_bool_reads_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("WENYI_X", raw)
    assert env_bool("WENYI_X") == expected


def test_env_int_refuses_words_and_small_values(monkeypatch):
    monkeypatch.setenv("WENYI_SOME_NUMBER", "many")
    with pytest.raises(EnvError, match="WENYI_SOME_NUMBER"):
        env_int("WENYI_SOME_NUMBER", 50)
    monkeypatch.setenv("WENYI_SOME_NUMBER", "1")
    with pytest.raises(EnvError, match="at least 5"):
        env_int("WENYI_SOME_NUMBER", 50, minimum=5)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("WENYI_ALLOWED_HOSTS", "a.example.org, b.example.org,")
    assert env_list("WENYI_ALLOWED_HOSTS", []) == ["a.example.org", "b.example.org"]


def test_secret_key_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("WENYI_SECRET_KEY", raising=False)
    first = load_or_create_secret(tmp_path)
    assert len(first) == 64
    assert load_or_create_secret(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_short_secret_key_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("WENYI_SECRET_KEY", "short")
    with pytest.raises(EnvError, match="WENYI_SECRET_KEY"):
        load_or_create_secret(tmp_path)


def test_settings_refuse_bad_value_at_start_up(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "WENYI_DATA_DIR": str(tmp_path), "WENYI_UPLOAD_MAX_MB": "lots"}
    result = subprocess.run(
        [sys.executable, "-m", "wenyi", "check"], env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "WENYI_UPLOAD_MAX_MB" in result.stderr
