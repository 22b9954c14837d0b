"""A nomination from a clerk's form to the reviewer's decision and back to the clerk, in a real
browser through the proxy, across the real services."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.access import overflows, serious_violations
from tests.browser.site import Site, context_for, sign_in
from tests.browser.waiting import reload_until


def nominate(page: Page, name: str, achievements: str) -> None:
    page.goto("/staff/nominations/new")
    page.get_by_label("Quý giới thiệu").select_option(index=1)
    page.get_by_label("Lĩnh vực").select_option(label="Nông nghiệp")
    page.get_by_label("Đối tượng").select_option(label="Cá nhân")
    page.get_by_label("Tên người, tập thể hoặc hộ gia đình được giới thiệu").fill(name)
    page.get_by_label("Thành tích tiêu biểu").fill(achievements)
    page.get_by_label("Có, đã đồng ý công khai").check()
    page.get_by_role("button", name="Gửi hồ sơ").click()
    expect(page.get_by_text("Hồ sơ đã được tiếp nhận")).to_be_visible()


def approve(reviewer: Page, name: str) -> None:
    """The reviewer opens the case from the queue and recognises the exemplar."""
    reviewer.goto("/staff/review/")
    reviewer.get_by_role("link", name=name).click()
    reviewer.get_by_label("Công nhận gương điển hình tiên tiến").check()
    reviewer.get_by_role("button", name="Ghi quyết định").click()
    expect(reviewer.get_by_text("Đã công nhận hồ sơ")).to_be_visible()


def test_a_reviewer_returns_a_nomination_and_the_clerk_reads_why(site: Site, browser: Browser) -> None:
    site.accounts(
        ("hoa.nt", "Nguyễn Thị Hoa", ["clerk"], "xa-ban-nguyen"),
        ("binh.tv", "Trần Văn Bình", ["reviewer"], None),
    )
    clerk = context_for(browser, site).new_page()
    sign_in(clerk, "hoa.nt")
    nominate(clerk, "Nguyễn Thị Lan", "Nuôi ong lấy mật, mỗi năm thu 2 tấn mật, dạy nghề cho 20 hộ.")

    reviewer = context_for(browser, site).new_page()
    sign_in(reviewer, "binh.tv", then="/staff/review/")
    expect(reviewer.locator(".counts")).to_contain_text("1 chờ xét duyệt")
    # Nothing in another field: the filters and the counts follow each other.
    reviewer.get_by_label("Lĩnh vực", exact=True).select_option(label="Y tế")
    reviewer.get_by_role("button", name="Lọc").click()
    expect(reviewer.locator(".counts")).to_contain_text("0 chờ xét duyệt")
    reviewer.get_by_label("Lĩnh vực", exact=True).select_option(label="Nông nghiệp")
    reviewer.get_by_role("button", name="Lọc").click()
    reviewer.get_by_role("link", name="Nguyễn Thị Lan").click()
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("Nguyễn Thị Lan")
    expect(reviewer.get_by_text("Nuôi ong lấy mật")).to_be_visible()
    assert serious_violations(reviewer) == [] and overflows(reviewer) == 0

    # Returned without a reason: said, and nothing is decided.
    reviewer.get_by_label("Trả lại đơn vị để bổ sung").check()
    reviewer.get_by_role("button", name="Ghi quyết định").click()
    expect(reviewer.locator("#error-summary")).to_contain_text("xin chọn ít nhất một lý do")
    reviewer.get_by_label("Trả lại đơn vị để bổ sung").check()
    reviewer.get_by_label("Thành tích chưa có số liệu, minh chứng cụ thể").check()
    reviewer.get_by_label("Ghi chú của người xét duyệt").fill("Bổ sung giấy xác nhận của hợp tác xã.")
    reviewer.get_by_role("button", name="Ghi quyết định").click()
    expect(reviewer.get_by_text("Đã trả lại đơn vị hồ sơ")).to_be_visible()
    expect(reviewer.locator(".tag").first).to_have_text("Trả lại để bổ sung")

    # The clerk reads the reasons and the note once nomination has heard of the decision.
    clerk.goto("/staff/nominations/")
    row = clerk.get_by_role("row", name=re.compile("Nguyễn Thị Lan"))
    for _ in range(50):
        if "Trả lại để bổ sung" in row.inner_text():
            break
        clerk.wait_for_timeout(200)
        clerk.reload()
    row.get_by_role("link", name="Nguyễn Thị Lan").click()
    expect(clerk.locator(".tag")).to_have_text("Trả lại để bổ sung")
    expect(clerk.get_by_text("Thành tích chưa có số liệu, minh chứng cụ thể")).to_be_visible()
    expect(clerk.get_by_text("Bổ sung giấy xác nhận của hợp tác xã.")).to_be_visible()

    # She completes it: the form comes filled in as it was sent, and goes as its second round.
    clerk.get_by_role("link", name="Bổ sung và gửi lại").click()
    expect(clerk.get_by_label("Tên người, tập thể hoặc hộ gia đình được giới thiệu")).to_have_value("Nguyễn Thị Lan")
    assert serious_violations(clerk) == [] and overflows(clerk) == 0
    clerk.get_by_label("Thành tích tiêu biểu").fill(
        "Nuôi ong lấy mật, năm 2026 thu 2,1 tấn mật (xác nhận của Hợp tác xã Bản Nguyên), dạy nghề cho 20 hộ."
    )
    expect(clerk.locator("#nominee_name-error")).to_be_hidden()  # not a duplicate of the one it completes
    clerk.get_by_role("button", name="Gửi lại hồ sơ đã bổ sung").click()
    expect(clerk.get_by_text("Hồ sơ đã được tiếp nhận")).to_be_visible()
    expect(clerk.get_by_text("Lần 2, bổ sung")).to_be_visible()

    reviewer.goto("/staff/review/")
    reload_until(reviewer, "lần 2, đã bổ sung")
    reviewer.get_by_role("link", name="Nguyễn Thị Lan").click()
    expect(reviewer.get_by_text("Lần 2: đơn vị đã bổ sung")).to_be_visible()
    expect(reviewer.get_by_text("2,1 tấn mật")).to_be_visible()


def test_a_council_approves_several_nominations_at_once_and_a_clerk_withdraws_one(site: Site, browser: Browser) -> None:
    site.accounts(
        ("hoa.nt", "Nguyễn Thị Hoa", ["clerk"], "xa-ban-nguyen"),
        ("son.hv", "Hà Văn Sơn", ["council"], None),
    )
    clerk = context_for(browser, site).new_page()
    sign_in(clerk, "hoa.nt")
    for name in ("Nguyễn Văn An", "Lò Thị Mai", "Đinh Công Tráng"):
        nominate(clerk, name, f"{name} giúp đỡ 10 hộ nghèo thoát nghèo bền vững trong năm 2026.")

    council = context_for(browser, site, phone=True).new_page()
    sign_in(council, "son.hv", then="/staff/review/")
    expect(council.locator(".counts")).to_contain_text("3 chờ xét duyệt")
    assert serious_violations(council) == [] and overflows(council) == 0
    council.get_by_label("Chọn hồ sơ Nguyễn Văn An").check()
    council.get_by_label("Chọn hồ sơ Lò Thị Mai").check()
    council.get_by_label("Công nhận gương điển hình tiên tiến").check()
    council.get_by_role("button", name="Ghi quyết định cho các hồ sơ đã chọn").click()
    expect(council.get_by_text("Đã ghi quyết định cho 2 hồ sơ.")).to_be_visible()
    expect(council.locator(".counts")).to_contain_text("1 chờ xét duyệt")
    expect(council.locator(".counts")).to_contain_text("2 được công nhận")

    # The clerk withdraws the third before the council decides; the office sees it, and why.
    clerk.goto("/staff/nominations/")
    clerk.get_by_role("link", name="Đinh Công Tráng").click()
    clerk.get_by_label("Lý do rút hồ sơ").fill("Gửi nhầm quý")
    clerk.get_by_role("button", name="Rút hồ sơ").click()
    expect(clerk.get_by_text("Đã rút hồ sơ; Phòng Nội vụ được thông báo.")).to_be_visible()
    expect(clerk.locator(".tag")).to_have_text("Đã rút")
    expect(clerk.get_by_role("button", name="Rút hồ sơ")).to_have_count(0)
    council.goto("/staff/review/?status=withdrawn")
    reload_until(council, "Đinh Công Tráng")
    council.get_by_role("link", name="Đinh Công Tráng").click()
    expect(council.get_by_role("heading", name="Đơn vị đã rút hồ sơ")).to_be_visible()
    expect(council.get_by_text("Gửi nhầm quý")).to_be_visible()
