"""The anthology in the demo (portal.demo): from 16 December, once the results are final,
a book of the consented works made as PDF and EPUB on that day; nothing before."""

import datetime

from tests.portal.test_anthology import shelf  # noqa: F401 (a fixture)
from wenyi.documents.enums import DocumentKind
from wenyi.documents.models import Document
from wenyi.portal import anthology, demo
from wenyi.portal.models import Anthology


def test_no_anthology_before_its_day(office, linyi, shelf):  # noqa: F811
    demo.build(linyi, datetime.date(2014, 12, 15))

    assert not Anthology.objects.exists()


def test_demo_anthology_once_results_are_final(office, linyi, shelf):  # noqa: F811
    demo.build(linyi, datetime.date(2014, 12, 20))

    book = Anthology.objects.get()
    titles = [row.work.title for row in anthology.book_rows(book)]
    assert titles[:2] == ["晨光", "钢花"]  # the award list first, in the book's order
    assert "无授权" in titles  # its consent collected for the book
    assert not {"抄袭", "草稿", "撤回"} & set(titles)
    assert book.editor == "临沂市总工会" and book.cover.public_file
    documents = Document.objects.filter(kind=DocumentKind.ANTHOLOGY, variant=str(book.pk))
    assert {d.format for d in documents} == {"pdf", "epub"}
    assert all(d.made_at.date() == datetime.date(2014, 12, 16) for d in documents)

    demo.build(linyi, datetime.date(2014, 12, 21))  # again: nothing new
    assert Anthology.objects.count() == 1 and documents.count() == 2
