"""Every model the admin shows, and every model of ours, is named in Chinese: its name,
its plural and the label of each field (the admin's columns and forms, and the audit
history's column labels, `core.audit.field_labels`)."""

import re

from django.apps import apps
from django.contrib import admin
from django.utils import translation

CJK = re.compile(r"[\u4e00-\u9fff]")


def _models():
    ours = {m for m in apps.get_models() if m.__module__.startswith("wenyi.")}
    return sorted(ours | set(admin.site._registry), key=lambda m: m._meta.label)


def _is_row_id(field) -> bool:
    """The row id Django gives every model (or a library names `id`): labelled "ID" as
    a plain string, not one marked for translation, and read as "ID" in Chinese too."""
    return field.primary_key and str(field.verbose_name).upper() == "ID"


def test_every_model_and_field_is_named_in_chinese():
    offenders = []
    with translation.override("zh-hans"):
        for model in _models():
            opts = model._meta
            for attr in ("verbose_name", "verbose_name_plural"):
                if not CJK.search(str(getattr(opts, attr))):
                    offenders.append(f"{opts.label} Meta.{attr}: {getattr(opts, attr)!s}")
            for field in opts.concrete_fields:
                if _is_row_id(field):
                    continue
                if not CJK.search(str(field.verbose_name)):
                    offenders.append(f"{opts.label}.{field.name}: {field.verbose_name!s}")
    assert not offenders, "named without Chinese:\n" + "\n".join(offenders)
