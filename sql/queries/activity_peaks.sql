-- Activity peaks of the last 30 days with the top three accounts behind each; window_start is
-- the first day of the days the peak stands for (a rise over three days peaks on its third).
SELECT p.day, p.window_start, p.hashtag, p.city, round(p.size::numeric, 2) AS size, round(p.score::numeric, 1) AS score,
       i.rank, i.username, i.posts, round(i.share::numeric, 2) AS share, i.followers, i.home_city
FROM trend_activity_peaks p
LEFT JOIN trend_peak_influencers i
       ON i.peak_kind = 'activity' AND (i.hashtag, i.city, i.day) = (p.hashtag, p.city, p.day)
      AND i.rank <= 3
WHERE p.day >= current_date - 30
ORDER BY p.day DESC, p.score DESC, i.rank;
