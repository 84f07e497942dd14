"""One error hierarchy: each message says what happened and what to do next."""

from __future__ import annotations


class NlpError(Exception):
    """Base class; the CLI prints ``str(err)`` on one line and exits 1."""


class UserError(NlpError):
    """A mistake in how the tool was called (bad option, empty query...)."""


class IndexNotFound(NlpError):
    def __init__(self, path: object) -> None:
        from pathlib import Path

        if Path(str(path)).exists() and not Path(str(path)).is_dir():
            super().__init__(f"{path} is a file, not an index folder; give --index a folder "
                             f"(nlp ingest creates it)")
        else:
            super().__init__(f"No index at {path}. Run: nlp ingest corpus/ --index {path}")


class IndexMismatch(NlpError):
    """The index was built with another model, dimension or format."""


class ParseError(NlpError):
    """A file could not be read; the batch goes on without it."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class ModelError(NlpError):
    """An embedding or NER model could not be loaded."""


class IndexLocked(NlpError):
    """Another process is writing the index (see ``nlp.index.lock``)."""


class IndexCorrupt(NlpError):
    """A file of the index is damaged or missing; ``nlp doctor`` checks and repairs."""
