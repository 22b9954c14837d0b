"""Unit signatures: what verifies, and the precise refusal for what does not."""

from __future__ import annotations

import base64
import json

import pytest
from joserfc.jwk import ECKey, OKPKey

from common.errors import Unprocessable
from common.organisation import Level, Organisation, Unit, UnitKey
from common.signing import UnitKeyring, sign_compact


def _org(*units: Unit) -> Organisation:
    return Organisation.model_validate(
        {
            "id": "t",
            "name": "Thử nghiệm",
            "blocks": [{"id": "b", "name": "Khối"}],
            "authorities": [
                {"id": "a", "name": "UBND", "short_name": "UBND", "level": "commune", "signer_title": "Chủ tịch"}
            ],
            "units": units,
        }
    )


@pytest.fixture
def keys() -> dict[str, OKPKey | ECKey]:
    return {"a": OKPKey.generate_key("Ed25519"), "b": ECKey.generate_key("P-256")}


@pytest.fixture
def keyring(keys: dict[str, OKPKey | ECKey]) -> UnitKeyring:
    return UnitKeyring(
        _org(
            Unit(
                id="a",
                name="A",
                kind="commune",
                level=Level.COMMUNE,
                block="b",
                authority="a",
                keys=(UnitKey(kid="a-1", public_key=keys["a"].as_pem(private=False).decode()),),
            ),
            Unit(
                id="b",
                name="B",
                kind="commune",
                level=Level.COMMUNE,
                block="b",
                authority="a",
                keys=(UnitKey(kid="b-1", public_key=keys["b"].as_pem(private=False).decode()),),
            ),
        )
    )


def test_ed25519_and_p256_verify(keys: dict[str, OKPKey | ECKey], keyring: UnitKeyring) -> None:
    for unit, kid in (("a", "a-1"), ("b", "b-1")):
        token = sign_compact(b'{"x": 1}', keys[unit].as_pem(private=True), kid)
        signed = keyring.verify(token)
        assert (signed.unit_id, signed.kid, signed.payload) == (unit, kid, b'{"x": 1}')


def test_tampered_payload_is_refused(keys: dict[str, OKPKey | ECKey], keyring: UnitKeyring) -> None:
    header, _payload, signature = sign_compact(b'{"x": 1}', keys["a"].as_pem(private=True), "a-1").split(".")
    forged = base64.urlsafe_b64encode(b'{"x": 2}').rstrip(b"=").decode()
    with pytest.raises(Unprocessable) as caught:
        keyring.verify(f"{header}.{forged}.{signature}")
    assert caught.value.code == "bad-signature"


def test_key_of_another_unit_does_not_verify(keys: dict[str, OKPKey | ECKey], keyring: UnitKeyring) -> None:
    token = sign_compact(b"{}", OKPKey.generate_key("Ed25519").as_pem(private=True), "a-1")
    with pytest.raises(Unprocessable) as caught:
        keyring.verify(token)
    assert caught.value.code == "bad-signature"


def _b64(data: dict[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("not-a-jws", "malformed-signature"),
        (f"{_b64({'alg': 'Ed25519'})}.e30.c2ln", "missing-key-id"),
        (f"{_b64({'alg': 'none', 'kid': 'a-1'})}.e30.", "unsupported-algorithm"),
        (f"{_b64({'alg': 'HS256', 'kid': 'a-1'})}.e30.c2ln", "unsupported-algorithm"),
        (f"{_b64({'alg': 'Ed25519', 'kid': 'nobody'})}.e30.c2ln", "unknown-key"),
        ("!!!.e30.c2ln", "malformed-signature"),
    ],
)
def test_refusals_have_codes(keyring: UnitKeyring, token: str, code: str) -> None:
    with pytest.raises(Unprocessable) as caught:
        keyring.verify(token)
    assert caught.value.code == code
