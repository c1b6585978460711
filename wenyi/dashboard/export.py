"""The dashboard as .xlsx: one sheet per panel, with the numbers the page shows (the
same `panels.Dashboard`, so the file and the page never disagree)."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from wenyi.activities.enums import QuotaStatus
from wenyi.core import xlsx
from wenyi.dashboard.panels import Dashboard


def _rate(rate: float | None) -> float | None:
    return None if rate is None else round(rate, 4)


def _sheet(wb, title: str, header: list[Any], rows: list[list[Any]], percent_columns=()):
    from openpyxl.styles import Font

    ws = wb.create_sheet(title[:31])
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    for index in percent_columns:
        for (c,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
            c.number_format = "0.0%"
    ws.freeze_panes = "A2"
    return ws


def workbook(board: Dashboard) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    _sheet(
        wb,
        _("Stages"),
        [_("Stage"), _("Start date"), _("End date"), _("State")],
        [[s.stage.name, s.stage.start, s.stage.end, s.state_label] for s in board.stages],
    )
    _sheet(
        wb,
        _("Quota"),
        [_("Unit code"), _("Unit"), *[f"{t.name} (≥ {t.min_per_year})" for t in board.types]],
        [
            [row.unit.code, row.unit.name, *[cell.count for cell in row.cells]]
            for row in board.quota_rows
        ],
    )
    _sheet(
        wb,
        _("Quota status"),
        [_("Activity type"), *[str(label) for label in QuotaStatus.labels]],
        [[t.name, *[counts[s] for s in QuotaStatus.values]] for t, counts in board.status_counts],
    )
    _sheet(
        wb,
        _("Deadlines"),
        [_("Report"), _("Due"), _("When"), _("Reporting units"), _("Sent in"), _("Missing")],
        [[d.label, d.slot.due, d.when, d.units, d.sent, d.missing] for d in board.deadlines],
    )
    _sheet(
        wb,
        _("Activities per month"),
        [_("Month"), *[t.name for t in board.types], _("Total")],
        [[f"{line.month:%Y-%m}", *line.counts, line.total] for line in board.months],
    )
    _sheet(
        wb,
        _("Reports"),
        [
            _("Month"),
            pgettext("report counts", "Expected"),
            _("Reports submitted"),
            pgettext("report counts", "On time"),
            pgettext("report counts", "Missing"),
            _("Completeness"),
            _("Timeliness"),
        ],
        [
            [
                f"{r.month:%Y-%m}",
                r.expected,
                r.submitted,
                r.on_time,
                r.missing,
                _rate(r.rate),
                _rate(r.on_time_rate),
            ]
            for r in board.reports
        ],
        percent_columns=(6, 7),
    )
    totals = [[t.name, m.name, m.unit, value] for t, m, value in board.metric_totals]
    totals.append(["", _("Submitted works"), "", board.works_total])
    totals.append(["", _("Art workers taking part"), "", board.artists])
    _sheet(
        wb, _("Totals"), [_("Activity type"), _("Figure"), _("Unit of measure"), _("Total")], totals
    )
    _sheet(
        wb,
        _("Works per art form"),
        [_("Art form"), _("Works")],
        [list(x) for x in board.works_by_form],
    )
    _sheet(
        wb,
        _("Units at risk"),
        [_("Unit code"), _("Unit"), _("Why")],
        [[r.row.unit.code, r.row.unit.name, r.why] for r in board.risks],
    )
    _sheet(
        wb,
        _("Units by completion"),
        [_("Unit code"), _("Unit"), _("Status"), _("Completion")],
        [
            [
                t.row.unit.code,
                t.row.unit.name,
                str(QuotaStatus(t.row.status).label),
                t.percent / 100,
            ]
            for t in board.tiles
        ],
        percent_columns=(4,),
    )
    if board.rounds is not None:
        _sheet(
            wb,
            _("Review"),
            [_("Round"), _("Status"), _("Entries"), _("Entries scored"), _("Results")],
            [
                [r.round.name, r.round.get_status_display(), r.entries, r.scored, r.results]
                for r in board.rounds
            ],
        )
    return xlsx.save(wb)
