-- Coordination links between units from policy events: one row per (event, unordered pair) for
-- multi-party events, one directed row per (event, sender, receiver) for transfer-like events,
-- with a line between the units' representative points; summaries per pair and per period.

DROP FUNCTION IF EXISTS coordination_link_at(text, text[]) CASCADE;
DROP FUNCTION IF EXISTS coordination_link_summary_at(text, text[]) CASCADE;
DROP FUNCTION IF EXISTS coordination_link_period_at(text, text, text[]) CASCADE;
DROP VIEW IF EXISTS coordination_link CASCADE;
DROP VIEW IF EXISTS coordination_link_summary CASCADE;
DROP VIEW IF EXISTS coordination_link_period CASCADE;

-- p_level NULL: participants as encoded. p_level = 'prefecture' (or 'province'): each participant
-- is replaced by its ancestor of that level (a county by its prefecture); participants above the
-- level are dropped; pairs that collapse to one unit are dropped; duplicates per event removed.
CREATE FUNCTION coordination_link_at(
    p_level text DEFAULT NULL,
    p_kinds text[] DEFAULT ARRAY['coordination_agreement', 'industrial_transfer', 'co_construction',
                                 'division_of_labour', 'innovation_cooperation', 'other']
)
RETURNS TABLE (event_id text, event_year integer, kind text, programme text, directed boolean,
               from_code text, to_code text, from_name text, to_name text,
               geom geometry(LineString, 4326))
LANGUAGE sql STABLE AS $$
    WITH part AS (
        SELECT DISTINCT p.event_id, p.role,
               CASE WHEN p_level IS NULL THEN p.unit_code ELSE a.ancestor_code END AS code
        FROM event_participant p
        JOIN policy_event e ON e.id = p.event_id
        LEFT JOIN unit_ancestor a
               ON a.code = p.unit_code AND p_level IS NOT NULL AND a.ancestor_level = p_level
        WHERE p.role IN ('party', 'sender', 'receiver')
          AND e.kind = ANY (p_kinds)
          AND (p_level IS NULL OR a.ancestor_code IS NOT NULL)
    ),
    pairs AS (
        SELECT DISTINCT x.event_id, false AS directed, x.code AS from_code, y.code AS to_code
        FROM part x JOIN part y ON y.event_id = x.event_id AND x.code < y.code
        WHERE x.role = 'party' AND y.role = 'party'
        UNION
        SELECT DISTINCT x.event_id, true, x.code, y.code
        FROM part x JOIN part y ON y.event_id = x.event_id AND x.code <> y.code
        WHERE x.role = 'sender' AND y.role = 'receiver'
    )
    SELECT e.id, extract(year FROM e.event_date)::integer, e.kind, e.programme, pr.directed,
           pr.from_code, pr.to_code, ua.name_zh, ub.name_zh,
           ST_MakeLine(ua.rep_point, ub.rep_point)::geometry(LineString, 4326)
    FROM pairs pr
    JOIN policy_event e ON e.id = pr.event_id
    JOIN admin_unit ua ON ua.code = pr.from_code
    JOIN admin_unit ub ON ub.code = pr.to_code
$$;
COMMENT ON FUNCTION coordination_link_at(text, text[]) IS 'Links per event and unit pair, participants rolled up to p_level (NULL = as encoded); p_kinds = event kinds that make links (pilot designations, targets and plans do not).';

CREATE VIEW coordination_link AS SELECT * FROM coordination_link_at(NULL);
COMMENT ON VIEW coordination_link IS 'One row per coordination event and unordered pair of party units, or per (sender, receiver) of transfer-like events; units as encoded (use coordination_link_at(''prefecture'') to roll counties up).';
COMMENT ON COLUMN coordination_link.event_id IS 'policy_event.id.';
COMMENT ON COLUMN coordination_link.event_year IS 'Year of the event date.';
COMMENT ON COLUMN coordination_link.kind IS 'Event kind (coordination_agreement, industrial_transfer, co_construction, division_of_labour, innovation_cooperation, other).';
COMMENT ON COLUMN coordination_link.programme IS 'Programme of the event (e.g. jjj_coordination).';
COMMENT ON COLUMN coordination_link.directed IS 'True for sender -> receiver rows; false for party pairs (from_code < to_code).';
COMMENT ON COLUMN coordination_link.from_code IS 'Sender, or the smaller code of a party pair.';
COMMENT ON COLUMN coordination_link.to_code IS 'Receiver, or the larger code of a party pair.';
COMMENT ON COLUMN coordination_link.from_name IS 'Chinese name of from_code.';
COMMENT ON COLUMN coordination_link.to_name IS 'Chinese name of to_code.';
COMMENT ON COLUMN coordination_link.geom IS 'Line from the representative point of from_code to that of to_code (WGS 84).';

