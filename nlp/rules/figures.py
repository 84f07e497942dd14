"""Figures in kk/ru/en notation: PERCENT, MONEY, QUANTITY (people) or CARDINAL.

``value`` is a float with the scale applied (1,7 млн -> 1700000.0, "$1.2bn" -> 1.2e9); ``unit``
is one of persons (a noun counting people: "120 тұрғын", "35 специалистов", "10 police
officers"), families, percent, pp (percentage points), USD, KZT, EUR, RUB, GBP, MCI, tonnes,
hectares, km, m, sq_m, or None. A range ("10–15%",
"от 5 до 10 тыс. человек") is one entity: ``value`` is its lower bound and ``norm`` reads
"10..15 percent". Numbers in words count when they carry a unit or several words
("екі мың", "пятнадцать процентов", "two million"). Years, dates, document numbers
("№ 477-IV"), article and list numbers ("статья 97", "1) ..."), ages ("16 жаста", "aged 35",
"в возрасте 40 лет"), clock times ("09:00", "сағат 10-да", "10 a.m."), centuries ("в 15 веке")
and ordinals ("3rd", "5-й", "2-ші") are not figures.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from nlp.analysis import morph
from nlp.records import Entity
from nlp.rules.dates import KK_MONTH_NAMES, after_number_sign, find_dates
from nlp.rules.numbers import WORDS_RE, is_number_words, words_value

SOURCE = "rule:figures"

_SPACES = " \u00a0\u202f\u2009"  # thousands are grouped by a space, no-break or thin space
_NUM = (
    r"\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # 1,087,800 (English thousands)
    rf"|\d{{1,3}}(?:[{_SPACES}]\d{{3}})+(?![.,]\d{{3}})(?:[.,]\d+)?"  # 1 087 800
    r"|\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?"  # 1.087.800
    r"|\d+(?:[.,]\d+)?"  # 17540, 76.2, 76,2
)
_SCALES = {
    "thousand": 3, "тыс": 3, "тысяч": 3, "мың": 3,
    "million": 6, "mln": 6, "млн": 6, "миллион": 6,
    "billion": 9, "bn": 9, "млрд": 9, "миллиард": 9,
    "trillion": 12, "трлн": 12, "триллион": 12,
}
_KK = "а-яәғқңөұүһі"
_SCALE = (r"(?:thousand|million|mln|billion|bn|trillion|тыс\.?|тысяч[а-я]*|мың[" + _KK + r"]*"
          r"|млн\.?|млрд\.?|трлн\.?|миллион[" + _KK + r"]*|миллиард[" + _KK + r"]*"
          r"|триллион[" + _KK + r"]*)")
# Nouns that count people, for the unit "persons" ("48 жас маман", "5.69 million viewers"),
# with one modifier allowed between the number and the noun ("10 police officers", "300
# квалифицированных специалистов"). Stems that begin other words are fenced off: "мамандық"
# is a speciality, "тұрғын үй" housing, "балабақша" a kindergarten, "рабочих мест" jobs, and a
# Kazakh stem never takes a Russian "-ск-"/"-ич-" adjective ("туристско-рекреационных").
# Nationality plurals count people ("292 Iraqis died"); the invariant ones ("Chinese",
# "Kyrgyz") are as often adjectives ("3 Chinese companies"), so they count only before a
# verb, a preposition or punctuation.
_DEMONYMS_S = (
    "Kazakhstanis Uzbeks Uzbekistanis Kyrgyzstanis Tajiks Turkmens Russians Ukrainians Belarusians"
    " Afghans Afghanis Iraqis Syrians Iranians Pakistanis Indians Bangladeshis Americans Canadians"
    " Mexicans Germans Italians Spaniards Poles Turks Azerbaijanis Armenians Georgians Moldovans"
    " Mongolians Mongols Uighurs Uyghurs Koreans Tatars Kurds Arabs Palestinians Israelis Jews"
    " Yemenis Saudis Egyptians Libyans Somalis Ethiopians Eritreans Nigerians Kenyans Africans"
    " Europeans Asians Britons Australians Brazilians Chechens Dagestanis Kazaks Karakalpaks"
    " Filipinos Indonesians Thais Malaysians Latvians Lithuanians Estonians"
).split()
_DEMONYMS_SAME = "Chinese Japanese Vietnamese Lebanese Sudanese Kyrgyz Turkmen Swiss".split()
_DEMONYMS = ("(?-i:" + "|".join(sorted(set(_DEMONYMS_S), key=len, reverse=True)) + ")"
             r"|(?-i:" + "|".join(_DEMONYMS_SAME) + r")(?=\s*(?:[.,;:!?)]|$)|\s+(?:and|or|who"
             r"|were|are|was|is|have|had|died|killed|live[ds]?|living|work(?:ed|ing)?|arrived"
             r"|left|returned|remain(?:ed)?|in|at|on|from|to|with|among)\b)")
# Agent plurals in "-ors"/"-ers"/"-ists"/"-ians" that name people ("three arbitrators", "40
# investors", "12 lawyers"): listed, since the same endings name things ("5 containers", "3
# generators", "10 meters", "two lists"); ranks too ("two sergeants").
_EN_AGENTS = (
    r"(?:arbitr|administr|moder|educ|investig|negoti|legisl|demonstr|perpetr|collabor|facilit"
    r"|comment|spect|transl|evalu|innov|narr|cur|avi|coordin)ators"
    r"|(?:invest|don|act|auth|edit|direct|inspect|senat|govern|may|ambassad|council|counsel"
    r"|advis|audit|debt|contract|instruct|profess|tut|ment|supervis|sail|tail|janit|jur"
    r"|prosecut|survey|competit|conspirat|predecess|success|benefact|assess|execut|chancell"
    r"|emper|warri|conquer|spons)ors"
    r"|(?:lawy|manag|lead|own|sharehold|stakehold|taxpay|employ|buy|sell|driv|rid|firefight"
    r"|rescu|peacekeep|fight|attack|defend|protest|riot|loot|hunt|herd|trad|deal|bank|offend"
    r"|smuggl|traffick|kidnapp|blogg|follow|subscrib|support|winn|los|runn|swimm|box|wrestl"
    r"|skat|ski|climb|sing|danc|writ|paint|design|build|plumb|programm|develop|consum|train"
    r"|interpret|clean|wait|caregiv|car|worshipp|believ|villag|dwell|learn|research|report"
    r"|photograph|produc|observ|mourn|hostage-tak|shopp|travell|travel|commut|hik|campaign"
    r"|organis|organiz|partn|dock|soldi|minist|volunte|pione|engine|mountaine|auctione)ers"
    r"|(?:activ|art|scient|econom|terror|extrem|nation|separat|special|dent|pharmac|therap"
    r"|psycholog|physic|chem|biolog|ecolog|sociolog|tour|cycl|motor|novel|pian|guitar|violin"
    r"|column|lobby|islam|buddh|femin|social|commun|capital|loyal|royal|spiritual|natural"
    r"|environmental)ists"
    r"|(?:politic|physic|technic|electric|music|histor|librar|guard|custod|comed|magic"
    r"|mathematic|statistic|pediatric|paediatric|dietit|christ|civil|vegetar|veterinar|barbar"
    r"|equestr|pedestr|thesp|parliamentar|academic|clinic|beautic|optic|mortic|ruff)ians"
    r"|(?:ranger|sergeant|lieutenant|colonel|general|captain|corporal|marine|paratrooper"
    r"|commando|guard|cadet|recruit|conscript|veteran|cop|detective|agent|diplomat|surgeon"
    r"|physician|mechanic|chef|servant|slave|peasant|inhabitant|guest|host|pilot|scholar"
    r"|intern|trainee|apprentice|candidate|nominee|finalist|champion|opponent|rival|militant"
    r"|insurgent|rebel|suspect|criminal|gangster|priest|monk|nun|cleric|imam|bishop|pastor"
    r"|rabbi|friend|colleague|client|consultant|accountant|assistant|attendant|analyst|judge"
    r"|cook|pilgrim|neighbou?r|referee|servicemember|civil\s+servant)s"
)
_EN_NOT_MODIFIER = (r"(?:to|for|of|and|or|from|by|with|in|on|at|per|the|a|an|than|as|into"
                    r"|over|under|about|between|among|million|billion|thousand|years?)")
_PERSONS_EN = (
    rf"(?:(?!{_EN_NOT_MODIFIER}\s)[A-Za-z][a-z-]+\s+)?"
    r"(?:people|persons?|individuals|(?:ethnic\s+)?Kazakhs|kandas(?:es)?|oralmans?"
    r"|citizens|nationals|foreigners|refugees|migrants|immigrants|emigrants|workers|students"
    r"|residents|repatriates|returnees|children|pupils|pensioners|employees|staff"
    r"|officers|officials|teachers|doctors|nurses|women|men|boys|girls|adults"
    r"|babies|passengers|soldiers|troops|victims|survivors|members|participants|specialists"
    r"|experts|volunteers|tourists|visitors|voters|patients|inmates|prisoners|detainees"
    r"|asylum[\s-]seekers|applicants|graduates|fans|spectators|viewers|civilians|casualties"
    r"|farmers|entrepreneurs|MPs|lawmakers|deputies|delegates|athletes|players|users"
    r"|customers|listeners|readers|newcomers|settlers|labourers|laborers|miners|engineers"
    r"|scientists|researchers|journalists|police(?:men)?"
    # family, and "-men" compounds ("300 ANG Airmen", "two adult sons")
    r"|(?:(?:great-)?grand|step)?(?:sons|daughters|children|parents|fathers|mothers)"
    r"|brothers|sisters|wives|husbands|relatives|siblings|nephews|nieces|cousins|uncles|aunts"
    r"|twins|orphans|kids|infants|toddlers|teenagers"
    r"|(?:air|sea|service|gun|fisher|fire|chair|sales|crafts|business|congress|country|tribes"
    r"|clans|horse|gentle|fresh|line|guards|kins|militia|noble|states|sports|work|yeo|lay"
    r"|clergy|railway|hench|bow|marks|spokes|trades|watch|boat|coast|rifle)men"
    rf"|{_EN_AGENTS}|{_DEMONYMS})(?!['’])"  # not "men's clubs"
)
_RU_END = r"(?:а|ов|ам|ами|ах|ы|и)?(?![а-яё])"  # "врачей" is fenced from "врачебных"
_PERSONS_RU = (
    r"(?:(?!юридическ)[а-яё]+(?:ых|их|ые|ие|ым|им|ыми|ими)\s+){0,2}"
    r"(?:человек[а]?|чел\.|люд(?:ей|ям|ьми|и)|казах(?:ов|ам|ами|и|а)?|кандас[а-я]*"
    r"|оралман[а-я]*|граждан[а-я]*|иностранц[а-я]*|мигрант[а-я]*|иммигрант[а-я]*"
    r"|эмигрант[а-я]*|беженц[а-я]*|переселенц[а-я]*|студент[а-я]*|работник[а-я]*"
    r"|сотрудник[а-я]*|специалист[а-я]*|рабоч(?:их|ие|им|ими|ий|его)(?!\s+[а-яё])|лиц[а]?\b"
    r"|жител[а-я]*|репатриант[а-я]*|учащи[а-я]*|обучающи[а-я]*|школьник[а-я]*"
    r"|пенсионер[а-я]*|детей|дет(?:и|ям|ьми|ях)\b|реб[её]н(?:ок|ка|ку|ком|ке)\b"
    r"|женщин[а-я]*|мужчин[а-я]*|врач(?:а|ей|ам|ами|ах|и)?(?![а-яё])"
    r"|учител(?:ь|я|ей|ям|ями|ях)\b|педагог" + _RU_END + r"|пассажир" + _RU_END
    + r"|участник[а-я]*|пострадавш[а-я]*|погибш[а-я]*|ранен(?:ых|ые)\b|военнослужащ[а-я]*"
    r"|солдат" + _RU_END + r"|депутат" + _RU_END + r"|пациент" + _RU_END
    + r"|заключ[её]нн[а-я]*|осужд[её]нн[а-я]*|турист" + _RU_END + r"|волонт[её]р" + _RU_END
    + r"|предпринимател(?:ь|я|ей|ям|ями|ях)\b|фермер" + _RU_END
    + r"|выпускник[а-я]*|абитуриент[а-я]*|избирател[а-я]*|посетител[а-я]*|зрител[а-я]*"
    r"|слушател[а-я]*|безработн[а-я]*|член" + _RU_END + r"|супруг" + _RU_END
    + r"|сирот[а-я]*|инвалид" + _RU_END + ")"
)
_KK_PEOPLE = [  # (stem, what may not follow it)
    ("адам", ""), ("кісі", ""), ("тұрғын", r"\s+үй"), ("маман", "дық"), ("қызметкер", ""),
    ("жұмысшы", ""), ("жұмыскер", ""), ("еңбеккер", ""), ("оқушы", ""), ("оқытушы", ""),
    ("мұғалім", ""), ("ұстаз", "дық"), ("студент", "тік"), ("магистрант", ""),
    ("докторант", ""), ("түлек", ""), ("талапкер", ""), ("мигрант", ""), ("иммигрант", ""),
    ("эмигрант", ""), ("қандас", ""), ("оралман", ""), ("азамат", "тық"), ("шетелдік", ""),
    ("босқын", ""), ("бала", r"бақша|ма|лық|нс|лар\s+үй|лы\b"), ("әйел", ""), (r"ер\s+адам", ""),
    (r"ер\s+азамат", ""), ("зейнеткер", ""), ("дәрігер", "лік"), ("медбике", ""),
    ("жолаушы", ""), ("турист", "тік"), ("қатысушы", ""), ("депутат", "тық"),
    ("кәсіпкер", "лік"), ("фермер", "лік"), (r"әскери\s+қызметші", ""), ("сарбаз", ""),
    ("полицей", ""), ("тұлға", "лық"), ("науқас", ""), ("мүше", "лік"), ("жасөспірім", ""),
    ("нәресте", ""), ("сәби", ""), ("жетім", ""), ("ересек", ""), ("байқаушы", ""),
    ("үміткер", ""), ("ерікті", ""), (r"қоныс\s+аударушы", ""),
    (r"шетел\s+азамат", "тық"), (r"еңбек\s+мигрант", ""), (r"этникалық\s+қазақ", ""),
    ("брокер", ""), ("дилер", ""), ("агент", "тік"), ("инженер", "лік"), ("журналист", "тік"),
    ("офицер", ""), ("көрші", ""),
    # ranks and professions ("2 жас сержантты", "15 ғалым", "3 прокурор")
    ("сержант", ""), ("лейтенант", ""), ("капитан", ""), ("майор", ""), ("полковник", ""),
    ("генерал", "дық"), ("прапорщик", ""), ("ефрейтор", ""), ("судья", ""),
    ("прокурор", ""), ("адвокат", "ура"), ("ғалым", ""), ("ақын", ""), ("әнші", ""),
    ("бапкер", ""), ("фельдшер", "лік"), ("шахтер", ""), ("шахтёр", ""), ("профессор", ""),
    ("заңгер", ""), ("экономист", ""), ("министр", "лік"), ("директор", "ат"),
    ("менеджер", ""), ("әртіс", ""), ("артист", ""), ("ұшқыш", ""), ("қайраткер", ""),
    ("балуан", ""), ("шабандоз", ""), ("әкім", "дік|шілік|ият|ат"), ("дипломат", "ия"),
    ("тұтқын", ""), ("кепілгер", ""), ("қашқын", ""), (r"өрт\s+сөндіруші", ""),
    ("ардагер", ""), ("қонақ", r"\s*үй"),
]
_KK_CASE_END = ("(?:ға|ге|қа|ке|на|не|ны|ні|ды|ді|ның|нің|дың|дің|мен|бен|пен|дан|ден|нан|нен|тан"
                "|тен|да|де|та|те|нда|нде|сын|сін)?")
# Agent nouns in "-шы/-ші" count people ("12 ойыншы", "1617 құрылысшы", "40 сатушыға"); the stem
# has three letters or more ("пішін" is a shape) and is no ordinal ("бесінші", "жиырмасыншы").
_KK_AGENT = (r"(?!(?:бір|екі|үш|төрт|бес|алты|жеті|сегіз|тоғыз|он|жиырма|отыз|қырық|елу|алпыс"
             r"|жетпіс|сексен|тоқсан|жүз|мың)[сыі]*нш)"
             rf"[{_KK}]{{3,}}(?:шы|ші)(?:лар|лер)?(?:ы|і|сы|сі|лары|лері)?{_KK_CASE_END}"
             rf"(?![{_KK}])")
_KK_ONE_WORD = [stem for stem, _ in _KK_PEOPLE if stem.isalpha()]
# A noun before a people noun in the possessive names whose they are: "15 полиция қызметкері",
# "12 ауыл тұрғыны", "30 мектеп оқушысы" (not a time word: "10 жыл тұрғыны").
_KK_IZAFET = (rf"(?!(?:жыл|ай|күн|жас|сағат|апта|минут|мың|млн|млрд)[{_KK}]*\s)[{_KK}]{{3,}}\s+"
              rf"(?:{'|'.join(_KK_ONE_WORD)})"
              rf"(?:лар|лер)?(?:ы|і|сы|сі|лары|лері){_KK_CASE_END}(?![{_KK}])")
# One adjective may stand before the noun: listed ones, and relational ones in "-лық/-дік/-ғы"
# ("5 үздік ойыншы", "20 ауылдық мұғалім"), not a time or age word ("5 жылдық", "35 жастағы").
_KK_ADJ = (r"жас|жаңа|білікті|жергілікті|шетелдік|отандық|кәсіби|жұмыссыз|көпбалалы"
           r"|(?!(?:жыл|жас|ай|күн|апта|сағат|айлық|тәулік)[" + _KK + r"]*\s)[" + _KK + r"]{2,}"
           r"(?:лық|лік|дық|дік|тық|тік|ғы|гі|қы|кі)")
_PERSONS_KK = (
    rf"(?:(?:{_KK_ADJ})\s+)?(?:"
    + "|".join(f"{stem}(?!{not_after + '|' if not_after else ''}ск|ич)[{_KK}]*"
               for stem, not_after in _KK_PEOPLE)
    + rf"|жан\b|қазақ(?:тар[{_KK}]*)?)"
)
# Unit words, by the unit they stand for; tried in this order.
_UNITS: dict[str, str] = {
    "pp": r"percentage\s+points?|п\.\s?п\.|процентн[а-я]*\s+пункт[а-я]*"
          r"|пайыздық\s+тармақ[" + _KK + "]*",
    "percent": r"%(?:-?[" + _KK + r"]+)?|percent|per\s+cent|процент[" + _KK + r"]*|проц\.|пайыз["
               + _KK + "]*",
    "USD": r"(?:US\s+)?dollars?|USD|долл(?:\.|ар[" + _KK + r"]*)(?:\s+США)?|АҚШ\s+доллар[" + _KK
           + "]*",
    "KZT": r"тенге|теңге[" + _KK + r"]*|tenge|KZT|₸|тг\.",
    "EUR": r"euros?|EUR|евро|еуро[" + _KK + r"]*|€",
    "RUB": r"(?:Russian\s+)?r[ou]?ubles?|RUB|руб(?:л[а-я]*|\s?\.)?|₽",
    "GBP": r"pounds?\s+sterling|GBP|£|фунт[а-я]*\s+стерлинг[" + _KK + r"]*",
    "MCI": r"MCI|МРП|АЕК(?:-?[" + _KK + r"]+)?|monthly\s+calculation\s+ind[a-z]*"
           r"|месячн[а-я]*\s+(?:расч[её]тн[а-я]*\s+)?показател[а-я]*"
           r"|айлық\s+(?:есептік\s+)?көрсеткіш[" + _KK + "]*",
    "tonnes": r"tonnes?|tons?|тонн[а-я]*|тонна[" + _KK + "]*",
    "hectares": r"hectares?|гектар[" + _KK + r"]*|га\b",
    "km": r"kilomet(?:re|er)s?|km|километр[" + _KK + r"]*|км\b|шақырым[" + _KK + "]*",
    "sq_m": r"(?:кв\.\s?|квадратн[а-я]*\s+)м(?:етр[а-я]*|\.|\b)|м2|м²|m2|m²|sq\.?\s?m\b"
            r"|square\s+met(?:re|er)s?|шаршы\s+метр[" + _KK + "]*",
    # "м3", "метр текше" are cubic, "метро" a metro; a bare "m" after a number is as often
    # million: not here
    "m": r"met(?:re|er)s?|метр(?!о(?![вм]))[" + _KK + r"]*(?!\s+текше)|м(?![\w²³])",
    "families": r"(?:(?:young|poor|large)\s+)?(?:famil(?:y|ies)|households?)"
                r"|(?:(?:молод|многодетн|малоимущ)[а-я]*\s+)?(?:сем(?:ей|ьи|ья|ьям|ьями|ьях)"
                r"|домохозяйств[а-я]*)"
                r"|(?:(?:жас|көпбалалы|аз\s+қамтылған)\s+)?(?:отбасы|жанұя)[" + _KK + "]*",
    "persons": "|".join((_PERSONS_EN, _PERSONS_RU, _PERSONS_KK)),
}
# Kazakh text alone also reads agent nouns and "noun + possessive people noun" (a Russian
# "2019 года депутаты" is no such pair).
_UNITS_KK = _UNITS | {
    "persons": rf"{_UNITS['persons']}|(?:(?:{_KK_ADJ})\s+)?{_KK_AGENT}|{_KK_IZAFET}"}
_UNIT = "|".join(f"(?P<u_{name}>{pattern})" for name, pattern in _UNITS.items())
_UNIT_KK = "|".join(f"(?P<u_{name}>{pattern})" for name, pattern in _UNITS_KK.items())
_UNIT_START = "(?:" + "|".join(f"(?:{pattern})" for pattern in _UNITS.values()) + ")"
# "350-ге жуық адам", "600 мыңнан астам қандас": a Kazakh case ending or an "about" / "over"
# word between a number and its unit.
_APPROX = r"жуық|астам|артық|аса|шамасында|шақты"
# "2 млн-дай адам": an approximative or case ending on the scale word.
_UNIT_AFTER = re.compile(rf"(?:-(?:дай|дей|тай|тей|ға|ге|қа|ке|дан|ден|тан|тен|нан|нен))?"
                         rf"(?:\s+(?:{_APPROX}))?\s*(?:{_UNIT_KK})(?!\w)", re.IGNORECASE)
_PREFIX = {"US$": "USD", "$": "USD", "USD": "USD", "€": "EUR", "₸": "KZT", "KZT": "KZT",
           "£": "GBP"}
_TAILS = {unit: rf"(?:\s*(?P<scale>{_SCALE})(?!\w))?(?:\s*(?P<unit>{unit})(?!\w))?"
          for unit in (_UNIT, _UNIT_KK)}
_FIGURE_HEAD = (
    r"(?<![\w.,/:])(?<![^\W\d_]-)"  # not inside a word, number, time or code ("COVID-19")
    r"(?:(?P<cur>US\$|\$|€|£|₸|USD|KZT)\s?)?"
    r"(?:(?P<from>от|between)\s+)?"
    rf"(?P<num>{_NUM})(?:(?P<short>bn|mn|m|k)(?!\w)|(?P<suffix>-(?:ти|и|х|ми))(?=\s*{_UNIT_START})"
    rf"|(?=(?:{_SCALE}|km)(?!\w))|(?![\w]|[.,]\d|:\d))"  # "£11million", "45km": glued on
    # a range: "10–15", or "от 10 до 15" / "between 10 and 15" ("from 941 to 1,499" is a change)
    rf"(?:(?(from)\s+(?:до|and)\s+|\s*[-–—]\s*)(?P<num2>{_NUM})(?![\w]|[.,]\d))?"
)
_FIGURE = re.compile(_FIGURE_HEAD + _TAILS[_UNIT], re.IGNORECASE)
_FIGURE_KK = re.compile(_FIGURE_HEAD + _TAILS[_UNIT_KK], re.IGNORECASE)
_UNIT_ONLY = {kk: re.compile(rf"\s*(?:{u})(?!\w)", re.IGNORECASE)
              for kk, u in ((False, _UNIT), (True, _UNIT_KK))}
_WORD_FIGURES = {lang: re.compile(f"(?P<words>{rx.pattern})" + _TAILS[_UNIT_KK if lang == "kk"
                                                                    else _UNIT], re.IGNORECASE)
                 for lang, rx in WORDS_RE.items()}
# Years, ages and durations are dates ("3 года", "29 жастағы", "10 days"), not figures.
# Clock times are not figures either ("10 a.m.", "7 o'clock"), nor minutes and seconds, nor
# years before or of our era ("575 B. C."); a count of hours is, as the dev gold has it
# ("через сорок восемь часов").
_YEAR_WORD = re.compile(r"\s*(?:(?:рабочих|календарных|working|business|calendar)\s+)?"
                        r"(?:год|г\.|гг\.|жыл|ж\.|year|лет\b|жас|месяц|дн(?:я|ей)\b|days?\b"
                        r"|weeks?\b|months?\b|ай\b|күн|апта|век[а-я]*|ғасыр|centur|тәулі"
                        r"|minut|минут|секунд|seconds?\b|мин\.|сек\.|минөт"
                        r"|B\.?\s?C\.?(?:E\.?)?(?!\w)|A\.\s?D\.|до\s+н\.\s?э\.|б\.\s?з\.\s?[бд]\."
                        r"|o'clock|[ap]\.?m\.?(?!\w))",
                        re.IGNORECASE)
# A number after these is an age or a clock time: "aged 35", "в возрасте 40", "сағат 10-да".
_AGE_TIME_BEFORE = re.compile(r"(?<!\w)(?:aged|ages?|age\s+of|в\s+возрасте(?:\s+(?:от|до))?"
                              r"|сағат)\s*$", re.IGNORECASE)
# "в 10 часов (утра)" is a clock time, "через 48 часов" a count of hours.
_CLOCK_RU = re.compile(r"(?<!\w)в\s+$", re.IGNORECASE), re.compile(r"\s*час(?:а|ов)?\b")
# "John Smith, 45, said": a number set off by commas after a name is an age (English news).
_NAME_AGE = re.compile(r"[A-Z][a-z]+,\s$")
_CODE_SUFFIX = re.compile(r"[-–][^\W\d_]")  # "477-IV", "5-ти", "1-ші"
# A Kazakh ending after a hyphen keeps a number a number: a case ("366-ға", "4-ақ"), a possessive
# ("12-сінің": of twelve of them) or the collective "-еу" ("5-еуіне": to five of them).
# An "about"/"over" word may be glued on too ("50-астам кәсіпорын": over 50 firms).
_KK_CASE = re.compile(r"-(?=[^\W\d_])(?:астам|артық|аса|шақты|шамасы|дай|дей|тай|тей"
                      r"|(?:еу|ау|у)?(?:сы|сі|ы|і)?(?:ға|ге|қа|ке|на|не|да|де|та|те"
                      r"|нда|нде|дан|ден|тан|тен|нан|нен|ның|нің|дың|дің|тың|тің|ны|ні|ды|ді|ты"
                      r"|ті|н|ақ|ек|мен|бен|пен)?)(?![\w-])")
_ORDINAL_NEXT = re.compile(r"\s+\w*(?:ыншы|інші|ншы|нші)", re.IGNORECASE)
# Words after which a number is a reference, not a figure: "статья 97", "articles 73 and 96".
_REFERENCE = re.compile(
    r"(?<!\w)(?:articles?|art\.|sections?|paragraphs?|para\.|chapters?|items?|clauses?|pages?"
    r"|pp?\.|vol\.|volume|no\.|стат(?:ья|ьи|ье|ью|ьей|ей|ьям|ьями|ьях)|ст\.|пункт[а-я]*|п\.|пп\."
    r"|подпункт[а-я]*|глав[а-я]*|част[а-я]*|раздел[а-я]*|стр\.|том[а-я]*|абзац[а-я]*"
    r"|tables?|figures?|fig\.|annex(?:es)?|appendix|таблиц[а-я]*|приложени[а-я]*|рис\."
    r"|рисун[а-я]*|кесте[" + _KK + r"]*|сурет[" + _KK + r"]*|қосымша[" + _KK + r"]*)"
    r"\s*(?:\d+(?:[-–]\d+)?\s*(?:,|и|and|or|или|және)\s*)*$",
    re.IGNORECASE,
)
# Document types a number after names: "Resolution 2328", "резолюции 2334", "Decree 145".
_DOCUMENT_BEFORE = re.compile(
    r"(?<!\w)(?:resolutions?|decrees?|directives?|conventions?|protocols?|regulations?"
    r"|резолюци[а-я]*|постановлени[а-я]*|указ(?:а|у|ом|е|ы|ов)?|приказ(?:а|у|ом|е|ы|ов)?"
    r"|распоряжени[а-я]*|конвенци[а-я]*|протокол(?:а|у|ом|е|ы|ов)?|директив[а-я]*"
    r"|қаулы[" + _KK + r"]*|жарлы[ғқ][" + _KK + r"]*|бұйры[ғқ][" + _KK + r"]*)"
    r"\s*(?:\d+\s*(?:,|и|and|or|или|және)\s*)*$",
    re.IGNORECASE,
)
# An all-caps letter code names what follows it: "CTF 50", "USS Hopper (DDG 70)", "(L 12)".
# Currency and unit codes ("USD 500", "EUR 5", "МРП 10") and the words "A" / "I" are not codes.
_CODE_BEFORE = re.compile(r"(?<![\w.])(?-i:[A-ZА-ЯЁ]{1,5})[ \u00a0]$")
_NOT_CODES = frozenset("A I USD EUR KZT RUB GBP MCI CHF JPY CNY US UK МРП АЕК ПМ".split())
_MONTH = (r"(?:jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?|july?"
          r"|aug(?:ust|\.)?|sept?(?:ember|\.)?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?"
          r"|(?:январ|феврал|апрел|июн|июл|сентябр|октябр|ноябр|декабр|ма)[яеь]|марта?|августа?"
          rf"|(?:{KK_MONTH_NAMES})[{_KK}]*)(?!\w)")
# A day or a day range before a month is a date: "27-28 сентября", "5 - 6 April",
# "с 3 на 4 июня", "5 and 6 May"; and after an English month: "October 25 - 26".
_MONTH_AFTER = re.compile(rf"(?:\s*(?:на|по|и|до|and|to|or|&|[-–—])\s*\d{{1,2}})?\s*{_MONTH}",
                          re.IGNORECASE)
# A day after a Kazakh month in the genitive is a date: "Мамырдың 9-ы мен 12-сі аралығында".
_MONTH_GENITIVE = re.compile(
    r"(?<!\w)(?:қаңтар|ақпан|наурыз|сәуір|мамыр|маусым|шілде|тамыз|қыркүйек|қазан|қараша"
    r"|желтоқсан)(?:ның|нің|дың|дің|тың|тің)\s+(?:\d{1,2}(?:-[" + _KK + r"]+)?\s*"
    r"(?:мен|бен|пен|және|,|[-–—])\s*)*$", re.IGNORECASE)
_MONTH_BEFORE = re.compile(
    r"(?<!\w)(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)\s*$")
_FOOTNOTE = re.compile(r"\[\s*(?:\d+\s*[-–,]\s*)*$"), re.compile(r"\s*(?:[-–,]\s*\d+\s*)*\]")
# Telephone numbers: "888 - 847 - 6592", "8 (7172) 74-05-02", "+7 701 123 4567",
# "0800 555 111" (a leading zero).
_PHONE = re.compile(r"(?<![\w.,])(?:\+\d{1,3}[\s-]?(?:\(\d{2,5}\)|\d{2,5})(?:[\s-]?\d{2,4}){2,}"
                    r"|0\d{2,4}(?:[ -]\d{2,4}){2,}"
                    r"|(?:\d{1,3}\s?)?(?:\(\d{2,5}\)\s?)?\d{2,4}(?:\s?[-–]\s?\d{2,4}){2,})(?![\w.,]\d)")
_LIST_NUMBER = re.compile(r"(?:^|\n)[ \t#*-]*$")
_LIST_AFTER = re.compile(r" ?[.)]")
_SECTION = re.compile(r"\d+(?:\.\d+)+\.?[ \t]+[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]")  # "1.1 Heading", "2.3. Цели"
# A number glued by a hyphen to an adjective of its unit: "a 100-dollar bill", "100-долларовой
# купюры", "5-процентный", "a 25,000-strong crowd" (people, as "50 мың адамдық әскер"), "a
# 7.1-magnitude quake" (a figure without a unit of ours). Other "N-word" adjectives ("10-day",
# "35-year-old", "5-этажный") are no figures.
_GLUED_UNITS = {
    "USD": r"dollars?|доллар[а-я]*", "EUR": r"euros?|евро[а-я]+", "RUB": r"roubles?|rubles?"
    r"|рубл[её]в[а-я]*", "KZT": r"тенгов[а-я]*", "GBP": r"pounds?",
    "percent": r"per\s?cent|процентн[а-я]*", "km": r"kilomet(?:re|er)s?|km|километров[а-я]*",
    "m": r"met(?:re|er)s?|метров[а-я]*", "tonnes": r"tonnes?|tons?|тонн[а-я]*",
    "hectares": r"hectares?|гектарн[а-я]*", "persons": r"strong|man|person",
    "none": r"magnitude|fold|балльн[а-я]*",
}
_GLUED = re.compile(r"(?<![\w.,/:-])(?P<num>" + _NUM + r")(?:\s*(?P<scale>" + _SCALE + r"))?-(?:"
                    + "|".join(f"(?P<g_{k}>{v})" for k, v in _GLUED_UNITS.items())
                    + r")(?![\w-])", re.IGNORECASE)
_DIGIT_HYPHEN_WORD = re.compile(r"\d-[^\W\d_]")
# Speeds are no lengths: "140 км/ч", "60 km/h", "80 км/сағ", "90 километров в час".
_SPEED_AFTER = re.compile(r"\s*(?:/\s*(?:ч|час|h|hr|сағ|с|s|сек|sec)\b|в\s+(?:час|секунду)\b"
                          r"|per\s+(?:hour|second)\b|an\s+hour\b|жылдамдық)", re.IGNORECASE)
# A number that names a telephone service is none ("служба спасения 911", "call 112"), nor is a
# number alone in quotes («1406» нөмірі).
_SERVICE_BEFORE = re.compile(
    r"(?<!\w)(?:call|dial(?:led|ling)?|hotline|helpline|служб[а-я]*(?:\s+[а-яё]+)?|номер[а-я]*"
    r"|телефон[а-я]*(?:\s+доверия)?|горяч[а-я]+\s+лини[а-я]*|нөмір[" + _KK + r"]*"
    r"|телефон[" + _KK + r"]*)\s*[«\"“]?$", re.IGNORECASE)
_QUOTED_ALONE = re.compile(r"[«\"“]$"), re.compile(r"[»\"”]")
# "men aged 33, 34 and 39": every number of the list is an age.
_AGE_LIST = re.compile(r"(?<!\w)(?:aged|ages\s+of)\s*(?:\d{1,3}\s*(?:,|and|or|to|-|–)\s*)+$",
                       re.IGNORECASE)
# "the actor, 31, said": an age after a noun phrase for a person, with a determiner (English
# news); "the report, 31, 45 and 50" is a list.
_NOUN_AGE = re.compile(r"(?<!\w)(?:[Tt]he|[Aa]n?|[Hh]is|[Hh]er|[Tt]heir|[Oo]ur|[Ii]ts"
                       r"|[A-Z]\w+['’]s)\s+(?:[\w-]+\s+){0,3}(?=[a-z])[\w-]*(?:er|or|ist|ian|ess|ant|ent|man|boy|girl|wife|husband|son"
                       r"|daughter|mother|father|star|model|chief|suspect|victim|friend|partner"
                       r"|coach|mum|dad|mom|child|teen|pupil|guard|boss|judge|nurse|cop|chef)"
                       r",\s$")
# "Bellator 206", "on Channel 5", "BBC Radio 4": a capitalised word inside a sentence names what
# a number after it belongs to (English); "About 300" at a sentence start is a figure.
_NAME_NUMBER = re.compile(r"(?<=[\w,;:)] )(?-i:[A-Z][a-z]+) $")
# "34 млрд. т.", "12,5 млн т": after a scale word, "т" is tonnes ("т. е.", "т. д." are not).
_TONNES_AFTER_SCALE = re.compile(r"\s*т(?:\.|(?![\w.]))(?!\s?[а-яё]\.)")
# A number inside a short quoted name is part of it: «Саратовская 29», "Ақмола 7 Б",
# «4’33'», «1406»: an opening quote, then nothing or a capitalised name, and a closing quote
# within a few characters after the number.
_QUOTED_NAME = (re.compile(r"[«\"“](?:(?-i:[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ])[^\"«»“”\n]{0,40}[\s-])?$"),
                re.compile(r"[^\"«»“”\n\s]{0,6}(?:\s(?-i:[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ]{1,3}))?[»\"”]"))
# "4’33" (minutes and seconds), "5'11" (feet and inches): no figure.
_PRIME_AFTER = re.compile(r"[’′']\d")
_PRIME_BEFORE = re.compile(r"\d[’′']$")
# Clause numbers split by tokenisation: "9. 2 The Borrower", "Clause 9. 2, the Lender".
_CLAUSE_TAIL = re.compile(r"(?:\s+(?-i:[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ])|\s*,|\s*$)")
_CLAUSE_FIRST = re.compile(r"\.\s\d{1,3}(?![\d.,])")
_CLAUSE_SECOND = re.compile(r"(?<![\d.,])\d{1,3}\.\s$")
# "fifteen (15) days", "3 (three) years": the bracketed number repeats the other one.
_BRACKET_WORDS = re.compile(r"\s*\(([^\W\d_]+(?:[\s-][^\W\d_]+){0,3})\)")
_WORDS_BRACKET = re.compile(r"((?:[^\W\d_]+[\s-]){0,3}[^\W\d_]+)\s*\($")
# "28 or 29 days", "5 или 6 лет": the first of two alternatives before a duration.
_OR_NEXT = re.compile(r"\s*(?:or|и|или|немесе|не|and|және|to|до)\s+\d{1,4}(?![\d.,])",
                      re.IGNORECASE)
# "42 Ventures", "99 Designs": in Kazakh or Russian text a number before a Latin capitalised
# word belongs to a name.
_LATIN_NAME_AFTER = re.compile(r"\s(?-i:[A-Z][a-z]+)\b")
_LABELS = {"percent": "PERCENT", "pp": "PERCENT", "persons": "QUANTITY", "families": "QUANTITY",
           "tonnes": "QUANTITY", "hectares": "QUANTITY", "km": "QUANTITY", "sq_m": "QUANTITY",
           "m": "QUANTITY",
           None: "CARDINAL"}


def find_figures(text: str, lang: str | None = None) -> list[Entity]:
    """PERCENT/MONEY/QUANTITY/CARDINAL entities with ``value`` and ``unit``."""
    lang = lang or "und"
    dates = find_dates(text)
    rx = _FIGURE_KK if lang == "kk" else _FIGURE
    found = [f for m in rx.finditer(text) if (f := _figure(text, m, lang))]
    found += _glued_figures(text, found)
    found += _word_figures(text, lang, found)
    found.sort(key=lambda e: e.start)
    found = [f for f in found if not any(d.start <= f.start and f.end <= d.end for d in dates)]
    phones = [p.span() for p in _PHONE.finditer(text) if sum(c.isdigit() for c in p.group()) >= 7]
    found = [f for f in found if not any(a < f.end and f.start < b for a, b in phones)]
    return _share_units(text, found)


_SHARED_UNIT = re.compile(r"\s*(?:to|and|or|до|и|или|[-–—])\s*", re.IGNORECASE)


def _share_units(text: str, found: list[Entity]) -> list[Entity]:
    """"from 941 to 1,499 persons", "с 941 до 1 499 человек": the bare number shares the unit."""
    for i, (a, b) in enumerate(zip(found, found[1:], strict=False)):
        if a.unit is None and a.norm == f"{a.value:.15g}" and b.unit \
                and _SHARED_UNIT.fullmatch(text[a.end:b.start]) and _exponent_free(b):
            found[i] = Entity(a.start, a.end, b.label, a.text, f"{a.norm} {b.unit}", None,
                              a.value, b.unit, SOURCE)
    return found


def _exponent_free(e: Entity) -> bool:
    """True when a figure's text has no scale word ("1,499 persons", not "2 million")."""
    return not re.search(_SCALE, e.text, re.IGNORECASE)


