"""The retrieval evaluation harness: metric functions, article splitting and the query set."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scripts import eval_retrieval as ev
from tests.conftest import ROOT, SHARED

QUERIES = ev.load_queries()
SHARED_PDFS = {"kk_KazNERD_Annotation_Guidelines.pdf": "kk",
               "ru_Constitution_RK_adilkhan1993.pdf": "ru",
               "en_Constitution_RK_akorda.pdf": "en"}


def test_eval_retrieval_rank_metrics_counts_ranks():
    ranked = [["a", "b"], ["x", "a", "b"], ["x", "y"]]
    got = ev.rank_metrics(ranked, ["a", "b", "a"], k=10)
    assert got == {"n": 3, "acc@1": round(1 / 3, 4), "recall@10": round(2 / 3, 4),
                   "mrr@10": round((1 + 1 / 3) / 3, 4)}


def test_eval_retrieval_rank_metrics_cuts_at_k():
    assert ev.rank_metrics([["x", "y", "a"]], ["a"], k=2)["recall@2"] == 0.0


def test_eval_retrieval_judged_record_matches_file_and_normalised_quote():
    judgments = [{"file": "a.pdf", "quote": "the  regional quota\nwas 941"},
                 {"file": "b.pdf", "quote": "квота 941 адамды"}]
    hits = [("c.pdf", "the regional quota was 941 persons"),      # right text, wrong file
            ("a.pdf", "In 2021 the regional\n quota was 941 persons."),
            ("a.pdf", "unrelated")]
    got = ev.judged_record(hits, judgments, k=10)
    assert got == {"rr": 0.5, "recall": 0.5}
    assert ev.judged_record(hits, judgments, k=1) == {"rr": 0.0, "recall": 0.0}


def test_eval_retrieval_summarise_means():
    got = ev.summarise([{"rr": 1.0, "recall": 0.5}, {"rr": 0.0, "recall": 0.0}])
    assert got == {"n": 2, "mrr@10": 0.5, "recall@10": 0.25}
    assert ev.summarise([]) == {"n": 0, "mrr@10": None, "recall@10": None}


@given(st.lists(st.sampled_from("abcdefgh"), max_size=15), st.sampled_from("abcdefgh"),
       st.integers(1, 15))
def test_eval_retrieval_metrics_bounded_and_monotone_in_k(ranked, gold, k):
    small = ev.rank_metrics([ranked], [gold], k=k)
    large = ev.rank_metrics([ranked], [gold], k=k + 3)
    for got in (small, large):
        assert all(0.0 <= v <= 1.0 for key, v in got.items() if key != "n")
    assert small[f"recall@{k}"] <= large[f"recall@{k + 3}"]
    assert small[f"mrr@{k}"] <= large[f"mrr@{k + 3}"]


def test_eval_retrieval_percentile_nearest_rank():
    values = list(range(1, 101))
    assert ev.percentile(values, 50) == 50
    assert ev.percentile(values, 95) == 95
    assert ev.percentile([7.0], 95) == 7.0


def test_eval_retrieval_dedupe_pairs_keeps_one_answer_per_query():
    pairs = [("Hello.", "Сәлем."), ("hello. ", "Сәлеметсіз бе."), ("Bye.", "Сәлем."), ("", "x"),
             ("Thanks.", "Рақмет.")]
    assert ev.dedupe_pairs(pairs) == [("Hello.", "Сәлем."), ("Thanks.", "Рақмет.")]


def test_eval_retrieval_split_articles_stops_at_next_article_or_heading():
    lines = ["# Заң", "", "1-бап. Мазмұны", "", "2-бап. Тақырып", "", "### 1-бап. Жалпы",
             "", "Бірінші бап мәтіні.", "", "## 2-тарау", "", "2-бап. Екінші", "", "Мәтін."]
    starts = ev.article_lines(lines)
    assert starts == {3, 5, 7, 13}
    got = ev.split_articles(lines, starts)
    assert got[7] == "1-бап. Жалпы\n\nБірінші бап мәтіні."
    assert got[13] == "2-бап. Екінші\n\nМәтін."
    assert got[3] == "1-бап. Мазмұны"  # a table-of-contents line: no body, so no "\n"


def test_eval_retrieval_truncate_cuts_at_space():
    assert ev.truncate("один два  три четыре", 12) == "один два"
    assert ev.truncate("short", 12) == "short"


def test_eval_retrieval_search_modes_follow_the_signature():
    class DenseOnly:
        def batch_search(self, queries, k=10, lang=None, doc=None):
            return [[] for _ in queries]

    class WithModes:
        def batch_search(self, queries, k=10, mode="hybrid"):
            if mode == "keyword":
                raise ValueError("no keyword index")
            return [[] for _ in queries]

    assert ev.search_modes(DenseOnly()) == ([None], {})
    modes, refused = ev.search_modes(WithModes())
    assert modes == ["dense", "hybrid"] and set(refused) == {"keyword"}


def test_eval_retrieval_text_index_finds_each_text_by_itself(tmp_path, hash_embedder):
    texts = {"s0": "Work permits for foreign workers are issued by local bodies.",
             "s1": "Қандастарға арналған өңірлік квота 1 499 адамды құрады.",
             "s2": "Региональная квота приёма кандасов выросла до 1 499 человек."}
    index = ev.build_text_index(texts, tmp_path, hash_embedder.model_id)
    got = ev.eval_single_gold(index, list(texts.values()), list(texts), depth=10)
    assert got["dense"] == {"n": 3, "acc@1": 1.0, "recall@10": 1.0, "mrr@10": 1.0}


def test_eval_retrieval_query_set_shape():
    assert len(QUERIES) >= 45
    assert len({q["id"] for q in QUERIES}) == len(QUERIES)
    assert min(Counter(q["lang"] for q in QUERIES)[lang] for lang in ev.LANGS) >= 15
    for q in QUERIES:
        assert q["type"] in ev.TYPES and q["query"].strip() and q["relevant"], q["id"]
        for j in q["relevant"]:
            assert 20 <= len(ev.normalise(j["quote"])) <= 80, (q["id"], j["quote"])
            assert j["lang"] in ev.LANGS and j["file"].endswith(".pdf"), q["id"]
        assert len({(j["file"], j["quote"]) for j in q["relevant"]}) == len(q["relevant"])


def test_eval_retrieval_query_types_match_judged_languages():
    for q in QUERIES:
        same = any(j["lang"] == q["lang"] for j in q["relevant"])
        assert same == (q["type"] != "cross-lingual"), q["id"]
    assert all(Counter(q["type"] for q in QUERIES)[t] >= 10 for t in ev.TYPES)


def test_eval_retrieval_query_set_judges_across_languages():
    across = [q for q in QUERIES if len({j["lang"] for j in q["relevant"]}) > 1]
    assert len(across) >= 20
    corpus_only = ev.restrict(QUERIES, {j["file"] for q in QUERIES for j in q["relevant"]}
                              - set(SHARED_PDFS))  # what runs without ../shared/data
    assert min(Counter(q["lang"] for q in corpus_only)[lang] for lang in ev.LANGS) >= 12


def _pdf_text(path: Path) -> str:
    import pymupdf

    with pymupdf.open(path) as pdf:
        return ev.normalise(" ".join(page.get_text() for page in pdf))


def test_eval_retrieval_corpus_quotes_exist_in_the_pdfs():
    corpus = {p.name: p for p in (ROOT / "corpus").glob("*.pdf")}
    texts = {name: _pdf_text(path) for name, path in corpus.items()}
    judged = [(q["id"], j) for q in QUERIES for j in q["relevant"] if j["file"] in corpus]
    assert len(judged) >= 100
    missing = [(qid, j["file"], j["quote"]) for qid, j in judged
               if ev.normalise(j["quote"]) not in texts[j["file"]]]
    assert not missing
    assert {j["file"] for q in QUERIES for j in q["relevant"]} <= set(corpus) | set(SHARED_PDFS)


@pytest.mark.skipif(not (SHARED / "pdfs").is_dir(), reason="no ../shared/data/pdfs")
def test_eval_retrieval_shared_quotes_exist_in_the_pdfs():
    files = {p.name: p for p in (SHARED / "pdfs").rglob("*.pdf") if p.name in SHARED_PDFS}
    texts = {name: _pdf_text(path) for name, path in files.items()}
    missing = [(q["id"], j["quote"]) for q in QUERIES for j in q["relevant"]
               if j["file"] in texts and ev.normalise(j["quote"]) not in texts[j["file"]]]
    assert set(files) == set(SHARED_PDFS) and not missing
