"""The load mix of bench/bench_load.py (issue 16, point 5): what the demo's people do on
the demo's campaign (linyi-2014) on 15 November 2014, when the review round 作品复评 is
open — the office watching its dashboard, coordinators recording activities and
entering and submitting works, the demo expert saving draft scores.

    .venv/bin/python bench/bench_load.py          (builds the demo, serves, runs this)
    .venv/bin/locust -f bench/locustfile.py --headless -u 50 -r 10 -t 60s \\
        --host http://127.0.0.1:8000               (against a demo already served)

The server must show the demo as of 2014-11-15 (WENYI_TODAY=2014-11-15 for both
`wenyi setup --demo` and `wenyi serve`). Every simulated user logs in once (`on_start`)
and then repeats its task with a pause of `THINK` seconds between two, as a person
would. Besides the responses of 400 and above, a failure is a form re-rendered where
a redirect was expected, a redirect elsewhere than expected, and a page after a
redirect that shows an error message instead of the success message.

- `OfficeUser` (office): the office dashboard.
- `ActivityUser` (lanshan, luozhuang): the new-activity form of a random type, then a
  draft with a fresh form token (so no retry is taken for a double click) and a place
  of its own (so the duplicate check lets it through), then its page.
- `WorkUser` (lanshan, luozhuang): the new-work form for 诗词, a draft of about 40
  characters by one of the unit's people, then *Submit* on its page (the works action),
  then its page again.
- `ExpertUser` (expert): one of the expert's entries of 作品复评 not submitted yet, each
  simulated expert its own (a draft saved twice at once would conflict, as it should:
  the page's version is read back after each save); a draft score saved again and
  again. `fixed_count` of them: the demo expert has three such entries.
"""

import itertools
import random
import re
import uuid
from html import unescape
from urllib.parse import urlencode

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

CAMPAIGN = "linyi-2014"
PASSWORD = "wenyi2014"  # every demo login's (wenyi.site.demo.DEMO_PASSWORD)
COORDINATORS = ("lanshan", "luozhuang")
ACTIVITY_TYPES = ("caifeng", "peixun", "weiwen", "zhanshi")
SCORING_ROUND = "作品复评"  # the open scoring round's name (campaigns/linyi-2014.toml)
THINK = between(1, 5)  # seconds between two tasks of one user
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
# a message the site shows after a redirect (base.html) or a form's own errors
ERROR_SHOWN = re.compile(r'class="alert alert-danger"|class="invalid-feedback')
SUCCESS_SHOWN = 'class="alert alert-success"'
LINES = (
    "车间灯火照夜长，机床轰鸣写华章",
    "一线职工汗水洒，匠心铸就好时光",
    "炉前钢花映笑脸，塔吊高处接朝阳",
    "千针万线织锦绣，劳动最美歌声扬",
)

# hand the coordinators' logins and the expert's entries out in turn
_next_coordinator = itertools.count()
_next_entry = itertools.count()


class READY:
    """How many users have finished `on_start` (logged in, ready), whether it went well
    or not: bench_load.py measures from when all have."""

    count = 0


def field(html: str, name: str) -> str:
    """The value of the hidden or text input `name` of a page ("" if it has none)."""
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    value = re.search(r'value="([^"]*)"', match.group(0)) if match else None
    return unescape(value.group(1)) if value else ""


def options(html: str, name: str) -> list[str]:
    """The non-empty option values of the select `name`."""
    match = re.search(rf'<select name="{re.escape(name)}".*?</select>', html, re.S)
    found = re.findall(r'<option value="([^"]+)"', match.group(0)) if match else []
    return [unescape(value) for value in found]


def metric_fields(html: str) -> dict[str, str]:
    """A value for each metric field of an activity form (`m_<key>`): a number for a
    number input, a line of text for a text area, the first choice of a list."""
    values = {}
    for tag, name in re.findall(r'<(input|textarea|select)[^>]*name="(m_[^"]+)"', html):
        if tag == "input":
            values[name] = str(random.randint(1, 200))
        elif tag == "textarea":
            values[name] = "职工反响热烈"
        else:
            values[name] = (options(html, name) or [""])[0]
    return values


class WenyiUser(FastHttpUser):
    abstract = True
    wait_time = THINK
    username = ""

    def on_start(self) -> None:
        try:
            self.log_in()
            self.prepare()
        finally:
            READY.count += 1

    def prepare(self) -> None:
        """What the user does once logged in, before the tasks."""

    def log_in(self) -> None:
        page = self.get_page("/login/", name="login form") or ""
        self.post_form(
            "/login/",
            {
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": field(page, "csrfmiddlewaretoken"),
            },
            name="login form POST",
            expect=r"^/$",
        )

    def post_form(self, url: str, data: dict, *, name: str, expect: str) -> str | None:
        """POST a form; a success is a redirect to a URL matching `expect`, returned
        (None, and a failure recorded, otherwise)."""
        body = urlencode(data, doseq=True)
        with self.client.post(
            url, data=body, headers=FORM, name=name, allow_redirects=False, catch_response=True
        ) as response:
            location = (response.headers or {}).get("Location", "")
            if response.status_code == 302 and re.search(expect, location):
                return location
            if response.status_code == 200:
                response.failure("form shown again: " + errors_of(response.text or ""))
            elif response.status_code < 400:
                response.failure(f"{response.status_code} to {location!r}")
        return None

    def get_page(self, url: str, *, name: str, success: bool = False) -> str | None:
        """GET a page (as a browser follows a redirect); with `success`, the page must
        show a success message and no error message."""
        with self.client.get(
            url, name=name, allow_redirects=False, catch_response=True
        ) as response:
            text = response.text or ""
            if response.status_code != 200:
                if response.status_code < 400:  # a redirect: to the login page, say
                    location = (response.headers or {}).get("Location", "")
                    response.failure(f"{response.status_code} to {location!r}")
                return None
            if success and (ERROR_SHOWN.search(text) or SUCCESS_SHOWN not in text):
                response.failure("no success message: " + errors_of(text))
                return None
            return text


