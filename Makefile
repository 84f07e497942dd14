# Two commands for a fresh machine: `make demo` and `make test` (see README).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
NLP := $(VENV)/bin/nlp
INDEX ?= indexes/default

.PHONY: setup ocr strace demo test test-browser test-slow test-dist lint bench clean-index

setup: $(VENV)/.installed ocr

# Tesseract + kaz/rus/eng data for scanned pages: apt where we are root, else one hint.
ocr:
	@if tesseract --list-langs 2>/dev/null | grep -qx kaz; then :; \
	elif command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  (apt-get update -qq && apt-get install -y -qq tesseract-ocr tesseract-ocr-kaz \
	    tesseract-ocr-rus tesseract-ocr-eng) || echo "OCR: apt-get failed; scans stay unread"; \
	else echo "OCR: no Tesseract with kaz/rus/eng data; scanned pages are flagged needs_ocr (README: OCR)"; fi

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

# strace lets tests/test_offline.py watch native code for network requests (skipped without).
strace:
	@command -v strace >/dev/null || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] \
	  && (apt-get update -qq && apt-get install -y -qq strace) \
	  || echo "strace: not installed; the zero-network test is skipped"; }

test: setup strace
	$(PY) -m pytest -q -m "not browser"

test-slow: setup
	$(PY) -m pytest -q -m slow

# The web page in headless chromium (Debian's chromium and chromium-driver, apt where root).
test-browser: setup
	@command -v chromedriver >/dev/null || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] \
	  && (apt-get update -qq && apt-get install -y -qq chromium chromium-driver) \
	  || echo "chromium: not installed; the browser tests are skipped"; }
	$(PY) -m pytest -q -m browser

# Ray (the 'dist' extra) is big; only these tests need it.
test-dist: setup
	$(PY) -m pip install -q -e '.[dev,dist]'
	$(PY) -m pytest -q -m dist

lint: setup
	$(VENV)/bin/ruff check nlp tests scripts

bench: setup
	$(PY) -m scripts.bench --json

clean-index:
	rm -rf $(INDEX)
