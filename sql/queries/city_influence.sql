-- Which cities lead which for each colour: significant Granger tests, strongest first.
SELECT attribute, leader_city, follower_city, lag_weeks, round(correlation::numeric, 2) AS r,
       granger_p
FROM trend_city_influence
WHERE attribute_kind = 'colour' AND granger_p < 0.01
ORDER BY granger_p, correlation DESC;
