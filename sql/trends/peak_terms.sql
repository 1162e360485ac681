-- trend_peak_terms: for every activity or sentiment peak day in the window, the hashtags and
-- caption keywords that rose with it: posts using the term on the peak's days (window_start ..
-- day: the run of days that made it a peak; the day alone for a single-day peak) in its scope,
-- against the posts expected on as many days from the mean daily posts using it before the
-- first of them (hashtags: the 28 days before; an all-hashtag peak's from trend_daily_activity
-- in its city scope, a hashtag's peak's the other hashtags of the posts carrying it; keywords:
-- the 14 days before, same scope).
-- lift = (posts + 1) / (baseline + 1); the ten highest lifts with at least 3 posts each.
-- Keywords are caption words of 3+ letters, lower-cased, hashtags, mentions and a short
-- English stop list left out. Run after the peak tables are built for the window.
-- Parameters: :start, :end (inclusive local dates). Idempotent: delete-and-insert the window.
DELETE FROM trend_peak_terms WHERE day BETWEEN CAST(:start AS date) AND CAST(:end AS date);

INSERT INTO trend_peak_terms
    (peak_kind, hashtag, city, day, term_kind, rank, term, posts, baseline, lift)
WITH peaks AS (
    SELECT 'activity' AS peak_kind, hashtag, city, day, COALESCE(window_start, day) AS first_day
    FROM trend_activity_days
    WHERE is_peak AND day BETWEEN CAST(:start AS date) AND CAST(:end AS date)
    UNION ALL
    SELECT 'sentiment', hashtag, city, day, COALESCE(window_start, day)
    FROM trend_sentiment_days
    WHERE is_peak AND day BETWEEN CAST(:start AS date) AND CAST(:end AS date)
),
tagged_posts AS MATERIALIZED (
    SELECT p.shortcode, p.day, h.hashtag AS tag
    FROM trend_eligible_posts p
    JOIN post_hashtags h ON h.shortcode = p.shortcode
    WHERE h.hashtag IN (SELECT hashtag FROM peaks WHERE hashtag <> '*')
      AND p.taken_at >= ((SELECT min(first_day) FROM peaks) - interval '28 days 14 hours')
                        AT TIME ZONE 'UTC'
      AND p.taken_at < (CAST(:end AS date) + interval '36 hours') AT TIME ZONE 'UTC'
      AND p.day BETWEEN (SELECT min(first_day) - 28 FROM peaks) AND CAST(:end AS date)
),
hashtag_counts AS (
    SELECT pk.peak_kind, pk.hashtag, pk.city, pk.day, a.hashtag AS term,
           sum(a.posts) FILTER (WHERE a.day >= pk.first_day) AS posts,
           COALESCE(sum(a.posts) FILTER (WHERE a.day < pk.first_day), 0) / 28.0
               * (pk.day - pk.first_day + 1) AS baseline
    FROM peaks pk
    JOIN trend_daily_activity a
      ON a.city = pk.city AND a.hashtag <> '*'
     AND a.day BETWEEN pk.first_day - 28 AND pk.day
    WHERE pk.hashtag = '*'
    GROUP BY pk.peak_kind, pk.hashtag, pk.city, pk.day, pk.first_day, a.hashtag
    UNION ALL
    SELECT pk.peak_kind, pk.hashtag, pk.city, pk.day, other.hashtag,
           count(*) FILTER (WHERE tp.day >= pk.first_day),
           count(*) FILTER (WHERE tp.day < pk.first_day) / 28.0 * (pk.day - pk.first_day + 1)
    FROM peaks pk
    JOIN tagged_posts tp ON tp.tag = pk.hashtag AND tp.day BETWEEN pk.first_day - 28 AND pk.day
    JOIN post_hashtags other ON other.shortcode = tp.shortcode AND other.hashtag <> pk.hashtag
    WHERE pk.hashtag <> '*'
    GROUP BY pk.peak_kind, pk.hashtag, pk.city, pk.day, pk.first_day, other.hashtag
),
scope_days AS (
    SELECT pk.peak_kind, pk.hashtag, pk.city, pk.day, CAST(d AS date) AS post_day
    FROM peaks pk
    CROSS JOIN LATERAL generate_series(pk.first_day - 14, pk.day, interval '1 day') AS d
),
candidate_posts AS MATERIALIZED (
    SELECT p.shortcode, p.day, p.city, p.caption
    FROM trend_eligible_posts p
    WHERE p.taken_at >= ((SELECT min(first_day) FROM peaks) - interval '14 days 14 hours')
                        AT TIME ZONE 'UTC'
      AND p.taken_at < (CAST(:end AS date) + interval '36 hours') AT TIME ZONE 'UTC'
      AND p.day IN (SELECT post_day FROM scope_days)
),
candidate_words AS MATERIALIZED (
    SELECT DISTINCT cp.shortcode, w.word
    FROM candidate_posts cp
    CROSS JOIN LATERAL trend_caption_words(cp.caption) AS w(word)
),
word_counts AS (
    SELECT cp.day, '*' AS hashtag,
           CASE WHEN GROUPING(cp.city) = 1 THEN '*' ELSE cp.city END AS city,
           cw.word, count(*) AS posts
    FROM candidate_posts cp
    JOIN candidate_words cw ON cw.shortcode = cp.shortcode
    GROUP BY GROUPING SETS ((cp.day, cp.city, cw.word), (cp.day, cw.word))
    UNION ALL
    SELECT cp.day, h.hashtag, '*', cw.word, count(*)
    FROM candidate_posts cp
    JOIN post_hashtags h ON h.shortcode = cp.shortcode
    JOIN candidate_words cw ON cw.shortcode = cp.shortcode
    WHERE h.hashtag IN (SELECT hashtag FROM peaks WHERE hashtag <> '*')
    GROUP BY cp.day, h.hashtag, cw.word
),
keyword_counts AS (
    SELECT pk.peak_kind, pk.hashtag, pk.city, pk.day, wc.word AS term,
           COALESCE(sum(wc.posts) FILTER (WHERE wc.day >= pk.first_day), 0) AS posts,
           COALESCE(sum(wc.posts) FILTER (WHERE wc.day < pk.first_day), 0) / 14.0
               * (pk.day - pk.first_day + 1) AS baseline
    FROM peaks pk
    JOIN word_counts wc
      ON wc.hashtag = pk.hashtag AND wc.city = pk.city
     AND wc.day BETWEEN pk.first_day - 14 AND pk.day
    GROUP BY pk.peak_kind, pk.hashtag, pk.city, pk.day, pk.first_day, wc.word
),
terms AS (
    SELECT *, 'hashtag' AS term_kind FROM hashtag_counts
    UNION ALL
    SELECT *, 'keyword' FROM keyword_counts
),
ranked AS (
    SELECT t.*, (t.posts + 1) / (t.baseline + 1) AS lift,
           row_number() OVER (PARTITION BY t.peak_kind, t.hashtag, t.city, t.day, t.term_kind
                              ORDER BY (t.posts + 1) / (t.baseline + 1) DESC, t.term) AS rank
    FROM terms t
    WHERE t.posts >= 3
)
SELECT peak_kind, hashtag, city, day, term_kind, rank, term, posts, baseline, lift
FROM ranked
WHERE rank <= 10;
