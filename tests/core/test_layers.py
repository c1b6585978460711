"""The layers of DESIGN.md hold beyond Python imports (import-linter checks those):
templates load tag libraries of their own app or a lower one, and no module reaches
into another app's private (underscore) names."""

import ast
import re
import tomllib
from pathlib import Path

from django.conf import settings
from django.template.backends.django import get_installed_libraries

PACKAGE = Path(settings.BASE_DIR)
LOAD = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")


def _layers() -> list[set[str]]:
    """[{app, …}, …] from the top layer down, as pyproject.toml's contract says."""
    config = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text("utf-8"))
    contract = config["tool"]["importlinter"]["contracts"][0]
    return [
        {name.strip().removeprefix("wenyi.") for name in layer.split("|")}
        for layer in contract["layers"]
    ]


def _rank(app: str) -> int:
    """0 for the lowest layer (core), growing upwards."""
    layers = _layers()
    for depth, layer in enumerate(layers):
        if app in layer:
            return len(layers) - 1 - depth
    raise AssertionError(f"{app} is in no layer of pyproject.toml")


def _template_app(path: Path) -> str:
    parts = path.relative_to(PACKAGE / "templates").parts
    # templates at the top (base.html, error pages) are the site's layout
    return parts[0] if len(parts) > 1 else "site"


def test_templates_load_only_their_own_or_lower_tag_libraries():
    libraries = get_installed_libraries()
    problems = []
    for template in sorted((PACKAGE / "templates").rglob("*.html")):
        app = _template_app(template)
        for match in LOAD.finditer(template.read_text("utf-8")):
            for name in match.group(1).split():
                module = libraries.get(name, "")
                if not module.startswith("wenyi."):
                    continue  # Django's and third-party libraries
                owner = module.split(".")[1]
                owner = "core" if owner == "core" else owner
                if _rank(owner) > _rank(app):
                    problems.append(f"{template.relative_to(PACKAGE)} loads {name} ({owner})")
    assert problems == []


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "wenyi" else None


def test_no_module_uses_another_apps_private_names():
    problems = []
    for source in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in source.parts:
            continue
        own = source.relative_to(PACKAGE).parts[0]
        tree = ast.parse(source.read_text("utf-8"))
        foreign: dict[str, str] = {}  # local name -> another app's module
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                app = _app_of(node.module)
                if app is None or app == own:
                    continue
                for alias in node.names:
                    if alias.name.startswith("_"):
                        problems.append(f"{source.name}: imports {node.module}.{alias.name}")
                    foreign[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    app = _app_of(alias.name)
                    if app is not None and app != own and alias.asname:
                        foreign[alias.asname] = alias.name
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in foreign
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                problems.append(f"{source.relative_to(PACKAGE)}: {node.value.id}.{node.attr}")
    assert sorted(set(problems)) == []
