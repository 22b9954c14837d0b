"""Limits on what a service is sent: request bodies, token lifetimes, text, event times."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI, HTTPException, Request
from joserfc import jwt
from joserfc.jwk import OctKey
from pydantic import ValidationError

from common.auth import AUDIENCE, ISSUER, Role, TokenVerifier, mint_token
from common.errors import Unprocessable
from common.events import Nominee, clean_text, parse_event
from common.limits import BodyLimit
from tests.conftest import TEST_SECRET

LIMIT = 64 * 1024


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    read: list[int] = []

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        body = await request.body()
        read.append(len(body))
        return {"bytes": len(body)}

    app.add_middleware(BodyLimit, max_bytes=LIMIT)
    app.state.read = read
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


async def test_a_body_over_the_limit_is_refused_before_it_is_read(http: httpx.AsyncClient) -> None:
    assert (await http.post("/echo", content=b"x" * LIMIT)).json() == {"bytes": LIMIT}
    refused = await http.post("/echo", content=b"x" * (LIMIT + 1))
    assert refused.status_code == 413
    assert refused.json()["detail"]["code"] == "body-too-large"
    assert "tối đa 65.536 byte" in refused.json()["detail"]["message"]


async def test_a_chunked_body_is_cut_off_once_past_the_limit(http: httpx.AsyncClient) -> None:
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(100):  # 1.6 MB offered, without a Content-Length
            sent += 16 * 1024
            yield b"x" * 16 * 1024

    refused = await http.post("/echo", content=chunks())
    assert refused.status_code == 413
    assert sent <= LIMIT + 2 * 16 * 1024, "the rest of the body was not asked for"


def _token(lifetime: float, issued_ago: float = 0) -> str:
    now = int(time.time() - issued_ago)
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "role": "reviewer", "iat": now, "exp": int(now + lifetime)}
    return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(TEST_SECRET))


def test_a_token_living_longer_than_the_maximum_is_refused() -> None:
    verifier = TokenVerifier(TEST_SECRET, max_lifetime_seconds=12 * 3600)
    assert verifier.verify(mint_token(TEST_SECRET, subject="r", role=Role.REVIEWER, ttl_seconds=8 * 3600)).subject
    for token in (_token(100 * 365 * 24 * 3600), _token(13 * 3600)):
        with pytest.raises(HTTPException) as refused:
            verifier.verify(token)
        assert refused.value.status_code == 401
        assert "dài hơn mức cho phép (12 giờ)" in str(refused.value.detail)


@pytest.mark.parametrize(
    ("char", "name"), [("\x00", "U+0000"), ("\x0b", "U+000B"), ("\x1b", "U+001B"), ("\x85", "U+0085")]
)
def test_control_characters_are_refused_in_text(char: str, name: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Nominee(kind="individual", name=f"Nguyễn{char}Văn An")  # type: ignore[arg-type]
    assert f"ký tự điều khiển {name}" in str(refused.value)


def test_invisible_characters_are_removed_and_line_ends_made_newlines() -> None:
    assert clean_text("Nguyễn Văn An\u200b") == "Nguyễn Văn An"
    assert clean_text("\ufeffNguyễn\u200d Văn\u2060 An") == "Nguyễn Văn An"
    assert clean_text("Dòng một\r\nDòng hai\rDòng ba\tcột") == "Dòng một\nDòng hai\nDòng ba\tcột"
    decomposed = "Nguye\u0302\u0303n"  # NFD, as some keyboards send it
    assert clean_text(decomposed) == "Nguyễn"


def _envelope(occurred_at: datetime) -> bytes:
    return json.dumps(
        {
            "event_id": "0b7f3c2e-3a4f-4a57-9a43-5c1c9f2d9b10",
            "type": "NominationSubmitted",
            "schema_version": 1,
            "occurred_at": occurred_at.isoformat(),
            "producer": "xa-ban-nguyen",
            "correlation_id": "0b7f3c2e-3a4f-4a57-9a43-5c1c9f2d9b10",
            "data": {},
        }
    ).encode()


@pytest.mark.parametrize(
    "when",
    [datetime(9999, 1, 1, tzinfo=UTC), datetime(2000, 1, 1, tzinfo=UTC), datetime.now(UTC) + timedelta(hours=2)],
)
def test_an_event_time_outside_the_window_is_refused(when: datetime) -> None:
    with pytest.raises(Unprocessable) as refused:
        parse_event(_envelope(when))
    assert refused.value.code == "invalid-envelope"
    assert "occurred_at" in refused.value.message and "ngoài khoảng chấp nhận" in refused.value.message
