-- Q1: prevalence of a drug class (people with at least one dispensation of
-- one of its codes in the year) by year of care and ten-year age band, per
-- 1000 people alive that year. PostgreSQL version.
WITH dispensed AS (
  SELECT DISTINCT p.BEN_NIR_PSA AS person, extract(year FROM p.EXE_SOI_DTD)::int AS yr
  FROM ER_PHA_F d
  JOIN ER_PRS_F p ON {DCIR_LINE_JOIN}
  WHERE d.PHA_PRS_C13 IN ({DRUG_CODES})
),
alive AS (
  SELECT y.yr, b.BEN_NIR_PSA AS person, least((y.yr - b.BEN_NAI_ANN) / 10 * 10, 90) AS age_band
  FROM IR_BEN_R b, generate_series({FIRST_YEAR}, {LAST_YEAR}) y(yr)
  WHERE b.BEN_NAI_ANN <= y.yr AND (b.BEN_DCD_DTE IS NULL OR extract(year FROM b.BEN_DCD_DTE) >= y.yr)
)
SELECT a.yr AS year, a.age_band, count(*) AS population, count(d.person) AS treated,
       1000.0 * count(d.person) / count(*) AS per_1000
FROM alive a
LEFT JOIN dispensed d ON d.person = a.person AND d.yr = a.yr
GROUP BY a.yr, a.age_band
ORDER BY a.yr, a.age_band
