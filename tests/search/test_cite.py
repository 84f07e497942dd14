"""Citations of hits: legal acts by article, papers by author and year; nothing invented."""

from __future__ import annotations

from nlp.search.cite import bibtex, citation


def test_cite_a_legal_act_by_its_article_in_the_language_of_the_text():
    assert citation(title="О беженцах", lang="ru", act="law:216-IV", article="12") == \
        "Закон РК № 216-IV «О беженцах», ст. 12"
    assert citation(title="Босқындар туралы", lang="kk", act="law:216-IV", article="12") == \
        "№ 216-IV Заң «Босқындар туралы», 12-бап"
    assert citation(title="On Refugees", lang="en", act="law:216-IV", article="12-1") == \
        "Law No. 216-IV “On Refugees”, Art. 12-1"


def test_cite_a_paper_with_what_its_metadata_holds():
    assert citation(title="Labour migration", lang="en", page_start=4, page_end=5,
                    authors='["A. Nasimova", "O. Yastrebova", "B. Three", "C. Four"]',
                    year=2021, journal="Central Asian Journal", doi="10.1/x") == (
        "A. Nasimova, O. Yastrebova, B. Three et al. (2021). Labour migration. "
        "Central Asian Journal, p. 4-5. doi:10.1/x")
    assert citation(title="A brief", lang="en", page_start=2, page_end=2) == "A brief. p. 2."
    assert citation(title="A brief", lang="en", year=2019) == "A brief (2019). p. 1."


def test_bibtex_entry_balances_braces():
    entry = bibtex("doc {1}", title="On {curly} titles", authors=["A. B", "C. D"], year=2020)
    assert entry.startswith("@misc{doc__1_,") and "author = {A. B and C. D}" in entry
    assert entry.count("{") == entry.count("}")
