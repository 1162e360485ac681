-- Tracked influencers' last 14 days: posts, likes, sentiment and what they wore.
SELECT username, day, posts, likes, round(mean_sentiment::numeric, 2) AS sentiment,
       negative_posts, garments, garment_classes
FROM trend_influencer_daily
WHERE day >= current_date - 14
ORDER BY username, day;
