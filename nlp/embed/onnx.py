"""multilingual-e5-small on ONNX Runtime: the default engine, with no torch on the query path.

:func:`materialize_onnx` builds once, next to the sentence-transformers directory made by
``nlp.embed.e5_bundled``, a directory ``<model dir>-onnx-fp32-b3`` (or ``-onnx-int8-b3``) holding
``encoder.onnx`` (the 12 BERT layers from ``inputs_embeds`` to ``last_hidden_state``, exported
with ``torch.onnx.export``; int8: MatMul weights quantised per channel by
``onnxruntime.quantization``, the feed-forward down-projections kept fp32), the tokenizer files
(``tokenizer.json``; ``pieces.json`` and ``tokenizer-skeleton.json`` for
``nlp.embed.subset_tokenizer``)
and ``onnx-build.json`` (written last). The 250k x 384 word-embedding table stays out of the graph:
it is memory-mapped from the source ``model.safetensors`` and gathered in numpy, so a process reads
only the rows its tokens need and loads an 86 MB (fp32) or 44 MB (int8) graph. The E5 prompts,
mean pooling and L2 normalisation follow the sentence-transformers model exactly: fp32 vectors
match it at cosine 1.0, int8 at >= 0.99 (``tests/embed/test_embed_onnx.py``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from nlp.embed.subset_tokenizer import SubsetTokenizer, write_subset_files
from nlp.errors import ModelError

ENGINES = ("onnx-fp32", "onnx-int8")
BUILD_MARKER = "onnx-build.json"
BUILD_FORMAT = 3  # part of the directory name: a new format builds anew beside the old
SUBSET_MAX_TEXTS = 32  # up to this many texts skip loading the full tokenizer
PROMPTS = {"query": "query: ", "passage": "passage: "}
MAX_BATCH = 16  # texts per ORT call
MAX_BATCH_TOKENS = 1024  # padded tokens per ORT call: long chunks go in smaller batches
OPSET = 17


def default_threads() -> int:
    """Batches run at once: ``$NLP_EMBED_THREADS``, else the CPUs this process may run on."""
    if os.environ.get("NLP_EMBED_THREADS"):
        return max(1, int(os.environ["NLP_EMBED_THREADS"]))
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def length_batches(lengths: Sequence[int], max_batch: int = MAX_BATCH,
                   max_tokens: int = MAX_BATCH_TOKENS) -> list[list[int]]:
    """Indices grouped longest first into batches of similar length (little padding)."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    for i in order:  # the first item of a batch is its longest
        if batches and len(batches[-1]) < max_batch and \
                lengths[batches[-1][0]] * (len(batches[-1]) + 1) <= max_tokens:
            batches[-1].append(i)
        else:
            batches.append([i])
    return batches


