"""``make screenshots``: every staff page, at desktop and phone width, into ``docs/screenshots/``.

Starts the whole system behind its one address (as the browser tests do), plays a quarter's work
through the pages (a clerk's nominations, a review, a commendation, a story, a dead letter), and
photographs each screen as its users see it, with an index page linking them.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.site import STAFF, Site, chromium, context_for, plant_dead_letter, running_site, sign_in
from tests.browser.test_review import approve, nominate
from tests.browser.waiting import reload_until

__all__ = ["main"]

ROOT = Path(__file__).resolve().parents[2]


def _prepare(site: Site, browser: Browser) -> dict[str, str]:
    """A quarter's work through the pages; the addresses of what was made."""
    site.accounts(*STAFF)
    clerk = context_for(browser, site).new_page()
    sign_in(clerk, "hoa.nt")
    nominate(clerk, "Nguyễn Văn An", "Hiến 300 m² đất mở đường liên thôn, vận động 12 hộ cùng hiến đất.")
    nominate(clerk, "Nguyễn Thị Lan", "Nuôi ong lấy mật, mỗi năm thu 2 tấn mật, dạy nghề cho 20 hộ.")
    nominate(clerk, "Hộ ông Hà Văn Sơn", "Trồng 5 ha rừng gỗ lớn, tạo việc làm cho 8 lao động địa phương.")
    reviewer = context_for(browser, site).new_page()
    sign_in(reviewer, "binh.tv")
    approve(reviewer, "Nguyễn Văn An")
    reviewer.goto("/staff/review/")
    reviewer.get_by_role("link", name="Nguyễn Thị Lan").click()
    returned = reviewer.url.removeprefix(site.url)
    reviewer.get_by_label("Trả lại đơn vị để bổ sung").check()
    reviewer.get_by_label("Thành tích chưa có số liệu, minh chứng cụ thể").check()
    reviewer.get_by_label("Ghi chú của người xét duyệt").fill("Bổ sung giấy xác nhận của hợp tác xã.")
    reviewer.get_by_role("button", name="Ghi quyết định").click()
    officer = context_for(browser, site).new_page()
    sign_in(officer, "lan.pt", then="/staff/awards/")
    reload_until(officer, "Nguyễn Văn An")
    officer.get_by_label("Chọn Nguyễn Văn An").check()
    officer.get_by_label("Lý do khen thưởng (trích yếu)").fill(
        "Đã có thành tích xuất sắc trong xây dựng nông thôn mới."
    )
    officer.get_by_role("button", name="Lập dự thảo và xem mức thưởng").click()
    draft = officer.url.removeprefix(site.url)
    signer = context_for(browser, site).new_page()
    sign_in(signer, "quang.lv", then=draft)
    signer.get_by_role("button", name="Ký và ban hành quyết định").click()
    decision = signer.url.removeprefix(site.url).split("?")[0]
    # A second exemplar, and a draft for it waiting for the signer.
    approve(reviewer, "Hộ ông Hà Văn Sơn")
    officer.goto("/staff/awards/")
    reload_until(officer, "Hộ ông Hà Văn Sơn")
    officer.get_by_label("Chọn Hộ ông Hà Văn Sơn").check()
    officer.get_by_label("Lý do khen thưởng (trích yếu)").fill("Đã có thành tích xuất sắc trong trồng rừng gỗ lớn.")
    officer.get_by_role("button", name="Lập dự thảo và xem mức thưởng").click()
    draft = officer.url.removeprefix(site.url)
    editor = context_for(browser, site).new_page()
    sign_in(editor, "thu.nm", then="/staff/editor/")
    reload_until(editor, "Nguyễn Văn An")
    editor.get_by_role("link", name="Nguyễn Văn An").first.click()
    story = editor.url.removeprefix(site.url)
    editor.get_by_role("button", name="Duyệt đăng").click()
    plant_dead_letter(site, "xa-ban-nguyen", 9)
    clerk.goto("/staff/nominations/")
    reload_until(clerk, "Trả lại để bổ sung")
    return {
        "returned": returned.replace("/staff/review/", "/staff/nominations/"),
        "draft": draft,
        "decision": decision,
        "story": story,
    }


