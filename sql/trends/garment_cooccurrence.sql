-- trend_garment_cooccurrence: per local month × city, which garments are worn together: for
-- each pair of garment classes (item_kind 'class') and of class+colour items ('class_colour',
-- e.g. "Black boots" with "Red dress") seen in the same post, the posts with both, with each,
-- the posts processed by the configured model, support (both / total) and lift
-- (both · total / (a · b); above 1 = worn together more than chance), and the model version
-- counted (model_version). City '*' = every city.
-- Month-over-month change: see sql/queries/cooccurrence_change.sql.
-- Every month overlapping :start..:end is recomputed whole (delete-and-insert). The '*' rows
-- are sums of the city rows (every post has one city). Nested loops are off for this
-- statement: the CTE row estimates are poor, and hash joins are always right here.
-- Parameters: :start, :end (inclusive local dates), :model_version, :min_score.
DELETE FROM trend_garment_cooccurrence
WHERE month BETWEEN CAST(date_trunc('month', CAST(:start AS date)) AS date)
                AND CAST(date_trunc('month', CAST(:end AS date)) AS date);

SET LOCAL enable_nestloop = off;

INSERT INTO trend_garment_cooccurrence
    (month, city, item_kind, item_a, item_b, posts_both, posts_a, posts_b, posts_total,
     support, lift, model_version)
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
processed_media AS (
    SELECT m.media_id, mp.shortcode, mp.city, mp.month
    FROM month_posts mp
    JOIN media m ON m.shortcode = mp.shortcode
    JOIN detection_runs r ON r.media_id = m.media_id AND r.model_version = :model_version
),
processed AS (
    SELECT DISTINCT shortcode, city, month FROM processed_media
),
items AS (
    SELECT DISTINCT pm.shortcode, pm.city, pm.month, i.kind, i.item
    FROM processed_media pm
    JOIN detections d ON d.media_id = pm.media_id
    CROSS JOIN LATERAL (VALUES ('class', d.class_name),
                               ('class_colour', d.colour || ' ' || d.class_name)) AS i(kind, item)
    WHERE d.model_version = :model_version AND d.score >= :min_score AND i.item IS NOT NULL
),
totals AS (
    SELECT city, month, count(*) AS n FROM processed GROUP BY city, month
),
singles AS (
    SELECT city, month, kind, item, count(*) AS n FROM items GROUP BY city, month, kind, item
),
pairs AS (
    SELECT a.city, a.month, a.kind, a.item AS item_a, b.item AS item_b, count(*) AS n
    FROM items a
    JOIN items b ON b.shortcode = a.shortcode AND b.kind = a.kind AND b.item > a.item
    GROUP BY a.city, a.month, a.kind, a.item, b.item
),
city_rows AS (
    SELECT pa.month, pa.city, pa.kind, pa.item_a, pa.item_b, pa.n AS both_n, sa.n AS a_n,
           sb.n AS b_n, t.n AS total
    FROM pairs pa
    JOIN totals t ON t.city = pa.city AND t.month = pa.month
    JOIN singles sa ON sa.city = pa.city AND sa.month = pa.month AND sa.kind = pa.kind
                   AND sa.item = pa.item_a
    JOIN singles sb ON sb.city = pa.city AND sb.month = pa.month AND sb.kind = pa.kind
                   AND sb.item = pa.item_b
),
all_singles AS (
    SELECT month, kind, item, sum(n) AS n FROM singles GROUP BY month, kind, item
),
all_cities AS (
    SELECT pa.month, '*' AS city, pa.kind, pa.item_a, pa.item_b, pa.n AS both_n, sa.n AS a_n,
           sb.n AS b_n, t.n AS total
    FROM (SELECT month, kind, item_a, item_b, sum(n) AS n FROM pairs
          GROUP BY month, kind, item_a, item_b) AS pa
    JOIN (SELECT month, sum(n) AS n FROM totals GROUP BY month) AS t ON t.month = pa.month
    JOIN all_singles sa ON sa.month = pa.month AND sa.kind = pa.kind AND sa.item = pa.item_a
    JOIN all_singles sb ON sb.month = pa.month AND sb.kind = pa.kind AND sb.item = pa.item_b
)
SELECT month, city, kind, item_a, item_b, both_n, a_n, b_n, total,
       CAST(both_n AS double precision) / total,
       CAST(both_n AS double precision) * total / (a_n * b_n), :model_version
FROM (SELECT * FROM city_rows UNION ALL SELECT * FROM all_cities) AS both_scopes;

SET LOCAL enable_nestloop = on;
