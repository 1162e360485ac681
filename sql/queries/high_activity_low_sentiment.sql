-- Days that are both an activity peak and a negative-sentiment peak in the same scope, with the
-- accounts driving the negative share and the keywords that rose.
SELECT a.day, a.hashtag, a.city, a.size, s.negative_share, s.baseline_share,
       i.username, i.negative_items, i.mean_sentiment, i.home_city,
       (SELECT string_agg(t.term, ', ' ORDER BY t.rank) FROM trend_peak_terms t
        WHERE t.peak_kind = 'sentiment' AND t.term_kind = 'keyword'
          AND (t.hashtag, t.city, t.day) = (s.hashtag, s.city, s.day)) AS keywords
FROM trend_activity_peaks a
JOIN trend_sentiment_peaks s USING (hashtag, city, day)
LEFT JOIN trend_peak_influencers i
       ON i.peak_kind = 'sentiment' AND (i.hashtag, i.city, i.day) = (s.hashtag, s.city, s.day)
      AND i.rank <= 3
ORDER BY a.day DESC, i.rank;
