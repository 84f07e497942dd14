"""Language of a text: ``kk``, ``ru``, ``en`` or ``und``, with a calibrated confidence.

langdetect has no Kazakh, so we give it one: profiles in langdetect's own format built from
our Kazakh, Russian and English training text (``nlp/data/langid/``, ``kk-Latn`` for Kazakh in
the Latin alphabets; ``scripts/build_langid.py``), loaded into a factory restricted to the
corpus languages and seeded. Letter evidence decides first, because it is decisive for most
blocks and costs microseconds:

- Kazakh-only letters (ә ғ қ ң ө ұ ү һ і, or a Latin "i" inside a Cyrillic word) in ordinary
  words mean Kazakh; in capitalised words they are names, which Russian text is full of.
- Cyrillic text with no Kazakh letter in its ordinary words and a Russian function word or
  ending is Russian (70 % of Kazakh words have a Kazakh-only letter; names aside).
- Latin text with an English function word and no Kazakh-Latin letter is English.

Quotations in another language do not count when enough text is left outside them. The rest
goes to langdetect with a prior from the same evidence. Confidences are the held-out accuracy
of the decision path by text length and langdetect probability (``calibration.json``).
"""

from __future__ import annotations

import bisect
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from nlp import data

LANGS = ("kk", "ru", "en")
UND = "und"
DATA = data.DATA / "langid"
SEED = 0

KK_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
# Letters of the 2018 (acute) and 2021 Kazakh Latin alphabets that English does not use
KK_LATIN = frozenset("áǵıńóúýäğñöşūüçÁǴŃÓÚÝÄĞÑÖŞŪÜÇ")
CYRILLIC_LANGS = frozenset({"kk", "ru", "uk", "bg", "mk", "be", "sr"})
OUR_PROFILES = frozenset({"kk", "ru", "en"})  # built alike by scripts/build_langid.py
_PROFILE_OF = {"kk": ("kk", "kk-Latn")}

# Frequent words that tell a language apart without any special letter
KK_PLAIN_WORDS = frozenset(
    "мен бен пен емес керек туралы бойынша немесе олар оны одан онда осы сол болып болды "
    "болады болатын болса болуы деп деген еді екен ма ме ба бе па пе ол тиіс тек те та де ал "
    "бар жылы жыл бері жатыр жатады отыр отырып алды алады айтты бастап егер арасында "
    "байланысты кезде келген берген сонымен жерде адам рет саны".split())
RU_WORDS = frozenset(
    "и в во на что с со по для от из к ко о об как это а но при за до также который "
    "которые которых года году его ее её их был была были было быть будет он она они мы же "
    "ли или так уже только между после более чем этом этого этой согласно том я ты вы где "
    "без нет все всё вот мне меня тебя есть очень можно нужно когда почему кто здесь там "
    "сейчас тоже ещё еще тут мой моя твой ваш наш себя свой чтобы если может того него ней "
    "них".split())
RU_ENDINGS = ("ого", "его", "ому", "ему", "ых", "ться", "тся", "ешь", "ость", "ции", "ый",
              "ий", "ая", "ое", "ые", "ыми", "ими", "ют", "ать", "ить", "йте")
EN_WORDS = frozenset(  # without words that are also Kazakh in Latin letters (on, at, men, is)
    "the of and to in that for it with was by are be this from or which have has were been "
    "will would their not no you he she they we his her its i a as all any may shall such "
    "other than then there these those into upon about after before more also can could "
    "should if but so do does did what who when where how my your our me him them us am".split())

