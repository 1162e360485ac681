-- trend_peak_terms: for every activity or sentiment peak day in the window, the hashtags and
-- caption keywords that rose with it: posts using the term on the peak day in the peak's scope
-- against the mean daily posts using it before (hashtags: the 28 days before, from
-- trend_daily_activity in the peak's city scope; keywords: the 14 days before, same scope).
-- lift = (posts + 1) / (baseline + 1); the ten highest lifts with at least 3 posts each.
-- Keywords are caption words of 3+ letters, lower-cased, hashtags, mentions and a short
-- English stop list left out. Run after the peak tables are built for the window.
-- Parameters: :start, :end (inclusive local dates). Idempotent: delete-and-insert the window.
DELETE FROM trend_peak_terms WHERE day BETWEEN CAST(:start AS date) AND CAST(:end AS date);

INSERT INTO trend_peak_terms
    (peak_kind, hashtag, city, day, term_kind, rank, term, posts, baseline, lift)
WITH peaks AS (
    SELECT 'activity' AS peak_kind, hashtag, city, day
    FROM trend_activity_days
    WHERE is_peak AND day BETWEEN CAST(:start AS date) AND CAST(:end AS date)
    UNION ALL
    SELECT 'sentiment', hashtag, city, day
    FROM trend_sentiment_days
    WHERE is_peak AND day BETWEEN CAST(:start AS date) AND CAST(:end AS date)
),
hashtag_counts AS (
    SELECT pk.peak_kind, pk.hashtag, pk.city, pk.day, a.hashtag AS term,
           sum(a.posts) FILTER (WHERE a.day = pk.day) AS posts,
           COALESCE(sum(a.posts) FILTER (WHERE a.day < pk.day), 0) / 28.0 AS baseline
    FROM peaks pk
    JOIN trend_daily_activity a
      ON a.city = pk.city AND a.hashtag NOT IN ('*', pk.hashtag)
     AND a.day BETWEEN pk.day - 28 AND pk.day
    GROUP BY pk.peak_kind, pk.hashtag, pk.city, pk.day, a.hashtag
),
scope_posts AS (
    SELECT pk.peak_kind, pk.hashtag, pk.city, pk.day, p.shortcode, p.caption,
           p.day = pk.day AS on_peak
    FROM peaks pk
    JOIN trend_eligible_posts p
      ON p.day BETWEEN pk.day - 14 AND pk.day AND (pk.city = '*' OR p.city = pk.city)
    WHERE p.taken_at >= (CAST(:start AS date) - interval '14 days 14 hours') AT TIME ZONE 'UTC'
      AND p.taken_at < (CAST(:end AS date) + interval '36 hours') AT TIME ZONE 'UTC'
      AND (pk.hashtag = '*'
           OR EXISTS (SELECT 1 FROM post_hashtags h
                      WHERE h.shortcode = p.shortcode AND h.hashtag = pk.hashtag))
),
words AS (
    SELECT DISTINCT sp.peak_kind, sp.hashtag, sp.city, sp.day, sp.shortcode, sp.on_peak, w.word
    FROM scope_posts sp
    CROSS JOIN LATERAL regexp_split_to_table(
        lower(regexp_replace(COALESCE(sp.caption, ''), '[#@][[:alnum:]_.]+', ' ', 'g')),
        '[^[:alpha:]]+') AS w(word)
    WHERE length(w.word) >= 3
      AND w.word <> ALL (ARRAY[
          'the', 'and', 'for', 'with', 'this', 'that', 'you', 'your', 'are', 'was', 'were',
          'but', 'have', 'has', 'had', 'not', 'all', 'our', 'out', 'from', 'what', 'its',
          'can', 'get', 'got', 'just', 'too', 'very', 'now', 'how', 'who', 'they', 'them',
          'she', 'his', 'her', 'him', 'will', 'would', 'about', 'there', 'here', 'than',
          'then', 'been', 'into', 'more', 'some', 'any', 'one', 'also', 'only', 'really'])
),
keyword_counts AS (
    SELECT peak_kind, hashtag, city, day, word AS term,
           count(*) FILTER (WHERE on_peak) AS posts,
           count(*) FILTER (WHERE NOT on_peak) / 14.0 AS baseline
    FROM words
    GROUP BY peak_kind, hashtag, city, day, word
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
