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
items AS (
    SELECT DISTINCT pr.shortcode, pr.city, pr.month, i.kind, i.item
    FROM processed pr
    JOIN media m ON m.shortcode = pr.shortcode
    JOIN detections d ON d.media_id = m.media_id
    CROSS JOIN LATERAL (VALUES ('class', d.class_name),
                               ('class_colour', d.colour || ' ' || d.class_name)) AS i(kind, item)
    WHERE d.model_version = :model_version AND d.score >= :min_score AND i.item IS NOT NULL
),
totals AS (
    SELECT CASE WHEN GROUPING(city) = 1 THEN '*' ELSE city END AS city, month, count(*) AS n
    FROM processed
    GROUP BY GROUPING SETS ((city, month), (month))
),
singles AS (
    SELECT CASE WHEN GROUPING(city) = 1 THEN '*' ELSE city END AS city, month, kind, item,
           count(*) AS n
    FROM items
    GROUP BY GROUPING SETS ((city, month, kind, item), (month, kind, item))
),
pairs AS (
    SELECT CASE WHEN GROUPING(a.city) = 1 THEN '*' ELSE a.city END AS city, a.month, a.kind,
           a.item AS item_a, b.item AS item_b, count(*) AS n
    FROM items a
    JOIN items b ON b.shortcode = a.shortcode AND b.kind = a.kind AND b.item > a.item
    GROUP BY GROUPING SETS ((a.city, a.month, a.kind, a.item, b.item),
                            (a.month, a.kind, a.item, b.item))
)
SELECT pa.month, pa.city, pa.kind, pa.item_a, pa.item_b, pa.n, sa.n, sb.n, t.n,
       CAST(pa.n AS double precision) / t.n,
       CAST(pa.n AS double precision) * t.n / (sa.n * sb.n)
FROM pairs pa
JOIN totals t ON t.city = pa.city AND t.month = pa.month
JOIN singles sa ON sa.city = pa.city AND sa.month = pa.month AND sa.kind = pa.kind
               AND sa.item = pa.item_a
JOIN singles sb ON sb.city = pa.city AND sb.month = pa.month AND sb.kind = pa.kind
               AND sb.item = pa.item_b;
