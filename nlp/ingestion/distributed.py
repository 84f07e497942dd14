"""Ingest and entity extraction on Ray Data; per-shard indexes merged or searched together.

    files (driver: doc ids, shard per file) -> Analyser actors (each drives one budgeted
    ``AnalyserProcess`` child: parse, language, chunk, entities, spaCy loaded once) ->
    Embedder actors (the model loaded once per actor) -> groupby(shard) -> one normal
    index directory per shard

Every stage calls the single-machine code (``AnalyserProcess``, ``nlp.ingestion.pipeline``,
the embedder, ``IndexWriter``), so a shard holds exactly what ``nlp ingest`` would store
for its files; ``merge_indexes`` (``nlp.index.merge``) and ``ShardedIndex`` (from
``nlp.search.shards``) turn the shards into one index or search them together. Ray is imported
only in this module, on first use:
``pip install -e '.[dist]'``. ``ray.init()`` is called if nothing is running yet, so
``RAY_ADDRESS`` picks the cluster. Command line: ``python -m nlp.ingestion.distributed --help``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from nlp.errors import NlpError, ParseError, UserError
from nlp.index.layout import STORE
from nlp.index.merge import merge_indexes
from nlp.index.store import ENTITY_COLUMNS

__all__ = ["entity_dataset", "extract_entities_distributed",
           "ingest_distributed", "merge_indexes"]

SHARD = "shard-{:03d}"
EMBED_BATCH = 4  # documents per call of an embedder actor (each embedded on its own)


@dataclass
class DistributedReport:
    shards: list[str] = field(default_factory=list)  # index directories, one per shard
    added: list[str] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (path, reason, kind)
    pages: int = 0
    chunks: int = 0
    entities: int = 0

    def summary(self) -> str:
        """One line for people, then one line per failure."""
        return (f"{len(self.added)} added, {len(self.failed)} failed; {self.pages} pages, "
                f"{self.chunks} chunks, {self.entities} entities -> {len(self.shards)} shards"
                + "".join(f"\n  failed: {p}: {r}" for p, r, _ in self.failed))


# --- planning (driver) -----------------------------------------------------------------

def plan(paths: list[str | Path], shards: int) -> list[dict]:
    """One row per file: order, shard (balanced by bytes), doc id as ``nlp ingest`` gives it."""
    from nlp.index.layout import display_path
    from nlp.index.store import free_id
    from nlp.ingestion.local import collect_files
    from nlp.parse.document import make_doc_id

    files = collect_files(paths)
    if not files:
        raise UserError(f"No .pdf, .txt or .md files in {', '.join(map(str, paths))}")
    load = [0] * max(1, min(shards, len(files)))
    rows, taken = [], set()
    for order, file in enumerate(files):
        doc_id = free_id(make_doc_id(file), taken.__contains__)  # as in a fresh index
        taken.add(doc_id)
        rows.append({"order": order, "file": os.fsencode(file), "path": display_path(file),
                     "doc_id": doc_id, "size": file.stat().st_size})
    for row in sorted(rows, key=lambda r: (-r["size"], r["order"])):
        row["shard"] = shard = load.index(min(load))
        load[shard] += row["size"]
    return rows


# --- analysis (workers) ----------------------------------------------------------------

def analyse_file(child, row: dict, settings) -> dict:
    """Parse, chunk and find entities of one planned file in ``nlp ingest``'s own child."""
    from nlp.ingestion.children import failure_kind
    from nlp.ingestion.codec import analysed_dict, dumps
    from nlp.ingestion.pipeline import name_document

    out = {k: row[k] for k in ("order", "shard", "path", "doc_id")}
    out |= {"error": "", "kind": "", "analysed": "", "pages": 0}
    child.submit(Path(os.fsdecode(row["file"])), settings)
    try:
        doc, chunks, found, _ = child.result()  # a missing model raises ModelError: stop
    except ParseError as err:
        return out | {"error": err.reason, "kind": failure_kind(err)}
    name_document(doc, chunks, row["doc_id"], row["path"])  # the planned id and path
    # the store keeps only the page count of a document, so pages travel as numbers
    return out | {"analysed": dumps(analysed_dict(doc, chunks, found, page_text=False)).decode(),
                  "pages": len(doc.pages)}


def embed_chunks(embedder, chunks: list[dict]):
    """Vectors (n, dim) of a document's chunks, each distinct text embedded once, in one call
    per document: what ``nlp ingest`` does for a new file, so the vectors are the same."""
    from nlp.ingestion.pipeline import embed_distinct, embed_pairs

    return embed_distinct(embedder, embed_pairs(chunks))


class Analyser:
    """Ray Data callable class: one budgeted analyser child per actor, which loads the
    spaCy pipelines once and parses, chunks and finds entities file after file."""

    def __init__(self, budget=None, keep_broken: bool = False) -> None:
        from nlp.ingestion.children import AnalyserProcess, Budget
        from nlp.text.chunk import ChunkSettings

        self.child = AnalyserProcess(budget or Budget())
        self.settings = ChunkSettings(keep_broken=keep_broken)

    def __call__(self, batch):
        return _table([analyse_file(self.child, row, self.settings)
                       for row in batch.to_dict("records")], ANALYSED)

    def __del__(self) -> None:
        self.child.close()


