"""The dashboard's long lists — the quota matrix's rows, the unit tiles, the risks and
the unit filter's options — written out here instead of by template loops.

A province's dashboard shows about 220 matrix rows of four cells, 200 tiles and 200
options: some 9,000 variable lookups, which took Django's template engine most of
the page's time (about 50 of 85 ms). The same markup joined from escaped strings
takes a few milliseconds. Every value is escaped (the standard library's `html.escape`,
which `django.utils.html.escape` wraps, without its lazy-string check: names, codes and
keys are plain strings here); the markup is the one the template wrote, and
`tests/dashboard` reads it back.
"""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _join(parts) -> SafeString:
    return mark_safe("".join(parts))  # noqa: S308 — every value above went through escape


@register.simple_tag
def quota_rows(board) -> SafeString:
    """The matrix's body: a row per unit, a cell per shown type with its count and, where
    judged, a badge with its status (a parent's: its units met of all)."""
    out = []
    labels: dict[str, str] = {}  # each status's label, translated once
    for row in board.quota_rows:
        code = escape(row.unit.code)
        weight = "fw-semibold" if row.rolls_up else "fw-normal"
        out.append(
            f'<tr><th scope="row" class="wy-nowrap {weight}"><a href="?unit={code}">'
            f"{escape(row.unit.name)}</a></th>"
        )
        for cell in row.cells:
            out.append(
                f'<td class="text-center" data-unit="{code}" data-type="{escape(cell.type.key)}">'
                f'<span class="fw-semibold">{cell.count:d}</span>'
            )
            if cell.judged:
                met = f"{cell.units.met:d}/{cell.units.units:d} " if cell.units else ""
                label = labels.get(cell.status)
                if label is None:
                    label = labels[cell.status] = escape(str(cell.status_label))
                out.append(f' <span class="badge {cell.badge}">{met}{label}</span>')
            out.append("</td>")
        out.append("</tr>")
    return _join(out)


@register.simple_tag
def unit_tiles(board) -> SafeString:
    return _join(
        f'<li><a class="wy-tile {tile.css}" href="?unit={escape(tile.row.unit.code)}" '
        f'data-testid="tile" data-unit="{escape(tile.row.unit.code)}">'
        f'<span class="wy-tile-name">{escape(tile.row.unit.name)}</span> '
        f'<span class="wy-tile-value">{tile.percent:d}%</span></a></li>'
        for tile in board.tiles
    )


@register.simple_tag
def risk_items(board) -> SafeString:
    return _join(
        f'<li><a href="?unit={escape(risk.row.unit.code)}">{escape(risk.row.unit.name)}</a>: '
        f'<span data-unit="{escape(risk.row.unit.code)}">{escape(str(risk.why))}</span></li>'
        for risk in board.risks_shown
    )


@register.simple_tag
def unit_options(board) -> SafeString:
    chosen = board.filters.unit
    return _join(
        f'<option value="{escape(unit.code)}"{" selected" if unit == chosen else ""}>'
        f"{escape(unit.name)}</option>"
        for unit in board.all_units
    )
