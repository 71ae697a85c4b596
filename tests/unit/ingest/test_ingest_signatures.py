"""Standard Webhooks signatures: the specification's test vector, tolerance edges, rotation."""

from __future__ import annotations

import pytest

from ct_ingest.core.signatures import SignatureRejected, sign, signing_key, verify

# The test vector published with the Standard Webhooks specification (and Svix's docs).
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
TIMESTAMP = 1614265330
BODY = b'{"test": 2432232314}'
SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
KEY = signing_key(SECRET)


def check(
    signature: str = SIGNATURE,
    now: float = TIMESTAMP,
    body: bytes = BODY,
    timestamp: str = str(TIMESTAMP),
    msg_id: str = MSG_ID,
) -> int:
    return verify(KEY, msg_id, timestamp, signature, body, now)


def test_the_specification_vector() -> None:
    assert sign(KEY, MSG_ID, TIMESTAMP, BODY) == SIGNATURE
    assert check() == TIMESTAMP


def test_the_secret_prefix_is_optional() -> None:
    assert signing_key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") == KEY
    with pytest.raises(ValueError, match="base64"):
        signing_key("whsec_not base64!")


@pytest.mark.parametrize("offset", [-300, -1, 0, 1, 300])
def test_timestamps_within_five_minutes_either_way_pass(offset: int) -> None:
    assert check(now=TIMESTAMP + offset) == TIMESTAMP


@pytest.mark.parametrize("offset", [-360, -301, 301, 360])
def test_timestamps_further_away_are_refused(offset: int) -> None:
    with pytest.raises(SignatureRejected) as caught:
        check(now=TIMESTAMP + offset)
    assert caught.value.reason == "timestamp_out_of_tolerance"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"body": b'{"test": 2432232315}'}, "signature_mismatch"),
        ({"msg_id": "msg_other"}, "signature_mismatch"),
        ({"timestamp": str(TIMESTAMP + 1)}, "signature_mismatch"),
        ({"signature": "v1," + "A" * 44}, "signature_mismatch"),
        ({"signature": SIGNATURE.replace("v1,", "v1a,")}, "signature_mismatch"),
        ({"signature": SIGNATURE[3:]}, "signature_mismatch"),  # no version
        ({"signature": ""}, "signature_missing"),
        ({"msg_id": ""}, "signature_missing"),
        ({"msg_id": "has space"}, "webhook_id_invalid"),
        ({"timestamp": "1614265330.5"}, "timestamp_invalid"),
        ({"timestamp": "-1614265330"}, "timestamp_invalid"),
    ],
)
def test_anything_altered_is_refused(change: dict[str, object], reason: str) -> None:
    with pytest.raises(SignatureRejected) as caught:
        check(**change)  # type: ignore[arg-type]
    assert caught.value.reason == reason


def test_one_matching_entry_among_several_is_enough() -> None:
    other = sign(signing_key("whsec_" + "b3RoZXItc2VjcmV0LXJvdGF0ZWQ="), MSG_ID, TIMESTAMP, BODY)

    assert check(signature=f"{other} {SIGNATURE}") == TIMESTAMP
    assert check(signature=f"v1a,ignored {SIGNATURE}") == TIMESTAMP
    with pytest.raises(SignatureRejected):
        check(signature=other)
