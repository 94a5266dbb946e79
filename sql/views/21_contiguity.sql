-- Contiguity weights (queen, rook) per admin level, tolerant of the slivers and gaps of
-- non-topological boundaries. Tolerance in metres on admin_unit.geom_eq (China Albers, SRID 990001).
--
-- Method (measured on the 2,875 bundled counties, see docs/views.md):
--   1. touching pairs: ST_Intersects on whole polygons through the GiST index, every polygon
--      first tested against its own bounding rectangle so that PostGIS prepares it before its
--      first real partner (without this primer the first test per polygon is an unprepared
--      GEOS relate, which took ~70% of the time); overlapping slivers count as touching;
--   2. gap pairs: bounding boxes within the tolerance but polygons disjoint, tested with
--      ST_DWithin on both polygons clipped to the overlap of their expanded bounding boxes
--      (distance on whole polygons is brute force and 100x slower), after cheap rectangle
--      tests on the clipped pieces;
--   3. rook vs queen: DE-9IM of the pair clipped to the overlap of the bounding boxes (the
--      intersection of two polygons lies inside both boxes, so the relation is unchanged):
--      interiors overlap (2-dimensional) or boundaries share a line (1-dimensional) = rook;
--      a point contact only = queen-only. For gap pairs, rook when the part of one boundary
--      lying within the tolerance of the other is longer than twice the tolerance (a corner
--      approach yields at most about 2 x tolerance).

DROP FUNCTION IF EXISTS contiguity_pairs(text, double precision, boolean) CASCADE;
DROP FUNCTION IF EXISTS pair_contact(geometry, geometry, double precision, double precision) CASCADE;
DROP FUNCTION IF EXISTS pair_contact_matrix(geometry, geometry, double precision) CASCADE;
DROP FUNCTION IF EXISTS pair_contact_near(geometry, geometry, double precision, double precision) CASCADE;
DROP FUNCTION IF EXISTS contact_of(text, double precision) CASCADE;
DROP FUNCTION IF EXISTS rook_of(text, double precision, double precision, double precision) CASCADE;
DROP FUNCTION IF EXISTS contiguity_contacts(double precision) CASCADE;
DROP FUNCTION IF EXISTS contiguity_contacts(text, double precision) CASCADE;
DROP VIEW IF EXISTS w_contiguity CASCADE;
DROP MATERIALIZED VIEW IF EXISTS w_contiguity CASCADE;
-- (materialized as a whole for all levels until migration 0061: one view per level set now)
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_matviews WHERE schemaname = 'public'
               AND matviewname IN ('w_contiguity_rook', 'w_contiguity_queen')) THEN
        DROP MATERIALIZED VIEW IF EXISTS w_contiguity_rook CASCADE;
        DROP MATERIALIZED VIEW IF EXISTS w_contiguity_queen CASCADE;
    END IF;
END;
$$;
DROP VIEW IF EXISTS w_contiguity_rook CASCADE;
DROP VIEW IF EXISTS w_contiguity_queen CASCADE;
DROP MATERIALIZED VIEW IF EXISTS w_contiguity_rook_province CASCADE;
DROP MATERIALIZED VIEW IF EXISTS w_contiguity_rook_prefecture CASCADE;
DROP MATERIALIZED VIEW IF EXISTS w_contiguity_rook_county CASCADE;
DROP MATERIALIZED VIEW IF EXISTS w_contiguity_queen_province CASCADE;
DROP MATERIALIZED VIEW IF EXISTS w_contiguity_queen_prefecture CASCADE;
DROP MATERIALIZED VIEW IF EXISTS w_contiguity_queen_county CASCADE;

-- Step 3 of the method above, in parts: the DE-9IM (touching pairs) and the near length (gap
-- pairs) of one pair, and the contact and rook flag they give. pair_contact composes them for
-- one pair; contiguity_contacts (the rook view) composes them over all queen pairs in a
-- parallel-safe shape. All four are single expressions, so PostgreSQL inlines them.

