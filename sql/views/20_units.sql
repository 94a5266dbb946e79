-- Unit helpers shared by the weights, link and adoption views: ancestry, --within selection,
-- representative points in metres and subdivided boundary pieces for fast contiguity joins.

DROP FUNCTION IF EXISTS unit_within(text[], text) CASCADE;
DROP VIEW IF EXISTS unit_ancestor CASCADE;
DROP VIEW IF EXISTS unit_level CASCADE;
DROP MATERIALIZED VIEW IF EXISTS unit_point CASCADE;

-- Level sets: a code that is both a prefecture- and a county-level unit (admin_unit.also_county,
-- e.g. 东莞 441900) belongs to both sets, so "all county-level units" has 2,875 members.
CREATE VIEW unit_level AS
SELECT code, level FROM admin_unit
UNION ALL
SELECT code, 'county' FROM admin_unit WHERE also_county AND level <> 'county';
COMMENT ON VIEW unit_level IS 'Membership of units in level sets: every unit at its own level, plus prefecture-level units with also_county = true in the county set.';
COMMENT ON COLUMN unit_level.code IS 'Unit code (GB/T 2260).';
COMMENT ON COLUMN unit_level.level IS 'Level set: province, prefecture or county (county = level county OR also_county).';

CREATE VIEW unit_ancestor AS
WITH RECURSIVE up (code, ancestor_code, depth) AS (
    SELECT code, code, 0 FROM admin_unit
    UNION ALL
    SELECT up.code, a.parent_code, up.depth + 1
    FROM up JOIN admin_unit a ON a.code = up.ancestor_code
    WHERE a.parent_code IS NOT NULL AND up.depth < 5
)
SELECT up.code, up.ancestor_code, up.depth, p.level AS ancestor_level
FROM up JOIN admin_unit p ON p.code = up.ancestor_code;
COMMENT ON VIEW unit_ancestor IS 'Every unit with itself (depth 0) and each of its ancestors (parent depth 1, grandparent depth 2).';
COMMENT ON COLUMN unit_ancestor.code IS 'Unit code (GB/T 2260).';
COMMENT ON COLUMN unit_ancestor.ancestor_code IS 'Code of the unit itself (depth 0) or of one of its ancestors.';
COMMENT ON COLUMN unit_ancestor.depth IS '0 = the unit itself, 1 = parent, 2 = grandparent.';
COMMENT ON COLUMN unit_ancestor.ancestor_level IS 'Level of the ancestor (province, prefecture, county).';

CREATE FUNCTION unit_within(p_codes text[], p_level text DEFAULT NULL)
RETURNS TABLE (code text)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT DISTINCT a.code
    FROM unit_ancestor a JOIN unit_level u ON u.code = a.code
    WHERE (p_codes IS NULL OR a.ancestor_code = ANY (p_codes))
      AND (p_level IS NULL OR u.level = p_level)
$$;
COMMENT ON FUNCTION unit_within(text[], text) IS 'Units whose code or any ancestor code is in p_codes (NULL = all), optionally of one level set (see unit_level): the --within rule (110000,120000,130000 = Jing-Jin-Ji).';

-- One representative point per unit in metres (China Albers, SRID 990001): the centroid of the
-- equal-area geometry (as libpysal's KNN / DistanceBand use polygon centroids), plus the point
-- on surface used as the end of link lines.
CREATE MATERIALIZED VIEW unit_point AS
SELECT l.level, u.code, ST_Centroid(u.geom_eq)::geometry(Point, 990001) AS centroid_eq,
       u.rep_point
FROM unit_level l JOIN admin_unit u ON u.code = l.code
WHERE u.geom_eq IS NOT NULL;
CREATE UNIQUE INDEX unit_point_uix ON unit_point (level, code);
CREATE INDEX unit_point_centroid_gix ON unit_point USING gist (centroid_eq);
ANALYZE unit_point;
COMMENT ON MATERIALIZED VIEW unit_point IS 'Centroid of each unit per level set in China Albers metres (SRID 990001) for k-nearest-neighbour and distance-band weights; refreshed by policylink views refresh.';
COMMENT ON COLUMN unit_point.level IS 'Level set (see unit_level); a code with also_county appears twice.';
COMMENT ON COLUMN unit_point.code IS 'Unit code (GB/T 2260).';
COMMENT ON COLUMN unit_point.centroid_eq IS 'ST_Centroid of geom_eq (may fall outside a crescent-shaped unit; used only for distances).';
COMMENT ON COLUMN unit_point.rep_point IS 'Point inside the unit (WGS 84), copied from admin_unit.rep_point.';
