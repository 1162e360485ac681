"""Instagram text cleaning, language detection and VADER scoring, on cases."""

from __future__ import annotations

import py3langid.langid as langid
import pytest

from trendminer.enrich.language import UNDETERMINED, LanguageDetector
from trendminer.enrich.sentiment import Scorer, SentimentConfig
from trendminer.enrich.text import prepare
from trendminer.settings import Settings


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer(SentimentConfig.from_settings(Settings()))


@pytest.mark.parametrize(
    ("raw", "for_sentiment", "for_language"),
    [
        ("Love it 😍 #ootd @bob https://x.co/a", "Love it 😍 ootd", "Love it 😍"),
        ("#sad #fail", "sad fail", "sad fail"),
        ("#NotHappy #so_sad", "Not Happy so sad", "Not Happy so sad"),
        ("see www.shop.example now", "see now", "see now"),
        ("mail a@b.example, @bob.x!", "mail a@b.example, !", "mail a@b.example, !"),
        ("😍😍🔥", "😍😍🔥", None),
        ("#2024 #100", "2024 100", None),
        ("Tenue à Paris #outfit", "Tenue à Paris outfit", "Tenue à Paris"),
        ("I'm 100% sure!!! :)", "I'm 100% sure!!! :)", "I'm 100% sure!!! :)"),
        ("#SALE #ÉtéChaud #été!", "SALE ÉtéChaud été !", "SALE ÉtéChaud été"),
        ("a#b &#39; ##x WWW.Shop.example", "a#b &#39; ##x", "a#b &#39; ##x"),
        ("Sunday vibes #NoFilter #no_makeup", "Sunday vibes not Filter not makeup", "Sunday vibes"),
        (
            "\U0001d4db\U0001d4f8\U0001d4ff\U0001d4ee \U0001d4f2\U0001d4fd ❤️ "
            "\uff03\uff2f\uff2f\uff34\uff24",
            "Love it ❤ OOTD",
            "Love it ❤",
        ),  # fancy and full-width letters
        ("👍🏽 nice", "👍 nice", "👍 nice"),
    ],
)
def test_cleaning_rules(raw: str, for_sentiment: str, for_language: str | None) -> None:
    cleaned, words = prepare(raw)
    assert cleaned == for_sentiment
    assert (" ".join(words.split()) if words else words) == for_language


def test_batched_detector_agrees_with_py3langid() -> None:
    texts = [
        "Loving this new look for the weekend",
        "Nouvelle tenue pour la fashion week à Paris",
        "Me encanta este vestido rojo para el verano",
        "Ich liebe dieses Kleid sehr",
        "Красивое платье на лето",
        "今日のコーデ",
        "HELLO WORLD THIS IS LOUD",
        "Adoro questo vestito per l'estate",
    ]
    reference = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE)
    assert LanguageDetector().detect(texts) == [reference.classify(t)[0] for t in texts]
    # where py3langid falls back to its first label, the batch says it cannot tell
    assert LanguageDetector().detect(["", "x"]) == [UNDETERMINED, UNDETERMINED]


@pytest.mark.parametrize(
    ("text", "language", "label"),
    [
        ("Loving this look 😍 #ootd", "en", "positive"),
        ("worst day ever, my heel broke #fail", "en", "negative"),
        ("#sad #fail", "en", "negative"),
        ("this outfit is not good", "en", "negative"),
        ("not bad at all", "en", "positive"),
        ("😍😍🔥", UNDETERMINED, "positive"),
        ("😢😭", UNDETERMINED, "negative"),
        ("a blue shirt and jeans", "en", "neutral"),
        ("love", "en", "positive"),
        ("Perfect outfit 🔥🔥", "en", "positive"),  # praise, not a fire
        ("💔👎", UNDETERMINED, "negative"),
        ("😡😤", UNDETERMINED, "negative"),
        ("❤️", UNDETERMINED, "positive"),  # with its variation selector
        ("Sunday look #NoFilter", "en", "neutral"),  # "no" alone reads negative to VADER
        (
            "\U0001d4db\U0001d4f8\U0001d4ff\U0001d4ee \U0001d4f2\U0001d4fd",
            "en",
            "positive",
        ),  # "Love it" in a fancy font
    ],
)
def test_english_and_emoji_are_scored(scorer: Scorer, text: str, language: str, label: str) -> None:
    (result,) = scorer.score([text])
    assert result.language == language
    assert result.label == label
    assert result.compound is not None
    assert result.pos is not None
    assert result.neu is not None
    assert result.neg is not None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Me encanta este vestido rojo, es precioso 😍", "es"),
        ("Nouvelle tenue pour la fashion week, trop belle", "fr"),
        ("Ich liebe dieses Kleid, es ist wunderschön", "de"),
    ],
)
def test_other_languages_keep_language_with_null_sentiment(
    scorer: Scorer, text: str, language: str
) -> None:
    (result,) = scorer.score([text])
    assert result == (language, None, None, None, None, None)


@pytest.mark.parametrize(("text", "label"), [("feo", None), ("amo", None), ("no", "negative")])
def test_words_too_short_for_a_language_are_scored_only_where_vader_knows_one(
    scorer: Scorer, text: str, label: str | None
) -> None:
    """'feo' (Spanish: ugly) is no neutral English text; 'no' is in VADER's lexicon."""
    (result,) = scorer.score([text])
    assert (result.language, result.label) == (UNDETERMINED, label)
    assert (result.compound is None) == (label is None)


def test_missing_text_has_no_language(scorer: Scorer) -> None:
    assert [s.language for s in scorer.score([None, "", "  "])] == [None, None, None]


@pytest.mark.parametrize(
    "text", ["@friend", "@a @b", "https://example.com/x", "www.x.com", "\u200b"]
)
def test_a_text_with_nothing_to_read_has_no_scores_not_neutral_ones(
    scorer: Scorer, text: str
) -> None:
    (result,) = scorer.score([text])
    assert (result.compound, result.label) == (None, None)


def test_label_cut_follows_the_settings() -> None:
    strict = Scorer(
        SentimentConfig.from_settings(
            Settings(sentiment_positive_threshold=0.9, sentiment_negative_threshold=-0.9)
        )
    )
    (result,) = strict.score(["nice"])
    assert result.compound is not None
    assert 0.05 < result.compound < 0.9
    assert result.label == "neutral"
