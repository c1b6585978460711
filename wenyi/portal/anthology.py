"""The anthology (作品汇编, R12): the office compiles a book of the campaign's works, and
the book is made from it as a print PDF and an EPUB (issue 14, points 1 to 3).

**What may go in.** A submitted work, not withdrawn, not disqualified as a copy, whose
rights holder agreed to have it printed (`Work.consent_anthology`): `add_refusal` says
in words why any other work cannot, naming it. Adding several works (by filters, from
the award lists) runs in one transaction; a work already in the book is not added twice.
Picked works are all-or-nothing (one refused: nothing added, every refusal named); a
whole list taken by its filter adds those that may go in and names the others.
The rule is checked again when the book is made: a consent taken back after the work
was added leaves the work out of the files (the page marks it for removal).

**The order.** Sections by art form in the campaign file's order of its categories;
inside a section, while the book is ordered automatically, the best tier of the final
results first (award kind, then tier, by the file's order; works without an award
after), then the score high first (the final score of the work's last scored review
round, `review.RoundResult.final`; none last), then the title (by pinyin, as every
list). The automatic order is worked out on every read, so works added later and
results declared later fall into their places. Once the office moves a work (up, down,
to a place in its section) the book is ordered by hand: the order it had becomes
`AnthologyItem.position` and is kept; a work added after that goes to the end of its
section. "Order automatically" goes back to the computed order.

**Every change** is one function here — `create_anthology`, `update_anthology`,
`add_works`, `remove_work`, `move_work`, `order_automatically` — that names the version
its form was opened at (`core.versioning`: a stale change is refused with who changed
what since) and writes an audit entry on the anthology. The cover picture goes through
`core.uploads` (checked by content before any transaction, written inside
`uploads.writing()`, so a refused or failed upload leaves no file).

**The book.** `prepare(anthology)` reads everything the renderers need into a
`wenyi.portal.book.Book`: a section per art form, each work with its layout (see
`layout_of`), authors joined with 、, its unit, its award from the final results, its
text, and the paths of its pictures on disk — the public copies, re-encoded without
EXIF or location, never the originals (`anthology_pictures`; the order and the rule of
who may go in are read by `anthology_rows`). `make_anthology` is the maker registered with
`wenyi.documents.generate` for `DocumentKind.ANTHOLOGY` (variant: the anthology's id;
formats PDF and EPUB); the archive keeps every version.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wenyi.campaigns.enums import FileKind
from wenyi.campaigns.models import Campaign, WorkCategory
from wenyi.core import audit, clock, filetypes, uploads
from wenyi.core.enums import AuditAction
from wenyi.core.notify import site_link
from wenyi.core.versioning import claim
from wenyi.documents import generate
from wenyi.documents.enums import DocumentFormat, DocumentKind
from wenyi.portal import anthology_pictures as disk
from wenyi.portal.anthology_rows import Row, add_refusal, book_rows, sections
from wenyi.portal.book import Book, Layout, Picture, Piece, Section
from wenyi.portal.enums import PageSize
from wenyi.portal.models import Anthology, AnthologyCover, AnthologyItem
from wenyi.works.enums import FileRole, MatchStatus
from wenyi.works.models import Match, Work, WorkFile

Progress = Callable[[int, int], None]

FIELDS = ("title", "subtitle", "editor", "preface", "editor_note", "page_size")
# a text is a poem when its category says so (诗, 词: 诗词, 诗歌, 歌词) or when at least
# SHORT_SHARE of its lines (4 or more) are at most SHORT_LINE characters: a line of a
# modern poem rarely passes 20 characters, a paragraph of prose rarely stays under 40
POEM_MARKS = ("诗", "词")
SHORT_LINE = 20
SHORT_SHARE = 0.75
POEM_MIN_LINES = 4
NOTE_CHARS = 200  # of a work's description printed under it
CHUNK = 900  # works read at once when adding


__all__ = [  # with what it takes from anthology_rows, for the views and the tests
    "Added",
    "Row",
    "add_refusal",
    "add_works",
    "anthologies_of",
    "book_rows",
    "create_anthology",
    "default_editor",
    "is_poem",
    "layout_of",
    "make_anthology",
    "move_work",
    "order_automatically",
    "prepare",
    "prepare_cover",
    "register",
    "remove_work",
    "sections",
    "update_anthology",
]


# -- the book's details --------------------------------------------------------------------


def default_editor(campaign: Campaign) -> str:
    """Who compiles the book unless the office says otherwise: the campaign's first lead
    organiser (临沂市总工会), or its issuing body."""
    lead = [o.name for o in campaign.lead_organisers]
    return lead[0] if lead else campaign.issuer


def anthologies_of(campaign: Campaign) -> QuerySet[Anthology]:
    return Anthology.objects.filter(campaign=campaign).order_by("-created_at", "-id")


# -- the details and the cover -------------------------------------------------------------


def _refused_cover(name: str, what: str) -> str:
    return _('Cover "%(name)s": only a picture can be the cover (its content is %(what)s).') % {
        "name": name,
        "what": what,
    }


def prepare_cover(upload: File) -> uploads.Prepared:
    """Check a cover picture and make its copy without metadata (before any transaction);
    ValidationError on the `cover` field, naming the file, when it is not a picture,
    damaged or too large."""
    from django.conf import settings

    try:
        return uploads.prepare(
            upload,
            {filetypes.IMAGE},
            max_mb=settings.WENYI_UPLOAD_MAX_MB,
            refused=_refused_cover,
        )
    except ValidationError as exc:
        raise ValidationError({"cover": exc.messages}) from None


def _check_values(data: dict[str, Any]) -> None:
    if not (data.get("title") or "").strip():
        raise ValidationError({"title": _("Title of the book: please write it.")})
    if data.get("page_size") not in PageSize.values:
        raise ValidationError({"page_size": _("Page size: choose A4 or A5.")})


def _set_cover(actor, anthology: Anthology, cover: uploads.Prepared | None, remove: bool, written):
    old = AnthologyCover.objects.filter(anthology=anthology).first()
    if old is not None and (remove or cover is not None):
        uploads.audit_file(actor, AuditAction.DELETE, old, anthology, "cover")
        uploads.delete_after_commit(old)
        old.delete()
    if cover is not None:
        record = uploads.save_new(AnthologyCover(anthology=anthology), cover, written)
        uploads.audit_file(actor, AuditAction.CREATE, record, anthology, "cover")


def create_anthology(
    actor,
    campaign: Campaign,
    data: dict[str, Any],
    *,
    cover: uploads.Prepared | None = None,
    token=None,
) -> Anthology:
    """A new, empty book of the campaign with its cover, all or nothing. The form's
    `token`: a form sent twice makes one book (the second gets the first back)."""
    if token is not None:
        existing = Anthology.objects.filter(token=token, campaign=campaign).first()
        if existing is not None:
            return existing
    _check_values(data)
    with uploads.writing() as written, transaction.atomic():
        anthology = Anthology(campaign=campaign, created_by=actor, token=token)
        for name in FIELDS:
            setattr(anthology, name, data.get(name, getattr(anthology, name)))
        anthology.editor = anthology.editor.strip() or default_editor(campaign)
        anthology.save()
        audit.record(actor, AuditAction.CREATE, anthology)
        _set_cover(actor, anthology, cover, False, written)
    return anthology


def update_anthology(
    actor,
    anthology: Anthology,
    data: dict[str, Any],
    version: int | None,
    *,
    cover: uploads.Prepared | None = None,
    remove_cover: bool = False,
) -> Anthology:
    """Save the details edited from `version` (EditConflict when someone changed the
    book since), and the new cover or its removal, all or nothing."""
    _check_values(data)
    data = {
        **data,
        "editor": (data.get("editor") or "").strip() or default_editor(anthology.campaign),
    }
    with uploads.writing() as written, transaction.atomic():
        locked = Anthology.objects.select_for_update().get(pk=anthology.pk)
        before = audit.snapshot(locked)
        claim(locked, version)
        changed = audit.apply_values(locked, FIELDS, data)
        locked.save(update_fields=[*changed, "version", "updated_at"])
        audit.record(actor, AuditAction.UPDATE, locked, before=before)
        _set_cover(actor, locked, cover, remove_cover, written)
    return locked


# -- changing the book ---------------------------------------------------------------------


@dataclass
class Added:
    """What `add_works` did: the works added, those already in the book, and those
    refused with the reason (only when told to skip them)."""

    added: list[Work] = field(default_factory=list)
    already: list[Work] = field(default_factory=list)
    refused: list[tuple[Work, str]] = field(default_factory=list)

    def message(self) -> str:
        parts = []
        if self.added:
            parts.append(
                ngettext(
                    "%(n)d work added to the anthology.",
                    "%(n)d works added to the anthology.",
                    len(self.added),
                )
                % {"n": len(self.added)}
            )
        if self.already:
            parts.append(
                ngettext(
                    "%(n)d work was in it already.",
                    "%(n)d works were in it already.",
                    len(self.already),
                )
                % {"n": len(self.already)}
            )
        if not parts:
            parts.append(_("No work was added."))
        return " ".join(parts)


def _titles(works: Iterable[Work]) -> list[str]:
    return [w.title for w in works]


def _record(actor, anthology: Anthology, before_version: int, changes: dict, note: str = ""):
    """The audit entry of a change of the book's works: what changed, and the version
    moved on (so an editor who opened the book before is told who changed what)."""
    audit.record(
        actor,
        AuditAction.UPDATE,
        anthology,
        changes={**changes, "version": [before_version, anthology.version]},
        note=note,
    )


def add_works(
    actor,
    anthology: Anthology,
    works: Iterable[Work] | QuerySet[Work],
    *,
    version: int | None,
    skip_refused: bool = False,
) -> Added:
    """Add works to the book, in one transaction. A work already in it is not added
    again. A work that may not go in: ValidationError naming every such work and why,
    nothing added — or, with `skip_refused` (a list taken whole by its filter), the
    others are added and the refused ones listed in the result."""
    if isinstance(works, QuerySet):
        ids = list(works.values_list("pk", flat=True))
    else:
        ids = [w.pk for w in works]
    ids = list(dict.fromkeys(ids))
    done = Added()
    with transaction.atomic():
        locked = (
            Anthology.objects.select_for_update().select_related("campaign").get(pk=anthology.pk)
        )
        found: dict[int, Work] = {}
        present: set[int] = set()
        disqualified = Exists(
            Match.objects.filter(work=OuterRef("pk"), status=MatchStatus.DISQUALIFIED)
        )
        for start in range(0, len(ids), CHUNK):  # SQLite takes some thousand parameters
            chunk = ids[start : start + CHUNK]
            works_ = Work.objects.filter(pk__in=chunk).annotate(disqualified=disqualified)
            found.update((w.pk, w) for w in works_)
            items = AnthologyItem.objects.filter(anthology=locked, work_id__in=chunk)
            present.update(items.values_list("work_id", flat=True))
        for pk in ids:
            work = found.get(pk)
            if work is None:
                continue  # deleted meanwhile: nothing to add
            if pk in present:
                done.already.append(work)
                continue
            refusal = add_refusal(work, locked.campaign)
            if refusal:
                done.refused.append((work, refusal))
            else:
                done.added.append(work)
        if done.refused and not skip_refused:
            raise ValidationError([reason for _work, reason in done.refused])
        if not done.added:
            return done
        before = locked.version
        claim(locked, version)
        start = 0
        if locked.hand_ordered:  # after the works ordered by hand, by title
            last = AnthologyItem.objects.filter(anthology=locked).order_by("-position").first()
            start = last.position if last is not None else 0
            done.added.sort(key=lambda w: (w.title_sort, w.title, w.pk))
        AnthologyItem.objects.bulk_create(
            [
                AnthologyItem(anthology=locked, work=work, position=start + n, added_by=actor)
                for n, work in enumerate(done.added, start=1)
            ]
        )
        Anthology.objects.filter(pk=locked.pk).update(updated_at=clock.now())
        _record(actor, locked, before, {"works": [None, _titles(done.added)]})
    anthology.version, anthology.hand_ordered = locked.version, locked.hand_ordered
    return done


def _locked_item(anthology: Anthology, work: Work) -> tuple[Anthology, AnthologyItem]:
    locked = Anthology.objects.select_for_update().get(pk=anthology.pk)
    item = AnthologyItem.objects.filter(anthology=locked, work=work).first()
    if item is None:
        raise ValidationError(_("“%(title)s” is not in the anthology.") % {"title": work.title})
    return locked, item


@transaction.atomic
def remove_work(actor, anthology: Anthology, work: Work, *, version: int | None) -> Anthology:
    """Take a work out of the book."""
    locked, item = _locked_item(anthology, work)
    before = locked.version
    claim(locked, version)
    item.delete()
    Anthology.objects.filter(pk=locked.pk).update(updated_at=clock.now())
    _record(actor, locked, before, {"works": [[work.title], None]})
    anthology.version, anthology.hand_ordered = locked.version, locked.hand_ordered
    return locked


@transaction.atomic
def move_work(
    actor, anthology: Anthology, work: Work, to: int, *, version: int | None
) -> Anthology:
    """Put a work at place `to` (from 1) of its section; the book is ordered by hand
    from now on, the other works keeping the order they had."""
    locked, item = _locked_item(anthology, work)
    rows = book_rows(locked)
    mine = [r for r in rows if r.category.pk == item.work.category_id]
    current = next(n for n, r in enumerate(mine) if r.item.pk == item.pk)
    target = min(max(int(to), 1), len(mine)) - 1
    values = {"title": work.title, "section": item.work.category.name}
    before = locked.version
    was_hand = locked.hand_ordered
    claim(locked, version)  # a stale page first: its places are no longer the book's
    if target == current:
        raise ValidationError(
            _("“%(title)s” is already at place %(place)d of %(section)s.")
            % {**values, "place": current + 1}
        )
    moved = mine.pop(current)
    mine.insert(target, moved)
    order = iter(mine)
    # the section's new order in its place, the other sections as they were
    final = [next(order) if r.category.pk == item.work.category_id else r for r in rows]
    items = []
    for n, row in enumerate(final, start=1):
        if row.item.position != n:
            row.item.position = n
            items.append(row.item)
    AnthologyItem.objects.bulk_update(items, ["position"])
    locked.hand_ordered = True
    locked.save(update_fields=["hand_ordered", "updated_at"])
    note = _("“%(title)s” moved from place %(from)d to %(to)d of %(section)s.") % {
        **values,
        "from": current + 1,
        "to": target + 1,
    }
    changes = {} if was_hand else {"hand_ordered": [False, True]}
    _record(actor, locked, before, changes, note)
    anthology.version, anthology.hand_ordered = locked.version, locked.hand_ordered
    return locked


@transaction.atomic
def order_automatically(actor, anthology: Anthology, *, version: int | None) -> Anthology:
    """Give up the order by hand: the book follows the automatic order again."""
    locked = Anthology.objects.select_for_update().get(pk=anthology.pk)
    if not locked.hand_ordered:
        raise ValidationError(_("The anthology is already ordered automatically."))
    before = locked.version
    claim(locked, version)
    locked.hand_ordered = False
    locked.save(update_fields=["hand_ordered", "updated_at"])
    _record(actor, locked, before, {"hand_ordered": [True, False]})
    anthology.version, anthology.hand_ordered = locked.version, locked.hand_ordered
    return locked


# -- the book ------------------------------------------------------------------------------


def chinese_month(date) -> str:
    """2014-12-19 → 二〇一四年十二月, as a book's title page dates itself."""
    digits = "〇一二三四五六七八九"
    year = "".join(digits[int(d)] for d in str(date.year))
    month = ("十" if date.month >= 10 else "") + (
        digits[date.month % 10] if date.month % 10 or date.month < 10 else ""
    )
    return f"{year}年{month}月"