def _figure(text: str, m: re.Match[str], lang: str) -> Entity | None:
    """The entity for one digit match, or None for a year, reference or document number."""
    unit = _unit(m)
    if unit in ("km", "m") and _SPEED_AFTER.match(text, m.end()):
        unit = None  # "140 км/ч" is a speed: a figure, not a length
    if m["short"] and m["short"].lower() != "bn" and not m["cur"]:
        return None  # "3m" is three metres as often as three million; "$3m" is money
    scale = m["scale"] or m["short"]
    plain = not (unit or scale)
    bare = plain and not m["num2"]
    case = _KK_CASE.match(text, m.end()) if bare and lang == "kk" else None
    if (_CODE_SUFFIX.match(text, m.end("num")) and not (case or m["suffix"])) \
            or after_number_sign(text, m.start()) or re.fullmatch(r"0\d+", m["num"]):
        return None  # "477-IV", "№ 5", "09" (of "09:00"), "0400"
    if _is_reference(text, m.start()) or (plain and _is_list_number(text, m)):
        return None
    if plain and (_is_name_or_date_part(text, m) or _is_service_number(text, m, lang)
                  or _is_quoted_clause_or_name(text, m, lang)):
        return None
    after = (case.end() if case else _skip_repeat(text, m, lang)) if bare else m.end()
    years = [g for g in ("num", "num2") if m[g] and _is_year(m[g])]
    if lang == "en" and unit in ("persons", "families") and years and not m["num2"] \
            and not scale and re.search(r"\s", m["unit"] or ""):
        return None  # "the 2004 tsunami victims": a year before a noun used as an adjective
    if plain and (len(years) == (2 if m["num2"] else 1) or _YEAR_WORD.match(text, after)
                  or ((alt := _OR_NEXT.match(text, after)) and _YEAR_WORD.match(text, alt.end()))):
        return None  # "2019", "between 1885 and 1935", "3 года", "3 – 4 жыл бұрын", "15 веке"
    if plain and _is_age_or_time(text, m, lang):
        return None
    if m["from"] and not m["num2"]:  # "от 5" alone: the figure starts at the number
        again = (_FIGURE_KK if lang == "kk" else _FIGURE).match(text, m.start("num"))
        return _figure(text, again, lang) if again else None
    values = [parse_number(m[g], lang) for g in ("num", "num2") if m[g]]
    if None in values or (len(values) == 2 and values[1] <= values[0]):
        return None  # "4-1)" is a list item, "2017-2021" a date (caught by the date rule)
    figure = _entity(text, m, [float(v.scaleb(_exponent(scale))) for v in values], unit)
    if case:  # the ending belongs to the number
        figure.end, figure.text = case.end(), text[figure.start:case.end()]
    elif after != m.end() and (tail := _UNIT_ONLY[lang == "kk"].match(text, after)):
        return _with_unit(text, figure, tail.end(), _unit(tail))  # "twelve (12) employees"
    if unit is None and scale and (tonnes := _TONNES_AFTER_SCALE.match(text, m.end())):
        return _with_unit(text, figure, tonnes.end(), "tonnes")
    if unit is None and lang == "ru":
        return _ru_people_after(text, figure)
    return _unit_after(text, figure) if lang == "kk" and unit is None else figure


