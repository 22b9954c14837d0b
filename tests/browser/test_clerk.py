"""A unit clerk in a real browser, through the proxy, across the real services."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.browser.access import overflows, serious_violations
from tests.browser.site import Site, context_for, sign_in


def test_a_clerk_nominates_through_the_form_checked_as_she_types_on_pages_usable_by_anyone(
    site: Site, browser: Browser
) -> None:
    site.accounts(("hoa.nt", "Nguyễn Thị Hoa", ["clerk"], "xa-ban-nguyen"))
    page = context_for(browser, site).new_page()
    sign_in(page, "hoa.nt", then="/staff/nominations/new")
    expect(page).to_have_url(re.compile(r"/staff/nominations/new$"))

    # Sent empty: every missing field is listed at the top, each linked to its field.
    page.get_by_role("button", name="Gửi hồ sơ").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Xin chọn lĩnh vực.")
    expect(summary).to_contain_text("Xin nhập tên người, tập thể hoặc hộ gia đình được giới thiệu")
    summary.get_by_role("link", name=re.compile("Xin chọn lĩnh vực")).click()
    expect(page.get_by_label("Lĩnh vực")).to_be_focused()

    page.get_by_label("Quý giới thiệu").select_option(index=1)
    page.get_by_label("Lĩnh vực").select_option(label="Nông nghiệp")
    page.get_by_label("Đối tượng").select_option(label="Hộ gia đình")
    page.get_by_label("Tên người, tập thể hoặc hộ gia đình được giới thiệu").fill("Hộ ông Hà Văn Sơn")
    page.get_by_label("Thành tích tiêu biểu").fill("Trồng chè")
    # Checked as she types: the rule intake applies, beside the field, before anything is sent.
    expect(page.locator("#achievements-error")).to_have_text("Thành tích cần mô tả ít nhất 20 ký tự.")
    page.get_by_label("Thành tích tiêu biểu").fill(
        "Chuyển 2 ha chè sang sản xuất theo tiêu chuẩn VietGAP, hướng dẫn 15 hộ trong xóm cùng làm."
    )
    expect(page.locator("#achievements-error")).to_be_hidden()
    page.get_by_label("Có, đã đồng ý công khai").check()
    page.get_by_role("button", name="Gửi hồ sơ").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Hộ ông Hà Văn Sơn")
    expect(page.get_by_text("Hồ sơ đã được tiếp nhận và chuyển Phòng Nội vụ xét duyệt.")).to_be_visible()
    expect(page.locator(".tag")).to_have_text("Chờ xét duyệt")

    page.get_by_role("link", name="← Hồ sơ của đơn vị").click()
    row = page.get_by_role("row", name=re.compile("Hộ ông Hà Văn Sơn"))
    expect(row).to_contain_text("Nông nghiệp")
    expect(row).to_contain_text("Chờ xét duyệt")

    # The same nominee again in the same quarter: said at the name, before sending.
    page.goto("/staff/nominations/new")
    page.get_by_label("Quý giới thiệu").select_option(index=1)
    page.get_by_label("Tên người, tập thể hoặc hộ gia đình được giới thiệu").fill("Hộ ông Hà Văn Sơn")
    expect(page.locator("#nominee_name-error")).to_contain_text("Đơn vị đã giới thiệu Hộ ông Hà Văn Sơn trong quý")
    _usable_by_anyone(site, browser)


def _usable_by_anyone(site: Site, browser: Browser) -> None:
    """The clerk's pages, at a desktop's width and a phone's, by keyboard and for axe-core."""
    for phone in (False, True):
        context = context_for(browser, site, phone=phone)
        page = context.new_page()
        page.goto("/signin")
        # The first Tab reaches the skip link, which shows itself.
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Bỏ qua, đến nội dung chính")).to_be_focused()
        expect(page.get_by_role("link", name="Bỏ qua, đến nội dung chính")).to_be_in_viewport()
        checked = {"/signin": (serious_violations(page), overflows(page))}
        sign_in(page, "hoa.nt")
        for path in ("/staff", "/staff/nominations/", "/staff/nominations/new"):
            page.goto(path)
            checked[path] = (serious_violations(page), overflows(page))
        page.get_by_role("button", name="Gửi hồ sơ").click()  # the form with its errors shown
        checked["/staff/nominations/new (errors)"] = (serious_violations(page), overflows(page))
        assert {path: found for path, found in checked.items() if found != ([], 0)} == {}, (
            "phone" if phone else "desktop"
        )
        context.close()


def test_the_accessibility_check_finds_what_it_looks_for(browser: Browser) -> None:
    """The check above can fail: a page with an unlabelled field and an image without text."""
    page = browser.new_page()
    page.set_content('<html lang="vi"><body><main><img src="x.png"><input type="text"></main></body></html>')
    found = " ".join(serious_violations(page))
    assert "image-alt (critical)" in found and "label (critical)" in found
    page.close()
