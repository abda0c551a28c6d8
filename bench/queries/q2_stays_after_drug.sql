-- Q2: hospital stays whose main diagnosis is in an ICD-10 chapter, entered
-- after the person's first dispensation of a drug class; by three-character
-- category: stays, people, mean length of stay. The same text for DuckDB
-- (the workspace) and PostgreSQL.
WITH first_dispensation AS (
  SELECT p.BEN_NIR_PSA AS person, min(p.EXE_SOI_DTD) AS first_date
  FROM ER_PHA_F d
  JOIN ER_PRS_F p ON {DCIR_LINE_JOIN}
  WHERE d.PHA_PRS_C13 IN ({DRUG_CODES})
  GROUP BY p.BEN_NIR_PSA
)
SELECT substr(b.DGN_PAL, 1, 3) AS category, count(*) AS stays, count(DISTINCT c.NIR_ANO_17) AS people,
       avg(b.SEJ_NBJ) AS mean_days
FROM T_MCOaaB b
JOIN T_MCOaaC c ON c.ETA_NUM = b.ETA_NUM AND c.RSA_NUM = b.RSA_NUM
JOIN first_dispensation f ON f.person = c.NIR_ANO_17
WHERE b.DGN_PAL LIKE '{ICD_CHAPTER}%' AND c.ENT_DAT > f.first_date
GROUP BY 1
ORDER BY 1
