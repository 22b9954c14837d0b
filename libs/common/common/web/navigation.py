"""Where each role works: the screens of every service, as one menu and one home page.

Addresses are the ones the proxy serves (deploy/nginx): each service's pages under a prefix of
its own, so that a link from one service's page to another's is a plain path.
"""

from __future__ import annotations

from dataclasses import dataclass

from common.auth import Role

__all__ = ["ROLE_NAMES", "SCREENS", "Screen", "screens_for"]

# Vietnamese names of the roles, as a person reads them (cán bộ = staff member).
ROLE_NAMES: dict[Role, str] = {
    Role.CLERK: "Cán bộ đơn vị",
    Role.REVIEWER: "Chuyên viên Phòng Nội vụ",
    Role.COUNCIL: "Thành viên Hội đồng Thi đua – Khen thưởng",
    Role.EDITOR: "Biên tập viên",
    Role.OFFICER: "Cán bộ thi đua – khen thưởng",
    Role.SIGNER: "Người ký quyết định",
    Role.OPERATOR: "Cán bộ vận hành hệ thống",
}


@dataclass(frozen=True)
class Screen:
    """A screen a role opens from the menu."""

    path: str
    title: str
    summary: str
    roles: frozenset[Role]


def _screen(path: str, title: str, summary: str, *roles: Role) -> Screen:
    return Screen(path, title, summary, frozenset(roles))


SCREENS: tuple[Screen, ...] = (
    _screen(
        "/staff/nominations/",
        "Hồ sơ đề nghị",
        "Lập hồ sơ giới thiệu gương điển hình, theo dõi kết quả, rút hoặc bổ sung hồ sơ.",
        Role.CLERK,
    ),
    _screen(
        "/staff/review/",
        "Xét duyệt hồ sơ",
        "Hàng chờ xét duyệt, hồ sơ trùng lặp có thể có, quyết định công nhận, trả lại hoặc không công nhận.",
        Role.REVIEWER,
        Role.COUNCIL,
    ),
    _screen(
        "/staff/awards/unit",
        "Điển hình và khen thưởng của đơn vị",
        "Các gương điển hình của đơn vị đã được công nhận và khen thưởng.",
        Role.CLERK,
    ),
    _screen(
        "/staff/awards/",
        "Khen thưởng",
        "Gương điển hình được công nhận, dự thảo quyết định khen thưởng với mức tiền thưởng, ký quyết định.",
        Role.OFFICER,
        Role.SIGNER,
    ),
    _screen(
        "/staff/editor/",
        "Biên tập tin bài",
        "Tin bài và trạng thái trên từng kênh; duyệt, hẹn giờ, đính chính, gỡ; chương trình phát thanh; tờ tin.",
        Role.EDITOR,
    ),
    _screen(
        "/staff/operator/",
        "Vận hành",
        "Tình trạng các dịch vụ, độ trễ xử lý, thư lỗi và gửi lại, việc nền lỗi, dữ liệu đang áp dụng.",
        Role.OPERATOR,
    ),
)


def screens_for(roles: frozenset[Role]) -> list[Screen]:
    return [screen for screen in SCREENS if not screen.roles.isdisjoint(roles)]
