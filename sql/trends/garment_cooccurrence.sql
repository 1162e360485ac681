-- trend_garment_cooccurrence: per local month × city, which garments are worn together: for
-- each pair of garment classes (item_kind 'class') and of class+colour items ('class_colour',
-- e.g. "Black boots" with "Red dress") seen in the same post, the posts with both, with each,
-- the posts processed by the configured model, support (both / total) and lift
-- (both · total / (a · b); above 1 = worn together more than chance). City '*' = every city.
-- Month-over-month change: see sql/queries/cooccurrence_change.sql.
-- Every month overlapping :start..:end is recomputed whole (delete-and-insert).
-- Parameters: :start, :end (inclusive local dates), :model_version, :min_score.
DELETE FROM trend_garment_cooccurrence
WHERE month BETWEEN CAST(date_trunc('month', CAST(:start AS date)) AS date)
                AND CAST(date_trunc('month', CAST(:end AS date)) AS date);

INSERT INTO trend_garment_cooccurrence
    (month, city, item_kind, item_a, item_b, posts_both, posts_a, posts_b, posts_total,
     support, lift)
WITH bounds AS (
    SELECT CAST(date_trunc('month', CAST(:start AS date)) AS date) AS first_day,
           CAST(date_trunc('month', CAST(:end AS date)) + interval '1 month - 1 day' AS date)
               AS last_day
),
month_posts AS (
    SELECT p.shortcode, p.city, CAST(date_trunc('month', p.day) AS date) AS month
    FROM trend_eligible_posts p, bounds b
    WHERE p.taken_at >= (b.first_day - interval '14 hours') AT TIME ZONE 'UTC'
      AND p.taken_at < (b.last_day + interval '36 hours') AT TIME ZONE 'UTC'
      AND p.day BETWEEN b.first_day AND b.last_day
),
processed AS (
    SELECT DISTINCT mp.shortcode, mp.city, mp.month
    FROM month_posts mp
    JOIN media m ON m.shortcode = mp.shortcode
    JOIN detection_runs r ON r.media_id = m.media_id AND r.model_version = :model_version
),
-- every processed post twice: in its city and in '*', with its scope's post count
scoped AS (
    SELECT shortcode, city, month, count(*) OVER (PARTITION BY city, month) AS total
    FROM (SELECT shortcode, city, month FROM processed
          UNION ALL
          SELECT shortcode, '*', month FROM processed) AS both_scopes
),
items AS (
    SELECT DISTINCT s.shortcode, s.city, s.month, s.total, i.kind, i.item
    FROM scoped s
    JOIN media m ON m.shortcode = s.shortcode
    JOIN detections d ON d.media_id = m.media_id
    CROSS JOIN LATERAL (VALUES ('class', d.class_name),
                               ('class_colour', d.colour || ' ' || d.class_name)) AS i(kind, item)
    WHERE d.model_version = :model_version AND d.score >= :min_score AND i.item IS NOT NULL
),
counted AS (
    SELECT items.*, count(*) OVER (PARTITION BY city, month, kind, item) AS posts_item
    FROM items
),
pairs AS (
    SELECT a.month, a.city, a.kind, a.item AS item_a, b.item AS item_b, count(*) AS posts_both,
           max(a.posts_item) AS posts_a, max(b.posts_item) AS posts_b, max(a.total) AS total
    FROM counted a
    JOIN counted b
      ON b.shortcode = a.shortcode AND b.city = a.city AND b.kind = a.kind AND b.item > a.item
    GROUP BY a.month, a.city, a.kind, a.item, b.item
)
SELECT month, city, kind, item_a, item_b, posts_both, posts_a, posts_b, total,
       CAST(posts_both AS double precision) / total,
       CAST(posts_both AS double precision) * total / (posts_a * posts_b)
FROM pairs;