-- Touching pair (p_gap_m = 0): DE-9IM of the pair clipped to the overlap of their boxes (+1 m);
-- NULL for a gap pair.
CREATE FUNCTION pair_contact_matrix(a geometry, b geometry, p_gap_m double precision)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p_gap_m = 0
                THEN ST_Relate(
                    ST_ClipByBox2D(a, ST_Expand(box2d(ST_Intersection(ST_Envelope(a), ST_Envelope(b))), 1.0)),
                    ST_ClipByBox2D(b, ST_Expand(box2d(ST_Intersection(ST_Envelope(a), ST_Envelope(b))), 1.0)))
           END
$$;
COMMENT ON FUNCTION pair_contact_matrix(geometry, geometry, double precision) IS 'DE-9IM of two touching polygons (p_gap_m = 0) clipped to the overlap of their bounding boxes expanded by 1 m (the same relation as the whole polygons: their intersection lies inside both boxes); NULL for a gap pair.';

-- Gap pair (p_gap_m > 0): length of a's boundary within the tolerance of b, both clipped to the
-- overlap of their boxes expanded by the tolerance (twice); NULL for a touching pair.
CREATE FUNCTION pair_contact_near(a geometry, b geometry, p_gap_m double precision, p_tol_m double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p_gap_m > 0
                THEN ST_Length(ST_Intersection(
                    ST_Boundary(ST_ClipByBox2D(a, ST_Expand(box2d(ST_Intersection(
                        ST_Envelope(ST_Expand(a, p_tol_m)), ST_Envelope(ST_Expand(b, p_tol_m)))), p_tol_m))),
                    ST_Buffer(ST_ClipByBox2D(b, ST_Expand(box2d(ST_Intersection(
                        ST_Envelope(ST_Expand(a, p_tol_m)), ST_Envelope(ST_Expand(b, p_tol_m)))), p_tol_m)),
                              p_tol_m)))
           END
$$;
COMMENT ON FUNCTION pair_contact_near(geometry, geometry, double precision, double precision) IS 'Gap pair (p_gap_m > 0): length of the boundary of a within p_tol_m of b, both clipped to the overlap of their boxes expanded by the tolerance; NULL for a touching pair.';

-- Contact from the parts: overlap (interiors overlap), edge (boundaries share a line), point,
-- or gap; rook for overlap, edge, and a gap contact longer than twice the tolerance.
CREATE FUNCTION contact_of(m text, p_gap_m double precision)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p_gap_m > 0 THEN 'gap'
                WHEN ST_RelateMatch(m, '2********') THEN 'overlap'
                WHEN ST_RelateMatch(m, '****1****') THEN 'edge'
                ELSE 'point' END
$$;
COMMENT ON FUNCTION contact_of(text, double precision) IS 'Kind of contact from pair_contact_matrix and the gap: overlap, edge, point or gap.';

CREATE FUNCTION rook_of(m text, p_gap_m double precision, p_near_len double precision, p_tol_m double precision)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p_gap_m > 0 THEN p_near_len > 2 * p_tol_m
                ELSE ST_RelateMatch(m, '2********') OR ST_RelateMatch(m, '****1****') END
$$;
COMMENT ON FUNCTION rook_of(text, double precision, double precision, double precision) IS 'Rook flag from pair_contact_matrix / pair_contact_near: interiors overlap, boundaries share a line, or a gap contact longer than twice the tolerance.';

-- Kind of contact of two polygons known to be within p_tol_m of each other (p_gap_m = their
-- distance, 0 when they intersect). PostgreSQL inlines it into the calling query; the OFFSET 0
-- keeps the relate matrix a computed column. (The former body, a CTE read by three
-- ST_RelateMatch calls, was flattened on inlining with the clipped ST_Relate copied into each
-- match: four GEOS relates per pair, the rook view 5x slower; docs/views.md.)
CREATE FUNCTION pair_contact(a geometry, b geometry, p_gap_m double precision, p_tol_m double precision)
RETURNS TABLE (contact text, rook boolean)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT contact_of(y.m, p_gap_m), rook_of(y.m, p_gap_m, y.near_len, p_tol_m)
    FROM (
        SELECT pair_contact_matrix(a, b, p_gap_m) AS m,
               pair_contact_near(a, b, p_gap_m, p_tol_m) AS near_len
        WHERE p_gap_m >= 0
        OFFSET 0  -- compute the matrix once, not once per CASE branch that reads it
    ) y
$$;
COMMENT ON FUNCTION pair_contact(geometry, geometry, double precision, double precision) IS 'Contact of two polygons within the tolerance: overlap / edge / point from the DE-9IM of the pair clipped to the overlap of their boxes, or gap (rook when more than 2 x tolerance of boundary lies within the tolerance).';

CREATE FUNCTION contiguity_pairs(
    p_level text DEFAULT NULL,
    p_tolerance_m double precision DEFAULT 1.0,
    p_with_rook boolean DEFAULT true
)
RETURNS TABLE (level text, code_i text, code_j text, contact text, rook boolean, gap_m double precision)
LANGUAGE plpgsql STABLE
-- the planner's cost of the GEOS calls crosses jit_above_cost, and compiling costs ~0.1 s per
-- level and query for no gain (the time is spent inside GEOS)
SET jit = off
AS $fn$
DECLARE
    lvl text;
BEGIN
    FOR lvl IN SELECT x FROM unnest(ARRAY['province', 'prefecture', 'county']) AS x
               WHERE p_level IS NULL OR x = p_level
    LOOP
    -- EXECUTE ... USING plans with the actual values (a custom plan): a GiST index nested loop
    -- on admin_unit with the level-set test on the same rows. (Joining the unit_level view
    -- instead, or a generic plan, turns this into a cross product, 3-15x slower.)
    -- Step 1 primes PostGIS's prepared-geometry cache: the cache of one ST_Intersects call site
    -- prepares polygon a on the second consecutive call with a, and the first call runs the
    -- full, unprepared GEOS relate (most of the time of a plain join, where a has ~4 partners).
    -- So each a first meets its own bounding rectangle (GEOS's cheap rectangle test) and then
    -- all its partners through the prepared polygon. One call site: the calls are in the
    -- target list of a MATERIALIZED CTE, and OFFSET 0 keeps the lateral UNION ALL (first row
    -- = the primer) from being flattened, so the filter is not copied per branch.
    RETURN QUERY EXECUTE $q$
    WITH tested AS MATERIALIZED (
        SELECT a.code AS code_i, x.code_j, ST_Intersects(a.geom_eq, x.g) AS hit
        FROM admin_unit a
        CROSS JOIN LATERAL (
            SELECT NULL::text AS code_j, ST_Envelope(a.geom_eq) AS g
            UNION ALL
            SELECT b.code, b.geom_eq
            FROM admin_unit b
            WHERE b.geom_eq && a.geom_eq AND a.code < b.code
              AND (b.level = $1 OR ($1 = 'county' AND b.also_county))
            OFFSET 0
        ) x
        WHERE a.level = $1 OR ($1 = 'county' AND a.also_county)
    ),
    touching AS MATERIALIZED (
        SELECT $1 AS level, t.code_i, t.code_j FROM tested t WHERE t.hit AND t.code_j IS NOT NULL
    ),
    cand AS MATERIALIZED (
        -- bounding boxes within the tolerance, polygons not touching (anti-join first, so the
        -- expensive distance below runs on these few pairs only). A lateral GiST index scan
        -- per unit, as in tested: as a plain join, right after a load (no fresh statistics,
        -- the level filter estimated at 12 rows) the planner looped over all pairs and
        -- expanded (copied) a whole polygon per pair (prefectures: 137,000 copies, 4.7 s of a
        -- 6 s refresh; now 0.03 s)
        SELECT a.code AS code_i, x.code AS code_j
        FROM admin_unit a
        CROSS JOIN LATERAL (
            SELECT b.code
            FROM admin_unit b
            WHERE b.geom_eq && ST_Expand(a.geom_eq, $2) AND a.code < b.code
              AND (b.level = $1 OR ($1 = 'county' AND b.also_county))
            OFFSET 0
        ) x
        WHERE $2 > 0
          AND (a.level = $1 OR ($1 = 'county' AND a.also_county))
          AND NOT EXISTS (SELECT 1 FROM touching t WHERE t.code_i = a.code AND t.code_j = x.code)
    ),
    near AS MATERIALIZED (
        SELECT $1 AS level, c.code_i, c.code_j,
               ST_ClipByBox2D(a.geom_eq, x.bx) AS ca, ST_ClipByBox2D(b.geom_eq, x.bx) AS cb
        FROM cand c
        JOIN admin_unit a ON a.code = c.code_i
        JOIN admin_unit b ON b.code = c.code_j
        CROSS JOIN LATERAL (
            SELECT ST_Expand(box2d(ST_Intersection(ST_Envelope(ST_Expand(a.geom_eq, $2)),
                                                   ST_Envelope(ST_Expand(b.geom_eq, $2)))), $2) AS bx
        ) x
    ),
    gap AS (
        -- two points of ca and cb at most $2 apart lie each in the other's box expanded by $2:
        -- these rectangle tests are linear and drop most pairs before the brute-force distance
        -- (CASE keeps this order; the planner would run ST_DWithin first, costs being equal)
        SELECT n.level, n.code_i, n.code_j, ST_Distance(n.ca, n.cb) AS gap_m
        FROM near n
        WHERE CASE WHEN ST_Intersects(n.ca, ST_Expand(n.cb, $2))
                        AND ST_Intersects(n.cb, ST_Expand(n.ca, $2))
                   THEN ST_DWithin(n.ca, n.cb, $2) ELSE false END
    ),
    q AS (
        SELECT t.level, t.code_i, t.code_j, 0.0::double precision AS gap_m FROM touching t
        UNION ALL
        SELECT g.level, g.code_i, g.code_j, g.gap_m FROM gap g
    )
    SELECT q.level, q.code_i, q.code_j,
           COALESCE(c.contact, CASE WHEN q.gap_m > 0 THEN 'gap' ELSE 'touch' END), c.rook, q.gap_m
    FROM q
    JOIN admin_unit a ON a.code = q.code_i
    JOIN admin_unit b ON b.code = q.code_j
    LEFT JOIN LATERAL pair_contact(a.geom_eq, b.geom_eq, q.gap_m, $2) c ON $3
    $q$ USING lvl, p_tolerance_m, p_with_rook;
    END LOOP;
END;
$fn$;
COMMENT ON FUNCTION contiguity_pairs(text, double precision, boolean) IS 'Contiguous unit pairs (code_i < code_j) of one level (NULL = all) with a gap tolerance in metres on geom_eq; see w_contiguity for the columns. p_with_rook = false skips the contact test (queen only, about 3x faster; contact = touch or gap, rook NULL). Use for a tolerance other than the materialized 1 m.';

-- Materialized in two steps so that queen weights refresh without the (slower) contact test, and
-- per level set, so that a load of counties refreshes the county views only (migration 0061:
-- a write counter per level set; matview_source below names each view's counter). The views
-- w_contiguity_queen and w_contiguity_rook put the three together; their level is a constant
-- per branch, so a query for one level reads that level's view only.
-- fillfactor 10 (~12 pairs per 8 kB page): a parallel scan shares out whole pages, and the 70
-- province pairs fit on one page, so one process did all their contact tests (2.7 s -> 1.5 s).
CREATE MATERIALIZED VIEW w_contiguity_queen_province WITH (fillfactor = 10) AS
SELECT code_i, code_j, gap_m FROM contiguity_pairs('province', 1.0, false);
CREATE MATERIALIZED VIEW w_contiguity_queen_prefecture WITH (fillfactor = 10) AS
SELECT code_i, code_j, gap_m FROM contiguity_pairs('prefecture', 1.0, false);
CREATE MATERIALIZED VIEW w_contiguity_queen_county WITH (fillfactor = 10) AS
SELECT code_i, code_j, gap_m FROM contiguity_pairs('county', 1.0, false);
CREATE UNIQUE INDEX w_contiguity_queen_province_uix ON w_contiguity_queen_province (code_i, code_j);
CREATE INDEX w_contiguity_queen_province_j_idx ON w_contiguity_queen_province (code_j);
CREATE UNIQUE INDEX w_contiguity_queen_prefecture_uix ON w_contiguity_queen_prefecture (code_i, code_j);
CREATE INDEX w_contiguity_queen_prefecture_j_idx ON w_contiguity_queen_prefecture (code_j);
CREATE UNIQUE INDEX w_contiguity_queen_county_uix ON w_contiguity_queen_county (code_i, code_j);
CREATE INDEX w_contiguity_queen_county_j_idx ON w_contiguity_queen_county (code_j);
ANALYZE w_contiguity_queen_province;
ANALYZE w_contiguity_queen_prefecture;
ANALYZE w_contiguity_queen_county;
COMMENT ON MATERIALIZED VIEW w_contiguity_queen_province IS 'Queen-contiguous pairs of provinces (code_i < code_j, gap tolerance 1.0 m on geom_eq); read through w_contiguity_queen.';
COMMENT ON MATERIALIZED VIEW w_contiguity_queen_prefecture IS 'Queen-contiguous pairs of prefecture-level units (code_i < code_j, gap tolerance 1.0 m on geom_eq); read through w_contiguity_queen.';
COMMENT ON MATERIALIZED VIEW w_contiguity_queen_county IS 'Queen-contiguous pairs of the county level set (code_i < code_j, gap tolerance 1.0 m on geom_eq); read through w_contiguity_queen.';

CREATE VIEW w_contiguity_queen AS
SELECT 'province'::text AS level, code_i, code_j, gap_m FROM w_contiguity_queen_province
UNION ALL
SELECT 'prefecture'::text, code_i, code_j, gap_m FROM w_contiguity_queen_prefecture
UNION ALL
SELECT 'county'::text, code_i, code_j, gap_m FROM w_contiguity_queen_county;
COMMENT ON VIEW w_contiguity_queen IS 'Queen-contiguous pairs of units of the same level set (code_i < code_j), gap tolerance 1.0 m on geom_eq (China Albers): the materialized views w_contiguity_queen_<level>, refreshed by policylink views refresh.';
COMMENT ON COLUMN w_contiguity_queen.level IS 'Level set of both units (see unit_level: county includes also_county prefecture-level units).';
COMMENT ON COLUMN w_contiguity_queen.code_i IS 'Smaller code of the pair.';
COMMENT ON COLUMN w_contiguity_queen.code_j IS 'Larger code of the pair.';
COMMENT ON COLUMN w_contiguity_queen.gap_m IS 'Distance between the polygons in metres (0 when they touch or overlap).';

-- The contacts of the materialized queen pairs of one level set. Each pair costs ~1-2 ms of
-- GEOS relate (~2 us per vertex of the clipped pieces, ~70% of them on the shared border, so
-- tighter clipping gains little) and pairs are independent, so the query runs in parallel: the
-- relate sits in the target list of a subquery without lateral references (pair_contact's
-- lateral subquery takes the polygons as parameters, which keeps a plan out of parallel
-- workers), OFFSET 0 keeps it one call per pair, and min_parallel_table_scan_size = 0 lets the
-- planner split the queen pairs (a table of ~0.5 MB, below the 8 MB default threshold). In a
-- function only to set these and to run without JIT: the planner's cost of ~9,000 relates
-- crosses jit_inline_above_cost / jit_optimize_above_cost and LLVM would inline and optimise
-- 14 functions (in every worker) for a query that spends its time in GEOS.
CREATE FUNCTION contiguity_contacts(p_level text, p_tol_m double precision DEFAULT 1.0)
RETURNS TABLE (level text, code_i text, code_j text, contact text, rook boolean)
LANGUAGE sql STABLE PARALLEL SAFE
SET jit = off
SET min_parallel_table_scan_size = 0
AS $$
    SELECT y.level, y.code_i, y.code_j, contact_of(y.m, y.gap_m),
           rook_of(y.m, y.gap_m, y.near_len, p_tol_m)
    FROM (
        SELECT q.level, q.code_i, q.code_j, q.gap_m,
               pair_contact_matrix(a.geom_eq, b.geom_eq, q.gap_m) AS m,
               pair_contact_near(a.geom_eq, b.geom_eq, q.gap_m, p_tol_m) AS near_len
        FROM w_contiguity_queen q
        JOIN admin_unit a ON a.code = q.code_i
        JOIN admin_unit b ON b.code = q.code_j
        WHERE q.level = p_level AND q.gap_m >= 0
        OFFSET 0  -- one relate per pair (not one per reference in contact_of / rook_of)
    ) y
$$;
COMMENT ON FUNCTION contiguity_contacts(text, double precision) IS 'Kind of contact (as pair_contact) of every pair of one level set of w_contiguity_queen, in parallel; the body of w_contiguity_rook_<level>.';

CREATE MATERIALIZED VIEW w_contiguity_rook_province AS
SELECT code_i, code_j, contact, rook FROM contiguity_contacts('province', 1.0);
CREATE MATERIALIZED VIEW w_contiguity_rook_prefecture AS
SELECT code_i, code_j, contact, rook FROM contiguity_contacts('prefecture', 1.0);
CREATE MATERIALIZED VIEW w_contiguity_rook_county AS
SELECT code_i, code_j, contact, rook FROM contiguity_contacts('county', 1.0);
CREATE UNIQUE INDEX w_contiguity_rook_province_uix ON w_contiguity_rook_province (code_i, code_j);
CREATE UNIQUE INDEX w_contiguity_rook_prefecture_uix ON w_contiguity_rook_prefecture (code_i, code_j);
CREATE UNIQUE INDEX w_contiguity_rook_county_uix ON w_contiguity_rook_county (code_i, code_j);
ANALYZE w_contiguity_rook_province;
ANALYZE w_contiguity_rook_prefecture;
ANALYZE w_contiguity_rook_county;
COMMENT ON MATERIALIZED VIEW w_contiguity_rook_province IS 'Kind of contact of every queen pair of provinces; read through w_contiguity_rook.';
COMMENT ON MATERIALIZED VIEW w_contiguity_rook_prefecture IS 'Kind of contact of every queen pair of prefecture-level units; read through w_contiguity_rook.';
COMMENT ON MATERIALIZED VIEW w_contiguity_rook_county IS 'Kind of contact of every queen pair of the county level set; read through w_contiguity_rook.';

CREATE VIEW w_contiguity_rook AS
SELECT 'province'::text AS level, code_i, code_j, contact, rook FROM w_contiguity_rook_province
UNION ALL
SELECT 'prefecture'::text, code_i, code_j, contact, rook FROM w_contiguity_rook_prefecture
UNION ALL
SELECT 'county'::text, code_i, code_j, contact, rook FROM w_contiguity_rook_county;
COMMENT ON VIEW w_contiguity_rook IS 'Kind of contact of every queen pair (pair_contact): the materialized views w_contiguity_rook_<level>, refreshed after w_contiguity_queen_<level> by policylink views refresh.';
COMMENT ON COLUMN w_contiguity_rook.level IS 'Level set of both units.';
COMMENT ON COLUMN w_contiguity_rook.code_i IS 'Smaller code of the pair.';
COMMENT ON COLUMN w_contiguity_rook.code_j IS 'Larger code of the pair.';
COMMENT ON COLUMN w_contiguity_rook.contact IS 'overlap, edge, point or gap (see w_contiguity).';
COMMENT ON COLUMN w_contiguity_rook.rook IS 'True when the pair is also rook-contiguous.';

-- The write counter each of these views is computed from (migration 0061).
DELETE FROM matview_source WHERE view LIKE 'w\_contiguity\_%';
INSERT INTO matview_source (view, source_key)
SELECT 'w_contiguity_' || kind || '_' || lvl, 'admin_unit:' || lvl
FROM unnest(ARRAY['queen', 'rook']) AS kind, unnest(ARRAY['province', 'prefecture', 'county']) AS lvl;

CREATE VIEW w_contiguity AS
SELECT q.level, q.code_i, q.code_j, r.contact, r.rook, q.gap_m
FROM w_contiguity_queen q
JOIN w_contiguity_rook r ON r.level = q.level AND r.code_i = q.code_i AND r.code_j = q.code_j;
COMMENT ON VIEW w_contiguity IS 'Contiguous pairs of units of the same level set, once per unordered pair (code_i < code_j), gap tolerance 1.0 m on geom_eq (China Albers), with the kind of contact.';
COMMENT ON COLUMN w_contiguity.level IS 'Level set of both units (see unit_level: county includes also_county prefecture-level units).';
COMMENT ON COLUMN w_contiguity.code_i IS 'Smaller code of the pair.';
COMMENT ON COLUMN w_contiguity.code_j IS 'Larger code of the pair.';
COMMENT ON COLUMN w_contiguity.contact IS 'overlap (interiors overlap: a sliver), edge (boundaries share a line), point (a corner only: queen but not rook), gap (disjoint but within the tolerance).';
COMMENT ON COLUMN w_contiguity.rook IS 'True when the pair is also rook-contiguous (overlap, edge, or a gap contact longer than twice the tolerance).';
COMMENT ON COLUMN w_contiguity.gap_m IS 'Distance between the polygons in metres (0 when they touch or overlap).';
