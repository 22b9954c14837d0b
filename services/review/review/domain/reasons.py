"""The reasons a reviewer picks from when a nomination is returned or not recognised (lý do), each
with a stable code for machines and the sentence the unit reads. A free note may go with them."""

from __future__ import annotations

from common.events import Reason

__all__ = ["NOTE_CODE", "REASONS", "chosen"]

NOTE_CODE = "reviewer-note"  # the reviewer's own words, passed on to the unit as one more reason

REASONS: dict[str, str] = {
    "dossier-incomplete": "Hồ sơ chưa đầy đủ thông tin theo mẫu",
    "achievements-unproven": "Thành tích chưa có số liệu, minh chứng cụ thể",
    "not-outstanding": "Thành tích chưa thật sự tiêu biểu, chưa có sức lan tỏa trong cộng đồng",
    "criteria-not-met": "Chưa đáp ứng tiêu chí gương điển hình tiên tiến của lĩnh vực",
    "wrong-field": "Lĩnh vực đề nghị chưa phù hợp với thành tích",
    "consent-unclear": "Chưa rõ sự đồng ý công khai của người được giới thiệu",
    "same-person": "Trùng với người, tập thể hoặc hộ đã được giới thiệu hoặc đã được công nhận",
    "violation": "Vi phạm pháp luật, quy định của địa phương trong thời gian xét",
}


def chosen(codes: list[str], note: str) -> list[Reason]:
    """The reasons for the codes picked (unknown codes dropped), the note last."""
    reasons = [Reason(code=code, message=REASONS[code]) for code in dict.fromkeys(codes) if code in REASONS]
    if note.strip():
        reasons.append(Reason(code=NOTE_CODE, message=note.strip()))
    return reasons
