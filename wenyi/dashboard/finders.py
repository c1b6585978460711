"""Serves Apache ECharts' `echarts.min.js` from the npm package as the static file
`echarts/echarts.min.js`, and nothing else of the package.

`make` installs the package with `npm ci` (package.json pins the release) into
`node_modules/`. Listing its `dist/` folder in STATICFILES_DIRS would collect and
compress all 46 MB of it (sources, maps, other builds) on every `collectstatic`; this
finder offers the one file the dashboard loads. Without the package it finds nothing
and the dashboard shows its numbers as tables only (`views.office`).
"""

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

NAME = "echarts.min.js"
PREFIX = "echarts"


class EChartsFinder(BaseFinder):
    def _source(self):
        path = settings.ECHARTS_DIR / NAME
        return path if path.is_file() else None

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        find_all = find_all or kwargs.get("all", False)  # the name before Django 5.2
        source = self._source()
        if source is None or path != f"{PREFIX}/{NAME}":
            return []  # as Django's own finders say "not here", find_all or not
        return [str(source)] if find_all else str(source)

    def list(self, ignore_patterns):
        if self._source() is None:
            return
        storage = FileSystemStorage(location=settings.ECHARTS_DIR)
        storage.prefix = PREFIX  # collectstatic puts the file under echarts/
        yield NAME, storage
