-- The attributes rising fastest per city (significant linear slopes), in share points a month.
SELECT city, attribute_kind, attribute, model, weeks,
       round((100 * mean_share)::numeric, 1) AS mean_share_pct,
       round((100 * slope * 4.345)::numeric, 2) AS points_per_month, slope_p_value
FROM trend_attribute_fits
WHERE slope_p_value < 0.01 AND slope > 0 AND city NOT IN ('*', '(unknown)')
ORDER BY slope DESC
LIMIT 50;
