-- Spatial weights as (level, i, j, weight) rows, both directions: contiguity (queen, rook),
-- row-standardised versions, islands, k-nearest-neighbour and distance-band weights.

DROP VIEW IF EXISTS w_queen CASCADE;
DROP VIEW IF EXISTS w_rook CASCADE;
DROP VIEW IF EXISTS w_queen_rs CASCADE;
DROP VIEW IF EXISTS w_rook_rs CASCADE;
DROP VIEW IF EXISTS w_islands CASCADE;
DROP FUNCTION IF EXISTS w_knn(text, integer, text[]) CASCADE;
DROP FUNCTION IF EXISTS w_distance(text, double precision, text[]) CASCADE;

CREATE VIEW w_queen AS
SELECT level, code_i AS i, code_j AS j, 1.0::double precision AS weight FROM w_contiguity_queen
UNION ALL
SELECT level, code_j, code_i, 1.0::double precision FROM w_contiguity_queen;
COMMENT ON VIEW w_queen IS 'Queen contiguity (shared point or edge, gaps up to 1 m tolerated), binary, both directions: one row per ordered neighbour pair.';
COMMENT ON COLUMN w_queen.level IS 'Level set (province, prefecture, county).';
COMMENT ON COLUMN w_queen.i IS 'Focal unit code.';
COMMENT ON COLUMN w_queen.j IS 'Neighbour unit code.';
COMMENT ON COLUMN w_queen.weight IS 'Binary weight (1).';

CREATE VIEW w_rook AS
SELECT level, code_i AS i, code_j AS j, 1.0::double precision AS weight FROM w_contiguity_rook WHERE rook
UNION ALL
SELECT level, code_j, code_i, 1.0::double precision FROM w_contiguity_rook WHERE rook;
COMMENT ON VIEW w_rook IS 'Rook contiguity (shared boundary line, overlap, or a gap contact longer than 2 x 1 m), binary, both directions.';
COMMENT ON COLUMN w_rook.level IS 'Level set (province, prefecture, county).';
COMMENT ON COLUMN w_rook.i IS 'Focal unit code.';
COMMENT ON COLUMN w_rook.j IS 'Neighbour unit code.';
COMMENT ON COLUMN w_rook.weight IS 'Binary weight (1).';

CREATE VIEW w_queen_rs AS
SELECT level, i, j, 1.0::double precision / count(*) OVER (PARTITION BY level, i) AS weight FROM w_queen;
COMMENT ON VIEW w_queen_rs IS 'Row-standardised queen weights over the whole level (w_ij = 1 / number of neighbours of i); restrict and re-standardise a subset with policylink.dbread.read_weights.';
COMMENT ON COLUMN w_queen_rs.level IS 'Level set (province, prefecture, county).';
COMMENT ON COLUMN w_queen_rs.i IS 'Focal unit code.';
COMMENT ON COLUMN w_queen_rs.j IS 'Neighbour unit code.';
COMMENT ON COLUMN w_queen_rs.weight IS '1 / (number of queen neighbours of i); each row sums to 1.';

CREATE VIEW w_rook_rs AS
SELECT level, i, j, 1.0::double precision / count(*) OVER (PARTITION BY level, i) AS weight FROM w_rook;
COMMENT ON VIEW w_rook_rs IS 'Row-standardised rook weights over the whole level (w_ij = 1 / number of rook neighbours of i).';
COMMENT ON COLUMN w_rook_rs.level IS 'Level set (province, prefecture, county).';
COMMENT ON COLUMN w_rook_rs.i IS 'Focal unit code.';
COMMENT ON COLUMN w_rook_rs.j IS 'Neighbour unit code.';
COMMENT ON COLUMN w_rook_rs.weight IS '1 / (number of rook neighbours of i); each row sums to 1.';

