"""The report page: one self-contained HTML file (inline CSS, charts and crops beside it).

Everything that comes from the data is escaped with :func:`html.escape` (through :func:`esc`),
so a caption, user name or hashtag holding markup shows as text.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from trendminer.report.data import AttributeEvent, AttributeTrend, Peak, ReportData

CAPTION_CHARS = 90
DASH = "\u2013"  # en dash: ranges and missing values
LABELLED = ("activity", "negative sentiment")
PEAK_HEADERS = (
    "influencer",
    "home city",
    "posts",
    "likes",
    "share of peak",
    "mean sentiment",
    "followers",
)
HASHTAG_PEAK_HEADERS = (
    "day",
    "peak",
    "scope",
    "label",
    "top influencer (share)",
    "rising hashtags",
)
TREND_HEADERS = (
    "city",
    "attribute",
    "kind",
    "slope (points/week)",
    "p-value",
    "mean share",
    "forecast, next week (95%)",
)
INFLUENCE_HEADERS = (
    "attribute",
    "kind",
    "leading city",
    "following city",
    "lag (weeks)",
    "correlation",
    "Granger p",
)
TRACKED_HEADERS = (
    "influencer",
    "posts",
    "likes",
    "mean sentiment",
    "negative posts",
    "garments",
    "last post",
)

CSS = """
:root { --ink: #1d2733; --muted: #5b6773; --line: #d9dee3; --accent: #0072B2; --peak: #D55E00; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: #f6f7f9; }
main { max-width: 980px; margin: 0 auto; padding: 24px 20px 48px; }
header h1 { margin: 0 0 4px; font-size: 26px; }
.muted { color: var(--muted); }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px;
          margin: 16px 0; }