_WORD = re.compile(r"[^\W\d_]+")
_LETTER = re.compile(r"[^\W\d_]")
_CYR = re.compile(r"[\u0400-\u04FF]")
_LAT = re.compile(r"[A-Za-z\u00C0-\u024F]")
_ASCII = re.compile(r"[A-Za-z]")
_CONTENT = re.compile(r"[0-9+=<>^*/\\|~±×÷√∑∫∂∞≈≠≤≥%$€£¥₸°′″#@&_]")  # digits, math, codes
_URL = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.]+")
_QUOTED = re.compile(r"«[^«»]*»|“[^“”]*”|„[^„“”]*[“”]|\"[^\"\n]*\"")
_NAME = re.compile(r"\b[ӘҒҚҢӨҰҮҺІА-ЯЁ][\w-]*[әғқңөұүһі][\w-]*|\b[ӘҒҚҢӨҰҮҺІ][\w-]*")
_KK_LATIN = re.compile(f"[{''.join(sorted(KK_LATIN))}]")
_Q_NOT_U = re.compile(r"[qQ](?![uU])")
_SENT_END = re.compile(r"(?<=[.!?…;:])[\"»”)\]]*\s+|\n+")
# Latin look-alikes typed inside Cyrillic words ("Бiлiм" with Latin i is common in Kazakh)
_HOMOGLYPHS = str.maketrans("aeopcxyiAEOPCXHKMTBI", "аеорсхуіАЕОРСХНКМТВІ")

MIN_LETTERS = 2  # fewer letters than this: nothing to tell
MIN_LETTER_SHARE = 0.4  # of letters + digits + symbols; below: numbers, formulas, codes
MIN_ASCII_SHARE = 0.6  # of Latin letters; below it Latin text is mojibake, not a language
MIN_MATRIX_LETTERS = 12  # letters (and half of all) left outside quotations to ignore them
KK_WORD_SHARE = 0.1  # ordinary words with Kazakh letters, of Cyrillic words: decisive kk
RU_MIN_LETTERS = 24  # with Kazakh names about: letters of other words for a decisive ru
NAME_ODDS = 3.0  # for kk when Kazakh letters appear only in capitalised words
KK_WORD_ODDS = 30.0  # per Kazakh function word without special letters (емес, туралы, ...)
WORD_ODDS = 10.0  # per Russian or English function word (or Russian ending)
KK_LATIN_PRIOR = 0.3  # Kazakh in Latin letters is rarer than English in this corpus
MIN_SCRIPT_SHARE = 0.25  # a sentence with this share of a second script does not split a block
NGRAM_MAX_CHARS = 600  # langdetect reads this much of a long text (its default is 10,000)


@dataclass(frozen=True)
class Guess:
    """A language decision: code, calibrated probability, and which rule made it."""

    lang: str
    p: float  # probability that ``lang`` is right; 0.0 for ``und`` (no claim)
    how: str  # kk-letters | ru-words | en-words | script | ngram | und
    raw: float = 1.0  # langdetect's own probability on the ngram path


_UNDECIDED = Guess(UND, 0.0, "und")


@dataclass(frozen=True)
class Segment:
    """``text[start:end]`` is in language ``lang`` (with probability ``p``)."""

    start: int
    end: int
    lang: str
    p: float


@dataclass(frozen=True)
class Evidence:
    """Letter and word counts that decide most texts before any n-gram model runs."""

    cyr: int
    lat: int
    other: int  # letters of other scripts
    content: int  # digits and symbols
    ascii: int
    cyr_words: int
    kk_words: int  # ordinary (not capitalised) Cyrillic words with a Kazakh-only letter
    kk_names: int  # capitalised ones or acronyms: names, common in Russian text too
    plain: int  # letters of Cyrillic words without a Kazakh-only letter (or a Kazakh word)
    plain_words: int
    kk_marks: int  # Kazakh function words without special letters
    ru_marks: int  # Russian function words and endings
    en_marks: int  # English function words
    longest: int  # letters of the longest word
    kk_latin: int  # Kazakh-Latin letters, and q not followed by u

    @property
    def letters(self) -> int:
        return self.cyr + self.lat + self.other

    @property
    def script(self) -> str:
        if 2 * self.cyr >= self.lat + self.other:
            return "cyrillic"  # Latin words in Cyrillic text are names and terms, rarely not
        return "latin" if self.lat >= self.other else "other"


def detect_language(text: str) -> str:
    """Return ``kk``, ``ru``, ``en`` or ``und`` for one text."""
    return detect_batch([text])[0]


