-- Q3: cost per person per year (sum of PRS_PAI_MNT over the person's claim
-- lines of the year): people, total, mean and quantiles, by year.
-- Workspace (DuckDB) version.
WITH per_person AS (
  SELECT BEN_NIR_PSA AS person, year(EXE_SOI_DTD) AS yr, sum(PRS_PAI_MNT) AS cost
  FROM ER_PRS_F
  GROUP BY 1, 2
)
SELECT yr AS year, count(*) AS people, sum(cost) AS total, avg(cost) AS mean,
       quantile_cont(cost, 0.5) AS p50, quantile_cont(cost, 0.9) AS p90, quantile_cont(cost, 0.99) AS p99
FROM per_person
GROUP BY yr
ORDER BY yr