def _is_name_or_date_part(text: str, m: re.Match[str]) -> bool:
    """"Resolution 2328", "CTF 50", "[1]", "27-28 сентября", "October 25 - 26": the number
    names a document, a ship or a footnote, or is a day of a date."""
    before = text[max(0, m.start() - 40):m.start()]
    if _DOCUMENT_BEFORE.search(before) or (_FOOTNOTE[0].search(before)
                                          and _FOOTNOTE[1].match(text, m.end())):
        return True
    code = _CODE_BEFORE.search(before)
    if code and code.group().strip() not in _NOT_CODES:
        return True
    days = [m[g] for g in ("num", "num2") if m[g]]
    if not all(d.isdigit() and 1 <= int(d) <= 31 for d in days):
        return False
    return bool(_MONTH_AFTER.match(text, m.end()) or _MONTH_BEFORE.search(before)
                or _MONTH_GENITIVE.search(before))


def _is_quoted_clause_or_name(text: str, m: re.Match[str], lang: str) -> bool:
    """«Саратовская 29», «4’33'», "9. 2 The Borrower", "42 Ventures": a number that is part of a
    quoted name, a time in primes, a clause number split by tokenisation or a Latin name."""
    if m["num2"] or not m["num"].isdigit():
        return False
    if _PRIME_AFTER.match(text, m.end()) or _PRIME_BEFORE.search(text, max(0, m.start() - 2),
                                                                  m.start()) or (
            _QUOTED_NAME[0].search(text, max(0, m.start() - 50), m.start())
            and _QUOTED_NAME[1].match(text, m.end())):
        return True
    if lang in ("kk", "ru") and _LATIN_NAME_AFTER.match(text, m.end()):
        return True
    first = _CLAUSE_FIRST.match(text, m.end())
    if first or _CLAUSE_SECOND.search(text, max(0, m.start() - 6), m.start()):
        return bool(_CLAUSE_TAIL.match(text, first.end() if first else m.end()))
    return False


