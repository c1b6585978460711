"""Text originality: every kind of copy is found, unrelated texts are not flagged.

The corpus is generated: a seeded "Chinese" vocabulary (3,000 CJK characters, words of
2-4 characters with Zipf frequencies, sentences of 8-30 characters ending in 。！？，).
"""

import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.factories import CampaignFactory, OrgUnitFactory
from wenyi.campaigns.models import WorkCategory
from wenyi.works import originality
from wenyi.works.enums import MatchStatus, WorkStatus
from wenyi.works.models import Fingerprint, LshBand, Match, TextSketch, Work

PROJECT_DIR = Path(__file__).resolve().parents[2]


class TextGenerator:
    def __init__(self, seed: int = 2014):
        self.rng = random.Random(seed)
        pool = list(range(0x4E00, 0x9FA6))
        self.chars = [chr(c) for c in self.rng.sample(pool, 3000)]
        self.words = [
            "".join(self.rng.choices(self.chars, k=self.rng.choice((2, 2, 2, 3, 3, 4))))
            for _ in range(8000)
        ]
        weights = [1 / (r + 10) for r in range(len(self.words))]
        total = 0.0
        self.cum = []
        for w in weights:
            total += w
            self.cum.append(total)

    def sentence(self) -> str:
        size = self.rng.randint(8, 30)
        out = ""
        while len(out) < size:
            out += "".join(self.rng.choices(self.words, cum_weights=self.cum, k=4))
        return out[:size] + self.rng.choice("。！？，")

    def sentences(self, chars: int) -> list[str]:
        out, n = [], 0
        while n < chars:
            out.append(self.sentence())
            n += len(out[-1])
        return out

    def text(self, chars: int) -> str:
        return "".join(self.sentences(chars))


def split_sentences(text: str) -> list[str]:
    out, cur = [], ""
    for ch in text:
        cur += ch
        if ch in "。！？，":
            out.append(cur)
            cur = ""
    return out + ([cur] if cur else [])


# --- the kinds of copy ---------------------------------------------------------------


def changed_5pct(gen, source):
    return "".join(
        gen.rng.choice(gen.chars) if ch not in "。！？，" and gen.rng.random() < 0.05 else ch
        for ch in source
    )


def rewritten_30pct(gen, source):
    sents = split_sentences(source)
    target, replaced = 0.3 * len(source), 0
    done: set[int] = set()
    while True:
        size = gen.rng.randint(2, 4)
        start = gen.rng.randrange(len(sents) - size)
        block = range(start, start + size)
        if done.intersection(block):
            continue
        chars = sum(len(sents[i]) for i in block)
        if replaced + chars > target:
            break
        for i in block:
            sents[i] = gen.sentence()
        done.update(block)
        replaced += chars
    return "".join(sents)


def reordered(gen, source):
    sents = split_sentences(source)
    gen.rng.shuffle(sents)
    return "".join(sents)


