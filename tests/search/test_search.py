"""Search modes (dense, keyword, hybrid), filters, collapsing and readable results."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp.app.cli import main
from nlp.app.show import hits_table
from nlp.embed import embedders as embed
from nlp.embed.embedders import HashEmbedder
from nlp.errors import UserError
from nlp.ingestion.local import ingest
from nlp.records import Hit
from nlp.search.engine import open_index
from nlp.search.rank import collapse, fuse_by_language, near_duplicate, rrf, sentences, shingles
from nlp.search.request import parse_entities, parse_years
from nlp.text.terms import terms

MODEL = "test/hash-64"
LAW = ("Закон Республики Казахстан от 22 июля 2011 года № 477-IV «О миграции населения» "
       "регулирует эти отношения.")
FILLER_RU = ("Местные исполнительные органы рассматривают заявления работодателей, проверяют "
             "документы и сообщают о решении в установленный срок. ")
FILLER_EN = ("Universities in Kazakhstan attract students from Uzbekistan and India, and "
             "regional universities open new programmes every year. ")
DOCS = {  # name: (year, sections)
    "ru_permits": (2021, [(f"Раздел {i}", FILLER_RU * 3 + (LAW if i % 2 else ""))
                          for i in range(8)]),
    "kk_quota": (2022, [(f"Бөлім {i}", "Қандастарға арналған өңірлік квота 1 499 адамды "
                         "құрады. Еңбек министрлігі көші-қон саясатын жүзеге асырады. " * 3)
                        for i in range(4)]),
    "en_students": (2019, [(f"Section {i}", FILLER_EN * 4) for i in range(10)]),
    "ru_copy_a": (2023, [("Копия", "Квота для кандасов составила 1 499 человек в 2022 году "
                          "по всем регионам страны. " * 4)]),
    "ru_copy_b": (2023, [("Копия", "Квота для кандасов составила 1 499 человек в 2022 году "
                          "по всем регионам страны. " * 4)]),
}


def write_pdf(path: Path, sections: list[tuple[str, str]], year: int) -> None:
    import pymupdf

    doc = pymupdf.open()
    for i in range(0, len(sections), 3):
        page = doc.new_page()
        html = "".join(f"<h2>{h}</h2><p>{p}</p>" for h, p in sections[i:i + 3])
        page.insert_htmlbox(pymupdf.Rect(56, 56, 540, 780), html)
    doc.set_metadata({"title": f"Brief {path.stem}", "creationDate": f"D:{year}0301000000"})
    doc.save(path)
    doc.close()


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    emb = HashEmbedder()
    embed.register_embedder(emb.model_id, emb)
    root = tmp_path_factory.mktemp("search")
    for name, (year, sections) in DOCS.items():
        write_pdf(root / f"{name}.pdf", sections, year)
    report = ingest([root], index=root / "idx", model=MODEL, progress=False)
    assert sorted(report.added) == sorted(DOCS) and not report.failed
    return root / "idx"


@pytest.fixture(scope="module")
def idx(index: Path):
    with open_index(index) as opened:
        yield opened


def ids(hits) -> list[str]:
    return [h.chunk_id for h in hits]


# --- keyword --------------------------------------------------------------------------


def test_search_keyword_finds_exact_law_number_dense_hash_misses(idx):
    with_law = set(idx.chunks().query("text.str.contains('477-IV')")["chunk_id"])
    assert len(with_law) == 4
    keyword = idx.search("477-IV", k=10, mode="keyword", collapse=False)
    assert set(ids(keyword)) == with_law  # all of them, and nothing else
    dense = idx.search("477-IV", k=4, mode="dense", collapse=False)
    assert not set(ids(dense)) & with_law  # character trigrams of "477-IV" are too few


def test_search_keyword_matches_inflected_russian_and_kazakh(idx):
    ru = idx.search("иностранная рабочая сила", k=3, mode="keyword")  # nowhere verbatim
    assert not ru  # stems "иностра", "рабоч", "сил" are in no chunk
    ru = idx.search("исполнительного органа работодателям", k=3, mode="keyword", collapse=False)
    assert ru and {h.doc_id for h in ru} == {"ru_permits"}
    assert all("исполнительного органа" not in h.text for h in ru)
    kk = idx.search("қандастардың квотасы", k=3, mode="keyword")  # text has "Қандастарға квота"
    assert kk and kk[0].doc_id == "kk_quota"
    assert "қандастардың" not in kk[0].text.lower()


def test_search_keyword_query_ors_analysers_and_drops_function_words():
    from nlp.index.keyword import match_expression

    assert match_expression("Закон о миграции населения") == (
        '"закон" OR "миграции" OR "населения" OR "миграц" OR "населен"'  # kk, then ru stems
        ' OR "xnzakon"*')  # and the capitalised word's name key, by prefix
    assert match_expression("тема и тем") == '"тема" OR "тем"'  # the stem of a content word
    assert match_expression("the of") == '"the" OR "of"'  # nothing else: kept
    assert match_expression("_ -- ") is None


HOSTILE = st.lists(st.sampled_from(['"', "NEAR(", ")", "(", "*", "AND", "OR", "NOT", "^", ":",
                                    "-", "+", "'", "{", "}", "477-IV", "квота", "a", "\\", "''",
                                    '""', "NEAR", ",", "col:", "\x00", "\u0301", "_"]),
                   min_size=1, max_size=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=HOSTILE, glue=st.sampled_from(["", " "]), extra=st.text(max_size=12))
def test_search_hostile_queries_never_raise(idx, parts, glue, extra):
    query = glue.join(parts) + extra
    try:
        hits = idx.search(query, k=3, mode="keyword", collapse=False)
    except UserError as err:  # only an empty query may be refused
        assert "Empty query" in str(err)
        return
    assert len(hits) <= 3
    assert idx.search(query, k=3, mode="hybrid") is not None


# --- hybrid ---------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["477-IV миграции", "students universities", "квота 1 499"])
def test_search_hybrid_fuses_dense_and_keyword_per_language(idx, query):
    k, depth = 5, 200  # every chunk of the sample corpus: each language's dense list whole
    dense = ids(idx.search(query, k=depth, mode="dense", collapse=False))
    words = ids(idx.search(query, k=depth, mode="keyword", collapse=False))
    lang = dict(zip(idx.chunks()["chunk_id"], idx.chunks()["lang"], strict=True))
    hybrid = idx.search(query, k=k, mode="hybrid", collapse=False)
    assert ids(hybrid) == [c for c, _ in fuse_by_language(dense, words, lang)[:k]]
    assert [h.lang for h in hybrid] == [lang[c] for c in dense[:k]]  # dense sets the mix
    for language in {h.lang for h in hybrid}:
        scores = [h.score for h in hybrid if h.lang == language]
        assert scores == sorted(scores, reverse=True)


def test_search_keyword_unfiltered_query_agrees_with_the_filtered_one(idx):
    from nlp.index import keyword

    for query in ["477-IV миграции", "students universities", "квота 1 499"]:
        plain = keyword.search(idx.store.db, query, 20)  # FTS5 alone, no join
        joined = keyword.search(idx.store.db, query, 20, "c.id >= ?", (0,))
        assert plain and plain == joined


def test_search_hybrid_batch_matches_single_and_close_ends_its_thread(index: Path):
    import threading

    def keyword_threads() -> int:
        return sum(t.name.startswith("nlp-keyword") for t in threading.enumerate())

    queries = ["477-IV миграции", "students universities", "квота 1 499", "Еңбек министрлігі"]
    before = keyword_threads()
    with open_index(index) as opened:
        batch = opened.batch_search(queries, k=5, mode="hybrid", collapse=False)
        single = [opened.search(q, k=5, mode="hybrid", collapse=False) for q in queries]
        assert [ids(h) for h in batch] == [ids(h) for h in single]
        assert all(batch) and keyword_threads() == before + 1
    assert keyword_threads() == before


LISTS = st.lists(st.integers(0, 30), unique=True, max_size=15)


@given(LISTS, LISTS, st.dictionaries(st.integers(0, 30), st.sampled_from(["kk", "ru", "en"])))
def test_search_fuse_by_language_keeps_dense_places_and_fuses_within(dense, words, lang):
    fused = fuse_by_language(dense, words, lang)
    got = [i for i, _ in fused]
    assert len(got) == len(dense) == len(set(got))
    assert [lang.get(i, "") for i in got] == [lang.get(i, "") for i in dense]
    for language in set(lang.values()) | {""}:
        mine = [i for i in got if lang.get(i, "") == language]
        within = rrf([[i for i in dense if lang.get(i, "") == language],
                      [i for i in words if lang.get(i, "") == language]])
        assert mine == [i for i, _ in within][:len(mine)]
    if not words:
        assert got == dense


@given(st.lists(st.permutations(range(8)), min_size=1, max_size=3), st.integers(0, 7))
def test_search_rrf_item_first_everywhere_is_first_and_agreement_wins(rankings, item):
    rankings = [[item, *[i for i in r if i != item]] for r in rankings]
    fused = rrf(rankings)
    assert fused[0][0] == item
    # an item ranked above another in every list is fused above it
    for a in range(8):
        for b in range(8):
            if all(r.index(a) < r.index(b) for r in rankings):
                order = [i for i, _ in fused]
                assert order.index(a) < order.index(b)


def test_search_default_mode_is_the_chosen_one(idx):
    from nlp.search.request import DEFAULT_MODE

    assert ids(idx.search("квота 477-IV", k=5)) == ids(idx.search("квота 477-IV", k=5,
                                                                  mode=DEFAULT_MODE))


def test_search_unknown_mode_is_refused(idx):
    with pytest.raises(UserError, match="Unknown mode 'fuzzy'; choose from dense"):
        idx.search("квота", mode="fuzzy", collapse=False)


# --- filters --------------------------------------------------------------------------


def allowed_chunks(idx, lang=None, doc=None, years=None, entities=()) -> set[str]:
    """The chunks a filter admits, worked out from the DataFrames and DOCS."""
    chunks = idx.chunks()
    ents = idx.entities()
    keep = set(chunks["chunk_id"])
    if lang:
        keep &= set(chunks[chunks["lang"] == lang]["chunk_id"])
    if doc:
        keep &= set(chunks[chunks["doc_id"] == doc]["chunk_id"])
    if years:
        docs = {n for n, (y, _) in DOCS.items() if years[0] <= y <= years[1]}
        keep &= set(chunks[chunks["doc_id"].isin(docs)]["chunk_id"])
    for label, canonical in entities:
        keep &= set(ents[(ents["label"] == label) & (ents["canonical_id"] == canonical)]
                    ["chunk_id"])
    return keep


FILTERS = [
    {"year": 2019},
    {"year": "2021-2022"},
    {"year": (2022, 2023), "lang": "ru"},
    {"entity": "LAW:law:477-IV"},
    {"entity": ["LAW:law:477-IV"], "year": "2021", "lang": "ru", "doc": "ru_permits"},
    {"doc": "en_students", "lang": "en"},
]


@pytest.mark.parametrize("mode", ["dense", "keyword", "hybrid"])
@pytest.mark.parametrize("filters", FILTERS)
def test_search_filters_return_only_matching_chunks_and_still_k(idx, mode, filters):
    years = parse_years(filters.get("year"))
    allowed = allowed_chunks(idx, filters.get("lang"), filters.get("doc"), years,
                             parse_entities(filters.get("entity")))
    assert allowed
    query = "квота для кандасов 2022"  # best matches are elsewhere for most filters
    hits = idx.search(query, k=4, mode=mode, **filters, collapse=False)
    assert set(ids(hits)) <= allowed
    if mode == "keyword":
        wanted = set(terms(query, "ru")) | set(terms(query, "kk"))
        texts = idx.chunks().set_index("chunk_id")["text"]
        matching = {c for c in allowed if wanted & set(terms(texts[c], "und"))
                    | wanted & set(terms(texts[c], "kk"))}
        assert len(hits) == min(4, len(matching))
    else:
        assert len(hits) == min(4, len(allowed))


def test_search_year_filter_finds_low_ranked_chunks(idx):
    everything = idx.search("Закон 477-IV миграции", k=10, mode="dense", collapse=False)
    assert not any(h.doc_id == "en_students" for h in everything)
    only = idx.search("Закон 477-IV миграции", k=10, mode="dense", year=2019, collapse=False)
    assert len(only) == 10 and {h.doc_id for h in only} == {"en_students"}


@pytest.mark.parametrize("kwargs,message", [
    ({"year": "20x1"}, "Year must look like 2021 or 2019-2022"),
    ({"year": "2022-2019"}, "Year must look like"),
    ({"year": True}, "Year must look like"),
    ({"entity": "FOO:bar"}, "Unknown label 'FOO'"),
    ({"entity": "LAW"}, "LABEL:canonical_id, e.g. LAW:law:477-IV"),
    ({"entity": ["LAW:law:477-IV", 5]}, "LABEL:canonical_id"),
    ({"entity": "LAW:law:999-Z"}, "No chunk in .* mentions LAW:law:999-Z; list them: nlp entities"),
    ({"doc": "nope"}, "No document 'nope'"),
])
def test_search_filter_mistakes_say_the_fix(idx, kwargs, message):
    with pytest.raises(UserError, match=message):
        idx.search("квота", **kwargs, collapse=False)


def test_search_parse_years_and_entities():
    assert parse_years(2021) == (2021, 2021)
    assert parse_years(" 2019 - 2022 ") == (2019, 2022)
    assert parse_years("2019–2022") == (2019, 2022)
    assert parse_years(None) is None
    assert parse_entities("law:law:477-IV") == [("LAW", "law:477-IV")]
    assert parse_entities(["ORG:kz.mlsp", "ORG:kz.mlsp", "LAW:x"]) == [("ORG", "kz.mlsp"),
                                                                      ("LAW", "x")]


@given(st.one_of(st.text(max_size=12), st.integers(), st.none(), st.floats()))
def test_search_parse_years_refuses_only_with_user_error(value):
    try:
        first, last = parse_years(value) or (1000, 1000)
    except UserError:
        return
    assert 1000 <= first <= last <= 2999


# --- collapsing and readable results --------------------------------------------------


def test_search_collapse_drops_near_duplicates_and_keeps_k(idx):
    query = "Квота для кандасов составила 1 499 человек"
    plain = idx.search(query, k=3, mode="keyword", collapse=False)
    assert {h.doc_id for h in plain[:2]} == {"ru_copy_a", "ru_copy_b"}
    folded = idx.search(query, k=3, mode="keyword", collapse=True)
    assert len(folded) == 3 and [h.rank for h in folded] == [1, 2, 3]
    assert len({h.doc_id for h in folded} & {"ru_copy_a", "ru_copy_b"}) == 1
    sh = [shingles(h.text, h.lang) for h in folded]
    assert not any(near_duplicate(a, b) for i, a in enumerate(sh) for b in sh[i + 1:])


def test_search_collapse_in_batch_matches_single(idx):
    queries = ["Квота для кандасов", "students universities", "477-IV"]
    batch = idx.batch_search(queries, k=4, collapse=True)
    assert [ids(h) for h in batch] == [ids(idx.search(q, k=4, collapse=True)) for q in queries]


def hit(text: str, **kw) -> Hit:
    base = dict(rank=1, score=0.0327868, doc_id="ru_x", path="/x/ru_x.pdf", title="Доклад",
                page_start=2, page_end=3, lang="ru", chunk_id="ru_x:c0001", text=text)
    return Hit(**{**base, **kw})


def test_search_table_marks_best_sentence_title_pages():
    text = "Первое предложение о погоде. Разрешения выдаёт Министерство труда.\nИ ещё одно."
    plain = hits_table([hit(text)], "министерство труда")
    assert "»Разрешения выдаёт Министерство труда.«" in plain
    assert "p.2-3" in plain and "Доклад" in plain and "[ru]" in plain and "0.03279" in plain
    bold = hits_table([hit(text)], "министерство труда", ansi=True)
    assert "\x1b[1mРазрешения выдаёт Министерство труда.\x1b[0m" in bold and "»" not in bold


def test_search_table_cuts_long_chunks_around_the_sentence():
    text = "Начало. " * 80 + "Здесь квота для кандасов. " + "Хвост. " * 80
    out = hits_table([hit(text, title="")], "квота")
    assert "»Здесь квота для кандасов.«" in out and "ru_x" in out
    assert len(out) < 600


def test_search_sentences_keep_numbers_and_abbreviations_whole():
    text = "Law No. 477-IV of 22.07.2011 applies. Art. 97 too! see art. 5.\n\nNew block"
    got = [text[s:e] for s, e in sentences(text)]
    assert got == ["Law No. 477-IV of 22.07.2011 applies.", "Art. 97 too! see art. 5.",
                   "New block"]


@given(st.text(alphabet=st.sampled_from("ab .!?\n\f»"), max_size=40))
def test_search_sentences_are_ordered_stripped_slices(text):
    spans = sentences(text)
    assert all(0 <= s < e <= len(text) for s, e in spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert all(text[s:e] == text[s:e].strip() for s, e in spans)
    assert bool(spans) == bool(text.strip())


# --- the command line -----------------------------------------------------------------


def test_search_cli_modes_filters_and_json_shape(index: Path):
    run = CliRunner().invoke
    args = ["search", "477-IV", "--index", str(index), "--mode", "keyword", "--year", "2021",
            "--entity", "LAW:law:477-IV", "--json"]
    result = run(main, [*args, "--no-collapse"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert len(rows) == 4 and {r["doc_id"] for r in rows} == {"ru_permits"}
    assert all(set(r) == set(Hit.__dataclass_fields__) for r in rows)
    folded = run(main, args)  # the four chunks repeat one text: collapsed by default
    assert [json.loads(line)["rank"] for line in folded.output.splitlines()] == [1]
    table = run(main, ["search", "477-IV", "--index", str(index), "-k", "2", "--mode", "keyword"])
    assert table.exit_code == 0 and "»" in table.output and "Brief ru_permits" in table.output
    bad = run(main, ["search", "x", "--index", str(index), "--entity", "LAW"])
    assert bad.exit_code == 1 and len(bad.output.strip().splitlines()) == 1
    assert "LABEL:canonical_id" in bad.output


def test_search_collapse_keeps_order_of_kept_items():
    texts = ["a b c d e", "a b c d e", "x y z w v", "a b c d e f"]
    kept = collapse(texts, ["en"] * 4)
    assert kept[0] == 0 and kept == sorted(kept) and 1 not in kept


def test_search_approximate_vectors_rescored_from_the_store(index: Path):
    with open_index(index) as flat, open_index(index) as approx:
        approx.vectors.approx_from = 1
        assert approx.vectors.retune() and approx.vectors.kind != "flat"
        gone = approx.vectors.exact(np.array([10**9], dtype=np.int64))
        assert np.isnan(gone).all()  # a chunk deleted since opening: NaN, not an error
        for kwargs in ({}, {"year": 2019}, {"entity": "LAW:law:477-IV"}):
            want = flat.search("квота 477-IV", k=40, mode="dense", **kwargs)
            got = approx.search("квота 477-IV", k=5, mode="dense", **kwargs)
            exact = {h.chunk_id: h.score for h in want}  # identical texts tie: compare scores
            assert [h.score for h in got] == pytest.approx([h.score for h in want[:5]], abs=1e-4)
            assert all(exact[h.chunk_id] == pytest.approx(h.score, abs=1e-4) for h in got)


# --- one request, calibrated across languages -----------------------------------------


@pytest.mark.parametrize("mode", ["dense", "keyword", "hybrid"])
@pytest.mark.parametrize("query", ["квота 1 499", "students universities", "477-IV миграции"])
def test_search_scores_descend_with_the_rank(idx, mode, query):
    for collapse_ in (True, False):
        hits = idx.search(query, k=8, mode=mode, collapse=collapse_)
        assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_search_lang_takes_several_languages(idx):
    both = idx.search("квота 1 499", k=20, lang="kk,ru", collapse=False)
    assert {h.lang for h in both} == {"kk", "ru"}
    assert ids(idx.search("квота 1 499", k=20, lang=["ru", "kk"], collapse=False)) == ids(both)
    with pytest.raises(UserError, match="Unknown language 'fr'"):
        idx.search("квота", lang="kk,fr")


def test_search_by_lang_gives_the_best_of_each_language(idx):
    grouped = idx.search("квота 1 499", k=2, by_lang=True, collapse=False)
    langs = [h.lang for h in grouped]
    assert sorted(set(langs)) == ["en", "kk", "ru"] and len(grouped) == 6
    for lang in set(langs):
        mine = [h for h in grouped if h.lang == lang]
        assert [h.rank for h in mine] == [1, 2]
        assert ids(mine) == ids(idx.search("квота 1 499", k=2, lang=lang, collapse=False))
    assert langs == sorted(langs, key=langs.index)  # each language's hits together


def test_search_language_centroids_follow_the_chunks(index: Path, tmp_path: Path):
    import shutil

    from nlp.index import langstats
    from nlp.index.store import Store

    copy = Path(shutil.copytree(index, tmp_path / "idx"))
    store = Store(copy / "store.sqlite")
    try:
        def same(a, b) -> bool:
            return a.keys() == b.keys() and all(
                a[lg][0] == b[lg][0] and np.allclose(a[lg][1], b[lg][1], atol=1e-5) for lg in a)

        assert same(langstats.read(store.db), langstats.compute(store.db))
        with store.db:
            store.delete_document("kk_quota")
        assert same(langstats.read(store.db), langstats.compute(store.db))
        assert "kk" not in langstats.read(store.db)
        with store.db:  # a store from before the statistics gets them on a writable open
            store.db.execute("DELETE FROM meta WHERE key = ?", (langstats.META_KEY,))
    finally:
        store.close()
    reopened = Store(copy / "store.sqlite")
    try:
        assert same(langstats.read(reopened.db), langstats.compute(reopened.db))
    finally:
        reopened.close()


def test_search_cli_and_shell_take_the_same_request_options(index: Path):
    args = ["--index", str(index), "-k", "2", "--lang", "kk,ru", "--year", "2019-2023",
            "--mode", "hybrid", "--by-lang", "--no-collapse"]
    result = CliRunner().invoke(main, ["search", "квота 1 499", *args, "--json"])
    assert result.exit_code == 0, result.output
    cli = [json.loads(line)["chunk_id"] for line in result.output.splitlines()]
    shell = CliRunner().invoke(main, ["shell", *args, "--json"], input="квота 1 499\n")
    assert shell.exit_code == 0, shell.output
    assert [h["chunk_id"] for h in json.loads(shell.output.splitlines()[-1])] == cli
    table = CliRunner().invoke(main, ["search", "квота 1 499", *args])
    assert "── Kazakh (kk) ──" in table.output and "── Russian (ru) ──" in table.output


def test_search_hits_frame_and_notebook_table_carry_citation_and_best_sentence(idx):
    hits = idx.search("477-IV", k=3, mode="keyword")
    frame = hits.to_frame()
    assert hits.query == "477-IV" and len(frame) == len(hits) > 0
    assert {"citation", "best_sentence", "section", "article"} <= set(frame.columns)
    assert all("477-IV" in s for s in frame["best_sentence"])
    html = hits._repr_html_()
    assert html.startswith("<table") and "best_sentence" in html and "<script" not in html
