"""What the public pages read, each in a fixed number of queries whatever the number
of works.

`public_works(campaign)` is the one definition of what the public sees: works the office
published whose rights holder consented to the portal, still submitted and not
disqualified. Every public page and the sitemap read through it, so a consent taken back
or a work withdrawn after publishing is gone at once.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from wenyi.awards.models import Award
from wenyi.awards.queries import final_awards
from wenyi.campaigns.models import Campaign
from wenyi.portal.models import NewsItem, NewsPhoto, WorkPublication
from wenyi.works.enums import FileRole, MatchStatus, WorkStatus
from wenyi.works.models import Match, Work, WorkFile


def public_works(campaign: Campaign | None) -> QuerySet[Work]:
    """The campaign's works on the portal (every campaign's: None), newest published
    first."""
    # filtered and ordered on the publication's index (campaign, published, time), so a
    # page of the newest stops after its rows instead of sorting every work
    works = Work.objects.all()
    if campaign is not None:
        works = works.filter(publication__campaign=campaign)
    return (
        works.filter(
            publication__is_published=True,
            consent_portal=True,
            status=WorkStatus.SUBMITTED,
        )
        .exclude(Exists(Match.objects.filter(work=OuterRef("pk"), status=MatchStatus.DISQUALIFIED)))
        .order_by("-publication__published_at", "-publication__id")
    )


def public_news(campaign: Campaign | None) -> QuerySet[NewsItem]:
    news = NewsItem.objects.filter(is_published=True)
    if campaign is not None:
        news = news.filter(campaign=campaign)
    return news.order_by("-dated", "-id")


def with_cover(news: QuerySet[NewsItem]) -> QuerySet[NewsItem]:
    """News with their photos (the first is the cover) in one more query."""
    return news.prefetch_related(Prefetch("photos", NewsPhoto.objects.order_by("id")))


def gallery_filters(campaign: Campaign, params) -> dict:
    """The filters asked for, as ids (None when absent or not a number)."""

    def number(name):
        value = params.get(name, "")
        return int(value) if value.isdigit() else None

    return {"category": number("form"), "unit": number("unit"), "award": params.get("award", "")}


def filtered(works: QuerySet[Work], campaign: Campaign, chosen: dict) -> QuerySet[Work]:
    if chosen["category"]:
        works = works.filter(category_id=chosen["category"])
    if chosen["unit"]:
        works = works.filter(unit_id=chosen["unit"])
    award = chosen["award"]
    if award:
        kind, _, tier = award.partition("-")
        if kind.isdigit():
            lines = Award.objects.filter(
                results__campaign=campaign,
                results__status="final",
                status="standing",
                award_kind_id=int(kind),
                work__isnull=False,
            )
            if tier.isdigit():
                lines = lines.filter(tier_id=int(tier))
            works = works.filter(pk__in=lines.values("work_id"))
    return works


def award_options(awards: list[Award]) -> list[tuple[str, str]]:
    """(value, label) of the award kinds and tiers of the final results' work lines."""
    options: dict[str, str] = {}
    for a in awards:
        if a.work_id is None:
            continue
        options.setdefault(str(a.award_kind_id), str(a.award_kind))
        if a.tier_id:
            options.setdefault(f"{a.award_kind_id}-{a.tier_id}", f"{a.award_kind} · {a.tier}")
    return list(options.items())


def work_awards(campaign: Campaign) -> list[Award]:
    """The final results' standing lines (none before the results are final)."""
    return list(final_awards(campaign))


def dress(works: list[Work], awards: list[Award]) -> list[Work]:
    """Give each work of a page its award lines (`work.awards_won`) and its first
    picture (`work.picture`, a WorkFile with a public copy, or None), in one query."""
    won: dict[int, list[Award]] = {}
    for a in awards:
        if a.work_id:
            won.setdefault(a.work_id, []).append(a)
    pictures: dict[int, WorkFile] = {}
    ids = [w.pk for w in works]
    if ids:
        files = (
            WorkFile.objects.filter(work_id__in=ids, role=FileRole.IMAGE)
            .exclude(public_file="")
            .order_by("id")
        )
        for f in files:
            pictures.setdefault(f.work_id, f)
    for w in works:
        w.awards_won = won.get(w.pk, [])
        w.picture = pictures.get(w.pk)
    return works


def publications_of(campaign: Campaign) -> QuerySet[WorkPublication]:
    return WorkPublication.objects.filter(campaign=campaign)


def public_slice(campaign: Campaign, chosen: dict | None, offset: int, limit: int) -> list[Work]:
    """Works `offset` to `offset + limit` of the campaign's public works (newest published
    first), with their art form and unit. Read from the publications' side: SQLite walks
    the index (campaign, published, time) and stops after `limit` rows, where reading
    from the works would sort all of them."""
    publications = (
        WorkPublication.objects.filter(
            campaign=campaign,
            is_published=True,
            work__consent_portal=True,
            work__status=WorkStatus.SUBMITTED,
        )
        .exclude(
            Exists(Match.objects.filter(work=OuterRef("work_id"), status=MatchStatus.DISQUALIFIED))
        )
        .select_related("work__category", "work__unit")
        .order_by("-published_at", "-id")
    )
    if chosen:
        ids = filtered(Work.objects.filter(campaign=campaign), campaign, chosen)
        if chosen["category"]:
            publications = publications.filter(work__category_id=chosen["category"])
        if chosen["unit"]:
            publications = publications.filter(work__unit_id=chosen["unit"])
        if chosen["award"]:
            publications = publications.filter(work_id__in=ids.values("pk"))
    return [p.work for p in publications[offset : offset + limit]]
