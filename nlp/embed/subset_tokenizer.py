"""Exact XLM-R Unigram tokenisation of a few short texts without building the 250k-piece model.

Building the full ``tokenizers`` Unigram model takes ~0.6 s of CPU, most of a cold ``nlp search``.
A query can only ever use pieces that are substrings of its own pre-tokenised words, so this
builds a Unigram model over just those pieces (plus ``<unk>`` and the lowest-scoring piece, which
fixes the unknown-character penalty) and maps its ids back: the same segmentation, ids and
truncation as the full tokenizer (checked on thousands of kk/ru/en texts in
``tests/embed/test_embed_onnx.py``). Texts holding a special token (``<s>``...) return None:
the caller falls back to the full tokenizer, which splits those out first.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PIECES = "pieces.json"
SKELETON = "tokenizer-skeleton.json"
MAX_PIECE_CHARS = 16  # the longest piece of the XLM-R vocabulary (checked at build time)


def write_subset_files(tokenizer_json: Path, out: Path) -> None:
    """Split ``tokenizer.json`` into the piece list and a model-less skeleton, into ``out``."""
    spec = json.loads(tokenizer_json.read_text(encoding="utf-8"))
    model = spec["model"]
    if model["type"] != "Unigram" or model.get("byte_fallback"):
        raise ValueError(f"{tokenizer_json}: expected a Unigram model without byte fallback")
    pieces = [p for p, _ in model["vocab"]]
    if max(map(len, pieces)) > MAX_PIECE_CHARS:
        raise ValueError(f"{tokenizer_json}: a piece is longer than {MAX_PIECE_CHARS} characters")
    record = {"pieces": pieces, "scores": [s for _, s in model["vocab"]],
              "unk_id": model["unk_id"]}
    (out / PIECES).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    spec["model"] = {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0]],
                     "byte_fallback": False}
    (out / SKELETON).write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")


class SubsetTokenizer:
    """``encode(text)`` -> the full tokenizer's ids (with ``<s>``/``</s>``), or None."""

    def __init__(self, path: Path, max_length: int) -> None:
        from tokenizers import Tokenizer

        record = json.loads((path / PIECES).read_text(encoding="utf-8"))
        self.pieces: list[str] = record["pieces"]
        self.scores: list[float] = record["scores"]
        self.ids = {p: i for i, p in enumerate(self.pieces)}
        self.always = {record["unk_id"], min(range(len(self.scores)), key=self.scores.__getitem__)}
        self.unk_id = record["unk_id"]
        skeleton = json.loads((path / SKELETON).read_text(encoding="utf-8"))
        self.specials = [t["content"] for t in skeleton["added_tokens"]]
        self.bos, self.eos = _template_ids(skeleton)
        self.skeleton = Tokenizer.from_str(json.dumps(skeleton))
        self.max_content = max_length - 2

    def words(self, text: str) -> list[str]:
        """Normalised, pre-tokenised words (``▁``-prefixed), as the full tokenizer sees them."""
        norm = self.skeleton.normalizer.normalize_str(text)
        return [w for w, _ in self.skeleton.pre_tokenizer.pre_tokenize_str(norm)]

    def encode(self, text: str) -> list[int] | None:
        """Token ids of ``text`` exactly as the full tokenizer gives them; None if it can't."""
        if any(s in text for s in self.specials):
            return None
        words = self.words(text)
        keep = sorted(self.always | {i for w in words for i in self._substring_ids(w)})
        model = self._model(keep)
        ids = [keep[t.id] for w in words for t in model.tokenize(w)]
        return [self.bos, *ids[:self.max_content], self.eos]

    def _substring_ids(self, word: str) -> set[int]:
        found = set()
        for a in range(len(word)):
            for b in range(a + 1, min(len(word), a + MAX_PIECE_CHARS) + 1):
                i = self.ids.get(word[a:b])
                if i is not None:
                    found.add(i)
        return found

    def _model(self, keep: list[int]) -> Any:
        from tokenizers import models

        vocab = [(self.pieces[i], self.scores[i]) for i in keep]
        return models.Unigram(vocab, unk_id=keep.index(self.unk_id), byte_fallback=False)


def _template_ids(spec: dict[str, Any]) -> tuple[int, int]:
    """Ids of the tokens the post-processor puts before and after a single text."""
    post = spec["post_processor"]
    single = post["single"]
    first, last = single[0]["SpecialToken"]["id"], single[-1]["SpecialToken"]["id"]
    return post["special_tokens"][first]["ids"][0], post["special_tokens"][last]["ids"][0]
