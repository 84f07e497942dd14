"""Text in one language or several: language tags, chunks, terms and stems."""
