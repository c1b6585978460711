"""Chinese for the admin pages of the libraries we use (django-axes, the task queue).

Their models mark their names for translation but ship no Chinese catalogue; marking
the same words here puts them in ours (Django merges every catalogue, and a project's
own comes first), so the admin speaks Chinese throughout. App names the libraries
write as plain strings are set when the app starts (`name_apps`).
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

APP_NAMES = {
    "axes": _("Sign-in attempts"),
    "django_tasks_database": _("Background tasks"),
}

# the words those libraries mark, as they spell them
LIBRARY_WORDS = (
    # django-axes
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Access Attempt"),
    gettext_noop("Expires At"),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("Locked Out"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
    # the task queue (django-tasks-db)
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
    gettext_noop("enqueued at"),
    gettext_noop("started at"),
    gettext_noop("finished at"),
    gettext_noop("args kwargs"),
    gettext_noop("priority"),
    gettext_noop("task path"),
    gettext_noop("worker id"),
    gettext_noop("queue name"),
    gettext_noop("backend name"),
    gettext_noop("run after"),
    gettext_noop("return value"),
    gettext_noop("exception class path"),
    gettext_noop("traceback"),
    pgettext_lazy("Task", "Ready"),
    pgettext_lazy("Task", "Running"),
    pgettext_lazy("Task", "Failed"),
    pgettext_lazy("Task", "Successful"),
)


def name_apps() -> None:
    """Give the libraries' apps Chinese names (called from CoreConfig.ready)."""
    from django.apps import apps

    for label, name in APP_NAMES.items():
        config = apps.app_configs.get(label)
        if config is not None:
            config.verbose_name = name
