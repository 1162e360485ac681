-- trend_daily_sentiment: per local day × hashtag × city, how many posts carry a sentiment,
-- how many of them are negative, how many have none, and the same for comments (NULL labels are
-- left out of the shares; coverage = labelled / all, posts and comments together).
-- A post and its comments are one unit of evidence (comments mostly share their post's tone):
-- a post's sentiment is its caption's label, or, where the caption has none (a language VADER
-- does not read, no caption), the mean compound of its labelled comments cut at
-- :negative_threshold (negative at or below it). The peaks count these posts.
-- A comment counts on its post's local day. '*' rows as in trend_daily_activity. Excluded users
-- contribute neither posts nor comments.
-- Parameters: :start, :end (inclusive local dates), :negative_threshold. Idempotent:
-- delete-and-insert the window.
DELETE FROM trend_daily_sentiment WHERE day BETWEEN CAST(:start AS date) AND CAST(:end AS date);

INSERT INTO trend_daily_sentiment
    (day, hashtag, city, posts_labelled, posts_negative, posts_unlabelled,
     comments_labelled, comments_negative, comments_unlabelled, coverage)
WITH window_posts AS (
    SELECT p.shortcode, p.day, p.city, p.sentiment_label
    FROM trend_eligible_posts p
    WHERE p.taken_at >= (CAST(:start AS date) - interval '14 hours') AT TIME ZONE 'UTC'
      AND p.taken_at < (CAST(:end AS date) + interval '36 hours') AT TIME ZONE 'UTC'
      AND p.day BETWEEN CAST(:start AS date) AND CAST(:end AS date)
),
window_comments AS (
    SELECT cm.shortcode,
           count(*) FILTER (WHERE cm.sentiment_label IS NOT NULL) AS labelled,
           count(*) FILTER (WHERE cm.sentiment_label = 'negative') AS negative,
           count(*) FILTER (WHERE cm.sentiment_label IS NULL) AS unlabelled,
           avg(cm.sentiment_compound) FILTER (WHERE cm.sentiment_label IS NOT NULL) AS compound
    FROM comments cm
    JOIN window_posts wp ON wp.shortcode = cm.shortcode
    WHERE cm.owner IS NULL OR cm.owner NOT IN (SELECT username FROM excluded_users)
    GROUP BY cm.shortcode
),
post_items AS (
    SELECT wp.shortcode, wp.day, wp.city,
           CASE WHEN wp.sentiment_label IS NOT NULL OR c.labelled > 0 THEN 1 ELSE 0 END
               AS labelled,
           CASE WHEN wp.sentiment_label IS NOT NULL
                THEN CAST(wp.sentiment_label = 'negative' AS integer)
                WHEN c.labelled > 0
                THEN CAST(c.compound <= :negative_threshold AS integer)
                ELSE 0 END AS negative,
           COALESCE(c.labelled, 0) AS c_labelled, COALESCE(c.negative, 0) AS c_negative,
           COALESCE(c.unlabelled, 0) AS c_unlabelled
    FROM window_posts wp
    LEFT JOIN window_comments c ON c.shortcode = wp.shortcode
),
per_hashtag AS (
    SELECT pi.day, h.hashtag,
           CASE WHEN GROUPING(pi.city) = 1 THEN '*' ELSE pi.city END AS city,
           sum(pi.labelled) AS pl, sum(pi.negative) AS pn, sum(1 - pi.labelled) AS pu,
           sum(pi.c_labelled) AS cl, sum(pi.c_negative) AS cn, sum(pi.c_unlabelled) AS cu
    FROM post_items pi
    JOIN post_hashtags h ON h.shortcode = pi.shortcode
    GROUP BY GROUPING SETS ((pi.day, h.hashtag, pi.city), (pi.day, h.hashtag))
),
all_hashtags AS (
    SELECT pi.day, '*' AS hashtag,
           CASE WHEN GROUPING(pi.city) = 1 THEN '*' ELSE pi.city END AS city,
           sum(pi.labelled) AS pl, sum(pi.negative) AS pn, sum(1 - pi.labelled) AS pu,
           sum(pi.c_labelled) AS cl, sum(pi.c_negative) AS cn, sum(pi.c_unlabelled) AS cu
    FROM post_items pi
    GROUP BY GROUPING SETS ((pi.day, pi.city), (pi.day))
)
SELECT day, hashtag, city, pl, pn, pu, cl, cn, cu,
       CAST(pl + cl AS double precision) / NULLIF(pl + cl + pu + cu, 0)
FROM (SELECT * FROM per_hashtag UNION ALL SELECT * FROM all_hashtags) AS rows;
