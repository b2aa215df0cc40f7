-- The fixed-age read model (post_age_facts, 0023) was built with an
-- ANY INNER JOIN that keeps every post's three ages on 18.16 but, on
-- ClickHouse 20.1 and later, one row per key on both sides: one age per
-- post, chosen arbitrarily. analytics/refresh.go now builds it with an
-- ALL INNER JOIN (the same rows on every version). Generations built before
-- are dropped here, so no report reads them: fixed-age reports read
-- post_metrics (slower, the same figures) until the analytics service
-- builds a new generation, which it does at start because the fixed-age
-- generation is then missing. Harmless where they were right (18.16).
TRUNCATE TABLE post_age_facts_gens;

TRUNCATE TABLE post_age_facts