def detect_batch(texts: Iterable[str]) -> list[str]:
    """Language codes for many texts."""
    return [g.lang for g in get_identifier().identify_batch(texts)]


def detect_with_confidence(text: str) -> tuple[str, float]:
    """``(lang, p)``: the language and the calibrated probability that it is right."""
    guess = get_identifier().identify(text)
    return guess.lang, guess.p


@lru_cache(maxsize=8)
def get_identifier(langs: tuple[str, ...] = LANGS, seed: int = SEED) -> LanguageIdentifier:
    """A shared identifier for these languages (profiles load on first use)."""
    return LanguageIdentifier(langs, seed=seed)


class LanguageIdentifier:
    """Letter rules, then a langdetect factory restricted to ``langs`` for the rest."""

    def __init__(self, langs: Sequence[str] = LANGS, seed: int = SEED,
                 prior: Mapping[str, float] | None = None, min_confidence: float = 0.0):
        if len(set(langs)) < 2:
            raise ValueError(f"Need at least two languages, got {langs!r}; e.g. ('kk', 'ru', 'en')")
        self.langs = tuple(langs)
        self.seed = seed
        self.prior = {lang: float((prior or {}).get(lang, 1.0)) for lang in self.langs}
        self.min_confidence = min_confidence
        self.calibration = _load_calibration()
        self._factories: dict[tuple[str, ...], object] = {}

    def identify(self, text: str) -> Guess:
        """The language of ``text`` with a calibrated probability."""
        return self.decide(text)[0]

    def decide(self, text: str) -> tuple[Guess, Evidence]:
        """``identify``, with the evidence of the whole (normalised) text."""
        text = normalize(text)
        ev = evidence(text)
        matrix = matrix_text(text)  # without quotations in another language, if decisive
        guess = self._by_letters(evidence(matrix)) if matrix != text else None
        if guess is None or guess.lang == UND:
            guess = self._by_letters(ev) or self._by_ngrams(text, ev)
        if guess.lang != UND and guess.p < self.min_confidence:
            guess = Guess(UND, 0.0, guess.how, guess.raw)
        return guess, ev

    def identify_batch(self, texts: Iterable[str]) -> list[Guess]:
        """``identify`` for many texts, in order."""
        return [self.identify(t) for t in texts]

    def candidates(self, script: str) -> tuple[str, ...]:
        """Our languages written in ``script`` (Kazakh is written in both)."""
        cyrillic = {lang for lang in self.langs if lang in CYRILLIC_LANGS}
        if script == "cyrillic":
            return tuple(sorted(cyrillic))
        if script == "latin":
            return tuple(sorted(set(self.langs) - cyrillic | ({"kk"} & set(self.langs))))
        return tuple(sorted(set(self.langs) - cyrillic))

    def _by_letters(self, ev: Evidence) -> Guess | None:
        if (ev.letters < MIN_LETTERS or ev.letters < MIN_LETTER_SHARE * (ev.letters + ev.content)
                or (ev.longest < 3 and ev.content)):
            return _UNDECIDED  # numbers, formulas (E = mc^2), URLs, too short to tell
        if ev.script == "latin" and ev.ascii < MIN_ASCII_SHARE * ev.lat:
            return _UNDECIDED  # mojibake from a broken font encoding
        candidates = self.candidates(ev.script)
        if candidates == ("kk",) and ev.script == "latin" and not ev.kk_latin:
            return _UNDECIDED  # Latin text, and no Latin language but Kazakh to choose from
        if len(candidates) <= 1:
            return self._calibrated(candidates[0], "script", ev) if candidates else _UNDECIDED
        rivals = set(candidates) - {"kk"}
        if "kk" not in candidates or len(rivals) != 1:
            return None
        if ev.script == "cyrillic":
            if ev.kk_words and ev.kk_words >= KK_WORD_SHARE * ev.cyr_words:
                return self._calibrated("kk", "kk-letters", ev)
            if (rivals == {"ru"} and not ev.kk_words and not ev.kk_marks and ev.ru_marks
                    and (ev.plain >= RU_MIN_LETTERS or not ev.kk_names)):
                return self._calibrated("ru", "ru-words", ev)
        elif rivals == {"en"} and ev.en_marks and not ev.kk_latin:
            return self._calibrated("en", "en-words", ev)
        return None

    def _by_ngrams(self, text: str, ev: Evidence) -> Guess:
        from langdetect.lang_detect_exception import LangDetectException

        candidates = self.candidates(ev.script)
        detector = self._factory(candidates).create()
        detector.set_prior_map(self._prior(candidates, ev))
        detector.set_max_text_length(NGRAM_MAX_CHARS)
        if ev.script == "cyrillic" and ev.ru_marks and not ev.kk_words + ev.kk_marks:
            text = _NAME.sub(" ", text)  # Kazakh names in Russian say nothing of the language
        detector.append(text.lower() if text.isupper() else text)
        try:
            probs = detector.get_probabilities()
        except LangDetectException:  # no n-gram of any profile in the text
            return _UNDECIDED
        if not probs:
            return _UNDECIDED
        lang = "kk" if probs[0].lang.startswith("kk") else probs[0].lang
        return self._calibrated(lang, "ngram", ev, probs[0].prob)

    def _prior(self, candidates: tuple[str, ...], ev: Evidence) -> dict[str, float]:
        """The corpus prior times the odds the letter and word evidence gives."""
        prior = {}
        for lang in candidates:
            odds = self.prior.get(lang, 1.0) * _evidence_odds(lang, ev, self._kk_plain_rate)
            for name in _PROFILE_OF.get(lang, (lang,)):
                prior[name] = max(odds, 1e-9)
        return prior

    @property
    def _kk_plain_rate(self) -> float:
        return float(self.calibration.get("kk_plain_word_rate", 0.35))

    def _factory(self, candidates: tuple[str, ...]):
        if candidates not in self._factories:
            self._factories[candidates] = _make_factory(candidates, self.seed)
        return self._factories[candidates]

    def _calibrated(self, lang: str, how: str, ev: Evidence, raw: float = 1.0) -> Guess:
        return Guess(lang, calibrate(self.calibration, how, ev.letters, raw), how, raw)


