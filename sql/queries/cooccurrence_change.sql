-- How garment pairings change month over month in each city (lift now vs the month before).
SELECT city, item_a, item_b, month, posts_both, round(lift::numeric, 2) AS lift,
       round((lift - lag(lift) OVER w)::numeric, 2) AS lift_change
FROM trend_garment_cooccurrence
WHERE item_kind = 'class' AND city <> '*'
WINDOW w AS (PARTITION BY city, item_kind, item_a, item_b ORDER BY month)
ORDER BY city, item_a, item_b, month;