def is_poem(category: WorkCategory, text: str) -> bool:
    if any(mark in category.name for mark in POEM_MARKS):
        return True
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) < POEM_MIN_LINES:
        return False
    short = sum(1 for line in lines if len(line.replace(" ", "")) <= SHORT_LINE)
    return short / len(lines) >= SHORT_SHARE


def layout_of(work: Work, files: list[WorkFile]) -> str:
    """How a work is set, from what it has: score files (or pictures of a music work)
    → SCORE; typed text → POEM or PROSE; a video or a video link → FILM; pictures →
    IMAGE; otherwise PROSE (a manuscript only: the note says so)."""
    music = FileKind.AUDIO in (work.category.file_kinds or [])
    roles = {f.role for f in files}
    if FileRole.SCORE in roles or (music and FileRole.IMAGE in roles):
        return Layout.SCORE
    if work.text.strip():
        return Layout.POEM if is_poem(work.category, work.text) else Layout.PROSE
    if FileRole.VIDEO in roles or work.video_url:
        return Layout.FILM
    if FileRole.IMAGE in roles:
        return Layout.IMAGE
    return Layout.PROSE


def _piece(campaign: Campaign, row: Row, files: list[WorkFile], folder: disk.Folder) -> Piece:
    work = row.work
    layout = layout_of(work, files)
    text = work.text.strip()
    notes = [" ".join(work.description.split())[:NOTE_CHARS]] if work.description.strip() else []
    pictures: list[Picture] = []
    link = ""
    if layout == Layout.SCORE:
        for f in files:
            if f.role == FileRole.IMAGE:
                path = disk.picture(f, folder)
                pictures += [Picture(path)] if path else []
            elif f.role == FileRole.SCORE and f.content_type == "application/pdf":
                pictures += [Picture(p) for p in disk.pdf_pages(f, folder)]
            elif f.role == FileRole.SCORE and f.content_type.startswith("image/"):
                path = disk.picture(f, folder)
                pictures += [Picture(path)] if path else []
        if not pictures:  # a score that cannot be shown: the lyrics, and where to find it
            layout = Layout.POEM if text else Layout.PROSE
            notes.append(_("The score is not printed here; it is on the work's public page."))
            link = _public_page(campaign, work)
    elif layout == Layout.IMAGE:
        for f in files:
            if f.role == FileRole.IMAGE:
                path = disk.picture(f, folder)
                pictures += [Picture(path)] if path else []
    elif layout == Layout.FILM:
        still = disk.still(files, folder)
        pictures = [Picture(still)] if still else []
        link = _public_page(campaign, work)
    elif not text:
        notes.append(
            _("Only a manuscript file of this work was submitted; its text is not typed in.")
        )
    return Piece(
        work_id=work.pk,
        title=work.title,
        layout=layout,
        authors=row.authors,
        unit=work.unit.name,
        award=row.award,
        text=text if layout in (Layout.PROSE, Layout.POEM, Layout.SCORE) else "",
        pictures=pictures,
        link=link,
        note=" ".join(notes),
    )