def _evidence_odds(lang: str, ev: Evidence, kk_plain_rate: float) -> float:
    """Relative odds for ``lang`` from letters and function words (naive Bayes, capped)."""
    if ev.script == "cyrillic" and lang == "kk":
        odds = KK_WORD_ODDS ** min(ev.kk_marks, 3) * WORD_ODDS ** min(ev.kk_words, 3)
        if not ev.kk_words:  # Kazakh without a Kazakh letter gets rarer with every word
            odds *= kk_plain_rate ** ev.plain_words * (NAME_ODDS if ev.kk_names else 1.0)
        return odds
    if ev.script == "cyrillic" and lang == "ru":
        return WORD_ODDS ** min(ev.ru_marks, 3)
    if ev.script == "latin" and lang == "kk":
        return KK_LATIN_PRIOR * WORD_ODDS ** min(ev.kk_latin, 3)
    if ev.script == "latin" and lang == "en":
        return WORD_ODDS ** min(ev.en_marks, 3)
    return 1.0


def normalize(text: str) -> str:
    """Drop URLs and e-mails; turn Latin look-alikes inside Cyrillic words into Cyrillic."""
    text = _URL.sub(" ", text)
    if not (_CYR.search(text) and _ASCII.search(text)):
        return text

    def fix(m: re.Match) -> str:
        word = m.group()
        if _CYR.search(word) and _ASCII.search(word):
            return word.translate(_HOMOGLYPHS)
        return word

    return _WORD.sub(fix, text)


def matrix_text(text: str) -> str:
    """``text`` without its quotations, when enough is left to tell its language by."""
    if not _QUOTED.search(text):
        return text
    rest = _QUOTED.sub(" ", text)
    left = count_letters(rest)
    enough = left >= MIN_MATRIX_LETTERS and 2 * left >= count_letters(text)
    return rest if enough else text


def count_letters(text: str) -> int:
    """Letters of any script."""
    return len(_LETTER.findall(text))


