"""The operator in a real browser: every service's state, and a dead letter sent back to its stream
and applied once, across the real services."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from common.auth import Role
from tests.browser.access import overflows, serious_violations
from tests.browser.site import Site, context_for, plant_dead_letter, sign_in
from tests.e2e.stack import Driver, wait_for
from tests.helpers import read_entries


def test_an_operator_sends_a_dead_letter_back_and_it_is_applied(site: Site, browser: Browser) -> None:
    site.accounts(("tam.dv", "Đỗ Văn Tâm", ["operator"], None))
    event_id = plant_dead_letter(site, "xa-ban-nguyen", 7)
    driver = Driver(site.stack)
    try:
        page = context_for(browser, site).new_page()
        sign_in(page, "tam.dv", then="/staff/operator/")
        for name in ("nomination", "review", "publishing", "awards", "staff"):
            expect(page.get_by_role("row", name=re.compile(f"^{name} ")).first).to_contain_text("Sẵn sàng")
        assert serious_violations(page) == [] and overflows(page) == 0
        page.get_by_role("link", name="nomination.submissions: 1 thư lỗi").click()
        expect(page.get_by_role("row", name=re.compile("unknown-key"))).to_contain_text("NominationSubmitted")
        assert serious_violations(page) == [] and overflows(page) == 0
        page.locator("input[name=letter]").check()
        page.get_by_role("button", name="Gửi lại các thư đã chọn").click()
        expect(page.get_by_text("Đã gửi lại 1 thư lỗi; thao tác đã được ghi lại.")).to_be_visible()
        expect(page.get_by_text("Không có thư lỗi nào.")).to_be_visible()

        # Sent back, it is taken in once, and the operator's act is on record under their name.
        status = wait_for(lambda: driver.submission_status(event_id, driver.token(Role.REVIEWER)), what="intake")
        assert status["state"] == "accepted"
        [(_, audit)] = read_entries(driver.redis.xrange("operations.audit"))
        assert (audit["operator"].decode(), audit["action"], audit["count"]) == ("Đỗ Văn Tâm", b"redrive", b"1")

        # Each service's own page: its groups, its failed jobs, the files it runs on.
        page.goto("/staff/operator/nomination/")
        expect(page.get_by_role("heading", name="Dịch vụ nomination")).to_be_visible()
        expect(page.get_by_role("row", name=re.compile("nomination.submissions"))).to_be_visible()
        expect(page.get_by_text("Tệp tổ chức (đơn vị, cấp có thẩm quyền)")).to_be_visible()
        expect(page.locator("pre.data").first).to_contain_text("xa-ban-nguyen")
        assert serious_violations(page) == [] and overflows(page) == 0
    finally:
        driver.close()
