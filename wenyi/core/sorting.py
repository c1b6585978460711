"""Names in the order people expect: by pinyin, the same on SQLite and PostgreSQL.

A model keeps, beside a name or title, a stored sort key (`SortKeyField`): the text's
tone-free pinyin, one lower-case word per syllable, e.g. "兰山区" → "lan shan qu".
Lists order by the key (then by the text and the id, so homophones such as 张三 and
章三 stay together in a fixed order).

Why a stored key and not a collation: SQLite has no Chinese collation at all, and
PostgreSQL's `COLLATE "zh-x-icu"` exists only on servers built with ICU; a key computed
in Python gives one order on both databases, and an index can serve it. The key column
is collated "C" on PostgreSQL (byte order, as SQLite's default BINARY): a locale such
as en_US.UTF-8 skips spaces when comparing, which would sort "lin" before "li si".

How the key is made (`pinyin_key`):

- The text is NFKC-normalised (full-width "１２Ａ" → "12A"), then turned into pinyin
  by pypinyin's `lazy_pinyin` (phrase-aware: 重庆 → chong qing, 长春 → chang chun),
  tone-free; ü is written "v" (lv sorts after lu, as lü after lu).
- Text that is not Chinese is kept as words: Latin letters lower-cased and stripped of
  accents, so "Anna" sorts among the a's; other scripts as they are.
- Digit runs are zero-padded, so 第2小组 comes before 第10小组.
- Punctuation and spaces are dropped; words are joined by one space, which sorts
  before every letter: "li si" (李四) before "lin" (林).
- For people (`person=True`) the first character, when it is one of the surnames read
  differently from the common word (曾 zeng, not ceng; 单 shan, not dan; …), is read
  as the surname.

The key is kept up to date on every save, also under `save(update_fields=[source])`
(the model inherits `SortKeyed`), and by `bulk_create` (Django calls the field's
`pre_save` there too). `QuerySet.update()` and `bulk_update()` bypass both: whoever
changes the source that way sets the key too, with `pinyin_key`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models

# the key's width for the digit runs of a name ("第2小组" → "di 0000000002 xiao zu")
DIGITS = 10

_WORD = re.compile(r"\d+|[^\W\d_]+")

# Surnames whose reading differs from the character's common one (pypinyin reads the
# common one: 曾 ceng, 单 dan). Compound surnames (欧阳, 尉迟, 万俟, 长孙, 单于) pypinyin
# already reads right from its phrase list.
SURNAMES = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "区": "ou",
    "查": "zha",
    "乐": "yue",
    "盖": "ge",
    "翟": "zhai",
    "缪": "miao",
    "覃": "qin",
    "召": "shao",
    "种": "chong",
    "洗": "xian",
    "宓": "fu",
    "句": "gou",
    "秘": "bi",
    "折": "she",
    "员": "yun",
    "繁": "po",
    "阚": "kan",
}


def _plain(word: str) -> str:
    """A word of letters, lower-cased and without accents ("Émile" → "emile")."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def pinyin_key(text: str, *, person: bool = False) -> str:
    """The sort key of a name or title: "兰山区" → "lan shan qu", "曾小明" (a person) →
    "zeng xiao ming", "第2小组" → "di 0000000002 xiao zu"."""
    # pypinyin loads its dictionaries on import (~0.3 s): only where keys are made
    from pypinyin import Style, lazy_pinyin

    text = unicodedata.normalize("NFKC", text or "").strip()
    chunks: list[str] = []
    if person and text[:1] in SURNAMES and text[:2] != "单于":
        chunks.append(SURNAMES[text[0]])
        text = text[1:]
    # errors="default": what is not Chinese comes back as it is, one chunk per run
    chunks += lazy_pinyin(text, style=Style.NORMAL, errors="default")
    words = []
    for chunk in chunks:
        for match in _WORD.finditer(chunk):
            word = match.group()
            words.append(word.zfill(DIGITS) if word.isdigit() else _plain(word))
    return " ".join(words)


class SortKeyField(models.CharField):
    """The pinyin sort key of another field of the model (`source`), set on every save.

    The model must inherit `SortKeyed` (a system check says so). Index it in the
    model's `Meta.indexes` (a plain `db_index` would add a useless LIKE index on
    PostgreSQL).
    """

    def __init__(self, *args: Any, source: str, person: bool = False, **kwargs: Any):
        self.source, self.person = source, person
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if self.person:
            kwargs["person"] = True
        return name, path, args, kwargs

    def key_for(self, instance: models.Model) -> str:
        """The key of `instance`'s source as it is now; a long one is cut to fit (the
        first few dozen syllables decide any order people look at)."""
        return pinyin_key(getattr(instance, self.source), person=self.person)[: self.max_length]

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = self.key_for(model_instance)
        setattr(model_instance, self.attname, value)
        return value

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            # byte order, as SQLite's BINARY (see the module docstring)
            params["collation"] = "C"
        return params

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        model = getattr(self, "model", None)
        if model is not None and not model._meta.abstract:
            if not issubclass(model, SortKeyed):
                errors.append(
                    checks.Error(
                        f"{model.__name__}.{self.name}: the model must inherit SortKeyed, "
                        "or save(update_fields=[source]) leaves the key behind.",
                        obj=self,
                        id="wenyi.E001",
                    )
                )
            try:
                model._meta.get_field(self.source)
            except FieldDoesNotExist:
                errors.append(
                    checks.Error(
                        f"{model.__name__}.{self.name}: no field {self.source!r} to sort by.",
                        obj=self,
                        id="wenyi.E002",
                    )
                )
        return errors


class SortKeyed(models.Model):
    """A model with `SortKeyField`s: a save naming a key's source in `update_fields`
    saves the key too."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        fields = kwargs.get("update_fields")
        if fields is not None:
            keys = [
                f.name
                for f in sort_key_fields(type(self))
                if f.source in fields and f.name not in fields
            ]
            if keys:
                kwargs["update_fields"] = [*fields, *keys]
        super().save(*args, **kwargs)


def sort_key_fields(model: type[models.Model]) -> list[SortKeyField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, SortKeyField)]


def fill_sort_keys(model: type[models.Model], batch_size: int = 1000) -> int:
    """Compute every sort key of every row of `model` (a data migration's, too); the
    number of rows changed."""
    fields = sort_key_fields(model)
    if not fields:
        return 0
    sources = {f.source for f in fields}
    rows = model._base_manager.only("pk", *sources, *(f.name for f in fields)).order_by("pk")
    changed: list[models.Model] = []
    count = 0
    for row in rows.iterator(chunk_size=batch_size):
        keys = {f.attname: f.key_for(row) for f in fields}
        if any(getattr(row, name) != key for name, key in keys.items()):
            for name, key in keys.items():
                setattr(row, name, key)
            changed.append(row)
        if len(changed) >= batch_size:
            model._base_manager.bulk_update(changed, [f.name for f in fields])
            count += len(changed)
            changed = []
    if changed:
        model._base_manager.bulk_update(changed, [f.name for f in fields])
        count += len(changed)
    return count