def _skip_repeat(text: str, m: re.Match[str], lang: str) -> int:
    """Where the text after a number goes on, past a bracketed repeat of it in the other
    notation: "3 (three) years" and "fifteen (15) days" both read as "... years" / "... days"."""
    if lang not in WORDS_RE:
        return m.end()
    words = _BRACKET_WORDS.match(text, m.end())
    if words and words_value(words[1], lang) is not None:
        return words.end()
    if text[m.end():m.end() + 1] == ")" and text[m.start() - 1:m.start()] == "(":
        run = _WORDS_BRACKET.search(text, max(0, m.start() - 60), m.start())
        tokens = run[1].split() if run else []
        if any(words_value(" ".join(tokens[i:]), lang) is not None for i in range(len(tokens))):
            return m.end() + 1
    return m.end()


def _is_age_or_time(text: str, m: re.Match[str], lang: str) -> bool:
    """"aged 35", "в возрасте 40", "сағат 10-да", "Jane Doe, 45, said": not figures."""
    before = text[max(0, m.start() - 30):m.start()]
    if _AGE_TIME_BEFORE.search(before) or _AGE_LIST.search(before) or (
            _CLOCK_RU[0].search(before) and _CLOCK_RU[1].match(text, m.end())):
        return True
    return lang == "en" and m["num"].isdigit() and int(m["num"]) < 120 and not m["num2"] \
        and text[m.end():m.end() + 1] == "," and bool(
            _NAME_AGE.search(text, 0, m.start())
            or _NOUN_AGE.search(text, max(0, m.start() - 60), m.start()))


