"""Where an index lives and what its directory holds (names only; see indexes/README.md).

Kept free of heavy imports, so the CLI (which must start instantly) and the library use the
same names.
"""

DEFAULT_INDEX = "indexes/default"  # the index the CLI, the server and the API use unasked
MANIFEST, STORE, VECTORS = "manifest.json", "store.sqlite", "vectors.faiss"
