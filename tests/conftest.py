"""Shared fixtures: PDFs generated in kk/ru/en, and a fake deterministic embedder.

The fake embedder hashes character trigrams into a vector, so tests that do not need
meaning run offline in milliseconds; tests marked ``model`` use the real default model.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from nlp.embed import embedders as embed
from nlp.embed.embedders import HashEmbedder

TESTS = Path(__file__).resolve().parent  # tests/, which mirrors nlp/
ROOT = TESTS.parent
GOLD = TESTS / "gold"
SHARED = ROOT.parent / "shared" / "data"

TEXTS = {
    "kk": [
        ("Қандастарға арналған квота",
         "2022 жылы қандастарды қабылдаудың өңірлік квотасы 1 499 адамды құрады. "
         "Қазақстан Республикасының Еңбек және халықты әлеуметтік қорғау министрлігі "
         "көші-қон саясатын жүзеге асырады. Қандастар көшіп келгенде субсидия алады."),
        ("Еңбек көші-қоны",
         "Шетелдік жұмыскерлерге рұқсатты жергілікті атқарушы органдар береді. "
         "2021 жылғы 1 желтоқсандағы жағдай бойынша 15 527 шетел азаматы жұмыс істеді."),
    ],
    "ru": [
        ("Трудовая миграция",
         "Разрешения на привлечение иностранной рабочей силы выдают местные "
         "исполнительные органы. На 1 декабря 2021 года по таким разрешениям работали "
         "15 527 иностранных граждан. Закон Республики Казахстан от 22 июля 2011 года "
         "№ 477-IV «О миграции населения» регулирует эти отношения."),
    ],
    "en": [
        ("Educational migration",
         "Thousands of students from Kazakhstan study abroad every year, mostly in Russia. "
         "Universities in Kazakhstan also attract students from Uzbekistan and India."),
    ],
}


def make_pdf(path: Path, sections: list[tuple[str, str]], title: str = "",
             pages: int = 1) -> Path:
    """Write a PDF with a heading and a paragraph per section, spread over ``pages``."""
    import pymupdf

    doc = pymupdf.open()
    per_page = max(1, -(-len(sections) // pages))
    for i in range(0, len(sections), per_page):
        page = doc.new_page()
        html = "".join(f"<h2>{h}</h2><p>{p}</p>" for h, p in sections[i:i + per_page])
        page.insert_htmlbox(pymupdf.Rect(56, 56, 540, 780), html)
    doc.set_metadata({"title": title})
    doc.save(path)
    doc.close()
    return path


@pytest.fixture
def pdf_dir(tmp_path: Path) -> Path:
    """A folder with one generated PDF per language."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for lang, sections in TEXTS.items():
        make_pdf(folder / f"brief_{lang}.pdf", sections, title=f"Brief ({lang})")
    return folder


@pytest.fixture(autouse=True)
def hash_embedder() -> HashEmbedder:
    """Available to every test as ``--model test/hash-64``."""
    emb = HashEmbedder()
    embed.register_embedder(emb.model_id, emb)
    return emb


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
