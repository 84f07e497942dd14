"""The ONNX Runtime engine of the default model: batching, pooling, imports, and (marked
``model``) agreement with the fp32 sentence-transformers model it was exported from."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp.embed import embedders as embed
from nlp.embed import onnx as onnx_embed
from nlp.embed.onnx import OnnxEmbedder, length_batches, mean_pool_normalize, pad_batch
from nlp.errors import ModelError

HEAVY = ("torch", "transformers", "sentence_transformers", "spacy")


@given(st.lists(st.integers(1, 600), max_size=200), st.integers(1, 40), st.integers(1, 5000))
def test_embed_onnx_length_batches_cover_each_index_once(lengths, max_batch, max_tokens):
    batches = length_batches(lengths, max_batch, max_tokens)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for b in batches:
        assert len(b) <= max_batch
        assert len(b) == 1 or lengths[b[0]] * len(b) <= max_tokens
        assert lengths[b[0]] == max(lengths[i] for i in b)  # the first is the longest


def test_embed_onnx_pad_batch_masks_the_padding():
    ids, mask = pad_batch([[0, 5, 2], [0, 2]], pad_id=1)
    assert ids.tolist() == [[0, 5, 2], [0, 2, 1]]
    assert mask.tolist() == [[1, 1, 1], [1, 1, 0]]
    assert ids.dtype == mask.dtype == np.int64


def test_embed_onnx_mean_pool_ignores_padded_positions():
    rng = np.random.default_rng(0)
    hidden = rng.normal(size=(2, 5, 8)).astype(np.float32)
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0]])
    garbage = hidden.copy()
    garbage[1, 2:] = 1e6
    a, b = mean_pool_normalize(hidden, mask), mean_pool_normalize(garbage, mask)
    assert np.allclose(a, b)
    expected = hidden[1, :2].mean(axis=0)
    assert np.allclose(a[1], expected / np.linalg.norm(expected), atol=1e-6)


class _Encoding:
    def __init__(self, ids: list[int]) -> None:
        self.ids = ids


class _FakeTokenizer:
    """One id per character: texts of different lengths land in different batches."""

    def encode(self, text):
        return [0, *(3 + ord(c) % 50 for c in text), 2]

    def encode_batch(self, texts):
        return [_Encoding(self.encode(t)) for t in texts]


class _FakeSession:
    """An identity 'encoder': the hidden states are the input embeddings."""

    def __init__(self) -> None:
        self.calls = 0

    def run(self, _outputs, feed):
        self.calls += 1
        return [feed["inputs_embeds"]]


def _fake_embedder() -> OnnxEmbedder:
    emb = OnnxEmbedder.__new__(OnnxEmbedder)
    emb.model_id, emb.engine, emb.dim, emb.pad_id = "test/fake", "onnx-fake", 16, 1
    emb.threads = 2
    emb.words = np.random.default_rng(1).normal(size=(60, 16)).astype(np.float32)
    emb.subset, emb.full = _FakeTokenizer(), None  # few texts: the subset tokenizer
    emb.session = _FakeSession()
    return emb


def test_embed_onnx_restores_input_order_after_length_sorting():
    emb = _fake_embedder()
    texts = ["a" * n + "b" for n in (3, 700, 1, 40, 700, 2, 90)] + ["kk ru en"] * 3
    together = emb.embed_passages(texts)
    alone = np.concatenate([emb.embed_passages([t]) for t in texts])
    assert together.shape == (len(texts), 16)
    assert np.allclose(together, alone, atol=1e-6)
    assert not np.allclose(together[0], together[1])


def test_embed_onnx_many_texts_use_the_full_tokenizer_in_the_same_order():
    emb = _fake_embedder()
    texts = [f"text {'x' * (i * 7 % 23)} {i}" for i in range(onnx_embed.SUBSET_MAX_TEXTS + 5)]
    few = np.concatenate([emb.embed_passages(texts[i:i + 4]) for i in range(0, len(texts), 4)])
    emb.full = _FakeTokenizer()
    assert np.allclose(emb.embed_passages(texts), few, atol=1e-6)


def test_embed_onnx_empty_input_gives_no_rows_and_no_call():
    emb = _fake_embedder()
    for vecs in (emb.embed_passages([]), emb.embed_queries([])):
        assert vecs.shape == (0, 16) and vecs.dtype == np.float32
    assert emb.session.calls == 0


def test_embed_onnx_prompts_match_the_sentence_transformers_input():
    assert onnx_embed.prompted(["  two\n words "], "query: ") == ["query: two words"]
    assert onnx_embed.prompted([""], "passage: ") == ["passage:"]  # ST strips the input


def test_embed_onnx_unknown_engine_is_refused_with_the_choices(monkeypatch):
    monkeypatch.setenv(embed.ENGINE_ENV, "onnx-fp8")
    with pytest.raises(ModelError, match="onnx-int8"):
        embed._load(embed.DEFAULT_MODEL)


def _imported_modules(code: str) -> set[str]:
    code += "\nimport sys\nprint(' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_embed_onnx_query_path_modules_do_not_import_torch():
    mods = _imported_modules("import nlp.app.cli, nlp.search.engine, nlp.embed.embedders, "
                             "nlp.embed.onnx\n"
                             "import onnxruntime, tokenizers")
    assert "nlp.embed.onnx" in mods
    assert not {m for m in mods if m.split(".")[0] in HEAVY}


@pytest.mark.model
def test_embed_onnx_loading_and_querying_the_default_model_imports_no_torch():
    mods = _imported_modules("from nlp.embed.embedders import load_embedder\n"
                             "e = load_embedder()\n"
                             "assert e.engine.startswith('onnx'), e.engine\n"
                             "assert e.embed_queries(['квота қандастар']).shape == (1, 384)\n"
                             "assert e.full is None  # the subset tokenizer did it")
    assert not {m for m in mods if m.split(".")[0] in HEAVY}


TEXTS = [  # kk / ru / en, short and chunk-sized
    "Қазақстан Республикасының Ішкі істер министрлігі көші-қон саясатын жүзеге асырды.",
    "2022 жылы қандастарға арналған өңірлік квота 1 499 адамды құрады. Қандастар көшіп "
    "келгенде субсидия алады, ал жергілікті атқарушы органдар оларға тұрғын үй табуға "
    "көмектеседі. " * 4,
    "Закон Республики Казахстан от 22 июля 2011 года № 477-IV «О миграции населения».",
    "Разрешения на привлечение иностранной рабочей силы выдают местные исполнительные "
    "органы; на 1 декабря 2021 года по таким разрешениям работали 15 527 иностранцев. " * 5,
    "In 2021, 17,540 ethnic Kazakhs received kandas status.",
    "Labour migration within the Eurasian Economic Union needs no work permit; workers "
    "register within thirty days and their diplomas are recognised. " * 6,
    "MIA, IOM, UNHCR: 76.2 % — 1,087,800 people since 1991!",
    "квота",
]


@pytest.fixture(scope="module")
def full_and_subset():
    """The full XLM-R tokenizer of the int8 build and the subset tokenizer beside it."""
    from tokenizers import Tokenizer

    from nlp.embed.subset_tokenizer import SubsetTokenizer

    path = onnx_embed.materialize_onnx("onnx-int8")
    full = Tokenizer.from_file(str(path / "tokenizer.json"))
    full.enable_truncation(512)
    return full, SubsetTokenizer(path, 512)


def _langid_texts(limit: int = 3000) -> list[str]:
    """kk/ru/en sentences of the shared langid dev set (none when it is absent)."""
    from conftest import SHARED

    path = SHARED / "langid" / "langid_kk_ru_en.dev.tsv"
    if not path.is_file():
        return []
    rows = path.read_text(encoding="utf-8").splitlines()[1:limit + 1]
    return [r.split("\t")[3] for r in rows if r.count("\t") >= 3]


ODD = ["", " ", "\u0000\u200b x", "＜s＞ fullwidth", "ℌ𝔢𝔩𝔩𝔬 ﬁ ½ Ⅻ", "ә" * 2000, "a\tb\nc",
       "🙂🙂 emoji", "Ғ Ү Ұ Қ Ң Ө Һ І Ә", "x<s>y"]


@pytest.mark.model
def test_embed_onnx_subset_tokenizer_gives_the_full_tokenizers_ids(full_and_subset):
    full, subset = full_and_subset
    texts = [p + t for t in TEXTS + ODD + _langid_texts() for p in ("query: ", "")]
    for text in texts:
        ids = subset.encode(text)
        assert ids is None or ids == full.encode(text).ids, text
    assert subset.encode("x<s>y") is None and subset.encode("query: квота") is not None


@pytest.mark.model
@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=80))
def test_embed_onnx_subset_tokenizer_agrees_on_any_text(full_and_subset, text):
    full, subset = full_and_subset
    ids = subset.encode(text)
    assert ids is None or ids == full.encode(text).ids


@pytest.fixture(scope="module")
def st_reference() -> embed.SentenceTransformerEmbedder:
    """The fp32 sentence-transformers model every engine must reproduce."""
    from nlp.embed import e5_bundled

    return embed.SentenceTransformerEmbedder(embed.DEFAULT_MODEL, str(e5_bundled.materialize()))


@pytest.mark.model
@pytest.mark.parametrize("engine,floor", [("onnx-fp32", 0.9999), ("onnx-int8", 0.99)])
def test_embed_onnx_matches_the_fp32_sentence_transformers_model(engine, floor, st_reference):
    ref = st_reference
    ours = OnnxEmbedder(embed.DEFAULT_MODEL, onnx_embed.materialize_onnx(engine))
    assert ours.engine == engine and ours.dim == ref.dim == 384
    for mine, theirs in ((ours.embed_passages(TEXTS), ref.embed_passages(TEXTS)),
                         (ours.embed_queries(TEXTS), ref.embed_queries(TEXTS))):
        cosines = (mine * theirs).sum(axis=1)
        assert cosines.min() >= floor, cosines
    one_by_one = np.concatenate([ours.embed_passages([t]) for t in TEXTS])
    assert (one_by_one * ours.embed_passages(TEXTS)).sum(axis=1).min() >= floor
