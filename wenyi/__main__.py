"""The `wenyi` command: a thin front to Django's management commands.

`wenyi setup`, `wenyi serve`, `wenyi worker`, `wenyi load-campaign PATH` and every
other Django command (`wenyi migrate`, `wenyi createsuperuser`, ...). Dashes in the
command name are accepted for underscores.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenyi.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    argv[0] = "wenyi"
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
