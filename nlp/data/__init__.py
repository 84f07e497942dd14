"""The package's data files: registries of agencies and acts, the glossary, the lexicon and
the language profiles. ``DATA`` is their folder; modules name their file under it."""

from pathlib import Path

DATA = Path(__file__).resolve().parent
