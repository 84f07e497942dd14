"""Files into ``Document`` records (``document.parse_file``, ``parse_pdf``, ``parse_text``).

``extract`` and ``ocr`` are the only modules that touch PyMuPDF; the others are pure
functions over the records in ``boxes``: ``tables`` (ruled tables kept as rows),
``running`` (headers, footers, page numbers), ``layout`` (reading order, footnotes,
headings), ``quality`` (is the text layer readable?), ``hyphenation`` (line-end
hyphens, decided from evidence), ``meta`` (title, authors, year, DOI, abstracts).
"""
