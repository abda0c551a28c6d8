-- Q3: cost per person per year (sum of PRS_PAI_MNT over the person's claim
-- lines of the year): people, total, mean and quantiles, by year.
-- PostgreSQL version.
WITH per_person AS (
  SELECT BEN_NIR_PSA AS person, extract(year FROM EXE_SOI_DTD)::int AS yr, sum(PRS_PAI_MNT) AS cost
  FROM ER_PRS_F
  GROUP BY 1, 2
)
SELECT yr AS year, count(*) AS people, sum(cost) AS total, avg(cost) AS mean,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY cost) AS p50,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY cost) AS p90,
       percentile_cont(0.99) WITHIN GROUP (ORDER BY cost) AS p99
FROM per_person
GROUP BY yr
ORDER BY yr
