"""The documents part of `wenyi setup --demo`: from the commendation decision's date (the
campaign file's `[documents] commendation_date`, 19 December 2014) on, when the results
are final, the office has issued the certificates and made the decision as .docx and
PDF, so the archive, the certificates page and the public verification page show real
files and codes, made on that day. Before that date nothing of it exists. Once:
running again changes nothing (regenerating is the office's own act, a new version
each time).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from wenyi.awards.enums import ResultsStatus
from wenyi.awards.queries import results_of
from wenyi.campaigns.models import Campaign
from wenyi.documents import certificates, generate
from wenyi.documents.enums import DocumentFormat, DocumentKind
from wenyi.documents.models import Document, DocumentSettings
from wenyi.orgs.enums import Role
from wenyi.orgs.models import Membership


def build(campaign: Campaign, today: datetime.date) -> int:
    """Issue the certificates and make the decision as of `today`; returns how many
    certificates the campaign has."""
    settings = DocumentSettings.objects.filter(campaign=campaign).first()
    results = results_of(campaign)
    if (
        settings is None
        or settings.commendation_date is None
        or today < settings.commendation_date
        or results is None
        or results.status != ResultsStatus.FINAL
    ):
        return 0
    decisions = Document.objects.filter(campaign=campaign, kind=DocumentKind.COMMENDATION)
    if not decisions.exists():
        office = (
            Membership.objects.filter(role=Role.OFFICE, unit__code=campaign.owner_unit_code)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if office is None:
            return 0
        certificates.issue(office.user, campaign)
        made_at = timezone.make_aware(
            datetime.datetime.combine(settings.commendation_date, datetime.time(10))
        )
        for fmt in (DocumentFormat.DOCX, DocumentFormat.PDF):
            document = generate.make(office.user, campaign, DocumentKind.COMMENDATION, fmt)
            # made on the decision's day in the story, as the archive shows it
            Document.objects.filter(pk=document.pk).update(made_at=made_at)
    return campaign.certificates.count()
