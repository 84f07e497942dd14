"""What a figure looks like: numbers, scale words, units and the nouns that count people, in
kk, ru and en, compiled into the patterns ``nlp.entities.rules.figures`` searches with."""

from __future__ import annotations

import re

from nlp.entities.rules.numbers import WORDS_RE
from nlp.lang import kk

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
_KK = kk.LETTERS
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
_KK_CASE_END = kk.alternation(kk.CASES + kk.DATIVE_AFTER_POSSESSIVE + ("сын", "сін")) + "?"
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
_APPROX = "|".join(kk.ABOUT)
# "2 млн-дай адам": an approximative or case ending on the scale word.
_UNIT_AFTER = re.compile(rf"(?:-{kk.alternation(kk.APPROXIMATIVE + kk.DATIVE + kk.ABLATIVE)})?"
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
# "34 млрд. т.", "12,5 млн т": after a scale word, "т" is tonnes ("т. е.", "т. д." are not).
_TONNES_AFTER_SCALE = re.compile(r"\s*т(?:\.|(?![\w.]))(?!\s?[а-яё]\.)")
_LABELS = {"percent": "PERCENT", "pp": "PERCENT", "persons": "QUANTITY", "families": "QUANTITY",
           "tonnes": "QUANTITY", "hectares": "QUANTITY", "km": "QUANTITY", "sq_m": "QUANTITY",
           "m": "QUANTITY",
           None: "CARDINAL"}