def _is_service_number(text: str, m: re.Match[str], lang: str) -> bool:
    """"служба спасения 911", «1406», "Channel 5", "Bellator 206": a number that names."""
    before = text[max(0, m.start() - 40):m.start()]
    if m["num2"] or not m["num"].isdigit():
        return False
    if _SERVICE_BEFORE.search(before) or (_QUOTED_ALONE[0].search(before)
                                          and _QUOTED_ALONE[1].match(text, m.end())):
        return True
    word = _NAME_NUMBER.search(before) if lang == "en" else None
    return bool(word) and not _MONTH_BEFORE.search(before)


def _unit_after(text: str, figure: Entity) -> Entity:
    """A Kazakh figure with its unit after a case ending or "жуық" ("350-ге жуық адам")."""
    m = _UNIT_AFTER.match(text, figure.end)
    unit = _unit(m) if m else None
    return figure if unit is None else _with_unit(text, figure, m.end(), unit)


def _with_unit(text: str, figure: Entity, end: int, unit: str) -> Entity:
    """The figure stretched to ``end`` with the unit found there."""
    return Entity(figure.start, end, _LABELS.get(unit, "MONEY"), text[figure.start:end],
                  f"{figure.norm} {unit}", None, figure.value, unit, SOURCE)


# Russian nouns that count people are too many to list ("кандидатов", "гостей", "сына"):
# pymorphy3 tells an animate noun. Animals are animate too, and "лицо" is also a legal entity.
_RU_WORD = re.compile(r"\s+([а-яё][а-яё-]*)")
_RU_NOT_PEOPLE = frozenset(w.replace("ё", "е") for w in (  # compared ё-folded
    "корова бык вол тёлка телёнок овца баран ягнёнок коза козёл лошадь конь кобыла жеребёнок "
    "свинья поросёнок птица курица петух цыплёнок гусь утка индейка верблюд як олень сайгак "
    "животное особь голова скот собака кошка кот кролик рыба осётр пчела насекомое зверь волк "
    "медведь лиса заяц мышь крыса комар муха микроб бактерия вирус организм лицо").split())
