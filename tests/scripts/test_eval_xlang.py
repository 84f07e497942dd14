"""The cross-language question set (scripts/eval_xlang.py): shape, anchors, split, scoring."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from scripts import eval_xlang as ev

GOLD = [json.loads(line) for line in ev.GOLD.read_text(encoding="utf-8").splitlines()
        if line.strip()]


def test_eval_xlang_gold_shape_and_no_third_party_text():
    assert len({q["id"] for q in GOLD}) == len(GOLD)
    per_lang = Counter(q["lang"] for q in GOLD)
    cross = Counter(q["lang"] for q in GOLD if q["lang"] not in q["answer_langs"])
    for lang in ev.LANGS:
        assert per_lang[lang] >= 20 and cross[lang] >= per_lang[lang] / 2, lang
    for q in GOLD:
        assert q["relevant"] and q["answer_langs"] == sorted({a["lang"] for a in q["relevant"]})
        for a in q["relevant"]:  # offsets and a hash only: the phrase is read from ../shared
            assert set(a) == {"file", "lang", "page", "start", "end", "sha256"}
            assert 0 <= a["start"] < a["end"] and a["file"].split("/")[0] in ("texts", "pdfs")


def test_eval_xlang_split_holds_out_a_third_of_each_language():
    ids = {lang: [q["id"] for q in GOLD if q["lang"] == lang] for lang in ev.LANGS}
    for mine in ids.values():
        held = [i for i in mine if ev.split_of(i, mine) == "heldout"]
        assert len(held) == round(len(mine) / 3)
        assert held == [i for i in mine if ev.split_of(i, list(reversed(mine))) == "heldout"]


def test_eval_xlang_scores_first_relevant_hit():
    question = {"relevant": [{"name": "a.md", "phrase": "в течение трех месяцев"}]}
    hits = [("b.md", "в течение трех месяцев"), ("a.md", "Решение ... в течение  трех\nмесяцев")]
    flags = ev.relevant_at(hits, question)
    assert flags == [False, True]
    assert ev.record(flags, 5) == {"p1": 0.0, "hit": 1.0, "rr": 0.5}
    assert ev.record(flags, 1) == {"p1": 0.0, "hit": 0.0, "rr": 0.0}


@pytest.mark.skipif(not (ev.DATA / "texts").is_dir(), reason="../shared/data is absent")
def test_eval_xlang_anchors_still_match_their_sources():
    questions, stale = ev.load_gold(ev.DATA)
    assert not stale and len(questions) == len(GOLD)
    assert all(a["phrase"] for q in questions for a in q["relevant"])