def evidence(text: str) -> Evidence:
    """Count scripts, Kazakh letters in ordinary words and in names, and function words."""
    chars = _char_classes(text)
    counts: Counter[str] = Counter()
    words = Counter(_WORD.findall(text))  # each distinct word once
    for word, n in words.items():
        low = word.lower()
        if not "\u0400" <= word[0] <= "\u04ff":
            if low in EN_WORDS:
                counts["en_marks"] += n
            continue
        counts["cyr_words"] += n
        if low in KK_PLAIN_WORDS:
            counts["kk_marks"] += n
        elif KK_LETTERS.isdisjoint(word):
            counts["plain"] += n * len(word)
            counts["plain_words"] += n
            if low in RU_WORDS or (len(low) > 4 and low.endswith(RU_ENDINGS)):
                counts["ru_marks"] += n
        elif word[0].isupper() and (not word.isupper() or len(word) <= 4):
            counts["kk_names"] += n  # Titlecase or an acronym: a name, common in Russian text
        else:
            counts["kk_words"] += n
    counts["longest"] = max(map(len, words), default=0)
    q_not_u = len(_Q_NOT_U.findall(text)) if chars["q"] else 0  # Qazaqstan, but also Iraq
    kk_latin = chars["kk_latin"] + (q_not_u if q_not_u > 1 else 0)
    return Evidence(cyr=chars["cyr"], lat=chars["lat"], other=chars["other"],
                    content=chars["content"], ascii=chars["ascii"], kk_latin=kk_latin,
                    **{k: counts[k] for k in (
                        "cyr_words", "kk_words", "kk_names", "plain", "plain_words", "kk_marks",
                        "ru_marks", "en_marks", "longest")})


def _char_classes(text: str) -> Counter[str]:
    """Letters by script, ASCII letters, Kazakh-Latin letters, digits and symbols."""
    out: Counter[str] = Counter()
    for ch, n in Counter(text).items():  # each distinct character once
        out[_char_class(ch)] += n
        if ch in KK_LATIN:
            out["kk_latin"] += n
        if ch in "qQ":
            out["q"] += n
        if "A" <= ch <= "z" and ch.isalpha():
            out["ascii"] += n
    return out


@lru_cache(maxsize=4096)
def _char_class(ch: str) -> str:
    if _CYR.match(ch):
        return "cyr" if ch.isalpha() else "none"
    if _LAT.match(ch):
        return "lat" if ch.isalpha() else "none"
    if ch.isalpha() and ch != "_":
        return "other"
    return "content" if _CONTENT.match(ch) else "none"


def calibrate(table: Mapping, how: str, letters: int, raw: float = 1.0) -> float:
    """Held-out accuracy of decisions like this one (path, length bin, model probability)."""
    path = table.get("paths", {}).get(how)
    if not path:
        return min(raw, 0.99)  # uncalibrated: the model's own figure, capped
    cell = f"{bin_of(table['letter_edges'], letters)},{bin_of(table['p_edges'], raw)}"
    return float(path["cells"].get(cell, path["p"]))


def bin_of(edges: Sequence[float], value: float) -> int:
    """Index of the bin ``[edges[i-1], edges[i])`` holding ``value``."""
    return bisect.bisect_right(edges, value)


def segment_languages(text: str, identifier: LanguageIdentifier | None = None,
                      min_letters: int = MIN_MATRIX_LETTERS) -> list[Segment]:
    """Split ``text`` into runs of one language, at sentence (or line) boundaries.

    Segments tile ``text`` exactly, in order; a text in one language is one segment, with
    ``detect_language(text)``. Sentences too short to tell (fewer than ``min_letters``
    letters), in two scripts, or ``und`` join the run after them (a list number or a heading
    goes with what follows; at the end, with what precedes); equal neighbours merge.
    """
    ident = identifier or get_identifier()
    whole, ev = ident.decide(text)
    spans = _sentence_spans(text) if may_mix(ev, min_letters) else []
    if len(spans) < 2:
        return [Segment(0, len(text), whole.lang, whole.p)]
    segs = [Segment(s, e, *_sentence_language(text[s:e], ident, min_letters)) for s, e in spans]
    runs = _runs(segs) if any(s.lang != UND for s in segs) else []
    if len(runs) < 2:
        return [Segment(0, len(text), whole.lang, whole.p)]
    return [_rescored(run, text, ident) for run in runs]