_RU_NOT_PERSON_TAGS = {"Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Inmx", "Abbr"}


_morph = morph  # one pymorphy3 analyzer per process (nlp.analysis.morph)


def _ru_people_end(text: str, end: int) -> int | None:
    """End of an animate noun counting people right after a Russian number ("27 кандидатов",
    "двух новых гостей"), up to two plural adjectives or participles in between; else None."""
    words, pos = [], end
    while len(words) < 3 and (w := _RU_WORD.match(text, pos)):
        words.append(w)
        pos = w.end()
    if not words:
        return None
    parses = [_morph().parse(w[1]) for w in words]
    for i, word_parses in enumerate(parses):
        nxt = parses[i + 1] if i + 1 < len(parses) else []
        if i < 2 and _is_plural_modifier(word_parses) and any(p.tag.POS == "NOUN" for p in nxt):
            continue
        return words[i].end() if _is_person_noun(word_parses) else None
    return None


def _is_plural_modifier(parses) -> bool:
    top = parses[0].tag
    return top.POS in ("ADJF", "PRTF") and "plur" in top


def _is_person_noun(parses) -> bool:
    """An animate common noun (not an animal), as pymorphy3's first guess or a likely one."""
    for i, p in enumerate(parses):
        if i and p.score < 0.4:
            break
        if p.tag.POS == "NOUN" and "anim" in p.tag and not (_RU_NOT_PERSON_TAGS & p.tag.grammemes):
            return p.normal_form.replace("ё", "е") not in _RU_NOT_PEOPLE
    return False


