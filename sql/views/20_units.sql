-- Unit helpers shared by the weights, link and adoption views: ancestry, --within selection,
-- representative points in metres and subdivided boundary pieces for fast contiguity joins.

DROP FUNCTION IF EXISTS unit_within(text[], text) CASCADE;
DROP FUNCTION IF EXISTS unit_equivalent_code(text, text) CASCADE;
DROP VIEW IF EXISTS unit_equivalent CASCADE;
DROP VIEW IF EXISTS unit_same_territory CASCADE;
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

-- Level semantics (sql/README.md "Levels"): a unit that is its own lower-level equivalent. A
-- unit u and a unit d below it are the same territory when d is the only unit of its level set
-- below u and has u's name: the four municipalities (北京市 110000 = 110100, 天津市 120000 =
-- 120100, 上海市 310000 = 310100, 重庆市 500000 = 500100) and the one-unit regions (台湾省,
-- 香港, 澳门) in the bundled boundaries. Derived from admin_unit, so loaded boundaries decide.
CREATE VIEW unit_same_territory AS
WITH below AS (
    SELECT a.ancestor_code AS code, l.level, a.code AS below_code
    FROM unit_ancestor a JOIN unit_level l ON l.code = a.code
    WHERE a.depth >= 1
),
sole AS (
    SELECT code, level, min(below_code) AS below_code
    FROM below GROUP BY code, level HAVING count(*) = 1
),
pairs AS (
    SELECT DISTINCT s.code, s.below_code
    FROM sole s
    JOIN admin_unit u ON u.code = s.code
    JOIN admin_unit b ON b.code = s.below_code
    WHERE u.name_zh = b.name_zh
)
SELECT code, below_code AS same_code, 'below' AS direction FROM pairs
UNION ALL
SELECT below_code, code, 'above' FROM pairs;
COMMENT ON VIEW unit_same_territory IS 'Pairs of codes naming one territory at two levels: a unit and the only unit of a level set below it when both have the same name (北京市 110000 and 110100, the other municipalities, 台湾, 香港, 澳门); both directions.';
COMMENT ON COLUMN unit_same_territory.code IS 'Unit code.';
COMMENT ON COLUMN unit_same_territory.same_code IS 'Code of the same territory at another level.';
COMMENT ON COLUMN unit_same_territory.direction IS 'below: same_code is the lower-level unit (110000 -> 110100); above: the higher-level one (110100 -> 110000).';

-- The one mapping from a code to the unit that stands for it at a level set, used by every
-- link, adoption, period and panel view: the unit itself when it is in the level set; else the
-- same territory at that level (110000 at prefecture level = 110100); else its nearest ancestor
-- of that level (a county at prefecture level = its prefecture). A code above the level that is
-- not its own lower-level equivalent (河北省 130000 at prefecture level) has no row.
CREATE VIEW unit_equivalent AS
SELECT DISTINCT ON (c.code, c.level) c.code, c.level, c.equivalent_code, c.via
FROM (
    SELECT l.code, l.level, l.code AS equivalent_code, 'self' AS via, 0 AS rank, 0 AS depth
    FROM unit_level l
    UNION ALL
    SELECT t.code, l.level, t.same_code, 'same territory', 1, 0
    FROM unit_same_territory t JOIN unit_level l ON l.code = t.same_code
    UNION ALL
    SELECT a.code, l.level, a.ancestor_code, 'ancestor', 2, a.depth
    FROM unit_ancestor a JOIN unit_level l ON l.code = a.ancestor_code
    WHERE a.depth >= 1
) c
ORDER BY c.code, c.level, c.rank, c.depth, c.equivalent_code;
COMMENT ON VIEW unit_equivalent IS 'The unit that stands for a code at a level set: itself, else the same territory at that level (the municipalities: 110000 at prefecture level = 110100, 110100 at province level = 110000), else its nearest ancestor of that level; no row for a code above the level without a same-territory unit (河北省 at prefecture level). Events, links, adoption and panel values resolve codes through it.';
COMMENT ON COLUMN unit_equivalent.code IS 'Code as encoded (an event participant, an observation).';
COMMENT ON COLUMN unit_equivalent.level IS 'Level set (see unit_level).';
COMMENT ON COLUMN unit_equivalent.equivalent_code IS 'Unit of that level set standing for code.';
COMMENT ON COLUMN unit_equivalent.via IS 'self, same territory (a different code for one territory) or ancestor (the unit lies inside equivalent_code: valid for events and links, not for values).';

CREATE FUNCTION unit_equivalent_code(p_code text, p_level text)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT equivalent_code FROM unit_equivalent WHERE code = p_code AND level = p_level
$$;
COMMENT ON FUNCTION unit_equivalent_code(text, text) IS 'unit_equivalent for one code: the unit standing for p_code at level set p_level (NULL when none), e.g. unit_equivalent_code(''110000'', ''prefecture'') = ''110100''.';

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
