"""Vietnamese labels for the contract's codes: fields of work, kinds of nominee, quarters, dates."""

from __future__ import annotations

import unicodedata

from common.dates import quarter_label, vn_date
from common.events import FieldOfWork, NomineeKind

__all__ = [
    "FIELD_LABELS",
    "KIND_LABELS",
    "ascii_fold",
    "field_label",
    "kind_label",
    "lower_first",
    "named_with_kind",
    "quarter_label",
    "search_key",
    "upper_first",
    "vn_date",
]

FIELD_LABELS: dict[FieldOfWork, str] = {
    FieldOfWork.PARTY_GOVERNMENT: "Xây dựng Đảng, chính quyền, đoàn thể",
    FieldOfWork.DEFENCE_SECURITY: "Quốc phòng, an ninh",
    FieldOfWork.INDUSTRY_TRADE: "Công thương, xây dựng, giao thông vận tải",
    FieldOfWork.AGRICULTURE: "Nông nghiệp",
    FieldOfWork.FINANCE: "Tài chính, ngân hàng, thuế, bảo hiểm xã hội",
    FieldOfWork.HEALTH: "Y tế",
    FieldOfWork.EDUCATION: "Giáo dục và đào tạo",
    FieldOfWork.SCIENCE: "Khoa học và công nghệ",
    FieldOfWork.CULTURE_SPORTS: "Văn hóa, nghệ thuật, thể dục, thể thao",
    FieldOfWork.FOREIGN_AFFAIRS: "Đối ngoại",
    FieldOfWork.INFORMATION: "Thông tin và truyền thông",
    FieldOfWork.ADMIN_REFORM: "Cải cách hành chính",
    FieldOfWork.SOCIAL_SECURITY: "An sinh xã hội",
    FieldOfWork.SOCIAL_LIFE: "Đời sống xã hội",
}

KIND_LABELS: dict[NomineeKind, str] = {
    NomineeKind.INDIVIDUAL: "cá nhân",
    NomineeKind.COLLECTIVE: "tập thể",
    NomineeKind.HOUSEHOLD: "hộ gia đình",
}

# Names that already say what they are ("Hộ ông …", "Tập thể …") are not prefixed again.
_KIND_WORDS: dict[NomineeKind, tuple[str, ...]] = {
    NomineeKind.INDIVIDUAL: ("cá nhân",),
    NomineeKind.COLLECTIVE: ("tập thể",),
    NomineeKind.HOUSEHOLD: ("hộ", "gia đình"),
}


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def field_label(field: str) -> str:
    return FIELD_LABELS[FieldOfWork(field)]


def kind_label(kind: str) -> str:
    return KIND_LABELS[NomineeKind(kind)]


def named_with_kind(name: str, kind: str) -> str:
    """``cá nhân Nguyễn Văn An``, ``hộ gia đình ông Lò Văn Páo``, but ``Hộ ông Hà Văn Sơn`` as it is."""
    nominee_kind = NomineeKind(kind)
    lowered = unicodedata.normalize("NFC", name).lower()
    if any(lowered.startswith(f"{word} ") for word in _KIND_WORDS[nominee_kind]):
        return name
    return f"{KIND_LABELS[nominee_kind]} {name}"


def search_key(*texts: str) -> str:
    """What search compares: no case, diacritics or extra spaces (``nguyen thi lan`` finds ``Nguyễn Thị Lan``)."""
    return " ".join(ascii_fold(" ".join(texts)).casefold().split())


def ascii_fold(text: str) -> str:
    """Vietnamese without diacritics: ``Nguyễn Thị Đào`` → ``Nguyen Thi Dao``."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
