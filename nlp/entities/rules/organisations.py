"""Does a name a statistical model tagged ORG look like an organisation?

On whole real documents most wrong ORG rows came from the NER models: fragments of a
ministry's name, persons, places, peoples and faiths ("Kazakh", "Islam"), platforms
("Telegram"), titles of works, markdown debris. A model ORG is kept when it names itself as
an organisation: a head word of the organisation kind in kk, ru or en (ministry, агентство,
университеті, archive...), or an acronym such as IOM or МВД; and it must be a name (it opens
with a capital, a digit or a quote), not a common noun ("правительство"). ORGs the agency
registry links are never judged here.
"""

from __future__ import annotations

import re

_EN = (r"ministry|ministries|agency|agencies|committee|commission|council|department|office"
       r"|service|authority|bureau|administration|government|parliament|senate|ma[jz]h?ilis"
       r"|court|prosecutor'?s?|police|akimat|university|institute|academy|college|school"
       r"|archives?|museum|library|cent(?:re|er)|foundation|fund|bank|association|union"
       r"|federation|organi[sz]ation|society|network|alliance|coalition|corporation|company"
       r"|group|holding|partnership|party|forum|chamber|board|secretariat|mission|embassy"
       r"|consulate|observatory|laboratory|lab|assembly|inc|ltd|llp|jsc|ngo|ombudsman")
_RU = (r"министерств\w*|агентств\w*|комитет\w*|комисси\w*|совет(?:а|у|ом|е)?|департамент\w*"
       r"|управлени\w*|служб\w*|ведомств\w*|бюро|администраци\w*|правительств\w*"
       r"|парламент\w*|сенат\w*|мажилис\w*|суд(?:а|у|ом|е|ы)?|прокуратур\w*|полици\w*"
       r"|акимат\w*|университет\w*|институт\w*|академи\w*|колледж\w*|школ\w*|архив\w*"
       r"|музе\w*|библиотек\w*|центр(?:а|у|ом|е|ы|ов)?|фонд\w*|банк\w*|ассоциаци\w*"
       r"|союз\w*|федераци\w*|организаци\w*|обществ\w*|альянс\w*|коалици\w*|корпораци\w*"
       r"|компани\w*|групп\w*|холдинг\w*|партнерств\w*|парти[яиюей]|форум\w*|палат\w*"
       r"|секретариат\w*|мисси[яиюей]|посольств\w*|консульств\w*|лаборатори\w*|ассамбле\w*"
       r"|тоо|ао|омбудсмен\w*|уполномоченн\w*")
_KK = (r"министрлі\w*|агенттіг\w*|агенттік\w*|комитет\w*|комиссия\w*|кеңес\w*"
       r"|департамент\w*|басқарма\w*|қызмет\w*|әкімдіг\w*|әкімшілі\w*|үкімет\w*"
       r"|парламент\w*|сенат\w*|мәжіліс\w*|сот(?:ы|қа|та|тың)?|прокуратура\w*|полиция\w*"
       r"|университет\w*|институт\w*|академия\w*|колледж\w*|мектеб\w*|мектеп\w*|мұрағат\w*"
       r"|мұражай\w*|кітапхана\w*|орталығ\w*|қор(?:ы|ының|ына|ымен)|банк\w*|қауымдастығ\w*"
       r"|одағ\w*|федерация\w*|ұйым\w*|қоғам\w*|корпорация\w*|компания\w*|холдинг\w*"
       r"|партия\w*|форум\w*|палата\w*|хатшылығ\w*|миссия\w*|елшілі\w*|зертхана\w*"
       r"|ассамблея\w*|уәкіл\w*")
HEADS = re.compile(rf"(?<![\w-])(?:{_EN}|{_RU}|{_KK})(?![\w-])", re.IGNORECASE)
# IOM, UNDP, МВД, ҚР ІІМ, ОБСЕ; "ЛГБТКИА+" and single letters are not
ACRONYM = re.compile(r"(?<![\w+])[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][A-ZА-ЯЁӘҒҚҢӨҰҮҺІ&]{1,5}(?![\w+])")
# ... nor identifiers, numerals, countries (РК, ҚР, США) and terms ("ИРС": foreign labour)
NOT_ACRONYMS = frozenset({"JEL", "DOI", "ISBN", "ISSN", "URL", "PDF", "ORCID", "II", "III",
                          "IV", "VI", "VII", "VIII", "IX", "XX", "XXI", "ЛГБТ", "LGBT", "РК",
                          "ҚР", "RK", "РФ", "RF", "США", "USA", "UK", "КНР", "PRC", "ИРС"})
_CAPS_WORD = re.compile(r"[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]{7,}")  # a heading set in capitals, not a name
_ARTICLE = re.compile(r"^(?:the|The|THE)\s+")


def looks_like_organisation(text: str) -> bool:
    """True when ``text`` (a model's ORG span) names an organisation (see the module)."""
    text = _ARTICLE.sub("", " ".join(text.split()))
    if not text or not (text[0].isupper() or text[0].isdigit() or text[0] in "«“\"'"):
        return False
    if HEADS.search(text):
        return True
    return not _CAPS_WORD.search(text) and any(
        m.group() not in NOT_ACRONYMS for m in ACRONYM.finditer(text))


def markup_end(text: str) -> int:
    """Where markdown link syntax starts inside a span ("Archive](/sources/x"): the span
    ends there; ``len(text)`` when there is none."""
    found = re.search(r"\]\(|\]\s*$|\[", text)
    return found.start() if found else len(text)
