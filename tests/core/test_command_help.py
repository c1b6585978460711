"""`wenyi COMMAND --help` works for every command of the application, in Chinese too."""

import pytest
from django.core.management import get_commands, load_command_class
from django.utils import translation

OURS = sorted(name for name, app in get_commands().items() if app.startswith("wenyi."))


@pytest.mark.parametrize("name", OURS)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_help_of_every_command_is_printable(name, language):
    with translation.override(language):
        command = load_command_class(get_commands()[name], name)
        text = command.create_parser("wenyi", name).format_help()
    assert f"wenyi {name}" in text


def test_the_application_has_commands():
    assert {"import_people", "import_activities", "setup"} <= set(OURS)
