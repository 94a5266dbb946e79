-- Contiguity weights (queen, rook) per admin level, tolerant of the slivers and gaps of
-- non-topological boundaries. Tolerance in metres on admin_unit.geom_eq (China Albers, SRID 990001).
--
-- Method (measured on the 2,875 bundled counties, see sql/README.md):
--   1. touching pairs: ST_Intersects on whole polygons through the GiST index (PostGIS caches the
--      prepared outer polygon, so this is the fast path); overlapping slivers count as touching;
--   2. gap pairs: bounding boxes within the tolerance but polygons disjoint, tested with
--      ST_DWithin on both polygons clipped to the overlap of their expanded bounding boxes
--      (distance on whole polygons is brute force and 100x slower);
--   3. rook vs queen: DE-9IM of the pair clipped to the overlap of the bounding boxes (the
--      intersection of two polygons lies inside both boxes, so the relation is unchanged):
--      interiors overlap (2-dimensional) or boundaries share a line (1-dimensional) = rook;
--      a point contact only = queen-only. For gap pairs, rook when the part of one boundary
--      lying within the tolerance of the other is longer than twice the tolerance (a corner
--      approach yields at most about 2 x tolerance).

DROP FUNCTION IF EXISTS contiguity_pairs(text, double precision, boolean) CASCADE;
DROP MATERIALIZED VIEW IF EXISTS w_contiguity CASCADE;

CREATE FUNCTION contiguity_pairs(
    p_level text DEFAULT NULL,
    p_tolerance_m double precision DEFAULT 1.0,
    p_with_rook boolean DEFAULT true
)
RETURNS TABLE (level text, code_i text, code_j text, contact text, rook boolean, gap_m double precision)
LANGUAGE plpgsql STABLE AS $fn$
BEGIN
    -- EXECUTE ... USING plans with the actual values (a custom plan), which keeps the GiST
    -- index join and the prepared-geometry cache of ST_Intersects; a generic plan is ~5x slower.
    RETURN QUERY EXECUTE $q$
    WITH touching AS MATERIALIZED (
        SELECT la.level, a.code AS code_i, b.code AS code_j,
               CASE WHEN $3 THEN
                   ST_Relate(ST_ClipByBox2D(a.geom_eq, x.bx), ST_ClipByBox2D(b.geom_eq, x.bx))
               END AS m
        FROM unit_level la
        JOIN admin_unit a ON a.code = la.code
        JOIN admin_unit b ON a.code < b.code AND ST_Intersects(a.geom_eq, b.geom_eq)
        JOIN unit_level lb ON lb.code = b.code AND lb.level = la.level
        CROSS JOIN LATERAL (
            SELECT ST_Expand(box2d(ST_Intersection(ST_Envelope(a.geom_eq), ST_Envelope(b.geom_eq))), 1.0) AS bx
        ) x
        WHERE $1 IS NULL OR la.level = $1
    ),
    near AS (
        SELECT la.level, a.code AS code_i, b.code AS code_j,
               ST_ClipByBox2D(a.geom_eq, x.bx) AS ca, ST_ClipByBox2D(b.geom_eq, x.bx) AS cb
        FROM unit_level la
        JOIN admin_unit a ON a.code = la.code
        JOIN admin_unit b ON a.code < b.code AND a.geom_eq && ST_Expand(b.geom_eq, $2)
        JOIN unit_level lb ON lb.code = b.code AND lb.level = la.level
        CROSS JOIN LATERAL (
            SELECT ST_Expand(box2d(ST_Intersection(ST_Envelope(ST_Expand(a.geom_eq, $2)),
                                                   ST_Envelope(ST_Expand(b.geom_eq, $2)))), $2) AS bx
        ) x
        WHERE $2 > 0
          AND ($1 IS NULL OR la.level = $1)
          AND NOT EXISTS (SELECT 1 FROM touching t
                          WHERE t.level = la.level AND t.code_i = a.code AND t.code_j = b.code)
    ),
    gap AS (
        SELECT n.level, n.code_i, n.code_j, ST_Distance(n.ca, n.cb) AS gap_m,
               CASE WHEN $3 THEN
                   ST_Length(ST_Intersection(ST_Boundary(n.ca), ST_Buffer(n.cb, $2)))
               END AS near_len
        FROM near n
        WHERE ST_DWithin(n.ca, n.cb, $2)
    )
    SELECT t.level, t.code_i, t.code_j,
           CASE WHEN t.m IS NULL THEN 'touch'
                WHEN ST_RelateMatch(t.m, '2********') THEN 'overlap'
                WHEN ST_RelateMatch(t.m, '****1****') THEN 'edge'
                ELSE 'point' END,
           CASE WHEN t.m IS NOT NULL THEN
               ST_RelateMatch(t.m, '2********') OR ST_RelateMatch(t.m, '****1****')
           END,
           0.0::double precision
    FROM touching t
    UNION ALL
    SELECT g.level, g.code_i, g.code_j, 'gap', g.near_len > 2 * $2, g.gap_m
    FROM gap g
    $q$ USING p_level, p_tolerance_m, p_with_rook;
END;
$fn$;
COMMENT ON FUNCTION contiguity_pairs(text, double precision, boolean) IS 'Contiguous unit pairs (code_i < code_j) of one level (NULL = all) with a gap tolerance in metres on geom_eq; see w_contiguity for the columns. p_with_rook = false skips the DE-9IM test (queen only, about 4x faster; contact = touch, rook NULL). Use for a tolerance other than the materialized 1 m.';

CREATE MATERIALIZED VIEW w_contiguity AS
SELECT level, code_i, code_j, contact, rook, gap_m
FROM contiguity_pairs(NULL, 1.0, true);
CREATE UNIQUE INDEX w_contiguity_uix ON w_contiguity (level, code_i, code_j);
CREATE INDEX w_contiguity_j_idx ON w_contiguity (level, code_j);
ANALYZE w_contiguity;
COMMENT ON MATERIALIZED VIEW w_contiguity IS 'Contiguous pairs of units of the same level, once per unordered pair (code_i < code_j), gap tolerance 1.0 m on geom_eq (China Albers); refreshed by policylink views refresh.';
COMMENT ON COLUMN w_contiguity.level IS 'Level set of both units (see unit_level: county includes also_county prefecture-level units).';
COMMENT ON COLUMN w_contiguity.code_i IS 'Smaller code of the pair.';
COMMENT ON COLUMN w_contiguity.code_j IS 'Larger code of the pair.';
COMMENT ON COLUMN w_contiguity.contact IS 'overlap (interiors overlap: a sliver), edge (boundaries share a line), point (a corner only: queen but not rook), gap (disjoint but within the tolerance).';
COMMENT ON COLUMN w_contiguity.rook IS 'True when the pair is also rook-contiguous (overlap, edge, or a gap contact longer than twice the tolerance).';
COMMENT ON COLUMN w_contiguity.gap_m IS 'Distance between the polygons in metres (0 when they touch or overlap).';
