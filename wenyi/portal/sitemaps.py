"""sitemap.xml of the public portal: each campaign's home, news list and gallery, and
every published news item and work the public may see (`queries.public_works`)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from wenyi.campaigns.models import Campaign
from wenyi.portal import queries


class CampaignPages(Sitemap):
    changefreq = "weekly"

    def items(self):
        return [
            (slug, name)
            for slug in Campaign.objects.order_by("-year", "slug").values_list("slug", flat=True)
            for name in ("portal:home", "portal:news", "portal:gallery")
        ]

    def location(self, item):
        slug, name = item
        return reverse(name, kwargs={"slug": slug})


class NewsPages(Sitemap):
    changefreq = "monthly"

    def items(self):
        return (
            queries.public_news(None)
            .select_related("campaign")
            .only("pk", "dated", "updated_at", "campaign__slug")
        )

    def location(self, item):
        return reverse("portal:news_item", kwargs={"slug": item.campaign.slug, "pk": item.pk})

    def lastmod(self, item):
        return item.updated_at


class WorkPages(Sitemap):
    changefreq = "monthly"

    def items(self):
        return (
            queries.public_works(None)
            .select_related("campaign")
            .only("pk", "campaign__slug")
            .order_by("pk")
        )

    def location(self, item):
        return reverse("portal:work", kwargs={"slug": item.campaign.slug, "pk": item.pk})


SITEMAPS = {"campaigns": CampaignPages, "news": NewsPages, "works": WorkPages}
