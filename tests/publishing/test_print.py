"""Leaflets with the real tools: WeasyPrint lays the PDF out with Liberation Serif embedded, pdftotext
reads the exact Vietnamese back; A4 and A5; built again when a story in them changes."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from common.auth import Role, mint_token
from publishing.adapters.print_records import Leaflet
from publishing.adapters.repository import PublishingStore
from publishing.domain.model import story_id_for
from publishing.service.editorial import approve_story, edit_story, retract_story
from publishing.service.printing import plan_leaflets
from tests.conftest import TEST_SECRET
from tests.helpers import eventually
from tests.publishing.builders import BASE, approved, delivery
from tests.publishing.support import event_processor, jobs_running, serving, uow_of

A4_POINTS, A5_POINTS = "595.276 x 841.89", "419.528 x 595.276"


@pytest.fixture
async def print_app(db_url: str, redis_url: str, tmp_path: Path) -> AsyncIterator[FastAPI]:
    async with serving(db_url, redis_url, media_dir=tmp_path / "media") as app:
        yield app


async def in_print(app: FastAPI, name: str, achievements: str) -> uuid.UUID:
    event = approved(name=name, unit_id="xa-ban-nguyen", unit_name="Xã Bản Nguyên", achievements=achievements)
    await event_processor(app.state.runtime.db, auto=frozenset())([delivery(event)])
    story_id = story_id_for(event.payload.exemplar_id)
    await approve_story(
        app.state.runtime.unit_of_work(), app.state.newsroom, story_id, by="BTV", channels=["web", "print"]
    )
    return story_id


async def leaflets(app: FastAPI, *, state: str = "ready", count: int = 2) -> list[Leaflet] | None:
    async with app.state.runtime.db.read() as connection:
        found = await PublishingStore(connection).leaflets_of(commune_id="xa-ban-nguyen")
    ready = [f for f in found if f.state == state]
    return ready if len(ready) >= count else None


def text_of(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def fonts_of(pdf: Path) -> str:
    return subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout


def info_of(pdf: Path) -> str:
    return subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout


async def test_a_communes_leaflet_of_the_quarter_in_a4_and_a5_with_its_text_exact(print_app: FastAPI) -> None:
    app, db = print_app, print_app.state.runtime.db
    await in_print(app, "Lò Văn Páo", "Trồng 3,5 ha quế hữu cơ; giúp 12 hộ đồng bào Mường thoát nghèo.")
    await in_print(app, "Đặng Thị Ứng", "Mở lớp dạy chữ cho 40 phụ nữ; vận động xóa bỏ tảo hôn ở thôn Đồng Lạc.")
    async with jobs_running(app):
        assert await plan_leaflets(uow_of(db)(), app.state.printing) == 2
        built = await eventually(lambda: leaflets(app), within=60)
        assert await plan_leaflets(uow_of(db)(), app.state.printing) == 0  # nothing changed
    media: Path = app.state.printing.media
    sizes = {}
    for leaflet in built:
        pdf = media / str(leaflet.file)
        assert pdf.stat().st_size == leaflet.bytes and leaflet.pages and leaflet.pages >= 1
        sizes[leaflet.size] = info_of(pdf)
        text = " ".join(text_of(pdf).split())
        assert "TỜ TIN GƯƠNG ĐIỂN HÌNH TIÊN TIẾN" in text
        assert "Ủy ban nhân dân tỉnh Phú Thọ".upper() in text
        assert "Gương điển hình tiên tiến: Đặng Thị Ứng" in text
        assert "Mở lớp dạy chữ cho 40 phụ nữ; vận động xóa bỏ tảo hôn ở thôn Đồng Lạc." in text
        assert "Trồng 3,5 ha quế hữu cơ; giúp 12 hộ đồng bào Mường thoát nghèo." in text
        fonts = fonts_of(pdf)
        assert "Liberation-Serif" in fonts
        assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:]), fonts  # every font embedded
    assert A4_POINTS in sizes["A4"] and A5_POINTS in sizes["A5"]

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://publishing") as client:
        page = await client.get("/leaflets/xa-ban-nguyen")
        assert page.status_code == 200 and "Quý IV năm 2026" in page.text and "khổ A5" in page.text
        [href] = [f for f in built if f.size == "A4"]
        downloaded = await client.get(f"/media/{href.file}")
        assert downloaded.status_code == 200 and downloaded.content.startswith(b"%PDF")
        assert (await client.get("/leaflets/phong-noi-vu")).status_code == 404


async def test_a_leaflet_is_built_again_when_a_story_in_it_changes(print_app: FastAPI) -> None:
    app, db = print_app, print_app.state.runtime.db
    first = await in_print(app, "Lò Văn Páo", "Trồng 3,5 ha quế hữu cơ.")
    second = await in_print(app, "Đặng Thị Ứng", "Mở lớp dạy chữ cho 40 phụ nữ.")
    async with jobs_running(app):
        await plan_leaflets(uow_of(db)(), app.state.printing)
        before = await eventually(lambda: leaflets(app), within=60)
        text = {"title": "Người trồng quế ở Bản Nguyên", "summary": "Tóm tắt đã sửa.", "body": "Trồng 4 ha quế hữu cơ."}
        await edit_story(uow_of(db)(), app.state.newsroom, first, **text, by="BTV", note="Sửa diện tích.")
        assert await plan_leaflets(uow_of(db)(), app.state.printing) == 2

        async def rebuilt() -> list[Leaflet] | None:
            found = await leaflets(app)
            return found if found and {f.digest for f in found}.isdisjoint({f.digest for f in before}) else None

        after = await eventually(rebuilt, within=60)
        text_after = " ".join(text_of(app.state.printing.media / str(after[0].file)).split())
        assert "Người trồng quế ở Bản Nguyên" in text_after and "Trồng 4 ha quế hữu cơ." in text_after
        await retract_story(uow_of(db)(), app.state.newsroom, second, reason="Rút lại sự đồng ý", by="BTV")
        await retract_story(uow_of(db)(), app.state.newsroom, first, reason="Rút lại sự đồng ý", by="BTV")
        await plan_leaflets(uow_of(db)(), app.state.printing)
        await eventually(lambda: leaflets(app, state="empty"), within=60)


async def test_an_editor_builds_a_leaflet_of_chosen_stories(print_app: FastAPI) -> None:
    app = print_app
    first = await in_print(app, "Lò Văn Páo", "Trồng 3,5 ha quế hữu cơ.")
    second = await in_print(app, "Đặng Thị Ứng", "Mở lớp dạy chữ cho 40 phụ nữ.")
    editor = {"Authorization": f"Bearer {mint_token(TEST_SECRET, subject='e', role=Role.EDITOR, name='BTV')}"}
    async with (
        jobs_running(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://publishing") as client,
    ):
        body = {"story_ids": [str(second), str(first)], "size": "A5", "title": "Tờ tin ngày 11/6"}
        asked = await client.post("/api/editor/leaflets", json=body, headers=editor)
        assert asked.status_code == 202, asked.text
        leaflet_id = asked.json()["leaflet_id"]

        async def ready() -> dict[str, Any] | None:
            found: dict[str, Any] = (await client.get(f"/api/editor/leaflets/{leaflet_id}", headers=editor)).json()
            return found if found["state"] == "ready" else None

        done = await eventually(ready, within=60)
        pdf = app.state.printing.media / done["url"].removeprefix(f"{BASE}/media/")
        text = " ".join(text_of(pdf).split())
        assert text.index("Đặng Thị Ứng") < text.index("Lò Văn Páo")  # in the order chosen
        assert A5_POINTS in info_of(pdf)
        refused = await client.post("/api/editor/leaflets", json={**body, "size": "A3"}, headers=editor)
        assert refused.status_code == 422
