-- How garment pairings change month over month in each city: lift now against the calendar
-- month before (NULL where that month has no row), both counted by the same detector version.
SELECT c.city, c.item_a, c.item_b, c.month, c.posts_both, round(c.lift::numeric, 2) AS lift,
       round((c.lift - before.lift)::numeric, 2) AS lift_change
FROM trend_garment_cooccurrence c
LEFT JOIN trend_garment_cooccurrence before
  ON before.city = c.city AND before.item_kind = c.item_kind
 AND before.item_a = c.item_a AND before.item_b = c.item_b
 AND before.month = CAST(c.month - interval '1 month' AS date)
 AND before.model_version IS NOT DISTINCT FROM c.model_version
WHERE c.item_kind = 'class' AND c.city <> '*'
ORDER BY c.city, c.item_a, c.item_b, c.month;
