"""ECharts comes from the npm package (`make` runs `npm ci`), one file of it, no CDN."""

from pathlib import Path

from django.contrib.staticfiles import finders


def test_echarts_min_js_is_found_in_the_npm_package():
    found = finders.find("echarts/echarts.min.js")

    assert found is not None and "node_modules" in found
    assert b"Apache Software Foundation" in Path(found).read_bytes()[:400]


def test_echarts_other_files_are_not_served():
    assert finders.find("echarts/echarts.js") is None
    assert finders.find("echarts/package.json") is None
