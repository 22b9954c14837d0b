"""Units sign what they post: a compact JWS (RFC 7515) whose payload is the event envelope.

Keys are Ed25519 (``alg`` "Ed25519" or the older "EdDSA") or P-256 (``alg`` "ES256"); the JWS
header's ``kid`` names one of the unit's keys in the organisation file. Only public keys are
known here.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, OKPKey

from common.errors import Unprocessable
from common.organisation import Organisation

__all__ = ["ALGORITHMS", "SignedPayload", "UnitKeyring", "sign_compact"]

ALGORITHMS = ["Ed25519", "EdDSA", "ES256"]


@dataclass(frozen=True)
class SignedPayload:
    unit_id: str
    kid: str
    payload: bytes


def _import_public(pem: str) -> OKPKey | ECKey:
    try:
        return OKPKey.import_key(pem.encode())
    except (JoseError, ValueError, TypeError):
        return ECKey.import_key(pem.encode())


class UnitKeyring:
    """The units' public keys by key id, built from the organisation file."""

    def __init__(self, organisation: Organisation) -> None:
        self._keys: dict[str, tuple[str, OKPKey | ECKey]] = {}
        for unit in organisation.units:
            for key in unit.keys:
                self._keys[key.kid] = (unit.id, _import_public(key.public_key))

    def __len__(self) -> int:
        return len(self._keys)

    def verify(self, token: str) -> SignedPayload:
        """Check a compact JWS and return who signed it and what, or raise Unprocessable."""
        if not isinstance(token, str) or token.count(".") != 2:
            raise Unprocessable("malformed-signature", "expected a compact JWS: header.payload.signature")
        try:
            header = jws.extract_compact(token.encode()).headers()
        except (JoseError, ValueError) as error:
            raise Unprocessable("malformed-signature", f"the JWS header cannot be read: {error}") from error
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise Unprocessable("missing-key-id", "the JWS header has no kid naming the unit's key")
        if header.get("alg") not in ALGORITHMS:
            raise Unprocessable(
                "unsupported-algorithm", f"alg {header.get('alg')!r} is not one of {', '.join(ALGORITHMS)}"
            )
        entry = self._keys.get(kid)
        if entry is None:
            raise Unprocessable("unknown-key", f"no unit has a key with kid {kid!r}")
        unit_id, key = entry
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "EdDSA" is deprecated by RFC 9864, still accepted
                obj = jws.deserialize_compact(token, key, algorithms=ALGORITHMS)
        except (JoseError, ValueError) as error:
            raise Unprocessable("bad-signature", f"the signature does not verify with key {kid}") from error
        return SignedPayload(unit_id=unit_id, kid=kid, payload=obj.payload)


def sign_compact(payload: bytes, private_key_pem: bytes, kid: str) -> str:
    """Sign as a unit system would (used by the tools, the tests and the integration example)."""
    try:
        key: OKPKey | ECKey = OKPKey.import_key(private_key_pem)
        alg = "Ed25519"
    except (JoseError, ValueError, TypeError):
        key = ECKey.import_key(private_key_pem)
        alg = "ES256"
    return jws.serialize_compact({"alg": alg, "kid": kid}, payload, key, algorithms=[alg])
