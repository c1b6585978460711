"""Metric values as the campaign file defines them: parse, check, show.

Shared by the activity form and the Excel import so both say the same thing about
the same bad value.
"""

import decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from wenyi.campaigns.enums import MetricType
from wenyi.campaigns.models import Metric

MAX_NUMBER = decimal.Decimal("999999999999.99")
# the value types that are summed (tallies, statistics); the others are words
NUMERIC_TYPES = (MetricType.INTEGER, MetricType.DECIMAL)


def parse_metric(metric: Metric, raw: Any) -> tuple[decimal.Decimal | None, str]:
    """(number, text) for a raw value; raises ValidationError with a message in Chinese.

    Empty is allowed here; whether a value is required is checked by `check_required`.
    """
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None, ""
    if metric.value_type in (MetricType.INTEGER, MetricType.DECIMAL):
        text = str(raw).strip().replace(",", "").replace("，", "")
        try:
            number = decimal.Decimal(text)
        except decimal.InvalidOperation:
            raise ValidationError(
                _("%(metric)s: enter a number.") % {"metric": metric.name}
            ) from None
        if not number.is_finite():
            raise ValidationError(_("%(metric)s: enter a number.") % {"metric": metric.name})
        if number < 0:
            raise ValidationError(_("%(metric)s: cannot be negative.") % {"metric": metric.name})
        if number > MAX_NUMBER:
            raise ValidationError(
                _("%(metric)s: the number is too large.") % {"metric": metric.name}
            )
        if metric.value_type == MetricType.INTEGER:
            if number != number.to_integral_value():
                raise ValidationError(
                    _("%(metric)s: enter a whole number.") % {"metric": metric.name}
                )
            number = number.quantize(decimal.Decimal(1))
        else:
            number = number.quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP)
        return number, ""
    text = str(raw).strip()
    if metric.value_type == MetricType.CHOICE and text not in metric.choices:
        raise ValidationError(
            _("%(metric)s: choose one of %(choices)s.")
            % {"metric": metric.name, "choices": "、".join(metric.choices)}
        )
    if len(text) > 5000:
        raise ValidationError(_("%(metric)s: at most 5000 characters.") % {"metric": metric.name})
    return None, text


def is_empty(number: decimal.Decimal | None, text: str) -> bool:
    return number is None and not text


def check_required(metric: Metric, number: decimal.Decimal | None, text: str) -> None:
    if metric.required and is_empty(number, text):
        raise ValidationError(_("%(metric)s: this is required.") % {"metric": metric.name})


def is_numeric(metric: Metric) -> bool:
    return metric.value_type in NUMERIC_TYPES
