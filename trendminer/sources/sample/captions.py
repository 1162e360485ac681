"""Caption and comment texts: a language mix, intended sentiment, emoji, mentions, hashtags.

English phrases carry words VADER scores (love, amazing / hate, awful), so the enrich stage can
recover the intended label; other languages carry their own sentiment words. A small share of
captions is hostile as real feeds are: HTML and ``<script>``, NUL bytes, right-to-left text.
"""

from __future__ import annotations

import numpy as np

_PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "positive": (
            "Love this look so much",
            "Feeling amazing in my new fit today",
            "Obsessed with this outfit, best buy ever",
            "Such a beautiful day for a walk in the city, happy",
            "Great vibes and a perfect outfit",
            "So happy with how this turned out, awesome",
        ),
        "neutral": (
            "Today's outfit",
            "Wearing this on the way to work",
            "Details of the look below",
            "Outfit of the day from the street",
            "Monday look",
            "Saturday errands in the city",
        ),
        "negative": (
            "Hate how this turned out, terrible quality",
            "Worst shopping experience ever, so disappointed",
            "Awful service at the store, never again",
            "This brand is a total scam, angry and sad",
            "Terrible fit and the fabric is horrible",
            "Ugly weather ruined my look, worst day",
        ),
    },
    "es": {
        "positive": ("Me encanta este look, estoy feliz", "Qué bonito día para estrenar ropa"),
        "neutral": ("El outfit de hoy para ir a trabajar", "Look del día por la ciudad"),
        "negative": ("Qué horrible calidad, muy decepcionada", "La peor tienda, nunca más"),
    },
    "fr": {
        "positive": ("J'adore cette tenue, trop belle journée", "Tellement heureuse de ce look"),
        "neutral": ("La tenue du jour pour aller au bureau", "Look du jour dans la rue"),
        "negative": ("Quelle horreur cette qualité, très déçue", "Le pire magasin, plus jamais"),
    },
    "it": {
        "positive": ("Adoro questo look, che bella giornata", "Felicissima del mio nuovo outfit"),
        "neutral": ("Il look di oggi per andare in ufficio", "Outfit del giorno in città"),
        "negative": ("Qualità terribile, davvero delusa", "Il peggior negozio, mai più"),
    },
    "pt": {
        "positive": ("Amei demais esse look, dia lindo", "Muito feliz com a roupa nova"),
        "neutral": ("O look de hoje para o trabalho", "Look do dia pela cidade"),
        "negative": ("Qualidade horrível, muito decepcionada", "A pior loja, nunca mais"),
    },
    "de": {
        "positive": ("Ich liebe dieses Outfit, so ein schöner Tag", "Total glücklich mit dem Look"),
        "neutral": ("Das Outfit von heute für das Büro", "Look des Tages in der Stadt"),
        "negative": ("Schreckliche Qualität, sehr enttäuscht", "Der schlimmste Laden, nie wieder"),
    },
}

_EMOJI = {
    "positive": ("😍", "✨", "💖", "🔥", "😊"),
    "neutral": ("👗", "👟", "📸", "🧥", ""),
    "negative": ("😡", "👎", "😤", "💔", ""),
}

_COMMENTS = {
    "positive": ("Love it!", "So beautiful 😍", "Amazing look", "Great style", "Perfect 🔥"),
    "neutral": ("Where is this from?", "Which store?", "Size?", "Nice", "👀"),
    "negative": ("Awful, sorry", "Terrible brand", "Hate this trend", "So disappointing", "Ugly"),
}

_HOSTILE = (
    "<script>alert('x')</script> new look <b>today</b>",
    "Outfit\x00 of the day\x00",
    "מראה של היום ‏ שמלה חדשה ‮ecnarf‬",
    "اطلالة اليوم في المدينة <img src=x onerror=alert(1)>",
    "<a href='javascript:void(0)'>shop</a> &amp; style",
)


def caption(
    rng: np.random.Generator,
    *,
    language: str,
    sentiment: str,
    hashtags: tuple[str, ...],
    mentions: tuple[str, ...],
    keywords: tuple[str, ...],
    hostile: bool,
) -> str:
    """A caption in ``language`` carrying ``sentiment``, then keywords, mentions and hashtags."""
    phrases = _PHRASES[language][sentiment]
    parts = [phrases[int(rng.integers(len(phrases)))]]
    if hostile:
        parts.insert(0, _HOSTILE[int(rng.integers(len(_HOSTILE)))])
    if keywords:
        parts.append(" ".join(keywords))
    emoji = _EMOJI[sentiment][int(rng.integers(len(_EMOJI[sentiment])))]
    if emoji:
        parts.append(emoji)
    parts.extend(f"@{m}" for m in mentions)
    text = " ".join(parts)
    tags = " ".join(f"#{t}" for t in hashtags)
    return f"{text}\n.\n{tags}" if rng.random() < 0.4 else f"{text} {tags}"


def comment(rng: np.random.Generator, sentiment: str) -> str:
    """A short comment carrying ``sentiment``."""
    texts = _COMMENTS[sentiment]
    return texts[int(rng.integers(len(texts)))]