def half_borrowed(gen, source):
    sents = split_sentences(source)
    if gen.rng.random() < 0.5:  # all of the earlier work, as much again of new text
        borrowed = "".join(sents)
    else:  # half of the earlier work, as much again of new text
        start = gen.rng.randrange(len(sents) // 2)
        borrowed, i = "", start
        while len(borrowed) < len(source) / 2:
            borrowed += sents[i % len(sents)]
            i += 1
    new = gen.sentences(int(len(borrowed) * gen.rng.uniform(0.8, 1.0)))
    cut = gen.rng.randrange(len(new))
    return "".join(new[:cut]) + borrowed + "".join(new[cut:])


def poem_pasted(gen, poem):
    sents = gen.sentences(2800)
    cut = gen.rng.randrange(1, len(sents))
    return "".join(sents[:cut]) + poem + "".join(sents[cut:])


KINDS = {
    "5% of characters changed": (changed_5pct, "originals"),
    "30% rewritten in passages": (rewritten_30pct, "originals"),
    "sentences reordered": (reordered, "originals"),
    "at least half from one work": (half_borrowed, "originals"),
    "200-character poem in 3,000": (poem_pasted, "poems"),
}
COPIES_PER_KIND = 50
UNRELATED = 500


@pytest.fixture
def place(db):
    earlier = CampaignFactory(year=2013)
    campaign = CampaignFactory()
    unit = OrgUnitFactory()
    return {
        "unit": unit,
        "earlier": WorkCategory.objects.create(
            campaign=earlier, key="prose", name="散文", file_kinds=["text"]
        ),
        "category": WorkCategory.objects.create(
            campaign=campaign, key="prose", name="散文", file_kinds=["text"]
        ),
    }


def make_work(place, text, earlier=False, **kwargs) -> Work:
    category = place["earlier" if earlier else "category"]
    return Work.objects.create(
        campaign=category.campaign,
        category=category,
        unit=place["unit"],
        title="作品",
        text=text,
        status=WorkStatus.SUBMITTED,
        **kwargs,
    )


def test_check_text_finds_every_kind_of_copy_and_no_unrelated_text(place):
    gen = TextGenerator()
    category, unit = place["earlier"], place["unit"]
    rows = [gen.text(gen.rng.randint(1000, 3000)) for _ in range(400)]
    rows += [gen.text(195) for _ in range(60)]
    Work.objects.bulk_create(
        [
            Work(
                campaign=category.campaign,
                category=category,
                unit=unit,
                title=f"旧作{i}",
                text=t,
                status=WorkStatus.SUBMITTED,
            )
            for i, t in enumerate(rows)
        ]
    )
    works = list(Work.objects.order_by("pk"))
    assert originality.bulk_index(works, processes=2, batch_size=100) == len(works)
    pools = {"originals": works[:400], "poems": works[400:]}

    recall = {}
    for kind, (make_copy, pool) in KINDS.items():
        found = 0
        for source in gen.rng.sample(pools[pool], COPIES_PER_KIND):
            copy = make_work(place, make_copy(gen, source.text))
            found += source.pk in {m.other_id for m in originality.check_text(copy)}
        recall[kind] = found / COPIES_PER_KIND
    flagged = 0
    for _ in range(UNRELATED):
        new = make_work(place, gen.text(gen.rng.randint(1000, 3000)))
        flagged += bool(originality.check_text(new))
    false_positive_rate = flagged / UNRELATED

    print(json.dumps({"recall": recall, "false_positive_rate": false_positive_rate}))
    assert {k: v >= 0.98 for k, v in recall.items()} == {k: True for k in KINDS}
    assert false_positive_rate <= 0.01


# --- unit tests ----------------------------------------------------------------------

SAMPLE = "春风又绿江南岸，明月何时照我还？京口瓜洲一水间，钟山只隔数重山。" * 3


def test_sketch_is_stable_across_processes():
    code = (
        "import django, json; django.setup();"
        "from wenyi.works import originality as o;"
        f"i = o.compute_index({SAMPLE!r});"
        "print(json.dumps([i.sketch.tolist(), i.bands.tolist(),"
        " i.fp_hashes.tolist()]))"
    )
    env = dict(os.environ, PYTHONHASHSEED="12345", DJANGO_SETTINGS_MODULE="wenyi.settings")
    env.setdefault("WENYI_DATA_DIR", "/tmp/wy")
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    here = originality.compute_index(SAMPLE)
    assert json.loads(out) == [
        here.sketch.tolist(),
        here.bands.tolist(),
        here.fp_hashes.tolist(),
    ]


def test_normalise_drops_space_and_punctuation_and_maps_offsets():
    norm, offsets = originality.normalise("Ａb，\n 中　文！")
    assert norm == "ab中文"
    assert offsets.tolist() == [0, 1, 5, 7]


def test_passages_map_back_to_original_offsets():
    gen = TextGenerator(seed=5)
    passage = gen.text(120)
    # the copy writes the passage with spaces, line breaks and other punctuation
    spaced = " ".join(passage[i : i + 7] for i in range(0, len(passage), 7))
    spaced = spaced.replace("。", "；\n")
    before, after = gen.text(300), gen.text(300)
    new = before + spaced + after
    old_before = gen.text(500)
    old = old_before + passage + gen.text(200)

    sim = originality.compare(new, old, min_passage=50)

    assert len(sim.passages) == 1
    start, end, other_start, other_end = sim.passages[0]
    assert (start, end) == (len(before), len(before) + len(spaced.rstrip("；\n，！？")))
    assert (other_start, other_end) == (len(old_before), len(old_before) + len(passage) - 1)
    assert originality.normalise(new[start:end])[0] == originality.normalise(passage)[0]


def test_check_text_keeps_the_office_decision(place):
    gen = TextGenerator(seed=6)
    text = gen.text(1500)
    old = make_work(place, text, earlier=True)
    originality.check_text(old)
    new = make_work(place, text[:1400] + gen.text(100))
    [match] = originality.check_text(new)
    Match.objects.filter(pk=match.pk).update(status=MatchStatus.CLEARED, reason="同一作者修改稿")

    [again] = originality.check_text(new)

    assert (again.pk, again.other_id) == (match.pk, old.pk)
    assert (again.status, again.reason) == (MatchStatus.CLEARED, "同一作者修改稿")
    assert again.containment > 0.9


def test_check_text_removes_open_matches_no_longer_found(place):
    gen = TextGenerator(seed=7)
    old = make_work(place, gen.text(1500), earlier=True)
    originality.check_text(old)
    new = make_work(place, old.text)
    assert [m.other_id for m in originality.check_text(new)] == [old.pk]

    new.text = gen.text(1500)
    new.save(update_fields=["text"])

    assert originality.check_text(new) == []
    assert Match.objects.filter(work=new).count() == 0


def test_work_never_matches_itself(place):
    gen = TextGenerator(seed=8)
    text = gen.text(1200)
    work = make_work(place, text)
    assert originality.check_text(work) == []
    twin = make_work(place, text)

    matches = originality.check_text(twin)

    assert [(m.other_id, m.jaccard, m.containment, m.containment_other) for m in matches] == [
        (work.pk, 1.0, 1.0, 1.0)
    ]


def test_check_text_of_empty_text_leaves_no_index_rows(place):
    work = make_work(place, " ，。 ")

    assert originality.check_text(work) == []
    assert TextSketch.objects.filter(work=work).count() == 0
    assert LshBand.objects.filter(work=work).count() == 0
    assert Fingerprint.objects.filter(work=work).count() == 0


def test_index_text_replaces_the_rows_of_a_work(place):
    work = make_work(place, TextGenerator(seed=9).text(2000))
    originality.index_text(work)
    originality.index_text(work)

    assert TextSketch.objects.filter(work=work).count() == 1
    assert LshBand.objects.filter(work=work).count() == originality.BANDS
    assert Fingerprint.objects.filter(work=work).count() > 50


def test_highlight_marks_the_ranges():
    assert originality.highlight("一二三四五六", [[1, 3], [2, 4], [5, 9]]) == [
        ("一", False),
        ("二三四", True),
        ("五", False),
        ("六", True),
    ]


def test_index_works_command_rebuilds_the_index(place):
    gen = TextGenerator(seed=10)
    works = [make_work(place, gen.text(1500)) for _ in range(3)]
    out = io.StringIO()

    call_command("index_works", processes=1, stdout=out)

    assert TextSketch.objects.filter(work__in=works).count() == 3
    assert LshBand.objects.count() == 3 * originality.BANDS
    assert "3 works indexed" in out.getvalue()


def test_a_pair_checked_both_ways_is_one_match(db):
    from tests.factories import CampaignFactory, OrgUnitFactory
    from wenyi.campaigns.models import WorkCategory
    from wenyi.works.models import Match, Work

    campaign = CampaignFactory()
    unit = OrgUnitFactory()
    category = WorkCategory.objects.create(
        campaign=campaign, key="poem", name="诗", file_kinds=["text"]
    )
    text = (
        "机器醒来的时候我们也醒来钢花在炉口开放像春天提前到达师傅的手掌粗糙却能听见齿轮的心跳" * 3
    )
    first = Work.objects.create(
        campaign=campaign, category=category, unit=unit, title="一", text=text
    )
    second = Work.objects.create(
        campaign=campaign,
        category=category,
        unit=unit,
        title="二",
        text=text.replace("钢花", "焊花"),
    )
    originality.check_text(first)
    originality.check_text(second)
    assert Match.objects.count() == 1
