"""The rows the `linyi` fixture puts back (tests/campaign_rows.py) are what a real load of
the file writes, whatever id the owner unit has now."""

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from tests.campaign_rows import Rows
from tests.conftest import LINYI_FILE
from tests.factories import OrgUnitFactory
from wenyi.campaigns.loader import load_campaign_file
from wenyi.core.models import AuditEntry
from wenyi.orgs.enums import UnitKind
from wenyi.orgs.models import OrgUnit


def _picture(written: dict[type[models.Model], list]) -> dict[str, list[dict]]:
    """The rows of the models a load writes, their ids replaced by their place in the
    load (ids differ from one load to another), times left out."""
    ranks = {
        model: {
            pk: n
            for n, pk in enumerate(model._base_manager.order_by("pk").values_list("pk", flat=True))
        }
        for model in written
    }
    picture = {}
    for model in written:
        rows = []
        for row in model._base_manager.order_by("pk").values():
            row["id"] = ranks[model][row["id"]]
            for field in model._meta.concrete_fields:
                value = row[field.attname]
                if isinstance(field, models.DateTimeField) and (
                    field.auto_now or field.auto_now_add
                ):
                    row.pop(field.attname)
                elif field.is_relation and value is not None:
                    if field.related_model in ranks:
                        row[field.attname] = ranks[field.related_model][value]
                    elif field.related_model is ContentType:
                        row[field.attname] = ContentType.objects.get_for_id(value).natural_key()
                    elif field.related_model is OrgUnit:
                        row[field.attname] = _code(value)
            if model is AuditEntry:
                kind = ContentType.objects.get_for_id(row["content_type_id"]).model_class()
                row["object_id"] = ranks[kind][int(row["object_id"])]
                # the recorded changes name rows of the load by id too
                for name, values in row["changes"].items():
                    field = next((f for f in kind._meta.fields if f.attname == name), None)
                    target = (
                        kind if field is kind._meta.pk else getattr(field, "related_model", None)
                    )
                    if target in ranks:
                        row["changes"][name] = [ranks[target].get(v, v) for v in values]
                    elif target is OrgUnit:
                        row["changes"][name] = [_code(v) for v in values]
                row["unit_pk"] = _code(row["unit_pk"])
            rows.append(row)
        picture[model._meta.label] = rows
    return picture


def _code(unit_id: int | None) -> str | None:
    return OrgUnit.objects.get(pk=unit_id).code if unit_id is not None else None


def test_put_back_rows_equal_a_real_load_under_an_owner_unit_with_another_id(city):
    start = transaction.savepoint()
    rows = Rows.capture(lambda: load_campaign_file(LINYI_FILE), city)
    assert rows is not None
    assert {m._meta.label for m in rows.rows} >= {"campaigns.Campaign", "core.AuditEntry"}
    transaction.savepoint_rollback(start)
    # as on PostgreSQL, where ids go on from one test to the next
    city.delete()
    city = OrgUnitFactory(code="371300", name="临沂市", kind=UnitKind.CITY)
    assert city.pk != rows.unit

    before = transaction.savepoint()
    assert rows.put_back(city)
    put_back = _picture(rows.rows)
    transaction.savepoint_rollback(before)
    load_campaign_file(LINYI_FILE)
    loaded = _picture(rows.rows)

    assert put_back == loaded
    assert any(r["unit_id"] == "371300" for r in loaded["campaigns.LeadingGroup"])


def test_rows_whose_ids_are_taken_are_not_put_back(city):
    rows = Rows.capture(lambda: load_campaign_file(LINYI_FILE), city)
    count = AuditEntry.objects.count()

    assert not rows.put_back(city)
    assert AuditEntry.objects.count() == count
