"""The figure checks as a named, ordered list, and the debug view that says which decided."""

from __future__ import annotations

from nlp.entities.rules import figure_checks
from nlp.entities.rules.figures import explain, find_figures


def decisions(text: str, lang: str) -> dict[str, str]:
    return {number: decided for number, _, decided in explain(text, lang)}


def test_figure_checks_name_the_check_that_drops_a_number():
    found = decisions("Статья 97 Закона № 477-IV: в 2019 году квоту получили 1 500 человек.", "ru")
    assert found == {"97": "reference", "477": "code_or_number_sign", "2019": "year_or_duration",
                     "1 500 человек": "kept"}
    assert decisions("Жиын сағат 10-да басталды, 350-ге жуық адам келді.", "kk") == {
        "10": "age_or_time", "350": "kept"}


def test_figure_checks_keep_what_find_figures_keeps():
    text = "In 2021, 12,000 migrants and 5% of 300 workers; aged 35; call 112; articles 73 and 96."
    kept = [n for n, _, d in explain(text, "en") if d == "kept"]
    assert kept == [f.text for f in find_figures(text, "en")]


def test_figure_checks_run_in_their_listed_order():
    names = [c.__name__ for c in figure_checks.CHECKS]
    assert names[:3] == ["short_scale", "code_or_number_sign", "reference"]
    assert len(set(names)) == len(names) and all(c.__doc__ for c in figure_checks.CHECKS)
