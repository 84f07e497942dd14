"""A spaCy ``kk`` language: Kazakh abbreviations, number words and a stem-like PREFIX.

spaCy ships no Kazakh class. This one keeps the multi-language punctuation rules, adds
abbreviations that end in a period ("ж.", "т.б.", "млн."), Kazakh number words for
``like_num``, and sets PREFIX to a word's first four letters: Kazakh is agglutinative,
so the stem says more than the first letter spaCy uses by default. The trained Kazakh
pipeline hashes PREFIX, so it must be loaded with this class registered (``register``).
"""

from __future__ import annotations

from typing import Any

ABBREVIATIONS = (
    "ж. жж. ғ. ғғ. т.б. т.с.с. т.с. б.з.б. б.з. млн. млрд. трлн. тг. сағ. мин. шақ. км. "
    "кг. см. мм. га. т. бб. тт. проф. акад. доц. док. обл. қ. ауд. к-сі. көш. ш.а. "
    "ҚР. мыс. жыл. ш. п."
).split()
NUMBER_WORDS = frozenset(
    "нөл бір екі үш төрт бес алты жеті сегіз тоғыз он жиырма отыз қырық елу алпыс жетпіс "
    "сексен тоқсан жүз мың миллион миллиард триллион жарты".split()
)
PREFIX_LENGTH = 4


def like_num(text: str) -> bool:
    """Digits, "1,5", "1/2" or a Kazakh number word in any case form ("екіге", "мыңнан")."""
    plain = text.replace(",", "").replace(".", "").replace("/", "")
    if plain.isdigit():
        return True
    low = text.lower()
    return any(low.startswith(w) and len(low) - len(w) <= 5 for w in NUMBER_WORDS)


def _prefix(text: str) -> str:
    return text[:PREFIX_LENGTH]


def register() -> None:
    """Register the ``kk`` language with spaCy (idempotent); import spaCy only here."""
    import spacy
    from spacy.attrs import LIKE_NUM, PREFIX
    from spacy.lang.punctuation import TOKENIZER_INFIXES
    from spacy.lang.tokenizer_exceptions import BASE_EXCEPTIONS
    from spacy.language import BaseDefaults, Language
    from spacy.symbols import ORTH
    from spacy.util import update_exc

    if "kk" in spacy.registry.languages.get_all():
        return
    exceptions = {a: [{ORTH: a}] for a in ABBREVIATIONS}
    exceptions |= {a.capitalize(): [{ORTH: a.capitalize()}] for a in ABBREVIATIONS}

    class KazakhDefaults(BaseDefaults):
        tokenizer_exceptions = update_exc(BASE_EXCEPTIONS, exceptions)
        infixes = [*TOKENIZER_INFIXES, r"(?<=[0-9])%(?=-)"]  # "15%-ке" -> 15 % -ке
        lex_attr_getters: dict[int, Any] = {LIKE_NUM: like_num, PREFIX: _prefix}

    class Kazakh(Language):
        lang = "kk"
        Defaults = KazakhDefaults

    spacy.registry.languages.register("kk", func=Kazakh)
