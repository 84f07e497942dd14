"""Several index directories searched as one (``nlp.index.merge`` merges them into one).

Shards come from ``nlp.ingestion.distributed`` or from plain ``nlp ingest`` runs built alike
(same model, dimension and chunking). ``ShardedIndex`` searches every
shard and merges the hits: dense scores are cosines, so that ranking is exact.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from nlp.errors import UserError
from nlp.index.layout import same_config
from nlp.search.engine import Hits, Index, QueryVectors
from nlp.search.rank import Candidates
from nlp.search.request import SearchRequest, make_request
from nlp.search.request import run as run_requests

# --- searching shards together ----------------------------------------------------------

class ShardedIndex:
    """Several index directories read as one: every shard searched, candidates merged and
    ranked by the one ranking (``nlp.search.request.run``, ``nlp.search.rank.order``)."""

    def __init__(self, shard_dirs: list[str | Path]) -> None:
        self.shards: list[Index] = []
        try:
            for d in shard_dirs:
                self.shards.append(Index(d))
            same_config([(s.path, s.manifest) for s in self.shards])
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        for shard in self.shards:
            shard.close()

    def __enter__(self) -> ShardedIndex:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def search(self, query: str, k: int = 10, **options) -> Hits:
        """The ``k`` best chunks over all shards (options as in ``Index.search``)."""
        return self.batch_search([query], k, **options)[0]

    def batch_search(self, queries: list[str], k: int = 10, **options) -> list[Hits]:
        """``Index.batch_search`` over every shard that can match, ranked as one index.

        Dense candidates are cosines and the language centroids come from the shards' summed
        vectors, so ``dense`` ranks as one merged index would; keyword
        lists are merged by BM25, which each shard scores with its own term statistics, so
        ``keyword`` and ``hybrid`` may rank a little differently from one merged index."""
        return self.run([make_request(q, k, **options) for q in queries])

    def run(self, requests: list[SearchRequest]) -> list[Hits]:
        """The hits of each ``SearchRequest`` (``nlp.search.request.run``)."""
        return run_requests(self, requests)

    # --- the source interface of nlp.search.request.run -------------------------------------------

    def query_vectors(self, queries: list[str], langs: tuple[str, ...] = (),
                      expand: bool = True) -> dict[str, np.ndarray]:
        """``Index.query_vectors``, for the languages of every shard."""
        return self.shards[0].query_vectors(queries, langs or tuple(self.languages()), expand)

    def candidates(self, requests: list[SearchRequest], mode: str, depth: int,
                   vecs: QueryVectors = None) -> list[Candidates]:
        """Every shard's candidates, keyed by (shard number, chunk id), merged."""
        shards = self._shards(requests[0].doc)
        if callable(vecs):
            vecs = vecs()
        if vecs is None and mode != "keyword":
            vecs = self.query_vectors([r.query for r in requests], requests[0].langs,
                                      requests[0].expand)
        per_shard = [(n, s.candidates(requests, mode, depth, vecs)) for n, s in shards]
        merged = [_merge_candidates([(n, found[i]) for n, found in per_shard])
                  for i in range(len(requests))]
        if vecs is not None and len(shards) < len(self.shards):  # centroids of every shard
            everywhere = [s.lang_sums(vecs) for s in self.shards]
            for i, cands in enumerate(merged):
                cands.sums = {}
                for sums in everywhere:
                    _add_sums(cands.sums, sums[i])
        return merged

    def search_mode(self, mode: str | None) -> str:
        """The mode every shard can search in (dense if one has no keyword index)."""
        modes = {s.search_mode(mode) for s in self.shards}
        return modes.pop() if len(modes) == 1 else "dense"

    def languages(self) -> list[str]:
        """The languages of the chunks of all shards, most chunks first."""
        counts: dict[str, int] = {}
        for shard in self.shards:
            for lang, n in shard.lang_counts().items():
                counts[lang] = counts.get(lang, 0) + n
        return sorted(counts, key=lambda lang: -counts[lang])

    def hits(self, pairs: list[tuple[tuple[int, int], float]]) -> Hits:
        """``Hit`` records of ((shard, chunk id), score) pairs, in their order."""
        rendered = {}
        for n, shard in enumerate(self.shards):
            mine = [(key[1], s) for key, s in pairs if key[0] == n]
            rendered |= {(n, i): h for (i, _), h in zip(mine, shard.hits(mine), strict=True)}
        return Hits(dataclasses.replace(rendered[key], rank=r)
                    for r, (key, _) in enumerate(pairs, 1))

    def _shards(self, doc: str | None) -> list[tuple[int, Index]]:
        shards = [(n, s) for n, s in enumerate(self.shards)
                  if doc is None or doc in s.store.paths()]
        if not shards:
            raise UserError(f"No document {doc!r} in any shard. See: nlp info --index <shard>")
        return shards

    def documents(self):

        """DataFrame: one row per document of every shard."""
        return self._concat([s.documents() for s in self.shards], ["doc_id"])

    def chunks(self):
        """DataFrame: one row per chunk of every shard."""
        return self._concat([s.chunks() for s in self.shards], ["doc_id", "seq"])

    def entities(self, label: str | None = None, lang: str | None = None):
        """DataFrame: one row per entity of every shard, ordered like ``Index.entities``."""
        return self._concat([s.entities(label=label, lang=lang) for s in self.shards],
                            ["doc_id", "chunk_id", "start"])

    @staticmethod
    def _concat(frames: list, order: list[str]):
        import pandas as pd

        frame = pd.concat(frames, ignore_index=True)
        return frame.sort_values(order, kind="stable").reset_index(drop=True)


def _merge_candidates(per_shard: list[tuple[int, Candidates]]) -> Candidates:
    """One ``Candidates`` of several shards': keys become (shard, id); each language's
    counts and vector sums add up (so the centroids are those of all their chunks); keyword
    lists merged by score."""
    out = Candidates()
    for n, found in per_shard:
        out.dense += [((n, i), s) for i, s in found.dense]
        out.lang |= {(n, i): lang for i, lang in found.lang.items()}
        out.keyword += [((n, i), s) for i, s in found.keyword]
        out.same += [((n, i), s) for i, s in found.same]
        out.neutral += [((n, i), s) for i, s in found.neutral]
        out.article |= {(n, i) for i in found.article}
        _add_sums(out.sums, found.sums)
    best = lambda hits: sorted(hits, key=lambda pair: (-pair[1], pair[0]))  # noqa: E731
    out.keyword, out.same, out.neutral = best(out.keyword), best(out.same), best(out.neutral)
    return out


def _add_sums(into: dict[str, tuple], sums: dict[str, tuple]) -> None:
    """Add one shard's language sums (``Candidates.sums``) to ``into``: each part adds up."""
    for lang, parts in sums.items():
        have = into.get(lang, (0, 0.0, 0, 0.0))
        into[lang] = tuple(a + b for a, b in zip(have, parts, strict=True))
