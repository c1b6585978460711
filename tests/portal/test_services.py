import pytest
from django.core.exceptions import ValidationError

from tests.portal.conftest import NEWS, gps_jpeg, has_gps
from wenyi.core.models import AuditEntry
from wenyi.core.versioning import EditConflict
from wenyi.portal import services
from wenyi.portal.models import NewsItem, NewsPhoto, WorkPublication
from wenyi.works import services as work_services
from wenyi.works.enums import MatchStatus
from wenyi.works.models import Match


def test_publish_work_without_consent_is_refused_naming_why(
    submitted_work, county_b, worker, office
):
    work = submitted_work(county_b, worker, title="矿灯")
    with pytest.raises(ValidationError) as exc:
        services.publish_work(office, work)
    assert "矿灯" in exc.value.messages[0]
    assert "public portal" in exc.value.messages[0] or "公开" in exc.value.messages[0]
    assert not WorkPublication.objects.exists()


def test_publish_withdrawn_or_disqualified_work_is_refused(consented, office):
    withdrawn = consented("焊花")
    withdrawn.status = "withdrawn"
    withdrawn.save(update_fields=["status"])
    with pytest.raises(ValidationError, match="withdrawn|撤回"):
        services.publish_work(office, withdrawn)
    copied, other = consented("塔吊"), consented("原作")
    Match.objects.create(work=copied, other=other, kind="text", status=MatchStatus.DISQUALIFIED)
    with pytest.raises(ValidationError, match="disqualified|取消"):
        services.publish_work(office, copied)


def test_publish_and_unpublish_are_audited_once_each(consented, office):
    work = consented()
    publication = services.publish_work(office, work)
    assert publication.is_published and publication.published_by == office
    with pytest.raises(ValidationError):  # a second click
        services.publish_work(office, work)
    services.unpublish_work(office, work)
    publication.refresh_from_db()
    assert not publication.is_published and publication.unpublished_by == office
    entries = AuditEntry.objects.filter(object_id=str(publication.pk), action="transition")
    assert entries.count() == 2


def test_news_photo_public_copy_has_no_gps(linyi, office):
    photo = gps_jpeg()
    prepared = services.prepare_photos([photo])
    news = services.create_news(office, linyi, NEWS, prepared, ["现场"])
    stored = news.photos.get()
    assert has_gps(stored.file.read())  # the original is kept as it came
    assert stored.public_file
    assert not has_gps(stored.public_file.read())


def test_a_failed_upload_leaves_no_file_and_no_item(linyi, office, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("notes.jpg", b"this is not a photo", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        services.prepare_photos([gps_jpeg(), bad])
    assert "notes.jpg" in " ".join(exc.value.messages)
    # a failure inside the transaction (too many photos) removes the files written
    prepared = services.prepare_photos([gps_jpeg(colour=(i, 0, 0)) for i in range(13)])
    with pytest.raises(ValidationError):
        services.create_news(office, linyi, NEWS, prepared)
    assert not NewsItem.objects.exists() and not NewsPhoto.objects.exists()
    media = settings.MEDIA_ROOT
    assert not any(p.is_file() for p in media.rglob("*")) if media.exists() else True


def test_news_create_twice_with_one_token_makes_one(linyi, office):
    import uuid

    token = uuid.uuid4()
    first = services.create_news(office, linyi, NEWS, token=token)
    second = services.create_news(office, linyi, NEWS, token=token)
    assert first.pk == second.pk and NewsItem.objects.count() == 1


def test_news_stale_edit_is_refused(linyi, office):
    news = services.create_news(office, linyi, NEWS)
    services.update_news(office, news, {**NEWS, "title": "新标题"}, news.version)
    with pytest.raises(EditConflict):
        services.update_news(office, news, {**NEWS, "title": "旧页面"}, 1)
    news.refresh_from_db()
    assert news.title == "新标题"


def test_news_date_outside_the_campaign_is_refused(linyi, office):
    import datetime

    with pytest.raises(ValidationError) as exc:
        services.create_news(office, linyi, {**NEWS, "dated": datetime.date(2013, 1, 1)})
    assert "dated" in exc.value.message_dict


def test_published_news_cannot_be_deleted(linyi, office):
    news = services.create_news(office, linyi, NEWS)
    services.publish_news(office, news)
    with pytest.raises(ValidationError):
        services.delete_news(office, news)
    services.unpublish_news(office, news)
    services.delete_news(office, news)
    assert not NewsItem.objects.exists()


def test_consent_taken_back_hides_a_published_work(consented, office, linyi):
    from wenyi.portal.queries import public_works

    work = consented()
    services.publish_work(office, work)
    assert list(public_works(linyi)) == [work]
    work_services.record_consent(office, work, portal=False, anthology=False, name="")
    assert list(public_works(linyi)) == []
