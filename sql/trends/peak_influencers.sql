-- trend_peak_influencers: for every activity or sentiment peak day in the window, the ten
-- accounts behind it: their posts on the peak's days (window_start .. day: the run of days that
-- made it a peak; the day alone for a single-day peak) in its scope (hashtag, city), likes,
-- negative items (their negative posts plus negative comments on their posts), mean caption
-- sentiment, share of the peak (of its activity index for activity peaks, of its negative
-- items for sentiment peaks), followers and home city (geographic origin, from profiles).
-- Ranked by that contribution. Run after the peak tables (trend_activity_days,
-- trend_sentiment_days) are built for the window.
-- Parameters: :start, :end (inclusive local dates), :post_weight, :like_weight.
-- Idempotent: delete-and-insert the window.
DELETE FROM trend_peak_influencers WHERE day BETWEEN CAST(:start AS date) AND CAST(:end AS date);

INSERT INTO trend_peak_influencers
    (peak_kind, hashtag, city, day, rank, username, posts, likes, negative_items,
     mean_sentiment, share, followers, home_city)
WITH peaks AS (
    SELECT 'activity' AS peak_kind, hashtag, city, day, COALESCE(window_start, day) AS first_day
    FROM trend_activity_days
    WHERE is_peak AND day BETWEEN CAST(:start AS date) AND CAST(:end AS date)
    UNION ALL
    SELECT 'sentiment', hashtag, city, day, COALESCE(window_start, day)
    FROM trend_sentiment_days
    WHERE is_peak AND day BETWEEN CAST(:start AS date) AND CAST(:end AS date)
),
day_posts AS (
    SELECT p.shortcode, p.owner, p.day, p.city, p.likes, p.sentiment_compound,
           CASE WHEN p.sentiment_label = 'negative' THEN 1 ELSE 0 END AS negative
    FROM trend_eligible_posts p
    WHERE p.taken_at >= ((SELECT min(first_day) FROM peaks) - interval '14 hours')
                        AT TIME ZONE 'UTC'
      AND p.taken_at < (CAST(:end AS date) + interval '36 hours') AT TIME ZONE 'UTC'
      AND p.day IN (SELECT CAST(generate_series(first_day, day, interval '1 day') AS date)
                    FROM peaks)
),
peak_posts AS (
    SELECT pk.peak_kind, pk.hashtag, pk.city, pk.day, dp.shortcode, dp.owner, dp.likes,
           dp.sentiment_compound, dp.negative
    FROM peaks pk
    JOIN day_posts dp
      ON dp.day BETWEEN pk.first_day AND pk.day AND (pk.city = '*' OR dp.city = pk.city)
    WHERE pk.hashtag = '*'
       OR EXISTS (SELECT 1 FROM post_hashtags h
                  WHERE h.shortcode = dp.shortcode AND h.hashtag = pk.hashtag)
),
per_user AS (
    SELECT pp.peak_kind, pp.hashtag, pp.city, pp.day, pp.owner,
           count(*) AS posts, sum(pp.likes) AS likes,
           sum(pp.negative) + sum(COALESCE(nc.negative, 0)) AS negative_items,
           avg(pp.sentiment_compound) AS mean_sentiment,
           CAST(:post_weight AS double precision) * count(*)
           + CAST(:like_weight AS double precision) * sum(pp.likes) AS activity
    FROM peak_posts pp
    LEFT JOIN LATERAL (
        SELECT count(*) AS negative
        FROM comments cm
        WHERE cm.shortcode = pp.shortcode AND cm.sentiment_label = 'negative'
          AND (cm.owner IS NULL OR cm.owner NOT IN (SELECT username FROM excluded_users))
    ) nc ON pp.peak_kind = 'sentiment'
    GROUP BY pp.peak_kind, pp.hashtag, pp.city, pp.day, pp.owner
),
ranked AS (
    SELECT pu.*,
           CASE WHEN pu.peak_kind = 'activity' THEN pu.activity ELSE pu.negative_items END
               AS contribution,
           row_number() OVER (
               PARTITION BY pu.peak_kind, pu.hashtag, pu.city, pu.day
               ORDER BY CASE WHEN pu.peak_kind = 'activity' THEN pu.activity
                             ELSE pu.negative_items END DESC,
                        pu.posts DESC, pu.owner
           ) AS rank,
           sum(CASE WHEN pu.peak_kind = 'activity' THEN pu.activity ELSE pu.negative_items END)
               OVER (PARTITION BY pu.peak_kind, pu.hashtag, pu.city, pu.day) AS peak_total
    FROM per_user pu
)
SELECT r.peak_kind, r.hashtag, r.city, r.day, r.rank, r.owner, r.posts, r.likes,
       r.negative_items, r.mean_sentiment,
       COALESCE(CAST(r.contribution AS double precision) / NULLIF(r.peak_total, 0), 0),
       pr.followers, pr.home_city
FROM ranked r
LEFT JOIN profiles pr ON pr.username = r.owner
WHERE r.rank <= 10;
