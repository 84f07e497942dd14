"""The local web page of ``nlp serve``: HTML made on the server, no script, no CDN.

    /                      search: a box, language chips and the filters of ``nlp search``;
                           each hit with its title, citation, the best sentence marked, the
                           other-language texts of a legal act, and a link to the file at the
                           page; facets of the agencies, laws and places in the hits
    /documents             the collection (title, language, pages, chunks, act); CSV: /documents.csv
    /entities?label=&doc=  entities grouped by their id, with counts; CSV: /entities.csv?...
    /file/DOC_ID           the file the index recorded for that document (only those)

Everything from documents is HTML-escaped; every link is built from the index's own ids.
Works with JavaScript off: forms are plain GET forms.
"""

from __future__ import annotations

import html
from urllib.parse import quote, urlencode

LANG_NAMES = {"kk": "қазақша", "ru": "русский", "en": "English"}
MODES = (("", "hybrid (default)"), ("dense", "meaning"), ("keyword", "exact words"))
FACETS = (("ORG", "Agencies"), ("LAW", "Laws and acts"), ("GPE", "Places"), ("LOC", "Places"))
LABELS = ("LAW", "ORG", "GPE", "LOC", "PERSON", "DATE", "MONEY", "PERCENT", "QUANTITY")
STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{background:#1f3a5f;color:#fff;padding:.7em 1.2em;display:flex;gap:1.5em;align-items:center}
header a{color:#fff;text-decoration:none}header b{font-size:1.1em}
main{display:flex;gap:1.5em;padding:1em 1.2em;max-width:1200px}
section{flex:1;min-width:0}aside{width:250px;font-size:.9em}
form.search input[name=q]{width:60%;font-size:1.05em;padding:.35em}
form.search fieldset{border:0;padding:.3em 0;margin:0}
label.chip{display:inline-block;border:1px solid #9aa7b8;border-radius:1em;padding:.1em .7em;
margin-right:.3em;background:#fff}
.hit{background:#fff;border:1px solid #dde3ea;border-radius:6px;padding:.7em 1em;margin:.7em 0}
.hit h3{margin:0 0 .2em;font-size:1.02em}.cite{color:#4a5a70;font-size:.9em}
mark{background:#ffe58a}.meta{color:#66758a;font-size:.85em}
table{border-collapse:collapse;background:#fff}td,th{border:1px solid #dde3ea;padding:.3em .5em;
text-align:left;vertical-align:top}.error{color:#a00;font-weight:bold}
aside h4{margin:.8em 0 .3em}aside li{margin:.15em 0}
"""


def e(text) -> str:
    """HTML-escaped text ("" for None)."""
    return html.escape("" if text is None else str(text), quote=True)


def page(title: str, body: str, active: str = "") -> str:
    nav = "".join(f'<a href="{href}"{" aria-current=page" if name == active else ""}>{name}</a>'
                  for name, href in (("Search", "/"), ("Documents", "/documents"),
                                     ("Entities", "/entities")))
    return (f"<!doctype html><html><head><meta charset=utf-8><title>{e(title)} · nlp</title>"
            f"<meta name=viewport content='width=device-width,initial-scale=1'>"
            f"<style>{STYLE}</style></head><body><header><b>nlp</b>{nav}</header>"
            f"{body}</body></html>")


def search_page(form: dict, hits: list[dict] | None, facets: list[tuple], error: str = "",
                documents: list[tuple[str, str]] | None = (), demo: bool = False) -> str:
    """The search page: the form (as submitted), then the hits and the facets, if any."""
    q = form.get("q", "")
    langs = set(form.get("lang", []))
    chips = "".join(f'<label class=chip><input type=checkbox name=lang value={lg}'
                    f'{" checked" if lg in langs else ""}> {lg} · {name}</label>'
                    for lg, name in LANG_NAMES.items())
    doc_choice = _document_choice(documents, form.get("doc", ""))
    k_options = "".join(f"<option{' selected' if str(k) == form.get('k', '10') else ''}>{k}"
                        "</option>" for k in (10, 20, 50, 100))
    mode_options = "".join(
        f"<option value='{m}'{' selected' if form.get('mode', '') == m else ''}>{label}</option>"
        for m, label in MODES)
    body = (
        "<form class=search method=get action=/>"
        f"<input name=q value='{e(q)}' placeholder='Ask in Kazakh, Russian or English' "
        "autofocus aria-label=Query> <button>Search</button>"
        f"<fieldset>{chips}</fieldset><fieldset>"
        f"{doc_choice} "
        f"<input name=year size=9 placeholder='2019-2022' value='{e(form.get('year', ''))}' "
        "aria-label=Year> "
        f"<input name=entity size=18 placeholder='LAW:law:477-IV' "
        f"value='{e(form.get('entity', ''))}' aria-label=Entity> "
        f"<input name=article size=6 placeholder='ст. 37' value='{e(form.get('article', ''))}' "
        "aria-label=Article> "
        f"<select name=k aria-label='Hits'>{k_options}</select> "
        f"<select name=mode aria-label=Mode>{mode_options}</select></fieldset></form>")
    if demo:
        body += ("<p class=meta>This is the bundled demo index of fictional documents; start "
                 "nlp serve with --index (or NLP_INDEX) for yours.</p>")
    if error:
        body += f"<p class=error>{e(error)}</p>"
    if hits is not None:
        body += f"<p class=meta>{len(hits)} hits for «{e(q)}»</p>" if hits else \
            "<p>No hits. Try other words, or fewer filters.</p>"
        body += "".join(_hit(h) for h in hits)
    aside = _facets(facets, form) if facets else ""
    return page(q or "Search", f"<main><section>{body}</section><aside>{aside}</aside></main>",
                "Search")


def _document_choice(documents: list[tuple[str, str]] | None, chosen: str) -> str:
    """A list of the documents, or (None: too many to list) a box for a doc_id."""
    if documents is None:
        return (f"<input name=doc size=22 placeholder='document id (all)' value='{e(chosen)}' "
                "aria-label=Document>")
    options = "".join(f"<option value='{e(d)}'{' selected' if d == chosen else ''}>"
                      f"{e(t)[:80]}</option>" for d, t in documents)
    return (f"<select name=doc aria-label=Document><option value=''>all documents</option>"
            f"{options}</select>")


def _hit(hit: dict) -> str:
    text, (start, end) = hit["text"], hit.get("best", (0, 0))
    snippet = (e(_before(text[:start])) + f"<mark>{e(text[start:end])}</mark>"
               + e(_after(text[end:])))
    place = f"#page={hit['page_start']}" if hit["path"].lower().endswith(".pdf") else ""
    also = ", ".join(f'<a href="/?{urlencode({"q": hit["_query"], "doc": d})}">{e(d)}</a>'
                     for d in hit.get("also_in", []))
    return (f"<div class=hit><h3>{e(hit['title'] or hit['doc_id'])}</h3>"
            f"<div class=cite>{e(hit['citation'])}</div><p>{snippet}</p>"
            f"<div class=meta>{e(hit['lang'])} · {e(hit['doc_id'])}"
            f"{' · ' + e(hit['section'])[:100] if hit.get('section') else ''} · "
            f"<a href='/file/{quote(hit['doc_id'])}{place}'>open the file at this place</a>"
            f"{' · also in: ' + also if also else ''}</div></div>")


def _before(text: str, room: int = 160) -> str:
    """The context before the marked sentence, its space to it kept."""
    gap = " " if text[-1:].isspace() else ""
    text = " ".join(text.split())
    return (("…" + text[-room:]) if len(text) > room else text) + (gap if text else "")


def _after(text: str, room: int = 240) -> str:
    gap = " " if text[:1].isspace() else ""
    text = " ".join(text.split())
    return (gap if text else "") + ((text[:room] + "…") if len(text) > room else text)


def _facets(facets: list[tuple], form: dict) -> str:
    out, seen = [], set()
    for label, title in FACETS:
        rows = [f for f in facets if f[0] == label][:12]
        if not rows:
            continue
        if title not in seen:
            out.append(f"<h4>{e(title)}</h4><ul>")
            seen.add(title)
        for _, key, text, n, canonical in rows:
            item = f"{e(text)} <span class=meta>({n})</span>"
            if canonical:  # a filter needs the entity's id
                args = {**{k: v for k, v in form.items() if k != "lang" and v},
                        "entity": f"{label}:{canonical}"}
                link = urlencode(args) + "".join(f"&lang={lg}" for lg in form.get("lang", []))
                item = f'<a href="/?{e(link)}" title="{e(key)}">{item}</a>'
            out.append(f"<li>{item}</li>")
        out.append("</ul>")
    return "".join(out)


def documents_page(rows: list[dict]) -> str:
    head = ("<tr><th>document</th><th>title</th><th>authors</th><th>year</th><th>language</th>"
            "<th>pages</th><th>chunks</th><th>act</th></tr>")
    body = "".join(
        f"<tr><td><a href='/file/{quote(r['doc_id'])}'>{e(r['doc_id'])}</a></td>"
        f"<td>{e(r['title'])}</td><td>{e(_names(r.get('authors')))}</td>"
        f"<td>{e(_year(r.get('year')))}</td><td>{e(r['lang'])}</td><td>{e(r['pages'])}</td>"
        f"<td>{e(r['chunks'])}{' (no text)' if not r['chunks'] else ''}</td>"
        f"<td><a href='/entities?label=LAW&doc={quote(r['doc_id'])}'>{e(r['act'] or '')}</a>"
        "</td></tr>" for r in rows)
    return page("Documents", f"<main><section><h2>{len(rows)} documents</h2>"
                             "<p><a href='/documents.csv'>Download CSV</a></p>"
                             f"<table>{head}{body}</table></section></main>", "Documents")


def _year(year) -> str:
    return str(int(year)) if isinstance(year, (int, float)) and year == year else ""


def _names(authors) -> str:
    """Authors from the JSON list the store keeps."""
    import json

    if not isinstance(authors, str):  # None, or NaN from a DataFrame
        return ""
    try:
        names = json.loads(authors)
    except ValueError:
        return authors
    return ", ".join(map(str, names)) if isinstance(names, list) else str(names)


def entities_page(groups: list[tuple], label: str, doc: str, documents: list[tuple] | None) -> str:
    labels = "".join(f"<option{' selected' if lab == label else ''}>{lab}</option>"
                     for lab in LABELS)
    query = urlencode({k: v for k, v in (("label", label), ("doc", doc)) if v})
    rows = "".join(
        f"<tr><td>{e(text)}</td><td><code>{e(key)}</code></td><td>{n}</td><td>{d}</td>"
        f"<td>{_search_link(label, canonical)}</td></tr>"
        for key, text, n, d, canonical in groups)
    return page("Entities", (
        "<main><section><form method=get action=/entities>"
        f"<select name=label aria-label=Label>{labels}</select> "
        f"{_document_choice(documents, doc)} <button>Show</button></form>"
        f"<p><a href='/entities.csv?{e(query)}'>Download CSV</a> (one row per mention)</p>"
        "<table><tr><th>entity</th><th>id</th><th>mentions</th><th>documents</th><th></th></tr>"
        f"{rows}</table></section></main>"), "Entities")


def _search_link(label: str, canonical: str | None) -> str:
    """A link to the passages that mention an entity (by its id)."""
    if not canonical:
        return ""
    args = urlencode({"q": canonical.split(":")[-1].strip('"'), "entity": f"{label}:{canonical}"})
    return f"<a href='/?{e(args)}'>passages</a>"
