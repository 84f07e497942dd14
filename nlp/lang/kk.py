"""Kazakh: letters, sounds, case and other endings, month names.

Kazakh stacks endings in a fixed order (stem + plural + possessive + case). An ending's first
consonant follows the sound before it (``-да`` after a vowel or voiced consonant, ``-та``
after a voiceless one) and its vowel follows the stem's (back ``-ға``, front ``-ге``), so each
case has several forms. ``alternation`` makes a regex group of a set of endings.
"""

from __future__ import annotations

LETTERS = "а-яәғқңөұүһі"  # a regex character range of the Cyrillic Kazakh alphabet
VOWELS = frozenset("аәеиоөұүыіуэюя")
VOICELESS = frozenset("пфкқтсшщхцчһ")
UNVOICE = {"г": "к", "ғ": "қ", "б": "п"}  # a final consonant voiced before a vowel ending

GENITIVE = ("ның", "нің", "дың", "дің", "тың", "тің")
DATIVE = ("ға", "ге", "қа", "ке")
DATIVE_AFTER_POSSESSIVE = ("на", "не")  # "қаласына": to his city
ACCUSATIVE = ("ны", "ні", "ды", "ді", "ты", "ті")
LOCATIVE = ("да", "де", "та", "те", "нда", "нде")
ABLATIVE = ("дан", "ден", "тан", "тен", "нан", "нен")
INSTRUMENTAL = ("мен", "бен", "пен")
CASES = GENITIVE + DATIVE + ACCUSATIVE + LOCATIVE + ABLATIVE + INSTRUMENTAL
EQUATIVE = ("ша", "ше")  # "қазақша": in the Kazakh way
RELATIVE = ("дағы", "дегі", "тағы", "тегі", "ндағы", "ндегі")  # "қаладағы": the one in the city

PLURAL = ("лар", "лер", "дар", "дер", "тар", "тер")
POSSESSIVE_3 = ("ы", "і", "сы", "сі")  # his, her, its, their
POSSESSIVE = ("ы", "і", "сы", "сі", "ым", "ім", "ың", "ің", "ымыз", "іміз", "мыз", "міз",
              "ыңыз", "іңіз", "ңыз", "ңіз", "лары", "лері", "дары", "дері", "тары", "тері")
CASE_AFTER_POSSESSIVE_3 = ("ның", "нің", "на", "не", "н", "нда", "нде", "нан", "нен", "мен")
APPROXIMATIVE = ("дай", "дей", "тай", "тей")  # "2 млн-дай": about 2 million
COLLECTIVE = ("еу", "ау", "у")  # "бесеу": the five of them
ABOUT = ("астам", "артық", "аса", "жуық", "шамасында", "шақты")  # over, about (after a number)

# Month names, as the stems their case forms are built on ("қыркүйегінде": in September).
MONTHS = ("қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз",
          "қыркүйек", "қазан", "қараша", "желтоқсан")
MONTH_STEMS = tuple(m[:-1] + "[кг]" if m.endswith("к") else m for m in MONTHS)


def alternation(endings) -> str:
    """A regex group ``(?:...)`` of the endings, longest first."""
    return "(?:" + "|".join(sorted(dict.fromkeys(endings), key=len, reverse=True)) + ")"