class Embedder:
    """Ray Data callable class: the embedding model loaded once per actor."""

    def __init__(self, model: str | None = None) -> None:
        self.embedder = embedder_for(model)

    def __call__(self, batch):
        rows = batch.to_dict("records")
        for row in rows:
            chunks = json.loads(row["analysed"])["chunks"] if row["analysed"] else []
            row["vectors"] = embed_chunks(self.embedder, chunks).tobytes()
            row["dim"], row["model"] = self.embedder.dim, self.embedder.model_id
        return _table(rows, EMBEDDED)


def embedder_for(model: str | None):
    """``load_embedder(model)``; the test embedder ``test/hash-64`` is known by name here,
    since a worker process does not see what a test registered in the driver."""
    from nlp.embed import embedders as embed

    if model == embed.HashEmbedder.model_id and model not in embed._LOADED:
        embed.register_embedder(model, embed.HashEmbedder())
    return embed.load_embedder(model)


# --- writing a shard (workers) ---------------------------------------------------------

def write_shard(frame, out_dir: str, chunking: dict) -> dict:
    """Write one shard's analysed, embedded documents into a normal index directory."""
    import numpy as np

    from nlp.index.layout import FORMAT_VERSION
    from nlp.index.writer import IndexWriter
    from nlp.ingestion.codec import analysed_from_dict

    rows = sorted(frame.to_dict("records"), key=lambda r: r["order"])
    root = Path(out_dir) / SHARD.format(int(rows[0]["shard"]))
    dim = int(rows[0]["dim"])
    summary = {"shard": str(root), "added": [], "failed": [], "pages": 0, "chunks": 0,
               "entities": 0}
    with IndexWriter(root, "nlp.ingestion.distributed") as writer:
        writer.configure({"format_version": FORMAT_VERSION, "model": rows[0]["model"],
                          "dim": dim, "chunking": chunking})
        for row in rows:
            if row["error"]:
                summary["failed"].append([row["path"], row["error"], row["kind"]])
                continue
            doc, chunks, found, _ = analysed_from_dict(json.loads(row["analysed"]))
            vecs = np.frombuffer(row["vectors"], dtype=np.float32).reshape(len(chunks), dim)
            writer.add(doc, chunks, vecs, found)
            summary["added"].append(doc.doc_id)
            for key, n in (("pages", len(doc.pages)), ("chunks", len(chunks)),
                           ("entities", len(found))):
                summary[key] += n
        writer.save()
    return summary


# --- the pipelines (driver) ------------------------------------------------------------

def ingest_distributed(paths: list[str | Path], out_dir: str | Path, shards: int = 2,
                       model: str | None = None, workers: int | None = None,
                       embedders: int = 1, budget=None,
                       keep_broken: bool = False) -> DistributedReport:
    """Ingest files on Ray into ``out_dir/shard-NNN``, each an index ``open_index`` reads.

    ``workers`` analyser actors (default: the cluster's CPUs less ``embedders``) and
    ``embedders`` embedding actors, one CPU each.
    """
    from nlp.embed.embedders import DEFAULT_MODEL
    from nlp.index.layout import make_config
    from nlp.text.chunk import ChunkSettings

    out = Path(out_dir)
    _refuse_existing(out)
    rows = plan(paths, shards)
    ray = _ray()
    cpus = int(ray.cluster_resources().get("CPU", 1))
    ds = _analysed(rows, workers or max(1, cpus - embedders), budget, keep_broken)
    ds = ds.map_batches(Embedder, fn_constructor_kwargs={"model": model or DEFAULT_MODEL},
                        batch_size=EMBED_BATCH, batch_format="pandas",
                        compute=ray.data.ActorPoolStrategy(size=embedders), num_cpus=1)
    chunking = make_config("", 0, ChunkSettings())["chunking"]
    written = ds.groupby("shard").map_groups(
        lambda frame: _frame([write_shard(frame, str(out), chunking)]),
        batch_format="pandas").take_all()
    return _report(written)


def entity_dataset(paths: list[str | Path], workers: int | None = None, budget=None,
                   keep_broken: bool = False):
    """A Ray Dataset of entity rows (the columns of ``nlp entities``), lazily computed.

    ``.write_parquet(dir)`` writes it from the workers; ``.to_pandas()`` collects it.
    """
    ray = _ray()
    rows = plan(paths, 1)
    cpus = int(ray.cluster_resources().get("CPU", 1))
    ds = _analysed(rows, workers or cpus, budget, keep_broken)
    return ds.map_batches(_entity_rows, batch_format="pandas")


def extract_entities_distributed(paths: list[str | Path], workers: int | None = None,
                                 budget=None, keep_broken: bool = False):
    """DataFrame of every entity in the files, ordered like ``Index.entities()``."""
    frame = entity_dataset(paths, workers, budget, keep_broken).to_pandas()
    frame = frame.sort_values(["doc_id", "chunk_id", "start"], kind="stable")
    return frame.reset_index(drop=True)[list(ENTITY_COLUMNS)]


