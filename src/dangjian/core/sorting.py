"""Sort keys that put Chinese names in the order a Chinese reader expects: by pinyin (汉语拼音), tone, then character.

A list sorted by the stored key is sorted in SQL (and through an index), the same on SQLite and PostgreSQL: the
key is ASCII up to its tail, compared byte by byte (SQLite's BINARY collation; the C.UTF-8 collation of our
PostgreSQL databases, docs/deploy.md).

    王伟        -> "wang2.wei3 王伟"
    汪洋        -> "wang1.yang2 汪洋"      (first tone before second: 汪 before 王)
    第二党支部   -> "di4.0002.dang3.zhi1.bu4 第二党支部"   (with numbers=True: 第二 before 第三 before 第十)

Syllables end in their tone number (5 for the neutral tone) and are joined by "."; a blank and the name itself
follow, so that the same reading groups the same characters together, and a name sorts before its longer
namesakes (王伟 before 王伟强). Numbers (Arabic, or Chinese numerals after 第 or before 支部, 总支, 组) become
zero-padded digits, which sort before letters. People's names read their first character as a surname
(曾 zeng, 单 shan, 解 xie): pinyin dictionaries give the common reading (ceng, dan, jie).
"""

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

# Polyphonic characters read differently as a surname (the common ones; the dictionary reading is wrong here).
SURNAME_READINGS = {
    "曾": "zeng1", "单": "shan4", "解": "xie4", "仇": "qiu2", "朴": "piao2", "区": "ou1", "查": "zha1",
    "盖": "ge3", "覃": "qin2", "缪": "miao4", "翟": "zhai2", "薄": "bo2", "重": "chong2", "藏": "zang4",
    "任": "ren2", "华": "hua4", "纪": "ji3", "燕": "yan1", "都": "du1", "员": "yun4", "召": "shao4",
    "秘": "bi4", "隗": "wei3", "乐": "yue4", "种": "chong2", "能": "nai4", "尉": "yu4", "黑": "he4",
}

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL = "[〇零一二两三四五六七八九十百千]+"
# A Chinese numeral counts as a number after 第 (第三) or before a unit of a party organization (三支部, 二组).
_CHINESE_NUMBER_RE = re.compile(rf"(?<=第){_NUMERAL}|{_NUMERAL}(?=党?支部|党?总支|党?小?组)")
_ARABIC_NUMBER_RE = re.compile(r"[0-9]+")
_HAN_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_WIDTH = 4  # digits of a padded number: up to 9999 sorts right


def chinese_numeral_value(numeral: str) -> int:
    """二十一 -> 21, 一百零五 -> 105, 十 -> 10; digit by digit without units: 二〇二二 -> 2022."""
    if not any(unit in numeral for unit in _UNITS):
        return int("".join(str(_DIGITS[char]) for char in numeral))
    total, digit = 0, None
    for char in numeral:
        if char in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[char]
            digit = None
        else:
            digit = _DIGITS[char]
    return total + (digit or 0)


def _padded(number: int) -> str:
    return f"{number:0{_WIDTH}d}"


def sort_key(text: str | None, *, numbers: bool = False, person_name: bool = False, max_length: int = 255) -> str:
    """The sort key of a name (see the module's docstring). `numbers`: numerals sort by value (organizations);
    `person_name`: the first character is read as a surname."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    spelled = text
    if numbers:
        spelled = _CHINESE_NUMBER_RE.sub(lambda match: f" {_padded(chinese_numeral_value(match.group()))} ", spelled)
        spelled = _ARABIC_NUMBER_RE.sub(lambda match: f" {_padded(int(match.group()))} ", spelled)
    syllables = []
    if person_name and spelled[:1] in SURNAME_READINGS:
        syllables.append(SURNAME_READINGS[spelled[0]])
        spelled = spelled[1:]
    for piece in lazy_pinyin(spelled, style=Style.TONE3, neutral_tone_with_five=True):
        if _HAN_RE.match(piece):  # a character pypinyin does not know: keep it, after every reading
            syllables.append("~" + piece)
        else:  # pinyin, or a run of other characters: its words, lower-case, without punctuation
            syllables.extend(word for word in re.split(r"[^0-9a-z]+", piece.lower()) if word)
    return f"{'.'.join(syllables)} {text}"[:max_length]