def _ru_people_after(text: str, figure: Entity) -> Entity:
    """A Russian figure with no unit, stretched over the animate noun it counts, if any."""
    end = _ru_people_end(text, figure.end)
    return figure if end is None else _with_unit(text, figure, end, "persons")


def _glued_figures(text: str, taken: list[Entity]) -> list[Entity]:
    """"a 100-dollar bill", "5-процентный рост", "a 25,000-strong crowd": the number with the
    unit its adjective names (the adjective stays out of the span)."""
    found: list[Entity] = []
    for hit in _DIGIT_HYPHEN_WORD.finditer(text):  # rare: look only around "5-w"
        window = _GLUED.finditer(text, max(0, hit.start() - 30), hit.end() + 40)
        m = next((g for g in window if g.end("num") == hit.start() + 1), None)
        if m is None or any(e.start < m.end() and m.start() < e.end for e in taken + found):
            continue
        unit = next(k[2:] for k, v in m.groupdict().items() if k.startswith("g_") and v)
        english = m[f"g_{unit}"].isascii()  # "25,000-strong" is English thousands
        value = parse_number(m["num"], "en" if english else "ru")
        if value is None:
            continue
        unit = None if unit == "none" else unit
        value = float(value.scaleb(_exponent(m["scale"])))
        end = m.end("scale") if m["scale"] else m.end("num")
        found.append(Entity(m.start(), end, _LABELS.get(unit, "MONEY"), text[m.start():end],
                            f"{value:.15g}" + (f" {unit}" if unit else ""), None, value, unit,
                            SOURCE))
    return found