def pad_batch(seqs: Sequence[Sequence[int]], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Right-padded int64 ids and the 0/1 attention mask, both (n, longest)."""
    width = max((len(s) for s in seqs), default=0)
    ids = np.full((len(seqs), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(seqs), width), dtype=np.int64)
    for row, seq in enumerate(seqs):
        ids[row, :len(seq)] = seq
        mask[row, :len(seq)] = 1
    return ids, mask


def mean_pool_normalize(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """sentence-transformers mean pooling over unmasked tokens, then L2 normalisation."""
    m = mask[..., None].astype(np.float32)
    pooled = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


def prompted(texts: Sequence[str], prompt: str) -> list[str]:
    """What the ST embedder feeds its tokenizer: prompt + whitespace-collapsed text, stripped."""
    return [(prompt + " ".join(t.split())).strip() for t in texts]


class OnnxEmbedder:
    """E5 query/passage vectors from an ``onnx-build.json`` directory, on ONNX Runtime.

    The session runs each batch on one thread and ``threads`` batches run at once: measured on
    2 shared cores, this beat ORT's own intra-op threads 2x on passages and 2x on query latency
    (threads that spin-wait for each other collapse when the cores are busy).
    """

    def __init__(self, model_id: str, path: str | Path, threads: int | None = None) -> None:
        path = Path(path)
        try:
            import onnxruntime as ort
            import tokenizers  # noqa: F401
        except ImportError as err:
            raise ModelError(f"The ONNX engine needs onnxruntime and tokenizers ({err}). Run: "
                             "pip install onnxruntime tokenizers, or set NLP_EMBED_ENGINE=torch"
                             ) from None
        meta = read_build(path)
        self.model_id, self.engine, self.dim = model_id, meta["engine"], int(meta["dim"])
        self.pad_id = int(meta["pad_id"])
        self.words = _word_table(meta)
        self.path, self.max_length = path, int(meta["max_seq_length"])
        self.subset = SubsetTokenizer(path, self.max_length)
        self.full: Any = None  # the full tokenizer, loaded for the first large batch
        self.threads = threads or default_threads()
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(str(path / "encoder.onnx"), opts,
                                            providers=["CPUExecutionProvider"])

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        seqs = self.token_ids(prompted(texts, prompt))
        batches = length_batches([len(s) for s in seqs])
        if 1 < len(texts) <= 2 * self.threads:  # a query and its expansions: a core each
            batches = [[i] for i in range(len(texts))]

        def run(batch: list[int]) -> None:
            ids, mask = pad_batch([seqs[i] for i in batch], self.pad_id)
            hidden = self.session.run(None, {"inputs_embeds": self.words[ids],
                                             "attention_mask": mask})[0]
            out[batch] = mean_pool_normalize(hidden, mask)

        if self.threads == 1 or len(batches) == 1:
            for batch in batches:
                run(batch)
        else:  # session.run is thread-safe and releases the GIL
            with ThreadPoolExecutor(min(self.threads, len(batches))) as pool:
                list(pool.map(run, batches))
        return out

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        """Ids with ``<s>``/``</s>``, truncated; few texts skip loading the full tokenizer."""
        if self.full is None and len(texts) <= SUBSET_MAX_TEXTS:
            ids = [self.subset.encode(t) for t in texts]
            if all(i is not None for i in ids):
                return ids  # type: ignore[return-value]
        if self.full is None:
            from tokenizers import Tokenizer

            self.full = Tokenizer.from_file(str(self.path / "tokenizer.json"))
            self.full.no_padding()
            self.full.enable_truncation(self.max_length)
        return [e.ids for e in self.full.encode_batch(texts)]

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors of passages, shape (n, dim)."""
        return self._encode(texts, PROMPTS["passage"])

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors of queries, shape (n, dim)."""
        return self._encode(texts, PROMPTS["query"])


def read_build(path: Path) -> dict[str, Any]:
    """The build record of an ONNX directory; a ModelError that says how to rebuild if bad."""
    try:
        meta = json.loads((path / BUILD_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ModelError(f"No usable ONNX build in {path} ({err}). Delete {path}; the next "
                         "search or ingest rebuilds it.") from None
    if meta.get("format") != BUILD_FORMAT:
        raise ModelError(f"{path} was built by another version of nlp. Delete {path}; the next "
                         "search or ingest rebuilds it.")
    return meta


def _word_table(meta: dict[str, Any]) -> np.ndarray:
    """Read-only memory map of the word-embedding rows inside the source safetensors file."""
    w = meta["word_embeddings"]
    src = Path(w["file"])
    if not src.is_file() or src.stat().st_size != w["file_bytes"]:
        raise ModelError(f"{src} is missing or changed since the ONNX engine was built. Delete "
                         f"{src.parent} and {src.parent}-{meta['engine']}; the next run rebuilds "
                         "both.")
    return np.memmap(src, dtype=w["dtype"], mode="r", offset=w["offset"], shape=tuple(w["shape"]))


def safetensors_entry(path: Path, name: str) -> dict[str, Any]:
    """Where tensor ``name`` lies in a .safetensors file: offset, shape, dtype, file size."""
    with open(path, "rb") as fh:
        (size,) = struct.unpack("<Q", fh.read(8))
        header = json.loads(fh.read(size))
    entry = header[name]
    if entry["dtype"] != "F32":
        raise ModelError(f"{path}: {name} is {entry['dtype']}, the ONNX engine reads F32")
    return {"file": str(path), "offset": 8 + size + entry["data_offsets"][0], "dtype": "<f4",
            "shape": entry["shape"], "file_bytes": path.stat().st_size}


def engine_dir(model_dir: Path, engine: str) -> Path:
    """The ONNX build of ``engine`` that sits next to the ST model directory."""
    return model_dir.parent / f"{model_dir.name}-{engine}-b{BUILD_FORMAT}"


def materialize_onnx(engine: str = "onnx-fp32", model_dir: Path | None = None, *,
                     log: Callable[[str], None] | None = None) -> Path:
    """Return a complete ONNX build of the default model, building it once if needed."""
    from nlp.embed import e5_bundled

    if engine not in ENGINES:
        raise ModelError(f"Unknown embedding engine {engine!r}; choose one of "
                         f"{', '.join(ENGINES)} or torch (NLP_EMBED_ENGINE)")
    model_dir = e5_bundled.materialize(model_dir, log=log)
    target = engine_dir(model_dir, engine)
    if (target / BUILD_MARKER).is_file():
        return target
    say = log or e5_bundled.say_stderr
    say(f"Building the {engine} ONNX engine into {target} (once, ~20 s)...")
    e5_bundled.build_atomically(target, lambda tmp: write_onnx_build(tmp, model_dir, engine),
                                BUILD_MARKER)
    return target


def write_onnx_build(out: Path, model_dir: Path, engine: str) -> None:
    """Export, quantise if asked, copy the tokenizer; the build record goes last."""
    fp32 = out / ("encoder.onnx" if engine == "onnx-fp32" else "encoder-fp32.onnx")
    export_encoder(model_dir, fp32)
    kept_fp32: list[str] = []
    if engine == "onnx-int8":
        kept_fp32 = quantize_int8(fp32, out / "encoder.onnx")
        fp32.unlink()
    shutil.copyfile(model_dir / "tokenizer.json", out / "tokenizer.json")
    write_subset_files(out / "tokenizer.json", out)
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    words = safetensors_entry(model_dir / "model.safetensors", "embeddings.word_embeddings.weight")
    record = {
        "format": BUILD_FORMAT, "engine": engine, "dim": config["hidden_size"],
        "pad_id": 1, "max_seq_length": config["max_position_embeddings"],
        "prompts": PROMPTS, "word_embeddings": words, "source": str(model_dir),
        "kept_fp32": kept_fp32,
        "encoder_sha256": hashlib.sha256((out / "encoder.onnx").read_bytes()).hexdigest(),
        "versions": _versions("torch", "transformers", "onnxruntime", "onnx"),
    }
    (out / BUILD_MARKER).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


def _versions(*packages: str) -> dict[str, str]:
    """Installed versions of ``packages`` (recorded with the build)."""
    import importlib.metadata as md

    return {p: md.version(p) for p in packages}


def export_encoder(model_dir: Path, path: Path) -> None:
    """Export the encoder (inputs_embeds, attention_mask -> last_hidden_state) to ONNX."""
    import warnings

    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = model

        def forward(self, inputs_embeds, attention_mask):  # noqa: D401
            return self.bert(inputs_embeds=inputs_embeds,
                             attention_mask=attention_mask).last_hidden_state

    # A padded sample row: the traced graph must keep the attention mask.
    sample = (torch.zeros(2, 4, model.config.hidden_size), torch.tensor([[1, 1, 1, 1],
                                                                          [1, 1, 1, 0]]))
    dynamic = {"inputs_embeds": {0: "batch", 1: "tokens"},
               "attention_mask": {0: "batch", 1: "tokens"},
               "last_hidden_state": {0: "batch", 1: "tokens"}}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(Encoder(), sample, str(path), input_names=list(dynamic)[:2],
                          output_names=["last_hidden_state"], dynamic_axes=dynamic,
                          opset_version=OPSET, do_constant_folding=True, dynamo=False)


def quantize_int8(src: Path, dst: Path) -> list[str]:
    """Dynamic int8 quantisation of the MatMul weights, one scale per output channel.

    The feed-forward down-projections (weights FF x H) stay fp32: their GELU inputs have the
    widest range, and keeping them lifted the minimum cosine to fp32 from 0.992 to 0.998 on
    kk/ru/en texts for ~25 % of the int8 speed-up. Returns the names of the nodes kept fp32.
    """
    import logging

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(src)).graph
    shapes = {t.name: tuple(t.dims) for t in graph.initializer}
    keep = [n.name for n in graph.node if n.op_type == "MatMul" and any(
        len(shapes.get(i, ())) == 2 and shapes[i][0] > shapes[i][1] for i in n.input)]
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # its "consider pre-processing" warning is advice only
    try:
        quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul"], nodes_to_exclude=keep,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    finally:
        root.setLevel(level)
    return keep
