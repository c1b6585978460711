"""Campaign files for the loader tests, and a stand-in for data of other apps."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, models

LINYI = Path(settings.PROJECT_DIR) / "campaigns" / "linyi-2014.toml"
JINAN = Path(settings.PROJECT_DIR) / "docs" / "examples" / "jinan-2016.toml"
FULL = Path(settings.PROJECT_DIR) / "docs" / "examples" / "shandong-2015.toml"  # slug sd-2015


def edited(text: str, *replacements: tuple[str, str]) -> str:
    """`text` with each (old, new) replaced; `old` must occur exactly once."""
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


@pytest.fixture
def linyi_text() -> str:
    return LINYI.read_text(encoding="utf-8")


@pytest.fixture
def write_file(tmp_path) -> Callable[..., Path]:
    """write_file(text, name="linyi-2014.toml") -> the path of a new campaign file."""

    def _write(text: str, name: str = "linyi-2014.toml") -> Path:
        folder = tmp_path / "files"
        folder.mkdir(exist_ok=True)
        path = folder / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def dependent_model(transactional_db) -> Iterator[Callable[..., type[models.Model]]]:
    """dependent_model(target, on_delete) -> a real model of another app ("core")
    whose rows refer to `target`, with its table created for this test.

    It stands in for the apps that will refer to campaign parts (activities to
    their type, works to their category) and do not exist yet. Nothing is mocked:
    the model is registered with Django like any other and has a real table, so
    the loader sees it through the ordinary relation metadata. The reverse
    relation is hidden (related_name="+"), which the loader must still find.
    Schema changes need a test without a wrapping transaction on SQLite, hence
    transactional_db.
    """
    made: list[type[models.Model]] = []

    def make(
        target: type[models.Model],
        on_delete=models.PROTECT,
        verbose_name: str = "测试活动记录",
    ) -> type[models.Model]:
        name = f"LoaderDependent{len(made)}"
        meta = type("Meta", (), {"app_label": "core", "verbose_name": verbose_name})
        model = type(
            name,
            (models.Model,),
            {
                "__module__": __name__,
                "Meta": meta,
                "target": models.ForeignKey(target, on_delete=on_delete, related_name="+"),
            },
        )
        with connection.schema_editor() as editor:
            editor.create_model(model)
        made.append(model)
        return model

    yield make

    for model in made:
        with connection.schema_editor() as editor:
            editor.delete_model(model)
        del apps.all_models["core"][model._meta.model_name]
    apps.clear_cache()
