"""Names and hashtags are normalised and validated."""

from __future__ import annotations

import pytest

from trendminer.cleaning import caption_hashtags
from trendminer.errors import InvalidNameError
from trendminer.names import normalise_hashtag, normalise_username


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(" @Some.User ", "some.user"), ("ABC_1", "abc_1"), ("\uff20wide", "wide")],
)
def test_usernames_are_normalised(raw: str, expected: str) -> None:
    assert normalise_username(raw) == expected


@pytest.mark.parametrize("raw", ["", "@", "has space", "x" * 31, "a..b", "<script>", "a\x00b"])
def test_bad_usernames_are_refused(raw: str) -> None:
    with pytest.raises(InvalidNameError, match="not an Instagram user name"):
        normalise_username(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("#StreetStyle", "streetstyle"), ("  outfit ", "outfit"), ("#Été", "été"),
     ("#फैशन", "फैशन"), ("#แฟชั่น", "แฟชั่น"), ("#cafe\u0301", "café"),
     ("#İstanbul", "i\u0307stanbul")],
)  # fmt: skip
def test_hashtags_are_normalised(raw: str, expected: str) -> None:
    assert normalise_hashtag(raw) == expected


@pytest.mark.parametrize("raw", ["", "#", "two words", "drop;table", "#a-b"])
def test_bad_hashtags_are_refused(raw: str) -> None:
    with pytest.raises(InvalidNameError, match="not a hashtag"):
        normalise_hashtag(raw)


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("Diwali look #फैशन #Outfit", ("फैशन", "outfit")),  # vowel signs are part of the tag
        ("new drop https://shop.example.com/sale#summer #ootd", ("ootd",)),  # no link fragment
        ("it&#39;s here #real", ("real",)),  # no HTML entity
        ("#ootd#fashion", ("ootd", "fashion")),
    ],
)
def test_caption_hashtags_in_any_script_and_not_in_links(
    caption: str, expected: tuple[str, ...]
) -> None:
    assert caption_hashtags(caption) == expected


PERSIAN = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # "I want": a ZWNJ between letters


@pytest.mark.parametrize("raw", [".lead", "trail.", ".", "_.", "a._."])
def test_a_username_does_not_start_or_end_with_a_dot(raw: str) -> None:
    with pytest.raises(InvalidNameError, match="not an Instagram user name"):
        normalise_username(raw)


@pytest.mark.parametrize(
    "raw",
    ["\u0301", "\u0301\u0301", "\u0301abc", "#\u093e", "\u200cab", "ab\u200c", "a\u200c\u200cb"],
)
def test_a_hashtag_starts_with_a_letter_and_holds_joiners_only_between_letters(raw: str) -> None:
    with pytest.raises(InvalidNameError, match="not a hashtag"):
        normalise_hashtag(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(PERSIAN, PERSIAN), ("x\u200dy", "x\u200dy"), ("a" * 99 + "ß", "a" * 99 + "ss"),
     ("ß" * 100, "s" * 200)],
)  # fmt: skip
def test_joiners_and_letters_that_case_folding_lengthens_are_kept(raw: str, expected: str) -> None:
    assert normalise_hashtag(raw) == expected


def test_a_hashtag_of_more_than_100_typed_characters_is_refused() -> None:
    with pytest.raises(InvalidNameError, match="not a hashtag"):
        normalise_hashtag("a" * 101)


def test_caption_hashtags_keep_joiners_and_long_folded_tags() -> None:
    caption = f"#{PERSIAN} and #{'a' * 99}ß, #trail\u200c end"
    assert caption_hashtags(caption) == (PERSIAN, "a" * 99 + "ss", "trail")
