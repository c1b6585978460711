"""The 2014 campaign for the two thousand tests that use it (`linyi` in tests/conftest.py).

Loading the file through the loader takes ~60 ms: a row, a comparison and an audit entry
for each of ~75 parts. A test process loads it once for real and keeps the rows the load
wrote (`Rows.capture`); each later test puts the same rows back with the same ids
(`Rows.put_back`, one insert per table), which the database's rollback between tests
allows. The only row outside the load they name is the owner unit (the `city` fixture,
whose id may differ from test to test on PostgreSQL): it is renamed in foreign keys, an
audit entry's unit and its recorded changes. If a test already holds rows with those
ids, or the load named anything else outside itself, the file is loaded for real.
tests/campaigns/test_rows_put_back.py shows the result equals a real load.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from wenyi.core.models import AuditEntry
from wenyi.orgs.models import OrgUnit


class Rows:
    def __init__(self, models_rows: dict[type[models.Model], list[dict[str, Any]]], unit: int):
        self.rows = models_rows
        self.unit = unit  # the owner unit's id when captured

    @classmethod
    def capture(cls, load: Callable[[], Any], unit: OrgUnit) -> Rows | None:
        """Run `load` and return the rows it wrote (None when they name a row outside
        themselves other than `unit`, so cannot be put back)."""
        candidates = [
            m
            for m in apps.get_models(include_auto_created=True)
            if isinstance(m._meta.pk, models.AutoField)
        ]
        tops = {m: m._base_manager.aggregate(top=models.Max("pk"))["top"] or 0 for m in candidates}
        load()
        written = {}
        for model, top in tops.items():
            rows = list(model._base_manager.filter(pk__gt=top).order_by("pk").values())
            for field in _keys(model):
                if field.related_model is ContentType:
                    # by name: a transactional test's flush makes content types anew
                    for row in rows:
                        kind = ContentType.objects.get_for_id(row[field.attname])
                        row[field.attname] = kind.natural_key()
            if rows:
                written[model] = rows
        captured = cls(written, unit.pk)
        return captured if captured._closed() else None

    def _closed(self) -> bool:
        """Whether every foreign key names a written row, nothing or the owner unit."""
        ids = {model: {row["id"] for row in rows} for model, rows in self.rows.items()}
        for model, rows in self.rows.items():
            for field in _keys(model):
                target = field.related_model
                for row in rows:
                    value = row[field.attname]
                    if value is None or value in ids.get(target, ()):
                        continue
                    if target is ContentType or (target is OrgUnit and value == self.unit):
                        continue  # content types are put back by name
                    return False
        return True

    def put_back(self, unit: OrgUnit) -> bool:
        """Insert the rows again, the owner unit now being `unit`; False (nothing
        written) when a row with one of their ids is already there."""
        now = timezone.now()
        try:
            with transaction.atomic():
                for model, rows in self.rows.items():
                    model._base_manager.bulk_create(
                        [model(**self._renamed(model, row, unit.pk, now)) for row in rows]
                    )
        except IntegrityError:
            return False
        return True

    def _renamed(self, model, row: dict[str, Any], unit: int, now) -> dict[str, Any]:
        row = dict(row)
        for field in _keys(model):
            if field.related_model is OrgUnit and row[field.attname] == self.unit:
                row[field.attname] = unit
            elif field.related_model is ContentType and row[field.attname] is not None:
                app_label, name = row[field.attname]
                row[field.attname] = ContentType.objects.get_by_natural_key(app_label, name).pk
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateTimeField) and row[field.attname] is not None:
                if field.auto_now or field.auto_now_add:
                    row[field.attname] = now
        if model is AuditEntry:
            if row["unit_pk"] == self.unit:
                row["unit_pk"] = unit
            row["changes"] = {
                name: _renamed_unit(value, self.unit, unit) if name.endswith("unit_id") else value
                for name, value in row["changes"].items()
            }
        return row


def _keys(model) -> list[models.ForeignKey]:
    return [f for f in model._meta.concrete_fields if f.is_relation and f.many_to_one]


def _renamed_unit(value: Any, old: int, new: int) -> Any:
    if isinstance(value, list):
        return [new if v == old else v for v in value]
    return new if value == old else value