CREATE VIEW w_islands AS
SELECT l.level, l.code, u.name_zh, u.name_en,
       NOT EXISTS (SELECT 1 FROM w_queen q WHERE q.level = l.level AND q.i = l.code) AS queen_island,
       NOT EXISTS (SELECT 1 FROM w_rook r WHERE r.level = l.level AND r.i = l.code) AS rook_island
FROM unit_level l JOIN admin_unit u ON u.code = l.code
WHERE NOT EXISTS (SELECT 1 FROM w_rook r WHERE r.level = l.level AND r.i = l.code);
COMMENT ON VIEW w_islands IS 'Units without contiguity neighbours in their level set (e.g. Hainan, Taiwan, offshore counties): reported, never dropped; KNN weights give them neighbours.';
COMMENT ON COLUMN w_islands.level IS 'Level set (province, prefecture, county).';
COMMENT ON COLUMN w_islands.code IS 'Unit code.';
COMMENT ON COLUMN w_islands.name_zh IS 'Chinese name.';
COMMENT ON COLUMN w_islands.name_en IS 'English name.';
COMMENT ON COLUMN w_islands.queen_island IS 'True when the unit has no queen neighbour.';
COMMENT ON COLUMN w_islands.rook_island IS 'True when the unit has no rook neighbour (always true in this view).';

-- k nearest neighbours by centroid distance in China Albers metres. The lateral query walks the
-- GiST index in distance order (operator <->) for k + 8 candidates, then ties at the k-th
-- distance are broken by code, so the result has exactly k rows per unit. jit = off here and in
-- w_distance: PostGIS's function costs push even a 13-unit call over jit_above_cost, and LLVM
-- compilation then takes ~1 s for a query that runs in milliseconds.
CREATE FUNCTION w_knn(p_level text, p_k integer, p_within text[] DEFAULT NULL)
RETURNS TABLE (level text, i text, j text, distance_m double precision, weight double precision)
LANGUAGE sql STABLE
SET jit = off
AS $$
    SELECT p_level, a.code, nb.code, nb.d, 1.0::double precision
    FROM unit_point a
    CROSS JOIN LATERAL (
        SELECT c.code, c.d
        FROM (
            SELECT b.code, ST_Distance(a.centroid_eq, b.centroid_eq) AS d
            FROM unit_point b
            WHERE b.level = p_level AND b.code <> a.code
              AND (p_within IS NULL OR b.code IN (SELECT code FROM unit_within(p_within, p_level)))
            ORDER BY a.centroid_eq <-> b.centroid_eq
            LIMIT p_k + 8
        ) c
        ORDER BY c.d, c.code
        LIMIT p_k
    ) nb
    WHERE a.level = p_level AND p_k > 0
      AND (p_within IS NULL OR a.code IN (SELECT code FROM unit_within(p_within, p_level)))
$$;
COMMENT ON FUNCTION w_knn(text, integer, text[]) IS 'k-nearest-neighbour weights of one level set (optionally only among the units within p_within): centroids of geom_eq (China Albers metres), binary, asymmetric; ties broken by code.';

CREATE FUNCTION w_distance(p_level text, p_band_m double precision, p_within text[] DEFAULT NULL)
RETURNS TABLE (level text, i text, j text, distance_m double precision, weight double precision)
LANGUAGE sql STABLE
SET jit = off
AS $$
    SELECT p_level, a.code, b.code, ST_Distance(a.centroid_eq, b.centroid_eq), 1.0::double precision
    FROM unit_point a
    JOIN unit_point b ON b.level = a.level AND b.code <> a.code
         AND ST_DWithin(a.centroid_eq, b.centroid_eq, p_band_m)
    WHERE a.level = p_level
      AND (p_within IS NULL OR (a.code IN (SELECT code FROM unit_within(p_within, p_level))
                                AND b.code IN (SELECT code FROM unit_within(p_within, p_level))))
$$;
COMMENT ON FUNCTION w_distance(text, double precision, text[]) IS 'Distance-band weights of one level set (optionally only among the units within p_within): centroid distance in China Albers metres <= p_band_m, binary, symmetric.';