def _word_figures(text: str, lang: str, taken: list[Entity]) -> list[Entity]:
    """Figures written in words, where they do not overlap a digit figure."""
    rx = _WORD_FIGURES.get(lang)
    found: list[Entity] = []
    for m in rx.finditer(text) if rx else ():
        if any(e.start < m.end() and m.start() < e.end for e in taken):
            continue
        unit = _unit(m)
        value = words_value(m["words"], lang)
        people = None
        if value is not None and unit is None and lang == "ru":
            people = _ru_people_end(text, m.end())
            if people is None and _is_collective_alone(text, m):
                people = m.end()  # "шестеро пострадали": six people
            unit = "persons" if people else None
        if value is None or not (unit or m["scale"] or is_number_words(m["words"], lang)):
            continue
        if _ORDINAL_NEXT.match(text, m.end("words")) or _YEAR_WORD.match(text, m.end()) \
                or (not unit and _AGE_TIME_BEFORE.search(text[max(0, m.start() - 30):m.start()])):
            continue  # "екі мың жиырмасыншы жылы" is a year, "он сегіз жыл" a duration
        figure = _entity(text, m, [float(value.scaleb(_exponent(m["scale"])))],
                         None if people else unit)
        if people:
            figure = _with_unit(text, figure, people, "persons")
        found.append(_unit_after(text, figure) if lang == "kk" and unit is None else figure)
    return found


_COLLECTIVE = re.compile(r"(?:дво|тро|четвер|пятер|шестер|семер|восьмер|девятер|десятер)(?:о|е)",
                         re.IGNORECASE)


def _is_collective_alone(text: str, m: re.Match[str]) -> bool:
    """A Russian collective numeral with no noun after it stands for people ("шестеро
    пострадали", "их было трое"); "двое суток" counts days."""
    if not _COLLECTIVE.fullmatch(m["words"]):
        return False
    nxt = _RU_WORD.match(text, m.end())
    return nxt is None or _morph().parse(nxt[1])[0].tag.POS not in ("NOUN", "ADJF", "PRTF", "NUMR")


def _entity(text: str, m: re.Match[str], values: list[float], unit: str | None) -> Entity:
    label = _LABELS.get(unit, "MONEY")
    norm = "..".join(f"{v:.15g}" for v in values) + (f" {unit}" if unit else "")
    # "1,7 млн." ends a sentence more often than it abbreviates: keep the period out.
    end = m.end() - 1 if m.group().endswith(".") and m["scale"] and not m["unit"] else m.end()
    return Entity(m.start(), end, label, text[m.start():end], norm, None, min(values), unit,
                  SOURCE)


def _unit(m: re.Match[str]) -> str | None:
    unit = next((k[2:] for k, v in m.groupdict().items() if k.startswith("u_") and v), None)
    return unit or _PREFIX.get((m.groupdict().get("cur") or "").upper())


def _is_reference(text: str, start: int) -> bool:
    return bool(_REFERENCE.search(text[max(0, start - 60):start]))


def _is_list_number(text: str, m: re.Match[str]) -> bool:
    """"1) ...", "4-1) ...", "2 ." or "## 2. Data" or "1.1 Heading" at the start of a line."""
    if not _LIST_NUMBER.search(text[:m.start()][-8:]):
        return False
    last = m.end("num2") if m["num2"] else m.end("num")
    return bool(_LIST_AFTER.match(text, last)) or bool(_SECTION.match(text, m.start()))


_SHORT_SCALES = {"k": 3, "m": 6, "mn": 6, "bn": 9}


def _exponent(scale: str | None) -> int:
    """Power of ten of a scale word in any case form ("млн.", "миллиона", "thousand", "bn")."""
    word = (scale or "").lower()
    if word in _SHORT_SCALES:
        return _SHORT_SCALES[word]
    return next((exp for stem, exp in _SCALES.items() if word.startswith(stem)), 0)


def _is_year(num: str) -> bool:
    return len(num) == 4 and num.isdigit() and 1800 <= int(num) <= 2099


def parse_number(raw: str, lang: str = "und") -> Decimal | None:
    """Decimal value of a number in kk/ru/en notation ("1,087,800", "76,2", "1 087 800")."""
    s = "".join(c for c in raw if c not in _SPACES)
    if "," in s and "." in s:  # the later separator is the decimal one
        decimal_comma = s.rfind(",") > s.rfind(".")
        s = s.replace(".", "").replace(",", ".") if decimal_comma else s.replace(",", "")
    elif s.count(",") > 1 or s.count(".") > 1:
        s = s.replace(",", "").replace(".", "")
    elif "," in s:
        head, tail = s.split(",")
        # "1,087" is a thousand in English, a decimal in Russian and Kazakh.
        s = head + tail if lang == "en" and len(tail) == 3 else f"{head}.{tail}"
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def read_figure(text: str, lang: str) -> tuple[float | None, str | None]:
    """(value, unit) of a span a model labelled as a number ("five", "$2 million"), if any."""
    found = [f for f in find_figures(text, lang) if f.value is not None]
    if not found:
        value = words_value(text.strip(" .,"), lang) if lang in WORDS_RE else None
        return (float(value), None) if value is not None else (None, None)
    best = max(found, key=lambda f: f.end - f.start)
    return best.value, best.unit