def errors_of(html: str) -> str:
    """The error messages of a page, shortened, for the failure report."""
    found = re.findall(
        r'class="(?:alert alert-danger|invalid-feedback)[^"]*"[^>]*>(.*?)</div>', html, re.S
    )
    return " | ".join(re.sub(r"<[^>]+>", " ", m).strip() for m in found)[:300] or "(none shown)"


class OfficeUser(WenyiUser):
    weight = 1
    username = "office"

    @task
    def dashboard(self) -> None:
        self.get_page(f"/campaigns/{CAMPAIGN}/dashboard/", name="dashboard")


class CoordinatorUser(WenyiUser):
    abstract = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.username = COORDINATORS[next(_next_coordinator) % len(COORDINATORS)]


class ActivityUser(CoordinatorUser):
    weight = 2

    @task
    def new_activity(self) -> None:
        type_ = random.choice(ACTIVITY_TYPES)
        url = f"/campaigns/{CAMPAIGN}/activities/new/?type={type_}"
        page = self.get_page(url, name="activity form")
        if page is None:
            return
        people = options(page, "participants")
        tag = uuid.uuid4()
        data = {
            "csrfmiddlewaretoken": field(page, "csrfmiddlewaretoken"),
            "token": str(tag),
            "version": "",
            "unit": random.choice(options(page, "unit")),
            "title": f"压力测试活动 {tag.hex[:8]}",
            "start_date": f"2014-{random.randint(7, 10):02d}-{random.randint(1, 28):02d}",
            "place": f"临沂某机械厂车间 {tag.hex[:8]}",
            "participants": random.sample(people, min(2, len(people))),
            "description": "",
            "save": "",
            **metric_fields(page),
        }
        done = self.post_form(url, data, name="activity form POST", expect=r"^/activities/\d+/$")
        if done:
            self.get_page(done, name="activity page", success=True)


class WorkUser(CoordinatorUser):
    weight = 1

    @task
    def new_work(self) -> None:
        url = f"/campaigns/{CAMPAIGN}/works/new/?form=shici"
        page = self.get_page(url, name="work form")
        if page is None:
            return
        tag = uuid.uuid4().hex[:8]
        data = {
            "csrfmiddlewaretoken": field(page, "csrfmiddlewaretoken"),
            "token": str(uuid.uuid4()),
            "version": "",
            "title": f"压力测试诗词 {tag}",
            "text": "\n".join(random.sample(LINES, len(LINES))) + f"\n{tag}",
            "unit": random.choice(options(page, "unit")),
            "authors": random.choice(options(page, "authors")),
            "origin": "field",
            "save": "",
        }
        done = self.post_form(url, data, name="work form POST", expect=r"^/works/\d+/$")
        if done is None:
            return
        page = self.get_page(done, name="work page", success=True)
        if page is None:
            return
        submitted = self.post_form(
            done + "submit/",
            {"csrfmiddlewaretoken": field(page, "csrfmiddlewaretoken")},
            name="work submit POST",
            expect=r"^/works/\d+/$",
        )
        if submitted:
            self.get_page(submitted, name="work page", success=True)


class ExpertUser(WenyiUser):
    fixed_count = 3
    username = "expert"

    def prepare(self) -> None:
        self.entry = self.page = None
        queue = self.get_page(f"/campaigns/{CAMPAIGN}/review/mine/", name="review queue")
        sections = (queue or "").split('data-testid="queue-round"')
        found = next((s for s in sections if SCORING_ROUND in s), "")
        entries = re.findall(r'data-state="(?:new|draft)">\s*<a[^>]*href="([^"]+)"', found)
        if not entries:
            raise RuntimeError(f"expert: no entry of {SCORING_ROUND} left to score")
        self.entry = entries[next(_next_entry) % len(entries)]
        self.page = self.get_page(self.entry, name="score page")

    @task
    def save_draft(self) -> None:
        if self.entry is None:  # nothing to score (on_start said so)
            return
        if self.page is None:  # the last load failed: read the page again
            self.page = self.get_page(self.entry, name="score page")
            return
        data = {
            "csrfmiddlewaretoken": field(self.page, "csrfmiddlewaretoken"),
            "version": field(self.page, "version"),
            "c_sixiang": random.randint(15, 30),
            "c_yishu": random.randint(20, 40),
            "c_chuangxin": random.randint(10, 20),
            "c_tese": random.randint(5, 10),
            "comment": "构思新颖，语言朴实。",
            "action": "draft",
        }
        done = self.post_form(
            self.entry, data, name="score POST", expect=f"^{re.escape(self.entry)}$"
        )
        self.page = self.get_page(done, name="score page", success=True) if done else None
