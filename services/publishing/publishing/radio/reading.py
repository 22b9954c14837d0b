"""Text as a loudspeaker reads it (văn bản đọc trên loa): numbers, dates, money, percentages and the
domain's abbreviations spelled out in Vietnamese words, so that a speech engine says them right.

A speech engine reads ``UBND`` as three English letters and ``15/3/2025`` as three bare numbers;
a listener hears neither. Everything here is pure: the abbreviations come as data
(``data/abbreviations.toml``), and the rules follow how a commune's radio reads a text:

- numbers in the northern way: 21 "hai mươi mốt", 24 "hai mươi tư", 25 "hai mươi lăm",
  105 "một trăm linh năm", 2026 "hai nghìn không trăm hai mươi sáu", 1.140.000 "một triệu một trăm
  bốn mươi nghìn"; a decimal comma is "phẩy": 1,5 "một phẩy năm";
- dates: 05/3/2026 "ngày mùng năm tháng ba năm hai nghìn không trăm hai mươi sáu" ("ngày" once);
- money: 1.140.000 đồng (or đ, VNĐ) "một triệu một trăm bốn mươi nghìn đồng";
- percentages: 12,5% "mười hai phẩy năm phần trăm";
- a document's number: 45/QĐ-UBND "số bốn mươi lăm của Ủy ban nhân dân" ("số" once);
- Roman numerals after quý, khóa, lần, giai đoạn: quý IV "quý bốn"; "thứ 1" "thứ nhất", "thứ 4" "thứ tư";
- ranges of years: 2021-2025 "hai nghìn không trăm hai mươi mốt đến hai nghìn không trăm hai mươi lăm".
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Mapping
from functools import cache
from importlib import resources

__all__ = ["Abbreviations", "default_abbreviations", "number_words", "read_aloud"]

_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
_GROUPS = ["", "nghìn", "triệu", "tỷ", "nghìn tỷ", "triệu tỷ"]
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}
_ROMAN |= {"XI": 11, "XII": 12, "XIII": 13, "XIV": 14, "XV": 15, "XX": 20}

Abbreviations = Mapping[str, str]


def _tens_and_units(tens: int, units: int, *, after_hundreds: bool) -> list[str]:
    words: list[str] = []
    if tens == 0:
        if units:
            words += (["linh"] if after_hundreds else []) + [_DIGITS[units]]
        return words
    words.append("mười" if tens == 1 else f"{_DIGITS[tens]} mươi")
    if units == 1 and tens > 1:
        words.append("mốt")
    elif units == 4 and tens > 1:
        words.append("tư")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(_DIGITS[units])
    return words


def _three(value: int, *, full: bool) -> list[str]:
    """Words of 0–999; ``full`` says the hundreds even when zero (a group after a higher one)."""
    hundreds, rest = divmod(value, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    words += _tens_and_units(tens, units, after_hundreds=bool(hundreds or full))
    return words


def number_words(value: int) -> str:
    """A whole number in words: 2026 → "hai nghìn không trăm hai mươi sáu"."""
    if value < 0:
        return "âm " + number_words(-value)
    if value == 0:
        return "không"
    groups = []
    while value:
        value, group = divmod(value, 1000)
        groups.append(group)
    if len(groups) > len(_GROUPS):
        return " ".join(_DIGITS[int(d)] for d in str(value))
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        words += _three(group, full=bool(words))
        if _GROUPS[index]:
            words.append(_GROUPS[index])
    return " ".join(words)


def _decimal_words(whole: str, fraction: str) -> str:
    text = number_words(int(whole))
    if fraction:
        # Read as a number when it has no leading zero (1,25 "một phẩy hai mươi lăm"), else digit by digit.
        said = (
            number_words(int(fraction)) if not fraction.startswith("0") else " ".join(_DIGITS[int(d)] for d in fraction)
        )
        text += f" phẩy {said}"
    return text


def _number_of(text: str) -> tuple[str, str]:
    """A written number as (whole, fraction): 1.140.000 → ("1140000", ""); 12,5 → ("12", "5")."""
    whole, _, fraction = text.partition(",")
    return whole.replace(".", ""), fraction


def _day(value: int) -> str:
    return f"mùng {number_words(value)}" if value <= 10 else number_words(value)


_MONTHS = {4: "tư"}


def _month(value: int) -> str:
    return _MONTHS.get(value, number_words(value))


_NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_DATE = re.compile(r"(?<![\w/])(ngày\s+)?(\d{1,2})/(\d{1,2})/(\d{4})(?![\w/])", re.IGNORECASE)
_MONTH_YEAR = re.compile(r"(?<![\w/])(tháng\s+)(\d{1,2})/(\d{4})(?![\w/])", re.IGNORECASE)
_YEARS = re.compile(r"(?<![\w/.,])((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})(?![\w/])")
_MONEY = re.compile(rf"(?<![\w.,])({_NUMBER})\s*(đồng|đ|VNĐ|VND)(?!\w)")
_PERCENT = re.compile(rf"(?<![\w.,])({_NUMBER})\s*%")
_DOCUMENT = re.compile(
    r"(?<![\w/])(số\s+)?(\d{1,5})/(?:(\d{4})/)?([A-ZĐ][A-Za-zĐđ0-9]*(?:-[A-ZĐ][A-Za-zĐđ0-9]*)*)(?![\w/])"
)
_DOCUMENT_KINDS = {"QĐ", "KH", "TTr", "NQ", "NĐ", "TT", "CT", "TB", "BC", "CV", "HD", "QC"}
_ORDINAL = re.compile(r"\b(thứ)\s+(\d{1,2})\b")
_ROMAN_AFTER = re.compile(r"\b(quý|khóa|khoá|lần|giai đoạn|Quý|Khóa|Lần|Giai đoạn)\s+([IVX]{1,4})\b")
_PLAIN = re.compile(rf"(?<![\w.,/])({_NUMBER})(?![\w/])")
_TIME = re.compile(r"(?<![\w:])(\d{1,2})\s*(?:h|giờ|:)\s*(\d{2})(?:\s*phút)?(?![\w:])")


def _document(match: re.Match[str], abbreviations: Abbreviations) -> str:
    """45/QĐ-UBND, 152/2025/NĐ-CP: the number, its year, and the body that issued it when the suffix
    names one ("số bốn mươi lăm của Ủy ban nhân dân")."""
    said = f"số {number_words(int(match.group(2)))}"
    if match.group(3):
        said += f" năm {number_words(int(match.group(3)))}"
    parts = match.group(4).split("-")
    # The first part names the kind of document (QĐ, KH, NĐ) unless it is the only one and names
    # who issued it (06/2022/QH15).
    named = parts[1:] if len(parts) > 1 or parts[0] in _DOCUMENT_KINDS else parts
    issuers = [abbreviations[p] for p in named if p in abbreviations]
    if issuers:
        said += " của " + " ".join(issuers)
    return said


def _dated(match: re.Match[str]) -> str:
    ngay = match.group(1).strip() if match.group(1) else "ngày"
    day, month, year = (int(match.group(i)) for i in (2, 3, 4))
    return f"{ngay} {_day(day)} tháng {_month(month)} năm {number_words(year)}"


def read_aloud(text: str, abbreviations: Abbreviations | None = None) -> str:
    """The text as a loudspeaker should say it; spacing tidied, NFC."""
    table = abbreviations if abbreviations is not None else default_abbreviations()
    text = unicodedata.normalize("NFC", text)
    text = _DATE.sub(_dated, text)
    text = _MONTH_YEAR.sub(
        lambda m: f"{m.group(1).strip()} {_month(int(m.group(2)))} năm {number_words(int(m.group(3)))}", text
    )
    text = _DOCUMENT.sub(lambda m: _document(m, table), text)
    text = _YEARS.sub(lambda m: f"{number_words(int(m.group(1)))} đến {number_words(int(m.group(2)))}", text)
    text = _MONEY.sub(lambda m: f"{_decimal_words(*_number_of(m.group(1)))} đồng", text)
    text = _PERCENT.sub(lambda m: f"{_decimal_words(*_number_of(m.group(1)))} phần trăm", text)
    text = _TIME.sub(lambda m: f"{number_words(int(m.group(1)))} giờ {number_words(int(m.group(2)))} phút", text)
    text = _ORDINAL.sub(lambda m: f"{m.group(1)} {_ordinal(int(m.group(2)))}", text)
    text = _ROMAN_AFTER.sub(lambda m: f"{m.group(1)} {number_words(_ROMAN.get(m.group(2), 0)) or m.group(2)}", text)
    text = _abbreviations(text, table)
    text = _PLAIN.sub(lambda m: _decimal_words(*_number_of(m.group(1))), text)
    return " ".join(text.split())


def _ordinal(value: int) -> str:
    return {1: "nhất", 4: "tư"}.get(value, number_words(value))


def _abbreviations(text: str, table: Abbreviations) -> str:
    if not table:
        return text
    pattern = _pattern(tuple(sorted(table, key=len, reverse=True)))
    return pattern.sub(lambda m: table[m.group(0)], text)


@cache
def _pattern(keys: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<![\wĐđ])(?:" + "|".join(re.escape(k) for k in keys) + r")(?![\wĐđ])")


@cache
def default_abbreviations() -> dict[str, str]:
    """The table shipped with the service (``data/abbreviations.toml``)."""
    text = resources.files("publishing").joinpath("data/abbreviations.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    return {unicodedata.normalize("NFC", k): unicodedata.normalize("NFC", v) for k, v in raw["abbreviations"].items()}
