-- Diffusion measures on top of the adoption panel and the weights: share of treated contiguous
-- neighbours (W * D), first neighbour adoption, distance rings from a core, diffusion edges.
-- They work for any programme (policy family): adoption is adoption_first_rules' (taking part
-- in an event of the programme, codes resolved through unit_equivalent), and every output
-- says its programme.

DROP FUNCTION IF EXISTS neighbor_adoption_rules(text, text, integer, integer, integer[], boolean, boolean) CASCADE;
DROP FUNCTION IF EXISTS diffusion_edge_rules(text, text, integer[], boolean, boolean) CASCADE;
DROP FUNCTION IF EXISTS neighbor_adoption_rules(text, text, integer, integer, integer[], boolean, boolean, text[]) CASCADE;
DROP FUNCTION IF EXISTS diffusion_edge_rules(text, text, integer[], boolean, boolean, text[]) CASCADE;
DROP FUNCTION IF EXISTS distance_rings(text[], text, double precision, double precision, text[]) CASCADE;
DROP FUNCTION IF EXISTS polygon_distance(geometry, geometry) CASCADE;
DROP VIEW IF EXISTS neighbor_adoption CASCADE;
DROP VIEW IF EXISTS diffusion_edge CASCADE;

CREATE FUNCTION neighbor_adoption_rules(
    p_programme text DEFAULT 'low_carbon_pilot',
    p_level text DEFAULT 'prefecture',
    p_year_from integer DEFAULT 2009,
    p_year_to integer DEFAULT 2022,
    p_effective_years integer[] DEFAULT NULL,
    p_province_covers boolean DEFAULT true,
    p_county_pilots boolean DEFAULT false,
    p_kinds text[] DEFAULT NULL
)
RETURNS TABLE (unit_code text, year integer, treated smallint, n_neighbors bigint,
               n_treated_neighbors bigint, share double precision, first_neighbor_year integer,
               programme text)
LANGUAGE sql STABLE AS $$
    WITH a AS (
        SELECT * FROM adoption_panel_rules(p_programme, p_level, p_year_from, p_year_to,
                                           p_effective_years, p_province_covers, p_county_pilots,
                                           p_kinds)
    )
    SELECT a.unit_code, a.year, a.treated, count(q.j),
           coalesce(sum(b.treated), 0)::bigint,
           CASE WHEN count(q.j) > 0 THEN coalesce(sum(b.treated), 0)::double precision / count(q.j) END,
           min(b.first_year), p_programme
    FROM a
    LEFT JOIN w_queen q ON q.level = p_level AND q.i = a.unit_code
    LEFT JOIN a b ON b.unit_code = q.j AND b.year = a.year
    GROUP BY a.unit_code, a.year, a.treated
$$;
COMMENT ON FUNCTION neighbor_adoption_rules(text, text, integer, integer, integer[], boolean, boolean, text[]) IS 'Per unit and year, for any programme: queen neighbours, treated neighbours, their share (row-standardised W times the treatment vector; neighbours adopted at an undated time count as not treated) and the first neighbour adoption year, under the adoption rules of adoption_first_rules.';

CREATE VIEW neighbor_adoption AS SELECT * FROM neighbor_adoption_rules();
COMMENT ON VIEW neighbor_adoption IS 'Share of queen-contiguous prefectures already treated by the low-carbon pilots (seed 004 rules) in each year: (W_rs D)_it.';
COMMENT ON COLUMN neighbor_adoption.unit_code IS 'Prefecture-level unit code.';
COMMENT ON COLUMN neighbor_adoption.year IS 'Calendar year.';
COMMENT ON COLUMN neighbor_adoption.treated IS 'The unit''s own treatment (adoption_panel.treated).';
COMMENT ON COLUMN neighbor_adoption.n_neighbors IS 'Number of queen neighbours.';
COMMENT ON COLUMN neighbor_adoption.n_treated_neighbors IS 'Neighbours treated in that year.';
COMMENT ON COLUMN neighbor_adoption.share IS 'n_treated_neighbors / n_neighbors; NULL for islands.';
COMMENT ON COLUMN neighbor_adoption.first_neighbor_year IS 'Earliest first_year among the neighbours (NULL if none ever treated).';
COMMENT ON COLUMN neighbor_adoption.programme IS 'Programme (policy family) of the adoption (low_carbon_pilot in this view).';

