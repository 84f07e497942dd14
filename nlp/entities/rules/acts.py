"""Keys of legal acts: the canonical id of a citation, and a small registry of known acts.

The key is language-neutral. Kazakhstan numbers its laws and codes by parliament
convocation ("477-IV": the 477th act of the 4th convocation), so such a number names one
act: the key is ``type:number`` and a citation without its date still gets it. Other
numbers restart (government resolutions each year), so they need the date:
``type:number:date``; an unnumbered act with a full date is ``type:date``. The registry
(``nlp/data/acts.json``) links acts cited only by title ("Закон «О беженцах»",
"the Labour Code") and supplies their dates.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from nlp.data import DATA

REGISTRY = DATA / "acts.json"
DISTINCTIVE = re.compile(r"\d+-[IVXLC]+")
# Unnumbered acts that a full date identifies (there is one such treaty or law that day).
DATED_TYPES = frozenset({"law", "code", "treaty", "agreement", "convention", "compact",
                         "constitution", "constitutional_law"})
_STEM = 5
# A title may be cited under a neighbouring type: the 1995 decree "having the force of law"
# on foreigners is now called a law.
_SAME = {"law": ("law", "decree", "constitutional_law"), "decree": ("decree", "law"),
         "constitutional_law": ("constitutional_law", "law")}


@cache
def load_acts() -> tuple[dict[str, Any], ...]:
    """The act records of ``nlp/data/acts.json``."""
    with REGISTRY.open(encoding="utf-8") as f:
        return tuple(json.load(f))


def title_key(title: str) -> str:
    """Case- and ending-blind key of a title: each word cut to its first five letters."""
    words = re.findall(r"\w+", title.lower().replace("ё", "е").replace("i", "і"))
    return " ".join(w[:_STEM] for w in words)


@cache
def _by_title() -> dict[tuple[str, str], dict[str, Any]]:
    return {(act["type"], title_key(t)): act for act in load_acts()
            for titles in act["titles"].values() for t in titles}


def find_act(kind: str, number: str, date: str, title: str) -> dict[str, Any] | None:
    """The registry act this citation names, or None; number and date must not conflict."""
    for act in load_acts():
        if act["type"] == kind and number and act["number"] == number:
            return act if not date or len(date) < 10 or date == act["date"] else None
    key = title_key(title)
    act = next((a for k in _SAME.get(kind, (kind,)) if (a := _by_title().get((k, key)))), None)
    if act is None and kind == "constitution":
        act = next((a for a in load_acts() if a["type"] == "constitution"), None)
    if act and (number and act["number"] != number or len(date) == 10 and date != act["date"]):
        return None
    return act


def canonical_id(kind: str, number: str, date: str) -> str | None:
    """The act's key from its own parts, or None when they do not pin one act down."""
    if number and DISTINCTIVE.fullmatch(number):
        return f"{kind}:{number}"
    if number and len(date) == 10:
        return f"{kind}:{number}:{date}"
    if not number and len(date) == 10 and kind in DATED_TYPES:
        return f"{kind}:{date}"
    return None


def act_of_title(title: str) -> dict[str, Any] | None:
    """The registry act whose title in any language is ``title`` (a law, code or decree)."""
    for kind in ("law", "code", "decree", "resolution", "constitution"):
        act = _by_title().get((kind, title_key(title)))
        if act:
            return act
    return None
