"""The shared loop of the roll-up property tests (tests/activities/test_rollups_property.py,
tests/works/test_tallies.py): apply drawn steps through the services, compare the
roll-ups with the raw counts after each, rebuild at the end, compare again, roll back."""

from collections.abc import Callable, Iterable

import hypothesis
from django.core.exceptions import ValidationError
from django.db import transaction


def check_sequence(
    apply: Callable[[tuple], None],
    sequence: Iterable[tuple],
    maintained: Callable[[], object],
    raw: Callable[[], object],
    rebuild: Callable[[], object],
) -> None:
    with transaction.atomic():
        for step in sequence:
            try:
                apply(step)
                hypothesis.event(f"{step[0]}: done")
            except ValidationError:
                # refused (not editable, not in that state …): nothing may have moved
                hypothesis.event(f"{step[0]}: refused")
            assert maintained() == raw(), step
        rebuild()
        assert maintained() == raw()
        transaction.set_rollback(True)
