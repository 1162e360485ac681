-- Next weeks' forecasts with the model's held-back error against the baselines.
SELECT f.city, f.attribute_kind, f.attribute, f.week, round(f.share::numeric, 3) AS share,
       round(f.lower::numeric, 3) AS lower, round(f.upper::numeric, 3) AS upper,
       e.model_mae, e.mean_mae, e.last_value_mae, e.linear_mae
FROM trend_forecasts f
JOIN trend_forecast_errors e USING (city, attribute_kind, attribute)
WHERE f.city <> '*' AND f.attribute_kind = 'class'
ORDER BY f.city, f.attribute, f.week;
