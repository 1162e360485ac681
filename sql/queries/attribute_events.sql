-- The most salient attribute events and the caption keywords that explain them; the shares
-- are garment shares (of the garments worn in the city's posts, in percent).
SELECT e.rank, e.city, e.attribute_kind, e.attribute, e.start_week, e.end_week,
       round((100 * e.observed_share)::numeric, 1) AS observed_pct,
       round((100 * e.expected_share)::numeric, 1) AS expected_pct,
       (SELECT string_agg(k.keyword, ', ' ORDER BY k.rank) FROM trend_attribute_event_keywords k
        WHERE (k.city, k.attribute_kind, k.attribute, k.start_week)
            = (e.city, e.attribute_kind, e.attribute, e.start_week)) AS keywords
FROM trend_attribute_events e
ORDER BY e.rank
LIMIT 20;