def _public_page(campaign: Campaign, work: Work) -> str:
    return site_link(reverse("portal:work", kwargs={"slug": campaign.slug, "pk": work.pk}))


def _files(work_ids: list[int]) -> dict[int, list[WorkFile]]:
    found: dict[int, list[WorkFile]] = {}
    for f in WorkFile.objects.filter(work_id__in=work_ids).order_by("work_id", "id"):
        found.setdefault(f.work_id, []).append(f)
    return found


def _quiet(done: int, total: int) -> None:
    pass


def prepare(
    anthology: Anthology, *, scratch: Path | None = None, progress: Progress | None = None
) -> Book:
    """The book as the renderers read it. Works that may no longer be printed (consent
    taken back, withdrawn, disqualified since they were added) are left out. Pictures
    the book needs made (a score's pages, a film's still, a GIF or WebP as PNG) are
    written to `scratch` — give a temporary folder and remove it after rendering;
    without one a new temporary folder is made (and left to the caller)."""
    progress = progress or _quiet
    rows = [row for row in book_rows(anthology) if not row.refusal]
    folder = disk.Folder(scratch or Path(tempfile.mkdtemp(prefix="wenyi-anthology-")))
    files = _files([row.work.pk for row in rows])
    campaign = anthology.campaign
    book_sections: list[Section] = []
    last = None
    for done, row in enumerate(rows, start=1):
        if row.category.pk != last:
            book_sections.append(Section(title=row.category.name))
            last = row.category.pk
        book_sections[-1].pieces.append(_piece(campaign, row, files.get(row.work.pk, []), folder))
        progress(done, len(rows))
    cover = AnthologyCover.objects.filter(anthology=anthology).first()
    return Book(
        title=anthology.title,
        subtitle=anthology.subtitle,
        editor=anthology.editor or default_editor(campaign),
        date_text=chinese_month(clock.today()),
        preface=anthology.preface,
        editor_note=anthology.editor_note,
        cover=disk.on_disk(cover.public_file or cover.file, folder) if cover else None,
        page_size=anthology.page_size,
        identifier=f"urn:uuid:{anthology.identifier}",
        language="zh-Hans",
        sections=book_sections,
    )


