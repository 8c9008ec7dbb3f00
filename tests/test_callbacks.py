"""Unit tests for the versioned, validated callback data in bot.callbacks."""

from __future__ import annotations

import pytest

from bot import callbacks
from bot.callbacks import CallbackData, decode, encode, pattern, register_action


def test_round_trip() -> None:
    data = encode("fav", "193XKZP")
    assert data == "v1|fav|193XKZP"
    assert decode(data) == CallbackData("fav", ("193XKZP",))
    assert decode(encode("page", "k3", 12)) == CallbackData("page", ("k3", "12"))
    assert decode(encode("noop")) == CallbackData("noop", ())


@pytest.mark.parametrize(
    "forged",
    [
        None,
        "",
        "fav:193XKZP",  # legacy unversioned format
        "v0|fav|193XKZP",  # older version
        "v1|fav",  # missing argument
        "v1|fav|193XKZP|extra",
        "v1|fav|<script>",
        "v1|fav|' OR 1=1 --",
        "v1|nope|193XKZP",  # unknown action
        "v1|match|G16",  # malformed ROME code
        "v1|match|Z1234",
        "v1|obr|-5",
        "v1|obt|2575",  # 25:75 is no time
        "v1|fav|" + "A" * 60,  # too long
        "v1|fav|193XKZ\u00e9",
        b"v1|fav|193XKZP",  # not a str
    ],
)
def test_decode_rejects_forged_data(forged: object) -> None:
    assert decode(forged) is None


def test_encode_validates_action_and_arguments() -> None:
    with pytest.raises(ValueError):
        encode("unknown_action", "x")
    with pytest.raises(ValueError):
        encode("fav")
    with pytest.raises(ValueError):
        encode("fav", "bad|id")
    with pytest.raises(ValueError):
        encode("match", "serveur")


def test_every_registered_action_fits_64_bytes_with_longest_arguments() -> None:
    longest = {
        callbacks.OFFER_ID: "A" * 15,
        callbacks.ROME_CODE: "G1603",
        callbacks.INSEE_CODE: "2A004",
        callbacks.INT: "999999",
        callbacks.SIGNED_INT: "-999999",
        callbacks.WORD: "a" * 16,
        callbacks.HHMM: "2359",
        callbacks.KEY: "k" * 24,
        callbacks.CONTRACT_TYPE: "ABCD",
    }
    for action, patterns in callbacks._ACTIONS.items():
        shapes = [p.pattern[4:-2] for p in patterns]
        if not all(shape in longest for shape in shapes):
            continue  # another module's own shape: its encode() asserts the size
        args = [longest[shape] for shape in shapes]
        data = encode(action, *args)
        assert len(data.encode()) <= 64
        assert decode(data) == CallbackData(action, tuple(args))


def test_register_action_rules() -> None:
    register_action("testact", callbacks.INT)
    register_action("testact", callbacks.INT)  # same shape again is fine
    with pytest.raises(ValueError):
        register_action("testact", callbacks.WORD)
    with pytest.raises(ValueError):
        register_action("Bad Name")
    with pytest.raises(ValueError):
        register_action("x" * 20)
    # Arguments that would overflow 64 bytes are refused at encode time.
    register_action("testlong", r"a{1,80}")
    with pytest.raises(AssertionError):
        encode("testlong", "a" * 70)


def test_pattern_matches_only_valid_data_of_its_actions() -> None:
    is_fav = pattern("fav", "unfav")
    assert is_fav("v1|fav|193XKZP")
    assert is_fav("v1|unfav|193XKZP")
    assert not is_fav("v1|offer|193XKZP")
    assert not is_fav("v1|fav|<b>")
    assert not is_fav(None)
    with pytest.raises(ValueError):
        pattern("never_registered")