-- Exact distance between two polygons (metres on geom_eq), without the brute force of
-- ST_Distance on whole polygons whose bounding boxes overlap (every segment against every
-- segment: 1 s for two neighbouring prefectures, over a minute for Jing-Jin-Ji as a core). 0 when they
-- intersect (GEOS, prepared when b repeats); otherwise d0, the distance from the point of a
-- nearest b's centroid to b, bounds the distance from above, so the closest points lie each
-- in its own box and within d0 of the other polygon: both polygons are clipped to the overlap
-- of their boxes expanded by d0 (+1 m) and measured there. The clipped pieces are subsets of
-- the polygons that keep the closest points, so the minimum is the same.
-- The OFFSET 0s keep d0 and the box computed once each (flattened, each reference was a copy:
-- d0 four times per call; 20-25% of distance_rings on the national prefectures).
CREATE FUNCTION polygon_distance(a geometry, b geometry)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN ST_Intersects(a, b) THEN 0::double precision
                ELSE (SELECT ST_Distance(ST_ClipByBox2D(a, x.bx), ST_ClipByBox2D(b, x.bx))
                      FROM (SELECT ST_Expand(box2d(ST_Intersection(ST_Envelope(ST_Expand(a, y.d0)),
                                                                   ST_Envelope(ST_Expand(b, y.d0)))),
                                             1.0) AS bx
                            FROM (SELECT ST_Distance(ST_ClosestPoint(a, ST_Centroid(b)), b) AS d0
                                  OFFSET 0) y
                            OFFSET 0) x)
           END
$$;
COMMENT ON FUNCTION polygon_distance(geometry, geometry) IS 'Distance between two polygons, equal to ST_Distance, measured on the parts of both that can hold the closest points (0 when they intersect): fast where their bounding boxes overlap.';

-- Rings around a core (seed 001 section 2.3: core / expansion / radiation circles): core = the
-- units within p_core (codes or ancestors), expansion = other units whose polygon lies within
-- p_expansion_m of the core (China Albers metres), radiation = within p_radiation_m (NULL = all
-- the rest), outside = beyond. Each unit's distance to the union of the core is exact
-- (polygon_distance); p_within limits the units computed.
CREATE FUNCTION distance_rings(
    p_core text[],
    p_level text DEFAULT 'prefecture',
    p_expansion_m double precision DEFAULT 100000,
    p_radiation_m double precision DEFAULT NULL,
    p_within text[] DEFAULT NULL
)
RETURNS TABLE (unit_code text, name_zh text, distance_m double precision, ring text)
LANGUAGE sql STABLE AS $$
    WITH core_units AS (SELECT code FROM unit_within(p_core, p_level)),
    core AS (
        SELECT ST_Union(u.geom_eq) AS g FROM admin_unit u JOIN core_units c ON c.code = u.code
    )
    SELECT u.code, u.name_zh, d.dist,
           CASE WHEN u.code IN (SELECT code FROM core_units) THEN 'core'
                WHEN d.dist IS NULL THEN NULL  -- no core unit matched (or no geometry)
                WHEN d.dist <= p_expansion_m THEN 'expansion'
                WHEN p_radiation_m IS NULL OR d.dist <= p_radiation_m THEN 'radiation'
                ELSE 'outside' END
    FROM unit_level l
    JOIN admin_unit u ON u.code = l.code
    CROSS JOIN core
    -- OFFSET 0: one distance per unit (flattened, the call was copied into each CASE branch
    -- that reads it: up to five exact distances per unit)
    CROSS JOIN LATERAL (SELECT polygon_distance(u.geom_eq, core.g) AS dist OFFSET 0) d
    WHERE l.level = p_level
      AND (p_within IS NULL OR l.code IN (SELECT code FROM unit_within(p_within, p_level)))
