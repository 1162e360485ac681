-- trend_attribute_event_keywords: for each attribute event (trend_attribute_events, the
-- :max_events most salient), the caption keywords that explain it: words used by the city's
-- posts in the event's weeks more than in the 8 weeks before. baseline_posts is the count
-- expected from the earlier weeks' rate; lift = (posts + 1) / (baseline_posts + 1); the ten
-- highest lifts with at least 3 posts. Words as in trend_peak_terms (3+ letters, no hashtags,
-- mentions or stop words). Rebuilt whole after the attribute models, like the events.
-- Parameters: :max_events.
DELETE FROM trend_attribute_event_keywords;

INSERT INTO trend_attribute_event_keywords
    (city, attribute_kind, attribute, start_week, rank, keyword, posts, baseline_posts, lift)
WITH events AS (
    SELECT city, attribute_kind, attribute, start_week, end_week
    FROM trend_attribute_events
    WHERE rank <= :max_events
),
event_days AS (
    SELECT e.city, e.attribute_kind, e.attribute, e.start_week, CAST(d AS date) AS day
    FROM events e
    CROSS JOIN LATERAL generate_series(e.start_week - 56, e.end_week + 6, interval '1 day') AS d
),
event_posts AS (
    SELECT ed.city, ed.attribute_kind, ed.attribute, ed.start_week, p.shortcode, p.caption,
           p.day >= ed.start_week AS in_event
    FROM event_days ed
    JOIN trend_eligible_posts p ON p.day = ed.day
    WHERE (ed.city = '*' OR p.city = ed.city)
),
sizes AS (
    SELECT city, attribute_kind, attribute, start_week,
           count(*) FILTER (WHERE in_event) AS n_event,
           count(*) FILTER (WHERE NOT in_event) AS n_before
    FROM event_posts
    GROUP BY city, attribute_kind, attribute, start_week
),
words AS (
    SELECT DISTINCT ep.city, ep.attribute_kind, ep.attribute, ep.start_week, ep.shortcode,
           ep.in_event, w.word
    FROM event_posts ep
    CROSS JOIN LATERAL trend_caption_words(ep.caption) AS w(word)
),
counts AS (
    SELECT w.city, w.attribute_kind, w.attribute, w.start_week, w.word,
           count(*) FILTER (WHERE w.in_event) AS posts,
           CAST(count(*) FILTER (WHERE NOT w.in_event) AS double precision)
               * s.n_event / GREATEST(s.n_before, 1) AS baseline_posts
    FROM words w
    JOIN sizes s USING (city, attribute_kind, attribute, start_week)
    GROUP BY w.city, w.attribute_kind, w.attribute, w.start_week, w.word, s.n_event, s.n_before
),
ranked AS (
    SELECT c.*, (c.posts + 1) / (c.baseline_posts + 1) AS lift,
           row_number() OVER (PARTITION BY c.city, c.attribute_kind, c.attribute, c.start_week
                              ORDER BY (c.posts + 1) / (c.baseline_posts + 1) DESC, c.word)
               AS rank
    FROM counts c
    WHERE c.posts >= 3
)
SELECT city, attribute_kind, attribute, start_week, rank, word, posts, baseline_posts, lift
FROM ranked
WHERE rank <= 10;