def _sentence_language(sentence: str, ident: LanguageIdentifier, min_letters: int
                       ) -> tuple[str, float]:
    """A sentence's language, or ``und`` (it joins a neighbour) when it is too short or written
    in two scripts: a Russian sentence about "Macro -> Start Recording" is not English."""
    guess, ev = ident.decide(sentence)
    if ev.letters < min_letters or min(ev.cyr, ev.lat) >= MIN_SCRIPT_SHARE * ev.letters:
        return UND, guess.p
    return guess.lang, guess.p


def may_mix(ev: Evidence, min_letters: int = MIN_MATRIX_LETTERS) -> bool:
    """Whether a text may hold sentences of two languages (cheap test before splitting)."""
    both_scripts = ev.cyr >= min_letters and ev.lat >= min_letters
    return both_scripts or (ev.kk_words > 0 and (ev.ru_marks > 1 or ev.plain_words > 8))


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans that tile ``text``; each keeps its trailing whitespace."""
    spans, start = [], 0
    for m in _SENT_END.finditer(text):
        if m.end() > start:
            spans.append((start, m.end()))
            start = m.end()
    if start < len(text) or not spans:
        spans.append((start, len(text)))
    return spans


def _runs(segs: list[Segment]) -> list[list[Segment]]:
    """Group sentences into runs of one language; ``und`` ones join the next known one."""
    following, nxt = [], UND
    for s in reversed(segs):  # the next known language after each sentence
        nxt = s.lang if s.lang != UND else nxt
        following.append(nxt)
    runs: list[list[Segment]] = []
    for s, after in zip(segs, reversed(following), strict=True):
        lang = after if after != UND else runs[-1][0].lang
        if runs and runs[-1][0].lang == lang:
            runs[-1].append(s)
        else:
            runs.append([Segment(s.start, s.end, lang, s.p)])
    return runs


def _rescored(run: list[Segment], text: str, ident: LanguageIdentifier) -> Segment:
    start, end, lang = run[0].start, run[-1].end, run[0].lang
    guess = ident.identify(text[start:end]) if len(run) > 1 else None
    p = guess.p if guess and guess.lang == lang else min(s.p for s in run)
    return Segment(start, end, lang, p)


def document_languages(blocks: Iterable[tuple[str, str]], min_share: float = 0.02,
                       min_letters: int = 200) -> tuple[str, list[str]]:
    """Main language and the languages present, from a document's ``(text, lang)`` pairs.

    Languages are ranked by letters. One counts when it holds ``min_share`` of the letters
    or ``min_letters`` letters, so one misread heading does not add a language.
    """
    counts: Counter[str] = Counter()
    for text, lang in blocks:
        if lang != UND:
            counts[lang] += count_letters(text)
    ranked = [lang for lang, n in counts.most_common() if n]
    if not ranked:
        return UND, []
    floor = min(min_share * sum(counts.values()), min_letters)
    return ranked[0], [lang for lang in ranked if counts[lang] >= floor]


@lru_cache(maxsize=1)
def _load_calibration() -> dict:
    path = DATA / "calibration.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def _make_factory(candidates: tuple[str, ...], seed: int):
    """A seeded langdetect factory holding only the profiles of ``candidates``."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    profiles = []
    for lang in candidates:
        for name in _PROFILE_OF.get(lang, (lang,)):
            path = (DATA / f"{name}.json" if lang in OUR_PROFILES
                    else Path(PROFILES_DIRECTORY) / name)
            if not path.exists():
                raise FileNotFoundError(
                    f"No language profile {path}. Rebuild: python -m scripts.build_langid")
            profiles.append(path.read_text(encoding="utf-8"))
    factory = DetectorFactory()
    factory.load_json_profile(profiles)
    factory.set_seed(seed)
    return factory
