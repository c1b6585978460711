"""`wenyi load-campaign PATH [PATH...]`: check and load campaign definition files.

Each file is loaded all or nothing. A PATH that is a directory loads every *.toml
directly in it. Every file is checked before any is loaded: files that share a slug
(the campaign's identity, whatever the files are called) are all refused. With
--check the files are only checked, nothing is written. On any problem every problem
line goes to stderr and the exit status is 1.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wenyi.campaigns.loader import (
    CampaignFileError,
    CheckedFile,
    LoadStatus,
    apply_checked,
    campaign_files,
    check_campaign_file,
    shared_slugs,
)


class Command(BaseCommand):
    help = "载入活动定义文件（TOML），格式见 docs/campaign-format.md。"

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="活动定义文件或目录")
        parser.add_argument("--check", action="store_true", help="只检查文件，不写入数据库")

    def handle(self, *args, paths: list[str], check: bool, **options) -> None:
        files: list[Path] = []
        for name in paths:
            path = Path(name)
            files.extend(campaign_files(path) if path.is_dir() else [path])
        files = list(dict.fromkeys(files))  # a file named twice is loaded once
        checked: dict[Path, CheckedFile] = {}
        problems: dict[Path, list[str]] = {}
        for path in files:
            try:
                checked[path] = check_campaign_file(path)
            except CampaignFileError as exc:
                problems[path] = exc.problems
        for path, lines in shared_slugs(list(checked.values())).items():
            problems[path] = lines
        failed = 0
        for path in files:
            try:
                if path in problems:
                    raise CampaignFileError(problems[path])
                if check:
                    self.stdout.write(f"{checked[path].source}：检查通过")
                    continue
                result = apply_checked(checked[path])
            except CampaignFileError as exc:
                failed += 1
                for line in exc.problems:
                    self.stderr.write(line)
                continue
            style = self.style.SUCCESS if result.status != LoadStatus.UNCHANGED else str
            self.stdout.write(style(str(result)))
            if result.status == LoadStatus.UPDATED:
                for line in result.changes:
                    self.stdout.write(f"  {line}")
            for note in result.notes:
                self.stdout.write(f"  注意：{note}")
        if failed:
            raise CommandError(
                f"{failed} 个文件有问题，未载入（其余文件不受影响）"
                if not check
                else f"{failed} 个文件有问题",
                returncode=1,
            )
        if not files:
            raise CommandError("没有找到活动定义文件（*.toml）", returncode=1)
