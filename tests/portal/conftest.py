"""The portal's cast and data: the 2014 campaign, works entered and submitted through the
works services, consent recorded for some; photos with a GPS position in their EXIF.

    city (临沂市)          office (刘洁), supervisor (周监督)
    ├── county_a (兰山区)   coordinator_a, artist (赵文艺)
    └── county_b (罗庄区)   coordinator_b, 钱师傅 (no login)
"""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import _user_with_role
from tests.factories import PersonFactory
from tests.review.conftest import submitted_work  # noqa: F401 - a fixture used here
from wenyi.orgs.enums import Role
from wenyi.works import services as work_services

TODAY = datetime.date(2014, 9, 16)


@pytest.fixture(autouse=True)
def _demo_clock(settings):
    settings.WENYI_TODAY = TODAY


@pytest.fixture
def supervisor(city):
    return _user_with_role("supervisor", city, Role.SUPERVISOR, "周监督")


@pytest.fixture
def worker(county_b):
    return PersonFactory(unit=county_b, name="钱师傅")


@pytest.fixture
def consented(submitted_work, county_b, worker, office):  # noqa: F811
    """consented(title) -> a submitted work with the rights holder's portal consent."""

    def make(title="车间的早晨", **kwargs):
        work = submitted_work(county_b, worker, title=title, **kwargs)
        return work_services.record_consent(
            office, work, portal=True, anthology=True, name="钱师傅"
        )

    return make


def gps_jpeg(name="photo.jpg", colour=(200, 40, 40)) -> SimpleUploadedFile:
    """A JPEG whose EXIF holds a GPS position (35°N 118°E, near Linyi)."""
    from PIL import ExifTags, Image

    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (35.0, 3.0, 0.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (118.0, 21.0, 0.0)
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def has_gps(data: bytes) -> bool:
    from PIL import ExifTags, Image

    with Image.open(io.BytesIO(data)) as im:
        return bool(im.getexif().get_ifd(ExifTags.IFD.GPSInfo))


NEWS = {
    "kind": "report",
    "title": "兰山区职工书法进车间",
    "dated": datetime.date(2014, 7, 15),
    "summary": "",
    "body": "七月十五日，兰山区总工会组织书法家走进车间。\n职工们现场挥毫，气氛热烈。",
}
