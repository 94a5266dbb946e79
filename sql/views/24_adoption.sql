-- Policy adoption (treatment) panels built from pilot designation events with explicit rules,
-- and per-period adoption tables (seed 001's 13 x 3 city table and its county x 3 table).

DROP FUNCTION IF EXISTS adoption_first_rules(text, text, integer[], boolean, boolean) CASCADE;
DROP FUNCTION IF EXISTS adoption_panel_rules(text, text, integer, integer, integer[], boolean, boolean) CASCADE;
DROP FUNCTION IF EXISTS period_adoption(text, text, text, text[], boolean) CASCADE;
DROP FUNCTION IF EXISTS period_adoption_first(text, text, text, text[]) CASCADE;
DROP VIEW IF EXISTS adoption_first CASCADE;
DROP VIEW IF EXISTS adoption_panel CASCADE;

-- Rules (seed 004 section 3 defaults; see sql/README.md):
--   p_effective_years[batch]: first treated year of each batch (seed 004: 2011, 2013, 2017 for the
--     notices of 2010-07, 2012-11 and 2017-01); a batch without an entry uses its notice year;
--   p_province_covers: a province-level designation treats every unit of the level inside it;
--   p_county_pilots: a county-level pilot treats its prefecture (ignored otherwise; at county
--     level a county pilot always treats that county);
--   a prefecture-level designation always treats its counties when p_level = 'county';
--   earliest wins: the smallest effective year, then the smallest batch, then the event id.
CREATE FUNCTION adoption_first_rules(
    p_programme text DEFAULT 'low_carbon_pilot',
    p_level text DEFAULT 'prefecture',
    p_effective_years integer[] DEFAULT ARRAY[2011, 2013, 2017],
    p_province_covers boolean DEFAULT true,
    p_county_pilots boolean DEFAULT false
)
RETURNS TABLE (unit_code text, first_year integer, batch smallint, source_event text,
               designated_code text, via text)
LANGUAGE sql STABLE AS $$
    WITH des AS (
        SELECT e.id, e.batch, p.unit_code AS code, du.level AS des_level,
               COALESCE(p_effective_years[e.batch], extract(year FROM e.event_date)::integer) AS eff
        FROM policy_event e
        JOIN event_participant p ON p.event_id = e.id AND p.role <> 'issuer'
        JOIN admin_unit du ON du.code = p.unit_code
        WHERE e.kind = 'pilot_designation' AND e.programme = p_programme
    ),
    cover AS (
        -- the designated unit itself (in the requested level set)
        SELECT l.code AS unit_code, d.*, 'self' AS via
        FROM des d JOIN unit_level l ON l.code = d.code AND l.level = p_level
        UNION ALL
        -- units below the designated one (province -> prefectures, prefecture -> counties)
        SELECT l.code, d.*, 'ancestor ' || d.des_level
        FROM des d
        JOIN unit_ancestor a ON a.ancestor_code = d.code AND a.depth >= 1
        JOIN unit_level l ON l.code = a.code AND l.level = p_level
        WHERE (d.des_level <> 'province' OR p_province_covers)
          AND d.code <> l.code
        UNION ALL
        -- the prefecture above a designated county (only when county pilots count)
        SELECT l.code, d.*, 'county pilot'
        FROM des d
        JOIN unit_ancestor a ON a.code = d.code AND a.depth >= 1
        JOIN unit_level l ON l.code = a.ancestor_code AND l.level = p_level
        WHERE p_county_pilots AND d.des_level = 'county' AND p_level <> 'county'
    )
    SELECT DISTINCT ON (c.unit_code) c.unit_code, c.eff, c.batch, c.id, c.code, c.via
    FROM cover c
    ORDER BY c.unit_code, c.eff, c.batch NULLS LAST, c.id
$$;
COMMENT ON FUNCTION adoption_first_rules(text, text, integer[], boolean, boolean) IS 'First treated year per unit of a level under explicit rules (effective year per batch, province covers its units, county pilots count or not, earliest wins).';

CREATE FUNCTION adoption_panel_rules(
    p_programme text DEFAULT 'low_carbon_pilot',
    p_level text DEFAULT 'prefecture',
    p_year_from integer DEFAULT 2009,
    p_year_to integer DEFAULT 2022,
    p_effective_years integer[] DEFAULT ARRAY[2011, 2013, 2017],
    p_province_covers boolean DEFAULT true,
    p_county_pilots boolean DEFAULT false
)
RETURNS TABLE (unit_code text, year integer, treated smallint, first_year integer,
               batch smallint, source_event text)
LANGUAGE sql STABLE AS $$
    SELECT l.code, y.year, (f.first_year IS NOT NULL AND y.year >= f.first_year)::integer::smallint,
           f.first_year, f.batch, f.source_event
    FROM unit_level l
    CROSS JOIN generate_series(p_year_from, p_year_to) AS y(year)
    LEFT JOIN adoption_first_rules(p_programme, p_level, p_effective_years, p_province_covers,
                                   p_county_pilots) f ON f.unit_code = l.code
    WHERE l.level = p_level
$$;
COMMENT ON FUNCTION adoption_panel_rules(text, text, integer, integer, integer[], boolean, boolean) IS 'Balanced unit x year treatment panel of a level under explicit rules (see adoption_first_rules); treated = 1 from first_year on.';

CREATE VIEW adoption_first AS SELECT * FROM adoption_first_rules();
COMMENT ON VIEW adoption_first IS 'Low-carbon pilot prefectures with their first treated year under seed 004''s rules (batches effective 2011/2013/2017, pilot provinces cover their prefectures, county pilots not counted, earliest wins).';
COMMENT ON COLUMN adoption_first.unit_code IS 'Prefecture-level unit code.';
COMMENT ON COLUMN adoption_first.first_year IS 'First treated (effective) year.';
COMMENT ON COLUMN adoption_first.batch IS 'Batch of the designation that counts (1, 2, 3).';
COMMENT ON COLUMN adoption_first.source_event IS 'policy_event.id of that designation.';
COMMENT ON COLUMN adoption_first.designated_code IS 'Unit named in the designation (the unit itself or its province).';
COMMENT ON COLUMN adoption_first.via IS 'self, ancestor province, ancestor prefecture or county pilot.';

CREATE VIEW adoption_panel AS SELECT * FROM adoption_panel_rules();
COMMENT ON VIEW adoption_panel IS 'Prefecture x year (2009-2022) low-carbon pilot treatment under seed 004''s rules; use adoption_panel_rules(...) for other rules, levels or years.';
COMMENT ON COLUMN adoption_panel.unit_code IS 'Prefecture-level unit code.';
COMMENT ON COLUMN adoption_panel.year IS 'Calendar year.';
COMMENT ON COLUMN adoption_panel.treated IS '1 when year >= first_year, else 0 (the DID treatment dummy).';
COMMENT ON COLUMN adoption_panel.first_year IS 'First treated year; NULL for never-treated units.';
COMMENT ON COLUMN adoption_panel.batch IS 'Batch of the designation that counts; NULL for never-treated.';
COMMENT ON COLUMN adoption_panel.source_event IS 'policy_event.id of that designation; NULL for never-treated.';

-- Per-period adoption table: every unit of a level set (within p_within) x every period of a
-- scheme; adopted = 1 when the unit itself is a participant of an event of the programme dated
-- in the period (p_cumulative: in or before the period). Participants of other levels do not
-- count (seed 001 tabulates cities and counties separately).
CREATE FUNCTION period_adoption(
    p_programme text,
    p_level text DEFAULT 'prefecture',
    p_scheme text DEFAULT 'seed001',
    p_within text[] DEFAULT NULL,
    p_cumulative boolean DEFAULT true
)
RETURNS TABLE (unit_code text, name_zh text, period_ordinal smallint, period text,
               adopted smallint, first_year integer, n_events bigint)
LANGUAGE sql STABLE AS $$
    WITH ev AS (
        SELECT p.unit_code, e.id, extract(year FROM e.event_date)::integer AS yr
        FROM policy_event e JOIN event_participant p ON p.event_id = e.id AND p.role <> 'issuer'
        WHERE e.programme = p_programme
    ),
    units AS (SELECT w.code FROM unit_within(p_within, p_level) w)
    SELECT u.code, au.name_zh, pe.ordinal, pe.label,
           (count(ev.id) > 0)::integer::smallint,
           min(ev.yr), count(DISTINCT ev.id)
    FROM units u
    JOIN admin_unit au ON au.code = u.code
    CROSS JOIN analysis_period pe
    LEFT JOIN ev ON ev.unit_code = u.code
         AND (pe.last_year IS NULL OR ev.yr <= pe.last_year)
         AND (p_cumulative OR pe.first_year IS NULL OR ev.yr >= pe.first_year)
    WHERE pe.scheme = p_scheme
    GROUP BY u.code, au.name_zh, pe.ordinal, pe.label
$$;
COMMENT ON FUNCTION period_adoption(text, text, text, text[], boolean) IS 'Unit x period table (seed 001''s 13 x 3 city table, county x 3): adopted = 1 when the unit took part in an event of the programme in the period (or before it when cumulative).';

-- The adoption window of each unit (seed 001 Fig. 1): the first period in which period_adoption
-- (cumulative) marks it adopted. Adopters only.
CREATE FUNCTION period_adoption_first(
    p_programme text,
    p_level text DEFAULT 'prefecture',
    p_scheme text DEFAULT 'seed001',
    p_within text[] DEFAULT NULL
)
RETURNS TABLE (unit_code text, name_zh text, period_ordinal smallint, period text,
               first_year integer)
LANGUAGE sql STABLE AS $$
    SELECT DISTINCT ON (a.unit_code) a.unit_code, a.name_zh, a.period_ordinal, a.period,
           a.first_year
    FROM period_adoption(p_programme, p_level, p_scheme, p_within, true) a
    WHERE a.adopted = 1
    ORDER BY a.unit_code, a.period_ordinal
$$;
COMMENT ON FUNCTION period_adoption_first(text, text, text, text[]) IS 'Adoption window per unit: the first period of the scheme in which period_adoption (cumulative) marks the unit adopted, and the year of its first event of the programme. Adopters only.';
