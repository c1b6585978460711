import datetime

from django.utils import timezone

from tests.portal.conftest import has_gps
from wenyi.portal import demo
from wenyi.portal.models import NewsItem, WorkPublication
from wenyi.works.models import Work


def test_demo_builds_news_and_publishes_consented_works_once(office, linyi, consented):
    work = consented()
    Work.objects.filter(pk=work.pk).update(
        submitted_at=timezone.make_aware(datetime.datetime(2014, 9, 1, 10, 0))
    )
    today = datetime.date(2014, 9, 16)
    made = demo.build(linyi, today)
    assert made["works"] == 1 and made["news"] == 3
    assert all(n.dated < today and n.is_published for n in NewsItem.objects.all())
    photo = NewsItem.objects.filter(photos__isnull=False).first().photos.get()
    assert not has_gps(photo.public_file.read())
    assert WorkPublication.objects.get(work=work).is_published
    assert demo.build(linyi, today) == {"news": 0, "works": 0}  # idempotent
    assert NewsItem.objects.count() == 3
