"""A nomination's whole path through the pages, in a real browser through the proxy, across the
real services: the clerk nominates, a reviewer approves, an officer drafts and sees the amount for
each recipient, a signer signs, the clerk reads the award on the unit's page, an editor edits and
publishes the story, and the public page shows it with its commendation."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.browser.access import overflows, serious_violations
from tests.browser.site import STAFF, Site, context_for, sign_in
from tests.browser.test_review import approve, nominate
from tests.browser.waiting import reload_until


def test_a_nomination_s_whole_path_through_the_pages(site: Site, browser: Browser) -> None:
    site.accounts(*STAFF)
    clerk = context_for(browser, site).new_page()
    sign_in(clerk, "hoa.nt")
    nominate(clerk, "Nguyễn Văn An", "Hiến 300 m² đất mở đường liên thôn, vận động 12 hộ cùng hiến đất.")

    reviewer = context_for(browser, site).new_page()
    sign_in(reviewer, "binh.tv")
    approve(reviewer, "Nguyễn Văn An")

    officer = context_for(browser, site).new_page()
    sign_in(officer, "lan.pt", then="/staff/awards/")
    reload_until(officer, "Nguyễn Văn An")
    officer.get_by_label("Chọn Nguyễn Văn An").check()
    officer.get_by_label("Hình thức khen thưởng").select_option(label="Giấy khen")
    officer.get_by_label("Lý do khen thưởng (trích yếu)").fill(
        "Đã có thành tích xuất sắc trong xây dựng nông thôn mới."
    )
    officer.get_by_role("button", name="Lập dự thảo và xem mức thưởng").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Dự thảo quyết định khen thưởng")
    row = officer.get_by_role("row", name=re.compile("Nguyễn Văn An"))
    expect(row).to_contain_text("đồng")  # the amount the rules in force give, before any number
    amount = row.locator("td").last.inner_text()
    expect(officer.get_by_text("Dự thảo chờ người có thẩm quyền ký")).to_be_visible()
    assert serious_violations(officer) == [] and overflows(officer) == 0
    draft_url = officer.url

    signer = context_for(browser, site, phone=True).new_page()
    sign_in(signer, "quang.lv", then=draft_url.removeprefix(site.url))
    assert serious_violations(signer) == [] and overflows(signer) == 0
    signer.get_by_role("button", name="Ký và ban hành quyết định").click()
    expect(signer.get_by_text("Quyết định đã được ký và ban hành")).to_be_visible()
    expect(signer.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Quyết định số 0?1/QĐ-"))
    expect(signer.get_by_role("row", name=re.compile("Nguyễn Văn An"))).to_contain_text(amount)
    assert serious_violations(signer) == [] and overflows(signer) == 0
    signer.goto("/staff/awards/decisions")
    expect(signer.get_by_role("row", name=re.compile("Giấy khen"))).to_contain_text(amount)
    assert serious_violations(signer) == [] and overflows(signer) == 0

    # Signed once only: the draft is now the decision, and its address leads there.
    signer.goto(draft_url.removeprefix(site.url))
    expect(signer.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Quyết định số 0?1/QĐ-"))
    expect(signer.get_by_role("button", name="Ký và ban hành quyết định")).to_have_count(0)

    clerk.goto("/staff/awards/unit")
    reload_until(clerk, "Giấy khen")
    expect(clerk.get_by_role("row", name=re.compile("Nguyễn Văn An"))).to_contain_text(amount)
    assert serious_violations(clerk) == [] and overflows(clerk) == 0

    editor = context_for(browser, site).new_page()
    sign_in(editor, "thu.nm", then="/staff/editor/")
    reload_until(editor, "Nguyễn Văn An")
    expect(editor.get_by_role("row", name=re.compile("Nguyễn Văn An"))).to_contain_text("Chưa duyệt")
    editor.get_by_role("link", name=re.compile("Nguyễn Văn An")).first.click()
    assert serious_violations(editor) == [] and overflows(editor) == 0
    editor.get_by_label("Tiêu đề").fill("Anh Nguyễn Văn An hiến đất mở đường liên thôn")
    editor.get_by_role("button", name="Lưu nội dung").click()
    expect(editor.get_by_text("Đã lưu nội dung bài.")).to_be_visible()
    for channel in ("Đài truyền thanh cơ sở", "Tờ tin in"):
        editor.get_by_label(channel).uncheck()
    editor.get_by_role("button", name="Duyệt đăng").click()
    expect(editor.get_by_text("Đã duyệt đăng")).to_be_visible()
    reload_until(editor, "Xem trên trang tin")
    expect(editor.get_by_role("row", name=re.compile("Cổng thông tin"))).to_contain_text("Đã đăng")
    for path in ("/staff/editor/", "/staff/editor/radio", "/staff/editor/leaflets"):
        editor.goto(path)
        assert (path, serious_violations(editor), overflows(editor)) == (path, [], 0)

    public = context_for(browser, site).new_page()
    public.goto("/")
    public.get_by_role("link", name="Anh Nguyễn Văn An hiến đất mở đường liên thôn").click()
    expect(public.get_by_role("heading", level=1)).to_have_text("Anh Nguyễn Văn An hiến đất mở đường liên thôn")
    expect(public.locator("main")).to_contain_text("Giấy khen")