$$;
COMMENT ON FUNCTION distance_rings(text[], text, double precision, double precision, text[]) IS 'Core / expansion / radiation / outside ring of every unit of a level (optionally only those within p_within) by polygon distance (metres, China Albers) to the union of the core units; distance and ring NULL when no core unit matched.';

-- Directed diffusion edges i -> j between contiguous (queen) or linked (coordination_link at
-- the level, any programme) units where j adopted strictly after i, for any programme. Units
-- adopted at an undated time are in no edge (their order is unknown).
CREATE FUNCTION diffusion_edge_rules(
    p_programme text DEFAULT 'low_carbon_pilot',
    p_level text DEFAULT 'prefecture',
    p_effective_years integer[] DEFAULT NULL,
    p_province_covers boolean DEFAULT true,
    p_county_pilots boolean DEFAULT false,
    p_kinds text[] DEFAULT NULL
)
RETURNS TABLE (from_code text, to_code text, from_year integer, to_year integer,
               lag_years integer, via text, programme text, geom geometry(LineString, 4326))
LANGUAGE sql STABLE AS $$
    WITH f AS (
        SELECT * FROM adoption_first_rules(p_programme, p_level, p_effective_years,
                                           p_province_covers, p_county_pilots, p_kinds)
        WHERE first_year IS NOT NULL
    ),
    nb AS (
        SELECT q.i, q.j, 'contiguity' AS via FROM w_queen q WHERE q.level = p_level
        UNION
        SELECT l.from_code, l.to_code, 'link' FROM coordination_link_at(p_level) l
        UNION
        SELECT l.to_code, l.from_code, 'link' FROM coordination_link_at(p_level) l
    ),
    agg AS (
        SELECT nb.i, nb.j, string_agg(nb.via, '+' ORDER BY nb.via) AS via FROM nb GROUP BY 1, 2
    )
    SELECT fi.unit_code, fj.unit_code, fi.first_year, fj.first_year,
           fj.first_year - fi.first_year, agg.via, p_programme,
           ST_MakeLine(ui.rep_point, uj.rep_point)::geometry(LineString, 4326)
    FROM agg
    JOIN f fi ON fi.unit_code = agg.i
    JOIN f fj ON fj.unit_code = agg.j AND fj.first_year > fi.first_year
    JOIN admin_unit ui ON ui.code = fi.unit_code
    JOIN admin_unit uj ON uj.code = fj.unit_code
$$;
COMMENT ON FUNCTION diffusion_edge_rules(text, text, integer[], boolean, boolean, text[]) IS 'Directed edges i -> j between contiguous or linked units where j adopted after i under the adoption rules of adoption_first_rules for any programme (undated adoptions excluded), with the lag in years and a line: the raw material of a diffusion-path map.';

CREATE VIEW diffusion_edge AS SELECT * FROM diffusion_edge_rules();
COMMENT ON VIEW diffusion_edge IS 'Low-carbon pilot diffusion edges between queen-contiguous or linked prefectures (seed 004 adoption rules): i adopted before j.';
COMMENT ON COLUMN diffusion_edge.from_code IS 'Earlier adopter i.';
COMMENT ON COLUMN diffusion_edge.to_code IS 'Later adopter j.';
COMMENT ON COLUMN diffusion_edge.from_year IS 'First treated year of i.';
COMMENT ON COLUMN diffusion_edge.to_year IS 'First treated year of j.';
COMMENT ON COLUMN diffusion_edge.lag_years IS 'to_year - from_year (> 0).';
COMMENT ON COLUMN diffusion_edge.via IS 'contiguity, link, or contiguity+link.';
COMMENT ON COLUMN diffusion_edge.programme IS 'Programme (policy family) of the adoption (low_carbon_pilot in this view).';
COMMENT ON COLUMN diffusion_edge.geom IS 'Line from i''s to j''s representative point (WGS 84).';
