"""Text as a loudspeaker reads it: numbers, dates, money, percentages, documents and abbreviations in words."""

from __future__ import annotations

import pytest

from publishing.radio.reading import default_abbreviations, number_words, read_aloud


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (0, "không"),
        (5, "năm"),
        (10, "mười"),
        (11, "mười một"),
        (15, "mười lăm"),
        (20, "hai mươi"),
        (21, "hai mươi mốt"),
        (24, "hai mươi tư"),
        (25, "hai mươi lăm"),
        (101, "một trăm linh một"),
        (105, "một trăm linh năm"),
        (110, "một trăm mười"),
        (1005, "một nghìn không trăm linh năm"),
        (2026, "hai nghìn không trăm hai mươi sáu"),
        (104_000, "một trăm linh bốn nghìn"),
        (1_140_000, "một triệu một trăm bốn mươi nghìn"),
        (2_530_000, "hai triệu năm trăm ba mươi nghìn"),
        (3_000_000_000, "ba tỷ"),
    ],
)
def test_numbers_in_the_northern_way(value: int, said: str) -> None:
    assert number_words(value) == said


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("Ngày 15/3/2025, xã tổ chức", "Ngày mười lăm tháng ba năm hai nghìn không trăm hai mươi lăm, xã tổ chức"),
        ("khai mạc 05/01/2027", "khai mạc ngày mùng năm tháng một năm hai nghìn không trăm hai mươi bảy"),
        ("từ tháng 4/2026", "từ tháng tư năm hai nghìn không trăm hai mươi sáu"),
        ("thưởng 1.140.000 đồng", "thưởng một triệu một trăm bốn mươi nghìn đồng"),
        ("thưởng 760.000đ", "thưởng bảy trăm sáu mươi nghìn đồng"),
        ("giảm 12,5%", "giảm mười hai phẩy năm phần trăm"),
        ("đạt 100 %", "đạt một trăm phần trăm"),
        ("Quyết định số 45/QĐ-UBND", "Quyết định số bốn mươi lăm của Ủy ban nhân dân"),
        ("Kế hoạch 12/KH-UBND", "Kế hoạch số mười hai của Ủy ban nhân dân"),
        (
            "Nghị định 152/2025/NĐ-CP",
            "Nghị định số một trăm năm mươi hai năm hai nghìn không trăm hai mươi lăm của Chính phủ",
        ),
        (
            "Luật số 06/2022/QH15",
            "Luật số sáu năm hai nghìn không trăm hai mươi hai của Quốc hội khóa mười lăm",
        ),
        ("giai đoạn 2021-2025", "giai đoạn hai nghìn không trăm hai mươi mốt đến hai nghìn không trăm hai mươi lăm"),
        ("quý IV năm 2026", "quý bốn năm hai nghìn không trăm hai mươi sáu"),
        ("lần thứ 1 và thứ 4", "lần thứ nhất và thứ tư"),
        ("lúc 7h30", "lúc bảy giờ ba mươi phút"),
        ("UBND và HĐND xã, Hội CCB", "Ủy ban nhân dân và Hội đồng nhân dân xã, Hội cựu chiến binh"),
        ("UBMTTQ xã", "Ủy ban Mặt trận Tổ quốc xã"),
        ("40 buổi khám cho 1.250 người", "bốn mươi buổi khám cho một nghìn hai trăm năm mươi người"),
        ("diện tích 3,25 ha", "diện tích ba phẩy hai mươi lăm ha"),
    ],
)
def test_what_a_loudspeaker_says(written: str, said: str) -> None:
    assert read_aloud(written) == said


def test_words_that_merely_contain_an_abbreviation_are_left_alone() -> None:
    assert read_aloud("QĐND và UBNDX") == "QĐND và UBNDX"
    assert read_aloud("Quang Đông") == "Quang Đông"


def test_the_table_is_data_and_can_be_another() -> None:
    assert default_abbreviations()["TĐKT"] == "thi đua khen thưởng"
    assert read_aloud("Hội LHPN xã", {"LHPN": "Liên hiệp Phụ nữ"}) == "Hội Liên hiệp Phụ nữ xã"
    assert read_aloud("UBND xã", {}) == "UBND xã"
