"""`wenyi setup [--demo] [--top-unit-code … --office-login …]`: migrate, collect the static
files, load every campaign file, optionally the demo; and a fresh install's top unit and
first office login, without the admin.

    wenyi setup --top-unit-code 370000 --top-unit-name 山东省 --top-unit-kind province \\
                --office-login sdoffice --office-password-file /run/secrets/office

Run at a terminal with no unit yet (and without --no-input), it asks for them. Running
it again with the same flags changes nothing: an existing unit is left as it is (one of
that code with another name is refused), an existing login keeps its password.
"""

import getpass
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from wenyi.orgs.bootstrap import ensure_office_login, ensure_top_unit
from wenyi.orgs.enums import UnitKind
from wenyi.orgs.models import OrgUnit
from wenyi.orgs.units import code_problem
from wenyi.orgs.units_bulk import KIND_LABELS
from wenyi.orgs.units_import import kind_value


class Command(BaseCommand):
    help = (
        "Create or upgrade the database, load every file in campaigns/, "
        "and with --demo the demo data; with --top-unit-code and --office-login, the top "
        "unit of a new tree and its first office login."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo", action="store_true", help="also create the demo units, people and logins"
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="never ask anything (without the flags below, no unit is made)",
        )
        unit = parser.add_argument_group("the top unit of a new tree")
        unit.add_argument("--top-unit-code", metavar="CODE", help="its code, e.g. 370000")
        unit.add_argument("--top-unit-name", metavar="NAME", help="its name, e.g. 山东省")
        unit.add_argument(
            "--top-unit-kind",
            metavar="KIND",
            help="its kind: province/省, city/市, county/县, district/区, … (default: province)",
        )
        office = parser.add_argument_group("the first office login at the top unit")
        office.add_argument("--office-login", metavar="NAME", help="its login name")
        office.add_argument(
            "--office-name", metavar="NAME", help="the person's name (default: the login name)"
        )
        secret = office.add_mutually_exclusive_group()
        secret.add_argument("--office-password", metavar="PASSWORD", help="its first password")
        secret.add_argument(
            "--office-password-file",
            metavar="FILE",
            help="a file whose first line is the first password (kept out of the shell history)",
        )

    def handle(self, *args, demo: bool, **options):
        from wenyi.campaigns.loader import CampaignFileError, load_all
        from wenyi.core.audit import backfill_units
        from wenyi.site import demo as demo_data

        call_command("migrate", interactive=False, verbosity=0)
        # audit entries from before entries were filed under their unit (once)
        backfill_units()
        self.stdout.write("数据库已就绪 (database ready)")
        # hashed, gzipped copies of the static files into STATIC_ROOT (pages name them)
        call_command("collectstatic", interactive=False, verbosity=0)
        # the daily reminder run lives in the task queue; queue it if it is not there
        call_command("schedule_reminders", stdout=self.stdout)
        if demo:
            demo_data.build_units(self.stdout)
        self._top_unit_and_office(options)
        try:
            results = load_all(settings.CAMPAIGNS_DIR)
        except CampaignFileError as exc:
            for line in exc.problems:
                self.stderr.write(line)
            raise CommandError(
                "活动定义文件有误，未加载 (a campaign file is invalid; nothing loaded)"
            ) from None
        for result in results:
            self.stdout.write(str(result))
        if demo:
            logins = demo_data.build(self.stdout)
            self.stdout.write("")
            self.stdout.write(self.style.SUCCESS("演示登录 (demo logins):"))
            for row in logins:
                self.stdout.write(f"  {row.username:<14} {row.password:<14} {row.description}")

    # -- the top unit and the first office login -------------------------------------------

    def _top_unit_and_office(self, options) -> None:
        code = (options.get("top_unit_code") or "").strip()
        login = (options.get("office_login") or "").strip()
        password = self._password(options)
        interactive = options.get("interactive", True) and sys.stdin.isatty()
        if not code and not OrgUnit.objects.exists():
            if not interactive:
                self.stdout.write(
                    "尚无单位：用 --top-unit-code、--top-unit-name、--office-login 建立顶级单位"
                    "和办公室登录 (no unit yet: make the top unit and an office login with "
                    "--top-unit-code, --top-unit-name and --office-login)"
                )
                return
            code, options, login, password = self._ask(options, login, password)
        if not code and not login:
            return
        unit = self._unit(code, options) if code else self._only_top_unit()
        if login:
            self._office(unit, login, password, options, interactive)

    def _password(self, options) -> str:
        if options.get("office_password_file"):
            path = Path(options["office_password_file"])
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise CommandError(
                    f"读不了密码文件 (cannot read the password file): {exc}"
                ) from None
            return lines[0].strip() if lines else ""
        return options.get("office_password") or ""

    def _ask(self, options, login: str, password: str):
        """The top unit and the office login, asked at the terminal."""
        self.stdout.write(
            "尚无单位，现在建立顶级单位和第一个办公室登录 (no unit yet: let us make them)"
        )
        code = self._input("顶级单位代码 (top unit code, e.g. 370000): ")
        options = dict(options)
        options["top_unit_name"] = options.get("top_unit_name") or self._input(
            "顶级单位名称 (top unit name, e.g. 山东省): "
        )
        kinds = "、".join(KIND_LABELS)
        options["top_unit_kind"] = options.get("top_unit_kind") or self._input(
            f"类别 (kind: {kinds}) [省]: ", default="省"
        )
        login = login or self._input("办公室登录名 (office login name): ")
        if not password:
            password = self._new_password()
        return code, options, login, password

    def _input(self, prompt: str, default: str = "") -> str:
        answer = input(prompt).strip() or default
        if not answer:
            raise CommandError("未填写，已停止 (nothing given; stopped)")
        return answer

    def _new_password(self) -> str:
        password = getpass.getpass("密码 (password): ")
        if getpass.getpass("再输一遍 (again): ") != password:
            raise CommandError("两次密码不一致 (the passwords differ)")
        return password

    def _unit(self, code: str, options) -> OrgUnit:
        problem = code_problem(code)
        if problem:
            raise CommandError(f"--top-unit-code: {problem}")
        existing = OrgUnit.objects.filter(code=code).first()
        name = (options.get("top_unit_name") or "").strip()
        given_kind = options.get("top_unit_kind") or ""
        kind = kind_value(given_kind) if given_kind else "province"
        if existing is not None:
            # naming only the code finds the unit; what is named must match it
            name = name or existing.name
            kind = kind if given_kind else existing.kind
        if kind not in UnitKind.values:
            raise CommandError(
                f"--top-unit-kind: {given_kind} 不是类别 (not a kind); 可用 (use): "
                + ", ".join(UnitKind.values)
                + " / "
                + "、".join(KIND_LABELS)
            )
        if not name:
            raise CommandError("--top-unit-name: 新单位需要名称 (a new unit needs a name)")
        try:
            unit, created = ensure_top_unit(code, name, kind)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if created:
            self.stdout.write(
                self.style.SUCCESS(f"顶级单位已建立 (top unit created): {name}（{code}）")
            )
        else:
            self.stdout.write(
                f"顶级单位已存在，未改动 (top unit exists, unchanged): {name}（{code}）"
            )
        return unit

    def _only_top_unit(self) -> OrgUnit:
        tops = list(OrgUnit.objects.filter(depth=1)[:2])
        if len(tops) != 1:
            raise CommandError(
                "--office-login 需要 --top-unit-code：办公室设在哪个单位？ "
                "(--office-login needs --top-unit-code: which unit is the office at?)"
            )
        return tops[0]

    def _office(self, unit: OrgUnit, login: str, password: str, options, interactive) -> None:
        exists = get_user_model().objects.filter(username=login).exists()
        if not exists and not password:
            if not interactive:
                raise CommandError(
                    "--office-password 或 --office-password-file：新登录需要密码 "
                    "(a new login needs --office-password or --office-password-file)"
                )
            password = self._new_password()
        try:
            user, created, given = ensure_office_login(
                unit, login, password, name=(options.get("office_name") or "").strip()
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        where = f"{login} @ {unit.name}"
        if created:
            self.stdout.write(
                self.style.SUCCESS(f"办公室登录已建立 (office login created): {where}")
            )
            return
        if given:
            self.stdout.write(f"已授予办公室角色 (office role given): {where}")
        else:
            self.stdout.write(f"办公室登录已存在，未改动 (office login exists, unchanged): {where}")
        # checked without the hasher's upgrade, which would save the login again
        if password and not check_password(password, user.password):
            self.stdout.write(
                f"登录 {login} 已存在，密码未改动；改密码用 wenyi changepassword {login} "
                "(the login exists; its password was not changed)"
            )