h2 { margin: 0 0 8px; font-size: 19px; }
h3 { margin: 14px 0 6px; font-size: 16px; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 10px; }
.figure { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
.figure b { display: block; font-size: 22px; }
.notice { border-left: 4px solid var(--peak); background: #fff4ec; padding: 10px 14px; }
img.chart { width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 14px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); }
th { color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.label-non-average { color: var(--peak); font-weight: 600; }
.peak { border-top: 1px solid var(--line); padding-top: 4px; }
.crops { display: flex; flex-wrap: wrap; gap: 10px; }
.crops figure { margin: 0; width: 170px; }
.crops img { width: 160px; height: 160px; object-fit: contain; background: #eef0f2;
             border-radius: 4px; }
.crops figcaption { font-size: 12px; color: var(--muted); overflow-wrap: anywhere; }
code { background: #eef0f2; padding: 1px 4px; border-radius: 3px; }
"""


def esc(value: object) -> str:
    """``value`` as text safe inside HTML elements and attributes."""
    return html.escape(str(value), quote=True)


def user_text(value: object) -> str:
    """Text a user wrote (a name, caption, hashtag), escaped and isolated in ``<bdi>``: its
    right-to-left marks or overrides never reorder the page's text around it."""
    return f"<bdi>{esc(value)}</bdi>"


def _pct(value: float | None, digits: int = 1) -> str:
    return DASH if value is None else f"{value * 100:.{digits}f}%"


def _num(value: float | None, digits: int = 2) -> str:
    return DASH if value is None else f"{value:,.{digits}f}"


def _scope(hashtag: str, city: str) -> str:
    tag = "all hashtags" if hashtag == "*" else f"#{hashtag}"
    return f"{tag}, {'all cities' if city == '*' else city}"


def _label(label: str) -> str:
    return f'<span class="label-{esc(label)}">{esc(label)}</span>'


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: set[int]) -> str:
    """A table; cells are already-escaped HTML."""
    head = "".join(
        f'<th class="num">{esc(h)}</th>' if i in numeric else f"<th>{esc(h)}</th>"
        for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{cell}</td>' if i in numeric else f"<td>{cell}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{esc(title)}</h2>{body}</section>'


def _none(text: str) -> str:
    return f'<p class="muted">{esc(text)}</p>'


@dataclass(frozen=True, slots=True)
class PageAssets:
    """Files beside ``index.html`` that the page links to (relative names)."""

    charts: dict[str, str]  # chart name -> file
    crops: dict[tuple[int, int], str]  # (event index, crop index) -> file
    csv_rows: dict[str, int]  # table -> rows exported


def _chart(assets: PageAssets, name: str, alt: str, missing: str) -> str:
    file = assets.charts.get(name)
    if file is None:
        return _none(missing)
    return f'<img class="chart" src="{esc(file)}" alt="{esc(alt)}">'


def _summary(data: ReportData) -> str:
    window = data.window
    figures = [
        ("posts on the day", f"{data.day_posts:,}"),
        ("posts in the window", f"{data.window_posts:,}"),
        ("activity", data.labels.get("activity", "no data")),
        ("negative sentiment", data.labels.get("sentiment", "no data")),
        ("peak days in the window", f"{data.peaks_total:,}"),
        ("attribute events", f"{len(data.events):,}"),
    ]
    cells = "".join(
        f'<div class="figure"><b>{_label(value) if name in LABELLED else esc(value)}</b>'
        f'<span class="muted">{esc(name)}</span></div>'
        for name, value in figures
    )
    notice = ""
    if data.empty:
        notice = (
            f'<p class="notice"><b>No data for {esc(window.end)}.</b> The trend tables hold no '
            f"posts for {esc(window.start)} {DASH} {esc(window.end)}. Build them with "
            f"<code>trendminer trends build --start {esc(window.start)} --end {esc(window.end)}"
            "</code> once posts for those days are collected and enriched.</p>"
        )
    return _section("summary", "The day at a glance", f'{notice}<div class="figures">{cells}</div>')


def _peak(peak: Peak) -> str:
    if peak.kind == "activity":
        title = "Activity peak"
        size = f"activity index {_num(peak.value)} against a baseline of {_num(peak.baseline)}"
    else:
        title = "Negative-sentiment peak"
        size = f"negative share {_pct(peak.value)} against a baseline of {_pct(peak.baseline)}"
    rows = [
        (
            user_text(i.username),
            esc(i.home_city or "unknown"),
            f"{i.posts:,}",
            f"{i.likes:,}",
            _pct(i.share),
            _num(i.mean_sentiment),
            DASH if i.followers is None else f"{i.followers:,}",
        )
        for i in peak.influencers
    ]
    people = (
        _table(
            [
                "influencer",
                "home city",
                "posts",
                "likes",
                "share of peak",
                "mean sentiment",
                "followers",
            ],
            rows,
            {2, 3, 4, 5, 6},
        )
        if rows
        else _none("No influencer breakdown for this peak.")
    )
    tags = ", ".join(f"#{user_text(tag)}" for tag in peak.hashtags) or "none"
    words = ", ".join(user_text(word) for word in peak.keywords) or "none"
    return (
        f'<article class="peak"><h3>{title} · {esc(peak.day)} · '
        f"{esc(_scope(peak.hashtag, peak.city))}</h3>"
        f"<p>{_label(peak.label)}: {size}{_window(peak)}.</p>{people}"
        f"<p><b>Rising hashtags:</b> {tags}<br><b>Keywords:</b> {words}</p></article>"
    )


def _window(peak: Peak) -> str:
    """How many days a peak found on a run of days stands for (nothing for a single day)."""
    if peak.window_start is None or peak.window_start >= peak.day:
        return ""
    days = (peak.day - peak.window_start).days + 1
    return f"; found on the {days} days from {esc(peak.window_start)}, which rose together"


def _peak_row(peak: Peak) -> tuple[str, ...]:
    top = peak.influencers[0] if peak.influencers else None
    return (
        esc(peak.day),
        "activity" if peak.kind == "activity" else "negative sentiment",
        esc(_scope(peak.hashtag, peak.city)),
        _label(peak.label),
        f"{user_text(top.username)} ({esc(_pct(top.share, 0))})" if top else DASH,
        ", ".join(f"#{user_text(tag)}" for tag in peak.hashtags[:3]) or DASH,
    )


def _peaks(data: ReportData) -> str:
    """Peaks of all hashtags (overall and per city) in full; per-hashtag peaks as a table."""
    if not data.peaks:
        return _section("peaks", "Peaks and who is behind them", _none("No peak in the window."))
    shown = len(data.peaks)
    count = (
        f"{data.peaks_total}"
        if data.peaks_total == shown
        else f"{data.peaks_total}; shown: {shown}, the peaks of all cities first, then the latest"
    )
    broad = [p for p in data.peaks if p.hashtag == "*"]
    narrow = [p for p in data.peaks if p.hashtag != "*"]
    body = f'<p class="muted">Peak days in the window: {esc(count)}.</p>'
    body += "".join(_peak(peak) for peak in broad)
    if narrow:
        body += "<h3>Peaks of single hashtags</h3>" + _table(
            HASHTAG_PEAK_HEADERS, (_peak_row(p) for p in narrow), set()
        )
    return _section("peaks", "Peaks and who is behind them", body)


def _model_note(data: ReportData) -> str:
    """Which build the model sections show: always the latest, whatever the report's day."""
    through = data.model_through
    if through is None:
        return ""
    later = ", after this report's day" if through > data.window.end else ""
    return _none(f"Model as of {through}: the latest build, fitted on the weeks up to it{later}.")


def _trend_row(trend: AttributeTrend) -> tuple[str, ...]:
    nxt = trend.forecast[0] if trend.forecast else None
    forecast = (
        f"{_pct(nxt.share)} ({_pct(nxt.lower)} {DASH} {_pct(nxt.upper)}), week of {esc(nxt.week)}"
        if nxt
        else DASH
    )
    return (
        esc("all cities" if trend.city == "*" else trend.city),
        esc(trend.attribute),
        esc(trend.kind),
        f"{trend.slope * 100:+.2f}",
        _num(trend.p_value, 3),
        _pct(trend.mean_share),
        forecast,
    )


def _trends(data: ReportData, assets: PageAssets) -> str:
    chart = _chart(
        assets,
        "attributes",
        "Weekly shares of the strongest attribute trends",
        "No attribute trend to chart.",
    )
    table = (
        _table(
            [
                "city",
                "attribute",
                "kind",
                "slope (points/week)",
                "p-value",
                "mean share",
                "forecast, next week (95%)",
            ],
            (_trend_row(t) for t in data.trends),
            {3, 4, 5},
        )
        if data.trends
        else _none("No significant attribute trend (p < 0.05) yet.")
    )
    body = _model_note(data) + chart + table
    return _section("trends", "Attribute trends by city, with forecasts", body)


def _event(index: int, event: AttributeEvent, assets: PageAssets) -> str:
    figures = []
    for n, crop in enumerate(event.crops):
        file = assets.crops.get((index, n))
        if file is None:
            continue
        caption = (crop.caption or "").strip()
        if len(caption) > CAPTION_CHARS:
            caption = caption[: CAPTION_CHARS - 1] + "…"
        figures.append(
            f'<figure><img src="{esc(file)}" '
            f'alt="{esc(event.attribute)} worn in post {esc(crop.shortcode)}">'
            f"<figcaption>@{user_text(crop.owner)}: {user_text(caption)}</figcaption></figure>"
        )
    crops = (
        f'<div class="crops">{"".join(figures)}</div>'
        if figures
        else _none("No garment crop available.")
    )
    words = ", ".join(user_text(k) for k in event.keywords) or "none"
    where = "all cities" if event.city == "*" else event.city
    return (
        f"<h3>{esc(event.attribute)} ({esc(event.kind)}) in {esc(where)}, weeks of "
        f"{esc(event.start_week)} {DASH} {esc(event.end_week)}</h3>"
        f"<p>{_pct(event.observed_share)} of the garments worn against "
        f"{_pct(event.expected_share)} expected "
        f"(p = {event.min_p_value:.2g}, rank {event.rank}). <b>Keywords:</b> {words}</p>{crops}"
    )


def _events(data: ReportData, assets: PageAssets) -> str:
    body = (
        "".join(_event(i, e, assets) for i, e in enumerate(data.events))
        if data.events
        else _none("No attribute event in the last twelve weeks.")
    )
    return (
        '<section id="events"><h2>Events: weeks that broke the trend</h2>'
        f"{_model_note(data)}{body}</section>"
    )


def _influence(data: ReportData) -> str:
    rows = [
        (
            esc(i.attribute),
            esc(i.kind),
            esc(i.leader),
            esc(i.follower),
            str(i.lag_weeks),
            _num(i.correlation),
            _num(i.granger_p, 3),
        )
        for i in data.influence
    ]
    body = (
        _table(INFLUENCE_HEADERS, rows, {4, 5, 6})
        if rows
        else _none("No city leads another yet (too few weeks).")
    )
    return f'<section id="influence"><h2>City influence</h2>{_model_note(data)}{body}</section>'


def _tracked(data: ReportData) -> str:
    rows = [
        (
            user_text(t.username),
            f"{t.posts:,}",
            f"{t.likes:,}",
            _num(t.mean_sentiment),
            f"{t.negative_posts:,}",
            f"{t.garments:,}",
            esc(t.last_day or DASH),
        )
        for t in data.tracked
    ]
    body = (
        _table(TRACKED_HEADERS, rows, {1, 2, 3, 4, 5})
        if rows
        else _none("No tracked influencer (add one with `trendminer track add NAME`).")
    )
    return f'<section id="tracked"><h2>Tracked influencers, last 28 days</h2>{body}</section>'


def _exclusions(data: ReportData) -> str:
    rows = [(esc(e.kind), esc(e.name), f"{e.posts:,}") for e in data.exclusions]
    body = (
        _table(["list", "entry", "posts removed from the window"], rows, {2})
        if rows
        else _none("The exclusion lists are empty: nothing was removed.")
    )
    return f'<section id="exclusions"><h2>What the exclusion lists removed</h2>{body}</section>'


def _downloads(assets: PageAssets) -> str:
    items = "".join(
        f'<li><a href="{esc(table)}.csv">{esc(table)}.csv</a> '
        f'<span class="muted">({rows:,} rows)</span></li>'
        for table, rows in assets.csv_rows.items()
    )
    return (
        '<section id="downloads"><h2>Data</h2><p>The trend-table rows behind this report:</p>'
        f'<ul>{items}</ul><p><a href="summary.json">summary.json</a></p></section>'
    )


def render_page(data: ReportData, assets: PageAssets, generated_at: datetime) -> str:
    """The whole ``index.html``."""
    window = data.window
    sections = [
        _summary(data),
        '<section id="activity"><h2>Activity</h2>'
        + _chart(assets, "activity", "Daily activity index with its peaks", "No activity.")
        + "</section>",
        '<section id="sentiment"><h2>Negative sentiment</h2>'
        + _chart(assets, "sentiment", "Daily negative share with its peaks", "No sentiment.")
        + "</section>",
        _peaks(data),
        _trends(data, assets),
        _events(data, assets),
        _influence(data),
        _tracked(data),
        _exclusions(data),
        _downloads(assets),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>TrendMiner report {esc(window.end)}</title><style>{CSS}</style></head>"
        f"<body><main><header><h1>TrendMiner daily report · {esc(window.end)}</h1>"
        f'<p class="muted">Days {esc(window.start)} {DASH} {esc(window.end)} (local dates); '
        f"attribute weeks from {esc(window.week_start)}. "
        f"Generated {esc(generated_at.strftime('%Y-%m-%d %H:%M UTC'))}.</p>"
        f"</header>{''.join(sections)}</main></body></html>\n"
    )
