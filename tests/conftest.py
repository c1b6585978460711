"""The fixed cast every test module uses (STYLE.md habit 3).

    city (临沂市, 371300)
    ├── county_a (兰山区)   coordinator_a, artist
    │   └── enterprise_a
    └── county_b (罗庄区)   coordinator_b

office: campaign office at the city; expert, expert_conflicted: experts at the city.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from tests.campaign_rows import Rows
from tests.factories import OrgUnitFactory, PersonFactory, UserFactory, membership
from wenyi.orgs.enums import Role, UnitKind

# record(...): an activity of the 2014 campaign, for tests of every app
pytest_plugins = ["tests.activities.recording"]

# Playwright's sync API runs an event loop in the test thread; the ORM must still work.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# The modules whose tests take many seconds each, longest first: they run first, so that
# the last minute of a run is not one worker on one long test while the others wait
# (`make test` also lets an idle worker take tests queued for another: --dist worksteal).
LONG_FIRST = [
    "tests/e2e/test_every_page.py",
    "tests/api/test_fuzz.py",
    "tests/core/test_static.py",
    "tests/site/test_backup.py",
    "tests/site/test_storage_s3.py",
    "tests/works/test_originality.py",
    "tests/core/test_setup_command.py",
    "tests/site/test_demo_results.py",
    "tests/review/test_demo_finished.py",
    "tests/review/test_demo.py",
    "tests/site/test_demo_clock.py",
    "tests/works/test_images.py",
    "tests/portal/test_book_epub.py",
    "tests/site/test_demo_campaigns.py",
    "tests/e2e/",
]


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        path = item.nodeid.split("::")[0]
        return next(
            (n for n, prefix in enumerate(LONG_FIRST) if path.startswith(prefix)),
            len(LONG_FIRST),
        )

    items.sort(key=rank)  # stable: the others keep their order


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """SQLite tests use a database file, as the app does: an in-memory database shared
    between the live server's threads answers two writers with "table is locked"
    instead of making the second wait, so concurrency could not be tested for real."""
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        # one file per run: two test runs at once on one machine must not share it
        name = f"test-{os.getpid()}.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(Path(settings.DATA_DIR) / name)


@pytest.fixture(autouse=True)
def _isolated_settings(settings, tmp_path):
    # the process's cache (kept answers, to-do numbers) starts empty: ids come again
    # after a test's rollback
    cache.clear()
    # the dashboard as exact as the data (tests/dashboard/test_kept.py tries the lag)
    settings.WENYI_DASHBOARD_LAG_SECONDS = 0
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.LANGUAGE_CODE = "zh-hans"
    # fast hashing: tests create many logins (production keeps Django's default)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Client.login() authenticates without a request, which the login throttle needs;
    # tests/orgs/test_throttle.py turns it on and signs in through the login page
    settings.AXES_ENABLED = False
    # pages name static files by their plain names: tests need no collectstatic run
    # (production's hashed, compressed storage is tested in tests/core/test_static.py)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def city(db):
    return OrgUnitFactory(code="371300", name="临沂市", kind=UnitKind.CITY)


@pytest.fixture
def county_a(city):
    return OrgUnitFactory(parent=city, code="371302", name="兰山区", kind=UnitKind.DISTRICT)


@pytest.fixture
def county_b(city):
    return OrgUnitFactory(parent=city, code="371311", name="罗庄区", kind=UnitKind.DISTRICT)


@pytest.fixture
def enterprise_a(county_a):
    return OrgUnitFactory(
        parent=county_a, code="371302001", name="兰山区某机械厂", kind=UnitKind.ENTERPRISE
    )


def _user_with_role(username, unit, role, person_name):
    user = UserFactory(username=username)
    PersonFactory(user=user, unit=unit, name=person_name)
    membership(user, unit, role)
    return user


@pytest.fixture
def office(city):
    return _user_with_role("office", city, Role.OFFICE, "刘洁")


@pytest.fixture
def office2(city):
    """A second member of the office: approves what `office` drew up (four eyes)."""
    return _user_with_role("office2", city, Role.OFFICE, "杨春松")


@pytest.fixture
def coordinator_a(county_a):
    return _user_with_role("coordinator_a", county_a, Role.COORDINATOR, "王兰山")


@pytest.fixture
def coordinator_b(county_b):
    return _user_with_role("coordinator_b", county_b, Role.COORDINATOR, "李罗庄")


@pytest.fixture
def artist(county_a):
    return _user_with_role("artist", county_a, Role.ARTIST, "赵文艺")


@pytest.fixture
def expert(city):
    return _user_with_role("expert", city, Role.EXPERT, "钱评审")


@pytest.fixture
def expert_conflicted(county_a):
    return _user_with_role("expert_conflicted", county_a, Role.EXPERT, "孙回避")


LINYI_FILE = Path(settings.BASE_DIR).parent / "campaigns" / "linyi-2014.toml"
_linyi_rows: list[Rows] = []  # what this process's first load wrote


@pytest.fixture
def linyi(city):
    """The 2014 campaign, loaded from its real file (its owner unit is `city`): through
    the loader in a process's first test, its rows put back in the others
    (tests/campaign_rows.py)."""
    from wenyi.campaigns.loader import load_campaign_file
    from wenyi.campaigns.models import Campaign

    if not (_linyi_rows and _linyi_rows[0].put_back(city)):
        rows = Rows.capture(lambda: load_campaign_file(LINYI_FILE), city)
        _linyi_rows[:] = [rows] if rows is not None else []
    return Campaign.objects.get(slug="linyi-2014")


@pytest.fixture
def anonymous(db):
    return Client()


@pytest.fixture
def login():
    """login(user) -> a Client logged in as that user."""

    def _login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login
