"""Text into vectors: the bundled multilingual-e5-small, its engines, a test embedder."""