def _analysed(rows: list[dict], workers: int, budget, keep_broken: bool):
    ray = _ray()
    ds = ray.data.from_items(rows, override_num_blocks=len(rows))
    return ds.map_batches(Analyser, fn_constructor_kwargs={"budget": budget,
                                                           "keep_broken": keep_broken},
                          batch_size=1, batch_format="pandas",
                          compute=ray.data.ActorPoolStrategy(size=workers), num_cpus=1)


def _entity_rows(batch):
    out = []
    for row in batch.to_dict("records"):
        analysed = json.loads(row["analysed"]) if row["analysed"] else {"found": []}
        for seq, page, e in analysed["found"]:
            c = analysed["chunks"][seq]
            out.append({"doc_id": c["doc_id"], "chunk_id": c["chunk_id"], "page": page,
                        "lang": c["lang"], **{k: e[k] for k in ENTITY_COLUMNS[4:]}})
    return _table(out, ENTITY_ROWS)


def _report(written: list[dict]) -> DistributedReport:
    report = DistributedReport()
    for part in sorted(written, key=lambda r: r["shard"]):
        report.shards.append(part["shard"])
        report.added += json.loads(part["added"])
        report.failed += [tuple(f) for f in json.loads(part["failed"])]
        for key in ("pages", "chunks", "entities"):
            setattr(report, key, getattr(report, key) + int(part[key]))
    return report


def _refuse_existing(out: Path) -> None:
    if any((p / STORE).exists() for p in out.glob("shard-*")):
        raise UserError(f"{out} already holds shard indexes. Use a new folder; to update, "
                        f"merge them and run nlp ingest on the merged index.")


def _ray():
    try:
        import ray
        import ray.data  # noqa: F401 - the Data library, not only the core
    except ImportError:
        raise UserError("Ray is not installed. Run: pip install -e '.[dist]'") from None
    if not ray.is_initialized():
        ray.init(log_to_driver=False)  # RAY_ADDRESS (or `ray start`) picks the cluster
    return ray


# --- Arrow tables with fixed types (empty and all-null columns keep their type) ---------

def _schema(**columns: str):
    import pyarrow as pa

    kinds = {"str": pa.string(), "int": pa.int64(), "bytes": pa.binary(),
             "float": pa.float64()}
    return lambda: pa.schema([(name, kinds[kind]) for name, kind in columns.items()])


ANALYSED = _schema(order="int", shard="int", path="str", doc_id="str", error="str",
                   kind="str", analysed="str", pages="int")
EMBEDDED = _schema(order="int", shard="int", path="str", doc_id="str", error="str",
                   kind="str", analysed="str", pages="int", vectors="bytes", dim="int",
                   model="str")
ENTITY_ROWS = _schema(doc_id="str", chunk_id="str", page="int", lang="str", start="int",
                      end="int", label="str", text="str", norm="str", canonical_id="str",
                      value="float", unit="str", source="str")


def _table(rows: list[dict], schema):
    import pyarrow as pa

    names = schema().names
    return pa.Table.from_pylist([{k: r.get(k) for k in names} for r in rows], schema=schema())


def _frame(rows: list[dict]):
    import pandas as pd

    return pd.DataFrame([{k: _dumps(v) if isinstance(v, list) else v for k, v in r.items()}
                         for r in rows])


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


# --- command line: python -m nlp.ingestion.distributed ... ---------------------------------------

def main(argv: list[str] | None = None) -> None:
    """``ingest`` into shards, ``merge`` shards, or export ``entities`` to Parquet."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m nlp.ingestion.distributed",
                                     description=main.__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    ing = sub.add_parser("ingest", help="files -> OUT/shard-NNN indexes (on Ray)")
    ing.add_argument("paths", nargs="+")
    ing.add_argument("--out", required=True)
    ing.add_argument("--shards", type=int, default=2)
    ing.add_argument("--model", default=None)
    ing.add_argument("--workers", type=int, default=None)
    ing.add_argument("--embedders", type=int, default=1)
    mer = sub.add_parser("merge", help="shard indexes -> one index (no Ray needed)")
    mer.add_argument("shards", nargs="+")
    mer.add_argument("--out", required=True)
    ent = sub.add_parser("entities", help="files -> Parquet files of entities (on Ray)")
    ent.add_argument("paths", nargs="+")
    ent.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    try:
        if args.command == "ingest":
            print(ingest_distributed(args.paths, args.out, args.shards, args.model,
                                     args.workers, args.embedders).summary())
        elif args.command == "merge":
            r = merge_indexes(args.shards, args.out)
            print(f"{r.documents} documents, {r.chunks} chunks, {r.entities} entities -> "
                  f"{r.index}; renamed: {r.renamed or 'none'}")
        else:
            entity_dataset(args.paths).write_parquet(args.out)
            print(f"entities -> {args.out}")
    except NlpError as err:
        raise SystemExit(f"Error: {err}") from None


if __name__ == "__main__":
    main()