CREATE FUNCTION coordination_link_summary_at(
    p_level text DEFAULT NULL,
    p_kinds text[] DEFAULT ARRAY['coordination_agreement', 'industrial_transfer', 'co_construction',
                                 'division_of_labour', 'innovation_cooperation', 'other']
)
RETURNS TABLE (code_a text, code_b text, name_a text, name_b text, n_events bigint,
               n_directed bigint, first_year integer, last_year integer, kinds text[],
               geom geometry(LineString, 4326))
LANGUAGE sql STABLE AS $$
    SELECT s.code_a, s.code_b, ua.name_zh, ub.name_zh, s.n_events, s.n_directed,
           s.first_year, s.last_year, s.kinds,
           ST_MakeLine(ua.rep_point, ub.rep_point)::geometry(LineString, 4326)
    FROM (
        SELECT LEAST(l.from_code, l.to_code) AS code_a, GREATEST(l.from_code, l.to_code) AS code_b,
               count(DISTINCT l.event_id) AS n_events,
               count(DISTINCT l.event_id) FILTER (WHERE l.directed) AS n_directed,
               min(l.event_year) AS first_year, max(l.event_year) AS last_year,
               array_agg(DISTINCT l.kind ORDER BY l.kind) AS kinds
        FROM coordination_link_at(p_level, p_kinds) l
        GROUP BY 1, 2
    ) s
    JOIN admin_unit ua ON ua.code = s.code_a
    JOIN admin_unit ub ON ub.code = s.code_b
$$;
COMMENT ON FUNCTION coordination_link_summary_at(text, text[]) IS 'Per unordered unit pair: number of distinct events, how many directed, first and last year, kinds, line; participants rolled up to p_level.';

CREATE VIEW coordination_link_summary AS SELECT * FROM coordination_link_summary_at(NULL);
COMMENT ON VIEW coordination_link_summary IS 'One row per unordered pair of linked units (as encoded): events, first/last year, kinds and a line for maps.';
COMMENT ON COLUMN coordination_link_summary.code_a IS 'Smaller code of the pair.';
COMMENT ON COLUMN coordination_link_summary.code_b IS 'Larger code of the pair.';
COMMENT ON COLUMN coordination_link_summary.name_a IS 'Chinese name of code_a.';
COMMENT ON COLUMN coordination_link_summary.name_b IS 'Chinese name of code_b.';
COMMENT ON COLUMN coordination_link_summary.n_events IS 'Number of distinct events linking the pair.';
COMMENT ON COLUMN coordination_link_summary.n_directed IS 'How many of them are sender -> receiver events (either direction).';
COMMENT ON COLUMN coordination_link_summary.first_year IS 'Year of the first linking event.';
COMMENT ON COLUMN coordination_link_summary.last_year IS 'Year of the last linking event.';
COMMENT ON COLUMN coordination_link_summary.kinds IS 'Distinct event kinds, sorted.';
COMMENT ON COLUMN coordination_link_summary.geom IS 'Line between the representative points (WGS 84).';

CREATE FUNCTION coordination_link_period_at(
    p_level text DEFAULT NULL,
    p_scheme text DEFAULT 'seed001',
    p_kinds text[] DEFAULT ARRAY['coordination_agreement', 'industrial_transfer', 'co_construction',
                                 'division_of_labour', 'innovation_cooperation', 'other']
)
RETURNS TABLE (code_a text, code_b text, period_ordinal smallint, period text, n_events bigint,
               kinds text[])
LANGUAGE sql STABLE AS $$
    SELECT LEAST(l.from_code, l.to_code), GREATEST(l.from_code, l.to_code), p.ordinal, p.label,
           count(DISTINCT l.event_id), array_agg(DISTINCT l.kind ORDER BY l.kind)
    FROM coordination_link_at(p_level, p_kinds) l
    JOIN analysis_period p ON p.scheme = p_scheme
         AND (p.first_year IS NULL OR l.event_year >= p.first_year)
         AND (p.last_year IS NULL OR l.event_year <= p.last_year)
    GROUP BY 1, 2, 3, 4
$$;
COMMENT ON FUNCTION coordination_link_period_at(text, text, text[]) IS 'Per unordered pair and period of an analysis_period scheme: number of linking events.';

CREATE VIEW coordination_link_period AS SELECT * FROM coordination_link_period_at(NULL, 'seed001');
COMMENT ON VIEW coordination_link_period IS 'Linking events per pair and seed 001 period (before 2008, 2008-2014, 2014-2016, after 2016).';
COMMENT ON COLUMN coordination_link_period.code_a IS 'Smaller code of the pair.';
COMMENT ON COLUMN coordination_link_period.code_b IS 'Larger code of the pair.';
COMMENT ON COLUMN coordination_link_period.period_ordinal IS 'analysis_period.ordinal.';
COMMENT ON COLUMN coordination_link_period.period IS 'analysis_period.label.';
COMMENT ON COLUMN coordination_link_period.n_events IS 'Distinct events linking the pair in the period.';
COMMENT ON COLUMN coordination_link_period.kinds IS 'Distinct event kinds in the period, sorted.';
