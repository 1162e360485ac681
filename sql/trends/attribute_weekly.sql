-- trend_attribute_weekly: per local week (Monday) x city x attribute, the share of posts
-- showing it: posts with at least one box of that garment class, colour, or class+colour
-- ("Red dress") out of posts with at least one picture the configured model processed
-- (detection_runs of :model_version), with a 95% Wilson interval; and the garment share: the
-- mean over the posts with at least one box (boxed_posts) of the share of a post's boxes that
-- show the attribute, with its standard error from the posts' spread (the unit of the
-- attribute events). Boxes scoring below :min_score are ignored. City '*' is every city. A
-- share is per post, not per person. Rows exist only for attributes seen in that city-week: a
-- missing row is a share of 0 of that city-week's processed posts, which
-- trend_attribute_week_totals holds for every city-week (posts, boxed_posts), garments or
-- none. Every week that overlaps :start..:end is recomputed whole (delete-and-insert). The
-- '*' rows are counted with GROUPING SETS.
-- Parameters: :start, :end (inclusive local dates), :model_version, :min_score.
DELETE FROM trend_attribute_weekly
WHERE week BETWEEN CAST(date_trunc('week', CAST(:start AS date)) AS date)
               AND CAST(date_trunc('week', CAST(:end AS date)) AS date);
DELETE FROM trend_attribute_week_totals
WHERE week BETWEEN CAST(date_trunc('week', CAST(:start AS date)) AS date)
               AND CAST(date_trunc('week', CAST(:end AS date)) AS date);

SET LOCAL enable_nestloop = off;  -- CTE row estimates are poor; hash joins are right here

WITH bounds AS (
    SELECT CAST(date_trunc('week', CAST(:start AS date)) AS date) AS first_day,
           CAST(date_trunc('week', CAST(:end AS date)) AS date) + 6 AS last_day
),
week_posts AS (
    SELECT p.shortcode, p.city, CAST(date_trunc('week', p.day) AS date) AS week
    FROM trend_eligible_posts p, bounds b
    WHERE p.taken_at >= (b.first_day - interval '14 hours') AT TIME ZONE 'UTC'
      AND p.taken_at < (b.last_day + interval '36 hours') AT TIME ZONE 'UTC'
      AND p.day BETWEEN b.first_day AND b.last_day
),
processed AS (
    SELECT DISTINCT wp.shortcode, wp.city, wp.week
    FROM week_posts wp
    JOIN media m ON m.shortcode = wp.shortcode
    JOIN detection_runs r ON r.media_id = m.media_id AND r.model_version = :model_version
),
boxes AS (
    SELECT pr.shortcode, pr.city, pr.week, d.class_name, d.colour,
           count(*) OVER (PARTITION BY pr.shortcode) AS post_boxes
    FROM processed pr
    JOIN media m ON m.shortcode = pr.shortcode
    JOIN detections d ON d.media_id = m.media_id
    WHERE d.model_version = :model_version AND d.score >= :min_score
),
worn AS (
    SELECT b.shortcode, b.city, b.week, a.kind, a.attribute,
           CAST(count(*) AS double precision) / min(b.post_boxes) AS fraction
    FROM boxes b
    CROSS JOIN LATERAL (VALUES ('class', b.class_name),
                               ('colour', b.colour),
                               ('class_colour', b.colour || ' ' || b.class_name)) AS a(kind, attribute)
    WHERE a.attribute IS NOT NULL
    GROUP BY b.shortcode, b.city, b.week, a.kind, a.attribute
),
boxed AS (
    SELECT DISTINCT shortcode FROM boxes
),
totals AS (
    SELECT CASE WHEN GROUPING(pr.city) = 1 THEN '*' ELSE pr.city END AS city, pr.week,
           count(*) AS n, count(bx.shortcode) AS boxed
    FROM processed pr LEFT JOIN boxed bx ON bx.shortcode = pr.shortcode
    GROUP BY GROUPING SETS ((pr.city, pr.week), (pr.week))
),
saved_totals AS (
    INSERT INTO trend_attribute_week_totals (week, city, posts, boxed_posts, model_version)
    SELECT week, city, n, boxed, :model_version FROM totals
),
counts AS (
    SELECT CASE WHEN GROUPING(city) = 1 THEN '*' ELSE city END AS city, week, kind, attribute,
           count(*) AS k, sum(fraction) AS fraction_sum, sum(fraction * fraction) AS fraction_squares
    FROM worn
    GROUP BY GROUPING SETS ((city, week, kind, attribute), (week, kind, attribute))
),
shares AS (
    SELECT c.week, c.city, c.kind, c.attribute, c.k, t.n, t.boxed,
           CAST(c.k AS double precision) / t.n AS p, 1.959963984540054 AS z,
           c.fraction_sum / t.boxed AS g, c.fraction_squares
    FROM counts c JOIN totals t ON t.city = c.city AND t.week = c.week
)
INSERT INTO trend_attribute_weekly
    (week, city, attribute_kind, attribute, posts, total, share, lower, upper,
     boxed_posts, garment_share, garment_share_se, model_version)
SELECT week, city, kind, attribute, k, n, p,
       GREATEST(0, (p + z * z / (2 * n) - z * sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)))
                   / (1 + z * z / n)),
       LEAST(1, (p + z * z / (2 * n) + z * sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)))
                / (1 + z * z / n)),
       boxed, g,
       sqrt(GREATEST(fraction_squares - boxed * g * g, 0) / GREATEST(boxed - 1, 1) / boxed),
       :model_version
FROM shares;

SET LOCAL enable_nestloop = on;
