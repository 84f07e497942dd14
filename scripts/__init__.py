"""Measurements, benchmarks and build steps, run from the repository root as modules:
``python -m scripts.eval_xlang --split dev``. Each prints one JSON line (see README)."""
