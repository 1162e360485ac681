-- trend_influencer_daily: per tracked influencer (tracked_influencers) and local day they
-- posted: posts, likes, comments, mean caption sentiment (compound; unscored posts left out),
-- negative posts, garments detected by the configured model (:model_version, boxes scoring at
-- least :min_score) and the distinct garment classes worn. Excluded users and posts with an
-- excluded hashtag contribute nothing.
-- Parameters: :start, :end (inclusive local dates), :model_version, :min_score.
-- Idempotent: delete-and-insert the window.
DELETE FROM trend_influencer_daily WHERE day BETWEEN CAST(:start AS date) AND CAST(:end AS date);

INSERT INTO trend_influencer_daily
    (username, day, posts, likes, comments, mean_sentiment, negative_posts, garments,
     garment_classes)
WITH tracked_posts AS (
    SELECT p.shortcode, p.owner, p.day, p.likes, p.comments, p.sentiment_compound,
           p.sentiment_label
    FROM trend_eligible_posts p
    JOIN tracked_influencers t ON t.username = p.owner
    WHERE p.taken_at >= (CAST(:start AS date) - interval '14 hours') AT TIME ZONE 'UTC'
      AND p.taken_at < (CAST(:end AS date) + interval '36 hours') AT TIME ZONE 'UTC'
      AND p.day BETWEEN CAST(:start AS date) AND CAST(:end AS date)
),
day_garments AS (
    SELECT tp.owner, tp.day, count(*) AS garments,
           array_agg(DISTINCT d.class_name ORDER BY d.class_name) AS classes
    FROM tracked_posts tp
    JOIN media m ON m.shortcode = tp.shortcode
    JOIN detections d ON d.media_id = m.media_id
    WHERE d.model_version = :model_version AND d.score >= :min_score
    GROUP BY tp.owner, tp.day
),
day_posts AS (
    SELECT tp.owner, tp.day, count(*) AS posts, sum(tp.likes) AS likes,
           sum(tp.comments) AS comments, avg(tp.sentiment_compound) AS mean_sentiment,
           count(*) FILTER (WHERE tp.sentiment_label = 'negative') AS negative_posts
    FROM tracked_posts tp
    GROUP BY tp.owner, tp.day
)
SELECT dp.owner, dp.day, dp.posts, dp.likes, dp.comments, dp.mean_sentiment, dp.negative_posts,
       COALESCE(dg.garments, 0), COALESCE(dg.classes, '{}')
FROM day_posts dp
LEFT JOIN day_garments dg ON dg.owner = dp.owner AND dg.day = dp.day;
