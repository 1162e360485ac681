-- trend_daily_activity: per local day × hashtag × city, the posts, likes, comments, unique
-- authors and the activity index (:post_weight · posts + :like_weight · likes).
-- Rows with hashtag '*' count every post once (all hashtags); city '*' is every city.
-- Days are local to the post's city (posts.timezone; UTC when unknown). Excluded users and
-- posts carrying an excluded hashtag contribute nothing (view trend_eligible_posts).
-- Parameters: :start, :end (inclusive local dates), :post_weight, :like_weight.
-- Idempotent: the window's days are deleted and recomputed in the caller's transaction.
DELETE FROM trend_daily_activity WHERE day BETWEEN CAST(:start AS date) AND CAST(:end AS date);

INSERT INTO trend_daily_activity
    (day, hashtag, city, posts, likes, comments, authors, activity_index)
WITH window_posts AS (
    SELECT p.shortcode, p.owner, p.day, p.city, p.likes, p.comments
    FROM trend_eligible_posts p
    WHERE p.taken_at >= (CAST(:start AS date) - interval '14 hours') AT TIME ZONE 'UTC'
      AND p.taken_at < (CAST(:end AS date) + interval '36 hours') AT TIME ZONE 'UTC'
      AND p.day BETWEEN CAST(:start AS date) AND CAST(:end AS date)
),
per_hashtag AS (
    SELECT wp.day, h.hashtag,
           CASE WHEN GROUPING(wp.city) = 1 THEN '*' ELSE wp.city END AS city,
           count(*) AS posts, sum(wp.likes) AS likes, sum(wp.comments) AS comments,
           count(DISTINCT wp.owner) AS authors
    FROM window_posts wp
    JOIN post_hashtags h ON h.shortcode = wp.shortcode
    GROUP BY GROUPING SETS ((wp.day, h.hashtag, wp.city), (wp.day, h.hashtag))
),
all_hashtags AS (
    SELECT wp.day, '*' AS hashtag,
           CASE WHEN GROUPING(wp.city) = 1 THEN '*' ELSE wp.city END AS city,
           count(*) AS posts, sum(wp.likes) AS likes, sum(wp.comments) AS comments,
           count(DISTINCT wp.owner) AS authors
    FROM window_posts wp
    GROUP BY GROUPING SETS ((wp.day, wp.city), (wp.day))
)
SELECT day, hashtag, city, posts, likes, comments, authors,
       CAST(:post_weight AS double precision) * posts
       + CAST(:like_weight AS double precision) * likes
FROM (SELECT * FROM per_hashtag UNION ALL SELECT * FROM all_hashtags) AS rows;
