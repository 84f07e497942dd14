"""What the commands share: the error wrapper and the search options of ``nlp search`` and
``nlp shell`` (click only, no command imported here, so ``nlp.app.cli`` and
``nlp.app.serve`` import it without a cycle)."""

from __future__ import annotations

import errno
import sqlite3
import sys
from functools import wraps

import click

from nlp.text.printable import printable

MODES = ("dense", "keyword", "hybrid")  # as nlp.search.request.MODES (kept light: no numpy here)


def index_option(func):
    """``--index``, defaulting to ``nlp.index.layout.default_index`` ($NLP_INDEX, a config
    file, else the bundled demo)."""
    def resolve(ctx, param, value):
        from nlp.errors import UserError
        from nlp.index.layout import default_index

        try:
            return value or default_index()
        except UserError as err:  # a bad config file: one line, as every mistake
            click.echo(printable(f"Error: {err}", one_line=True), err=True)
            sys.exit(1)

    return click.option(
        "--index", default=None, callback=resolve,
        help="Index folder [default: $NLP_INDEX, else index = \"...\" in ./nlp.toml or "
             "~/.config/nlp/config.toml, else indexes/default, the bundled demo].")(func)


def demo_note(index, demo: bool | None = None) -> None:
    """One line on stderr when ``index`` is the bundled demo of fictional documents
    (``demo``: already known, from ``nlp.index.layout.holds_demo`` of the open index)."""
    from nlp.index.layout import INDEX_ENV, is_demo

    if is_demo(index) if demo is None else demo:
        click.echo(f"Note: {index} is the bundled demo index (fictional sample documents); "
                   f"name yours with --index, {INDEX_ENV} or nlp.toml", err=True)


def friendly(func):
    """Print a user mistake or a known failure as one line and exit 1; no traceback."""
    @wraps(func)
    def wrapper(*args, **kwargs):
        from nlp.errors import NlpError

        try:
            return func(*args, **kwargs)
        except NlpError as err:
            click.echo(printable(f"Error: {err}", one_line=True), err=True)
            sys.exit(1)
        except (OSError, sqlite3.OperationalError) as err:
            if not _disk_full(err):
                raise
            click.echo("Error: the disk is full (or over quota); free some space and run the "
                       "command again: what was saved before is intact, and an ingest goes on "
                       "from its last checkpoint", err=True)
            sys.exit(1)
    return wrapper


def _disk_full(err: Exception) -> bool:
    """True for "no space left" from the OS or SQLite ("database or disk is full")."""
    if isinstance(err, OSError):
        return err.errno in (errno.ENOSPC, errno.EDQUOT)
    return "disk is full" in str(err)


def with_search_options(func):
    """Add the options of one ``nlp.search.request.SearchRequest`` to a command."""
    options = [
        click.option("-k", "k", default=10, show_default=True, type=int,
                     help="Number of hits (per language with --by-lang)."),
        click.option("--mode", default=None, type=click.Choice(MODES),
                     help="Meaning (dense), exact terms (keyword) or both fused (hybrid) "
                          "[default: hybrid]."),
        click.option("--lang", default=None,
                     help="Only chunks in these languages: kk, ru, en or several (kk,ru)."),
        click.option("--doc", default=None, help="Only chunks of this document id."),
        click.option("--year", default=None, help="Only documents of this year or range "
                     "(2021, 2019-2022), from their metadata."),
        click.option("--entity", "entities", multiple=True, metavar="LABEL:ID",
                     help="Only chunks mentioning this entity, e.g. LAW:law:477-IV or "
                          "ORG:kz.mlsp (repeat: all of them; ids from nlp entities)."),
        click.option("--article", default=None,
                     help="Only this article of a legal act (37, 19-1); with --doc or "
                          "--entity LAW:..."),
        click.option("--no-collapse", is_flag=True,
                     help="Keep chunks that nearly repeat a better hit."),
        click.option("--by-lang", is_flag=True,
                     help="The best k hits in each language, grouped by language."),
        click.option("--no-expand", is_flag=True,
                     help="Search other languages without the query's glossary terms "
                          "(faster: one pass of the model)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def request_options(mode, lang, doc, year, entities, article, no_collapse, by_lang,
                    no_expand) -> dict:
    """Keyword arguments of ``Index.search`` from the options of ``with_search_options``."""
    return {"mode": mode, "lang": lang, "doc": doc, "year": year,
            "entity": list(entities) or None, "article": article, "collapse": not no_collapse,
            "by_lang": by_lang, "expand": not no_expand}
