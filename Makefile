# Two commands for a fresh machine: `make demo` and `make test` (see README).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
NLP := $(VENV)/bin/nlp
INDEX ?= indexes/default

.PHONY: setup demo test test-slow lint bench clean-index

setup: $(VENV)/.installed

# torch first and pinned: 2.13.0 is the local CPU wheel; an unpinned torch pulls CUDA.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

demo: setup
	$(NLP) ingest corpus/*.pdf --index $(INDEX) --prune
	$(NLP) info --index $(INDEX)
	$(NLP) search "Bolashak scholarship graduates returning home" --index $(INDEX) -k 3
	$(NLP) search "quota for ethnic Kazakh returnees in 2022" --index $(INDEX) -k 3 --lang kk
	$(NLP) search "who issues work permits to foreign workers since 2022" --index $(INDEX) -k 3
	$(NLP) search "трудовая миграция граждан ЕАЭС без разрешения" --index $(INDEX) -k 3
	$(NLP) entities --index $(INDEX) --format csv -o $(INDEX)/entities.csv
	$(NLP) entities --index $(INDEX) --label LAW

test: setup
	$(PY) -m pytest -q

test-slow: setup
	$(PY) -m pytest -q -m slow

lint: setup
	$(VENV)/bin/ruff check nlp tests scripts

bench: setup
	$(PY) scripts/bench_pipeline.py

clean-index:
	rm -rf $(INDEX)
