-- Policy adoption (treatment) panels built from the events of any programme with explicit rules,
-- and per-period adoption tables (seed 001's 13 x 3 city table and its county x 3 table).
--
-- Adoption of a programme = taking part (any role but issuer) in an event of that programme, of
-- any kind unless p_kinds says which (the low-carbon pilots: their designations; the JJJ
-- adoption windows of seed 001: their adoption events). Codes resolve to the level through
-- unit_equivalent (110000 designates 110100 at prefecture level: one territory). Dates: an
-- undated event adopts, but in no known year (first_year NULL, treated NULL, date_precision
-- 'undated'); a dated one by the year of its date, whatever its precision.

DROP FUNCTION IF EXISTS adoption_first_rules(text, text, integer[], boolean, boolean) CASCADE;
DROP FUNCTION IF EXISTS adoption_panel_rules(text, text, integer, integer, integer[], boolean, boolean) CASCADE;
DROP FUNCTION IF EXISTS adoption_first_rules(text, text, integer[], boolean, boolean, text[]) CASCADE;
DROP FUNCTION IF EXISTS adoption_panel_rules(text, text, integer, integer, integer[], boolean, boolean, text[]) CASCADE;
DROP FUNCTION IF EXISTS period_adoption(text, text, text, text[], boolean) CASCADE;
DROP FUNCTION IF EXISTS period_adoption_first(text, text, text, text[]) CASCADE;
DROP VIEW IF EXISTS adoption_first CASCADE;
DROP VIEW IF EXISTS adoption_panel CASCADE;

-- Rules (seed 004 section 3 defaults for low_carbon_pilot; see sql/README.md):
--   p_effective_years[batch]: first treated year of each batch; NULL = the programme's own
--     (programme.effective_years: 2011, 2013, 2017 for low_carbon_pilot, seed 004, for the
--     notices of 2010-07, 2012-11 and 2017-01); ARRAY[]::int[] or a batch without an entry = the
--     event year;
--   p_province_covers: a province-level participant treats every unit of the level inside it
--     (its own same-territory unit, e.g. 110000 -> 110100, always: it is the same place);
--   p_county_pilots: a county-level participant treats its prefecture (ignored otherwise; at
--     county level a county always treats itself);
--   a prefecture-level participant always treats its counties when p_level = 'county';
--   p_kinds: event kinds that count (NULL = every kind of the programme);
--   earliest wins: the smallest effective year (undated last), then the smallest batch, then
--     the event id.
CREATE FUNCTION adoption_first_rules(
    p_programme text DEFAULT 'low_carbon_pilot',
    p_level text DEFAULT 'prefecture',
    p_effective_years integer[] DEFAULT NULL,
    p_province_covers boolean DEFAULT true,
    p_county_pilots boolean DEFAULT false,
    p_kinds text[] DEFAULT NULL
)
RETURNS TABLE (unit_code text, first_year integer, batch smallint, source_event text,
               designated_code text, via text, programme text, event_date date,
               date_precision text)
LANGUAGE sql STABLE AS $$
    WITH eff_years AS (
        SELECT COALESCE(p_effective_years,
                        (SELECT pr.effective_years FROM programme pr WHERE pr.name = p_programme))
               AS years
    ),
    des AS (
        SELECT e.id, e.batch, p.unit_code AS code, du.level AS des_level, e.event_date,
               e.date_precision,
               COALESCE(ey.years[e.batch], extract(year FROM e.event_date)::integer) AS eff
        FROM policy_event e
        JOIN event_participant p ON p.event_id = e.id AND p.role <> 'issuer'
        JOIN admin_unit du ON du.code = p.unit_code
        CROSS JOIN eff_years ey
        WHERE e.programme = p_programme AND (p_kinds IS NULL OR e.kind = ANY (p_kinds))
    ),
    cover AS (
        -- the participant itself, or its same territory, in the requested level set
        SELECT q.equivalent_code AS unit_code, d.*, q.via, 0 AS rank
        FROM des d JOIN unit_equivalent q ON q.code = d.code AND q.level = p_level
        WHERE q.via IN ('self', 'same territory')
        UNION ALL
        -- units below the participant (province -> prefectures, prefecture -> counties)
        SELECT l.code, d.*, 'ancestor ' || d.des_level, 1
        FROM des d
        JOIN unit_ancestor a ON a.ancestor_code = d.code AND a.depth >= 1
        JOIN unit_level l ON l.code = a.code AND l.level = p_level
        WHERE (d.des_level <> 'province' OR p_province_covers)
          AND d.code <> l.code
        UNION ALL
        -- the prefecture above a participating county (only when county pilots count)
        SELECT l.code, d.*, 'county pilot', 2
        FROM des d
        JOIN unit_ancestor a ON a.code = d.code AND a.depth >= 1
        JOIN unit_level l ON l.code = a.ancestor_code AND l.level = p_level
        WHERE p_county_pilots AND d.des_level = 'county' AND p_level <> 'county'
    )
    SELECT DISTINCT ON (c.unit_code) c.unit_code, c.eff, c.batch, c.id, c.code, c.via,
           p_programme, c.event_date, c.date_precision
    FROM cover c
    ORDER BY c.unit_code, c.eff NULLS LAST, c.batch NULLS LAST, c.id, c.rank
$$;
COMMENT ON FUNCTION adoption_first_rules(text, text, integer[], boolean, boolean, text[]) IS 'First adoption (treated) year per unit of a level for any programme under explicit rules: effective year per batch (NULL = programme.effective_years, else the event year), province covers its units, county participants count for their prefecture or not, event kinds (NULL = all), earliest wins; codes resolved through unit_equivalent (110000 = 110100); an undated adoption has first_year NULL and date_precision ''undated''.';

CREATE FUNCTION adoption_panel_rules(
    p_programme text DEFAULT 'low_carbon_pilot',
    p_level text DEFAULT 'prefecture',
    p_year_from integer DEFAULT 2009,
    p_year_to integer DEFAULT 2022,
    p_effective_years integer[] DEFAULT NULL,
    p_province_covers boolean DEFAULT true,
    p_county_pilots boolean DEFAULT false,
    p_kinds text[] DEFAULT NULL
)
RETURNS TABLE (unit_code text, year integer, treated smallint, first_year integer,
               batch smallint, source_event text, programme text, date_precision text)
LANGUAGE sql STABLE AS $$
    SELECT l.code, y.year,
           CASE WHEN f.unit_code IS NULL THEN 0
                WHEN f.first_year IS NULL THEN NULL
                ELSE (y.year >= f.first_year)::integer END::smallint,
           f.first_year, f.batch, f.source_event, p_programme, f.date_precision
    FROM unit_level l
    CROSS JOIN generate_series(p_year_from, p_year_to) AS y(year)
    LEFT JOIN adoption_first_rules(p_programme, p_level, p_effective_years, p_province_covers,
                                   p_county_pilots, p_kinds) f ON f.unit_code = l.code
    WHERE l.level = p_level
$$;
COMMENT ON FUNCTION adoption_panel_rules(text, text, integer, integer, integer[], boolean, boolean, text[]) IS 'Balanced unit x year treatment panel of a level for any programme under explicit rules (see adoption_first_rules); treated = 1 from first_year on, 0 before and for never-adopters, NULL for units whose only adoption is undated (the year is unknown).';

CREATE VIEW adoption_first AS SELECT * FROM adoption_first_rules();
COMMENT ON VIEW adoption_first IS 'Low-carbon pilot prefectures with their first treated year under seed 004''s rules (batches effective 2011/2013/2017, pilot provinces cover their prefectures, county pilots not counted, earliest wins).';
COMMENT ON COLUMN adoption_first.unit_code IS 'Prefecture-level unit code.';
COMMENT ON COLUMN adoption_first.first_year IS 'First treated (effective) year; NULL when the adoption is undated.';
COMMENT ON COLUMN adoption_first.batch IS 'Batch of the designation that counts (1, 2, 3).';
COMMENT ON COLUMN adoption_first.source_event IS 'policy_event.id of that designation.';
COMMENT ON COLUMN adoption_first.designated_code IS 'Unit named in the designation (the unit itself, its same territory such as 110000, or its province).';
COMMENT ON COLUMN adoption_first.via IS 'self, same territory (110000 for 110100), ancestor province, ancestor prefecture or county pilot.';
COMMENT ON COLUMN adoption_first.programme IS 'Programme (policy family) of the adoption.';
COMMENT ON COLUMN adoption_first.event_date IS 'Date of the event that counts (read with date_precision); NULL when undated.';
COMMENT ON COLUMN adoption_first.date_precision IS 'day, month, year or undated: precision of that event''s date.';

CREATE VIEW adoption_panel AS SELECT * FROM adoption_panel_rules();
COMMENT ON VIEW adoption_panel IS 'Prefecture x year (2009-2022) low-carbon pilot treatment under seed 004''s rules; use adoption_panel_rules(...) for other programmes, rules, levels or years.';
COMMENT ON COLUMN adoption_panel.unit_code IS 'Prefecture-level unit code.';
COMMENT ON COLUMN adoption_panel.year IS 'Calendar year.';
COMMENT ON COLUMN adoption_panel.treated IS '1 when year >= first_year, else 0 (the DID treatment dummy); NULL when the unit adopted at an unknown (undated) time.';
COMMENT ON COLUMN adoption_panel.first_year IS 'First treated year; NULL for never-treated units and undated adoptions.';
COMMENT ON COLUMN adoption_panel.batch IS 'Batch of the designation that counts; NULL for never-treated.';
COMMENT ON COLUMN adoption_panel.source_event IS 'policy_event.id of that designation; NULL for never-treated.';
COMMENT ON COLUMN adoption_panel.programme IS 'Programme (policy family) of the panel.';
COMMENT ON COLUMN adoption_panel.date_precision IS 'Precision of the date of the event that counts (day, month, year, undated); NULL for never-treated.';

-- Per-period adoption table: every unit of a level set (within p_within) x every period of a
-- scheme; adopted = 1 when the unit itself (or its same territory: 110000 for 110100) is a
-- participant of a dated event of the programme in the period (p_cumulative: in or before the
-- period). Participants of other levels do not count (seed 001 tabulates cities and counties
-- separately). Periods are whole years: a date of any precision counts in the period holding
-- its year (a year-precision 2014 in seed001's 2008-2014). Undated events are in no period and
-- are counted in n_undated.
CREATE FUNCTION period_adoption(
    p_programme text,
    p_level text DEFAULT 'prefecture',
    p_scheme text DEFAULT 'seed001',
    p_within text[] DEFAULT NULL,
    p_cumulative boolean DEFAULT true
)
RETURNS TABLE (unit_code text, name_zh text, period_ordinal smallint, period text,
               adopted smallint, first_year integer, n_events bigint, n_undated bigint,
               programme text)
LANGUAGE sql STABLE AS $$
    WITH ev AS (
        SELECT DISTINCT q.equivalent_code AS unit_code, e.id,
               extract(year FROM e.event_date)::integer AS yr
        FROM policy_event e
        JOIN event_participant p ON p.event_id = e.id AND p.role <> 'issuer'
        JOIN unit_equivalent q ON q.code = p.unit_code AND q.level = p_level
                              AND q.via IN ('self', 'same territory')
        WHERE e.programme = p_programme
    ),
    undated AS (
        SELECT ev.unit_code, count(DISTINCT ev.id) AS n FROM ev WHERE ev.yr IS NULL GROUP BY 1
    ),
    units AS (SELECT w.code FROM unit_within(p_within, p_level) w)
    SELECT u.code, au.name_zh, pe.ordinal, pe.label,
           (count(ev.id) > 0)::integer::smallint,
           min(ev.yr), count(DISTINCT ev.id), coalesce(max(ud.n), 0)::bigint, p_programme
    FROM units u
    JOIN admin_unit au ON au.code = u.code
    CROSS JOIN analysis_period pe
    LEFT JOIN ev ON ev.unit_code = u.code AND ev.yr IS NOT NULL
         AND (pe.last_year IS NULL OR ev.yr <= pe.last_year)
         AND (p_cumulative OR pe.first_year IS NULL OR ev.yr >= pe.first_year)
    LEFT JOIN undated ud ON ud.unit_code = u.code
    WHERE pe.scheme = p_scheme
    GROUP BY u.code, au.name_zh, pe.ordinal, pe.label
$$;
COMMENT ON FUNCTION period_adoption(text, text, text, text[], boolean) IS 'Unit x period table (seed 001''s 13 x 3 city table, county x 3) for a programme: adopted = 1 when the unit (or its same territory) took part in a dated event of the programme in the period (or before it when cumulative); a date of any precision counts in the period holding its year; undated events are in no period and counted in n_undated.';

-- The adoption window of each unit (seed 001 Fig. 1): the first period in which period_adoption
-- (cumulative) marks it adopted. Adopters only.
CREATE FUNCTION period_adoption_first(
    p_programme text,
    p_level text DEFAULT 'prefecture',
    p_scheme text DEFAULT 'seed001',
    p_within text[] DEFAULT NULL
)
RETURNS TABLE (unit_code text, name_zh text, period_ordinal smallint, period text,
               first_year integer, programme text)
LANGUAGE sql STABLE AS $$
    SELECT DISTINCT ON (a.unit_code) a.unit_code, a.name_zh, a.period_ordinal, a.period,
           a.first_year, a.programme
    FROM period_adoption(p_programme, p_level, p_scheme, p_within, true) a
    WHERE a.adopted = 1
    ORDER BY a.unit_code, a.period_ordinal
$$;
COMMENT ON FUNCTION period_adoption_first(text, text, text, text[]) IS 'Adoption window per unit: the first period of the scheme in which period_adoption (cumulative) marks the unit adopted, and the year of its first dated event of the programme. Adopters with a dated event only (undated-only adopters: period_adoption.n_undated).';