def _screens(made: dict[str, str]) -> list[tuple[str, str, str, str | None, Callable[[Page], None] | None]]:
    """(file name, title, path, who is signed in, what to do on the page first)."""

    def empty_form(page: Page) -> None:
        page.get_by_role("button", name="Gửi hồ sơ").click()

    return [
        ("signin", "Đăng nhập", "/signin", None, None),
        ("home-clerk", "Trang làm việc của cán bộ đơn vị", "/staff", "hoa.nt", None),
        ("nominations", "Hồ sơ đề nghị của đơn vị", "/staff/nominations/", "hoa.nt", None),
        ("nomination-form", "Lập hồ sơ (kiểm tra khi nhập)", "/staff/nominations/new", "hoa.nt", empty_form),
        ("nomination-returned", "Hồ sơ bị trả lại, lý do và ghi chú", made["returned"], "hoa.nt", None),
        ("nomination-amend", "Bổ sung hồ sơ bị trả lại", made["returned"] + "/amend", "hoa.nt", None),
        ("unit-awards", "Điển hình và khen thưởng của đơn vị", "/staff/awards/unit", "hoa.nt", None),
        ("review-queue", "Hàng chờ xét duyệt", "/staff/review/?status=", "binh.tv", None),
        (
            "review-case",
            "Hồ sơ và quyết định",
            made["returned"].replace("/staff/nominations/", "/staff/review/"),
            "binh.tv",
            None,
        ),
        ("awards-exemplars", "Gương điển hình và dự thảo", "/staff/awards/", "lan.pt", None),
        ("awards-draft", "Dự thảo quyết định với mức thưởng", made["draft"], "lan.pt", None),
        ("awards-decisions", "Quyết định đã ban hành", "/staff/awards/decisions", "quang.lv", None),
        ("awards-decision", "Một quyết định", made["decision"], "quang.lv", None),
        ("editor-stories", "Tin bài và các kênh", "/staff/editor/", "thu.nm", None),
        ("editor-story", "Biên tập một bài", made["story"], "thu.nm", None),
        ("editor-radio", "Chương trình phát thanh", "/staff/editor/radio", "thu.nm", None),
        ("editor-leaflets", "Tờ tin", "/staff/editor/leaflets", "thu.nm", None),
        ("operator-console", "Bảng vận hành", "/staff/operator/", "tam.dv", None),
        (
            "operator-dead-letters",
            "Thư lỗi",
            "/staff/operator/dead-letters?stream=nomination.submissions",
            "tam.dv",
            None,
        ),
        ("operator-service", "Trang vận hành của một dịch vụ", "/staff/operator/awards/", "tam.dv", None),
        ("forbidden", "Trang không dành cho vai trò này", "/staff/operator/", "hoa.nt", None),
    ]


def capture(out: Path) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    lines = ["# Các màn hình của cán bộ", "", "Chụp bằng `make screenshots` (máy tính 1280 px, điện thoại 360 px).", ""]
    with (
        tempfile.TemporaryDirectory() as folder,
        running_site(Path(folder) / "state") as site,
        sync_playwright() as p,
        chromium(p) as browser,
    ):
        made = _prepare(site, browser)
        pages: dict[tuple[str | None, bool], Page] = {}
        for name, title, path, who, before in _screens(made):
            lines.append(f"## {title}")
            lines.append("")
            for phone in (False, True):
                page = pages.get((who, phone))
                if page is None:
                    page = context_for(browser, site, phone=phone).new_page()
                    if who:
                        sign_in(page, who)
                    pages[(who, phone)] = page
                page.goto(path)
                if before:
                    before(page)
                file = f"{name}-{'phone' if phone else 'desktop'}.png"
                page.screenshot(path=str(out / file), full_page=True)
                lines.append(f"![{title}, {'điện thoại' if phone else 'máy tính'}]({file})")
            lines.append("")
    (out / "README.md").write_text("\n".join(lines), encoding="utf-8")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="screenshots", description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        parser.error("nginx is needed (apt-get install nginx)")
    capture(args.out)
    print(f"screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