# -- the maker -----------------------------------------------------------------------------


def render(book: Book, fmt: str, progress: Progress) -> bytes:
    """The book as a file of format `fmt` (`book_pdf.render_pdf`, `book_epub.render_epub`;
    Typst and ebooklib are imported there, when a book is made)."""
    if fmt == DocumentFormat.PDF:
        from wenyi.portal.book_pdf import render_pdf

        return render_pdf(book, progress)
    from wenyi.portal.book_epub import render_epub

    return render_epub(book)


def anthology_of(campaign: Campaign, variant: str) -> Anthology | None:
    if not variant.isdigit():
        return None
    return Anthology.objects.filter(campaign=campaign, pk=int(variant)).first()


def make_anthology(campaign: Campaign, variant: str, fmt: str, progress: Progress) -> generate.Made:
    """The maker of `DocumentKind.ANTHOLOGY` (variant: the anthology's id) as PDF or
    EPUB. The progress runs over the works being read (first half) and the layout
    (second half, as far as the renderer reports it)."""
    if fmt not in (DocumentFormat.PDF, DocumentFormat.EPUB):
        raise generate.CannotMake(_("An anthology is made as PDF or EPUB."))
    anthology = anthology_of(campaign, variant)
    if anthology is None:
        raise generate.CannotMake(_("There is no such anthology in this campaign."))
    title = {"title": anthology.title}
    if not AnthologyItem.objects.filter(anthology=anthology).exists():
        raise generate.CannotMake(
            _("“%(title)s” has no works yet: add works before making the book.") % title
        )
    with tempfile.TemporaryDirectory(prefix="wenyi-anthology-") as scratch:
        half: dict[str, int] = {"n": 1}

        def reading(done: int, total: int) -> None:
            half["n"] = max(total, 1)
            progress(done, 2 * half["n"])

        def laying_out(done: int, total: int) -> None:
            n = half["n"]
            progress(n + (done * n // total if total else 0), 2 * n)

        book = prepare(anthology, scratch=Path(scratch), progress=reading)
        pieces = book.pieces()
        if not pieces:
            raise generate.CannotMake(
                _(
                    "None of the works of “%(title)s” may be printed now (consent taken back, "
                    "withdrawn or disqualified): remove them or add others."
                )
                % title
            )
        content = render(book, fmt, laying_out)
    left_out = AnthologyItem.objects.filter(anthology=anthology).count() - len(pieces)
    note = ngettext("%(n)d work", "%(n)d works", len(pieces)) % {"n": len(pieces)}
    if fmt == DocumentFormat.PDF:
        note += f"；{anthology.page_size.upper()}"
    if left_out:
        note += "；" + ngettext(
            "%(n)d work left out (may no longer be printed)",
            "%(n)d works left out (may no longer be printed)",
            left_out,
        ) % {"n": left_out}
    return generate.Made(content=content, title=anthology.title, note=note)


def register() -> None:
    generate.register(DocumentKind.ANTHOLOGY, make_anthology)
