-- Coordination links between units from policy events: the one home of the link rule. One row
-- per (event, unordered pair) of party participants and one directed row per (event, sender,
-- receiver), for the event kinds that make links, with a line between the units' representative
-- points; and, on top of those rows only, the link rows with their period, summaries per pair,
-- per pair and kind, per pair and period, and per unit (the network's nodes). Maps, the report
-- and the QGIS plugin read these through policylink.dbread and re-implement none of it.
--
-- Rule (see sql/README.md "Coordination links"): a link needs two distinct units that act
-- together in one event: party with party, or sender with receiver. An issuer acting alone is not
-- a partner, and plans, targets and pilot designations are not links (a plan or a designation
-- names the units it concerns; it is not an agreement between them).
--
-- Levels (sql/README.md "Levels"): at a level, each participant is replaced by the unit that
-- stands for it there (unit_equivalent): itself, the same territory (110000 = 110100 at
-- prefecture level), or its ancestor (a district by its prefecture).
--
-- Dates (sql/README.md "Dates"): every row carries event_date and date_precision; an undated
-- event (date_precision 'undated') keeps its links, with event_year NULL, and is counted apart
-- (n_undated) and in the period 'undated', never in a year.
--
-- Every function takes the same filters: p_level (roll participants up to that level; NULL = as
-- encoded), p_kinds (event kinds that make links), p_programme (NULL = every programme) and
-- p_within (keep links whose two ends are both within these codes, the --within rule of
-- unit_within; NULL = everywhere). The aggregates are computed after the filters, so a unit's
-- partners within a region are its partners in that region. Every output says its programme(s).

DROP FUNCTION IF EXISTS coordination_link_at(text, text[]) CASCADE;
DROP FUNCTION IF EXISTS coordination_link_summary_at(text, text[]) CASCADE;
DROP FUNCTION IF EXISTS coordination_link_period_at(text, text, text[]) CASCADE;
DROP FUNCTION IF EXISTS coordination_link_at(text, text[], text, text[]) CASCADE;
DROP FUNCTION IF EXISTS coordination_link_summary_at(text, text[], text, text[]) CASCADE;
DROP FUNCTION IF EXISTS coordination_link_kind_at(text, text[], text, text[]) CASCADE;
DROP FUNCTION IF EXISTS coordination_link_in_period_at(text, text, text[], text, text[]) CASCADE;
DROP FUNCTION IF EXISTS coordination_link_period_at(text, text, text[], text, text[]) CASCADE;
DROP FUNCTION IF EXISTS coordination_link_node_at(text, text[], text, text[]) CASCADE;
DROP VIEW IF EXISTS coordination_link CASCADE;
DROP VIEW IF EXISTS coordination_link_summary CASCADE;
DROP VIEW IF EXISTS coordination_link_kind CASCADE;
DROP VIEW IF EXISTS coordination_link_in_period CASCADE;
DROP VIEW IF EXISTS coordination_link_period CASCADE;
DROP VIEW IF EXISTS coordination_link_node CASCADE;

-- p_level NULL: participants as encoded. p_level = a level set: each participant is replaced by
-- its unit_equivalent of that level (itself, the same territory, or its ancestor); participants
-- above the level without a same-territory unit (河北省 at prefecture level) are dropped; pairs
-- that collapse to one unit are dropped; duplicates per event removed.
CREATE FUNCTION coordination_link_at(
    p_level text DEFAULT NULL,
    p_kinds text[] DEFAULT ARRAY['coordination_agreement', 'industrial_transfer', 'co_construction',
                                 'division_of_labour', 'innovation_cooperation', 'other'],
    p_programme text DEFAULT NULL,
    p_within text[] DEFAULT NULL
)
RETURNS TABLE (event_id text, event_year integer, kind text, programme text, directed boolean,
               from_code text, to_code text, from_name text, to_name text, event_date date,
               date_precision text, title_zh text, title_en text,
               geom geometry(LineString, 4326))
LANGUAGE sql STABLE AS $$
    WITH part AS (
        SELECT DISTINCT p.event_id, p.role,
               CASE WHEN p_level IS NULL THEN p.unit_code ELSE q.equivalent_code END AS code
        FROM event_participant p
        JOIN policy_event e ON e.id = p.event_id
        LEFT JOIN unit_equivalent q
               ON q.code = p.unit_code AND p_level IS NOT NULL AND q.level = p_level
        WHERE p.role IN ('party', 'sender', 'receiver')
          AND e.kind = ANY (p_kinds)
          AND (p_programme IS NULL OR e.programme = p_programme)
          AND (p_level IS NULL OR q.equivalent_code IS NOT NULL)
    ),
    pairs AS (
        SELECT DISTINCT x.event_id, false AS directed, x.code AS from_code, y.code AS to_code
        FROM part x JOIN part y ON y.event_id = x.event_id AND x.code < y.code
        WHERE x.role = 'party' AND y.role = 'party'
        UNION
        SELECT DISTINCT x.event_id, true, x.code, y.code
        FROM part x JOIN part y ON y.event_id = x.event_id AND x.code <> y.code
        WHERE x.role = 'sender' AND y.role = 'receiver'
    ),
    inside AS (SELECT DISTINCT w.code FROM unit_within(p_within, NULL) w WHERE p_within IS NOT NULL)
    SELECT e.id, extract(year FROM e.event_date)::integer, e.kind, e.programme, pr.directed,
           pr.from_code, pr.to_code, ua.name_zh, ub.name_zh, e.event_date, e.date_precision,
           e.title_zh, e.title_en,
           ST_MakeLine(ua.rep_point, ub.rep_point)::geometry(LineString, 4326)
    FROM pairs pr
    JOIN policy_event e ON e.id = pr.event_id
    JOIN admin_unit ua ON ua.code = pr.from_code
    JOIN admin_unit ub ON ub.code = pr.to_code
    WHERE p_within IS NULL
       OR (pr.from_code IN (SELECT code FROM inside) AND pr.to_code IN (SELECT code FROM inside))
$$;
COMMENT ON FUNCTION coordination_link_at(text, text[], text, text[]) IS 'Links per event and unit pair (party with party, sender -> receiver), participants resolved to p_level through unit_equivalent (NULL = as encoded); p_kinds = event kinds that make links (pilot designations, targets and plans do not); p_programme = only that programme (NULL = all); p_within = both ends within these codes (NULL = all). Undated events keep their links with event_year NULL.';

CREATE VIEW coordination_link AS SELECT * FROM coordination_link_at(NULL);
COMMENT ON VIEW coordination_link IS 'One row per coordination event and unordered pair of party units, or per (sender, receiver) of transfer-like events; units as encoded (use coordination_link_at(''prefecture'') to resolve them to prefectures).';
COMMENT ON COLUMN coordination_link.event_id IS 'policy_event.id.';
COMMENT ON COLUMN coordination_link.event_year IS 'Year of the event date; NULL for an undated event (date_precision = undated).';
COMMENT ON COLUMN coordination_link.kind IS 'Event kind (coordination_agreement, industrial_transfer, co_construction, division_of_labour, innovation_cooperation, other).';
COMMENT ON COLUMN coordination_link.programme IS 'Programme (policy family) of the event, policy_event.programme (e.g. jjj_coordination).';
COMMENT ON COLUMN coordination_link.directed IS 'True for sender -> receiver rows; false for party pairs (from_code < to_code).';
COMMENT ON COLUMN coordination_link.from_code IS 'Sender, or the smaller code of a party pair.';
COMMENT ON COLUMN coordination_link.to_code IS 'Receiver, or the larger code of a party pair.';
COMMENT ON COLUMN coordination_link.from_name IS 'Chinese name of from_code.';
COMMENT ON COLUMN coordination_link.to_name IS 'Chinese name of to_code.';
COMMENT ON COLUMN coordination_link.event_date IS 'policy_event.event_date; read it together with date_precision (a year-precision date fixes the year only); NULL when undated.';
COMMENT ON COLUMN coordination_link.date_precision IS 'policy_event.date_precision: day, month, year or undated.';
COMMENT ON COLUMN coordination_link.title_zh IS 'Chinese title of the event (policy_event.title_zh).';
COMMENT ON COLUMN coordination_link.title_en IS 'English title of the event, when encoded (policy_event.title_en).';
COMMENT ON COLUMN coordination_link.geom IS 'Line from the representative point of from_code to that of to_code (WGS 84).';

CREATE FUNCTION coordination_link_summary_at(
    p_level text DEFAULT NULL,
    p_kinds text[] DEFAULT ARRAY['coordination_agreement', 'industrial_transfer', 'co_construction',
                                 'division_of_labour', 'innovation_cooperation', 'other'],
    p_programme text DEFAULT NULL,
    p_within text[] DEFAULT NULL
)
RETURNS TABLE (code_a text, code_b text, name_a text, name_b text, n_events bigint,
               n_directed bigint, first_year integer, last_year integer, kinds text[],
               n_undated bigint, programmes text[], geom geometry(LineString, 4326))
LANGUAGE sql STABLE AS $$
    SELECT s.code_a, s.code_b, ua.name_zh, ub.name_zh, s.n_events, s.n_directed,
           s.first_year, s.last_year, s.kinds, s.n_undated, s.programmes,
           ST_MakeLine(ua.rep_point, ub.rep_point)::geometry(LineString, 4326)
    FROM (
        SELECT LEAST(l.from_code, l.to_code) AS code_a, GREATEST(l.from_code, l.to_code) AS code_b,
               count(DISTINCT l.event_id) AS n_events,
               count(DISTINCT l.event_id) FILTER (WHERE l.directed) AS n_directed,
               min(l.event_year) AS first_year, max(l.event_year) AS last_year,
               array_agg(DISTINCT l.kind ORDER BY l.kind) AS kinds,
               count(DISTINCT l.event_id) FILTER (WHERE l.event_year IS NULL) AS n_undated,
               array_agg(DISTINCT l.programme ORDER BY l.programme)
                   FILTER (WHERE l.programme IS NOT NULL) AS programmes
        FROM coordination_link_at(p_level, p_kinds, p_programme, p_within) l
        GROUP BY 1, 2
    ) s
    JOIN admin_unit ua ON ua.code = s.code_a
    JOIN admin_unit ub ON ub.code = s.code_b
$$;
COMMENT ON FUNCTION coordination_link_summary_at(text, text[], text, text[]) IS 'Per unordered unit pair of coordination_link_at (same filters): number of distinct events, how many directed, first and last year of the dated ones, kinds, undated events, programmes, line.';

CREATE VIEW coordination_link_summary AS SELECT * FROM coordination_link_summary_at(NULL);
COMMENT ON VIEW coordination_link_summary IS 'One row per unordered pair of linked units (as encoded): events, first/last year, kinds, undated events, programmes and a line for maps.';
COMMENT ON COLUMN coordination_link_summary.code_a IS 'Smaller code of the pair.';
COMMENT ON COLUMN coordination_link_summary.code_b IS 'Larger code of the pair.';
COMMENT ON COLUMN coordination_link_summary.name_a IS 'Chinese name of code_a.';
COMMENT ON COLUMN coordination_link_summary.name_b IS 'Chinese name of code_b.';
COMMENT ON COLUMN coordination_link_summary.n_events IS 'Number of distinct events linking the pair (dated and undated).';
COMMENT ON COLUMN coordination_link_summary.n_directed IS 'How many of them are sender -> receiver events (either direction).';
COMMENT ON COLUMN coordination_link_summary.first_year IS 'Year of the first dated linking event (NULL when all are undated).';
COMMENT ON COLUMN coordination_link_summary.last_year IS 'Year of the last dated linking event (NULL when all are undated).';
COMMENT ON COLUMN coordination_link_summary.kinds IS 'Distinct event kinds, sorted.';
COMMENT ON COLUMN coordination_link_summary.n_undated IS 'How many of the events are undated (in no year).';
COMMENT ON COLUMN coordination_link_summary.programmes IS 'Distinct programmes of the events, sorted.';
COMMENT ON COLUMN coordination_link_summary.geom IS 'Line between the representative points (WGS 84).';

-- Per pair and kind: the layer of the link maps (seed 001 Fig. 2: colour = kind, width = events;
-- undated events are drawn apart, dashed).
CREATE FUNCTION coordination_link_kind_at(
    p_level text DEFAULT NULL,
    p_kinds text[] DEFAULT ARRAY['coordination_agreement', 'industrial_transfer', 'co_construction',
                                 'division_of_labour', 'innovation_cooperation', 'other'],
    p_programme text DEFAULT NULL,
    p_within text[] DEFAULT NULL
)
RETURNS TABLE (code_a text, code_b text, name_a text, name_b text, kind text, n_events bigint,
               n_directed bigint, first_year integer, last_year integer, n_undated bigint,
               programmes text[], geom geometry(LineString, 4326))
LANGUAGE sql STABLE AS $$
    SELECT s.code_a, s.code_b, ua.name_zh, ub.name_zh, s.kind, s.n_events, s.n_directed,
           s.first_year, s.last_year, s.n_undated, s.programmes,
           ST_MakeLine(ua.rep_point, ub.rep_point)::geometry(LineString, 4326)
    FROM (
        SELECT LEAST(l.from_code, l.to_code) AS code_a, GREATEST(l.from_code, l.to_code) AS code_b,
               l.kind,
               count(DISTINCT l.event_id) AS n_events,
               count(DISTINCT l.event_id) FILTER (WHERE l.directed) AS n_directed,
               min(l.event_year) AS first_year, max(l.event_year) AS last_year,
               count(DISTINCT l.event_id) FILTER (WHERE l.event_year IS NULL) AS n_undated,
               array_agg(DISTINCT l.programme ORDER BY l.programme)
                   FILTER (WHERE l.programme IS NOT NULL) AS programmes
        FROM coordination_link_at(p_level, p_kinds, p_programme, p_within) l
        GROUP BY 1, 2, 3
    ) s
    JOIN admin_unit ua ON ua.code = s.code_a
    JOIN admin_unit ub ON ub.code = s.code_b
$$;
COMMENT ON FUNCTION coordination_link_kind_at(text, text[], text, text[]) IS 'Per unordered unit pair and event kind of coordination_link_at (same filters): distinct events, how many directed, first and last year of the dated ones, how many undated, programmes, line (the link map layer).';

CREATE VIEW coordination_link_kind AS SELECT * FROM coordination_link_kind_at(NULL);
COMMENT ON VIEW coordination_link_kind IS 'One row per unordered pair of linked units (as encoded) and event kind: events, first/last year, undated events and a line (seed 001 Fig. 2: colour = kind, width = events).';
COMMENT ON COLUMN coordination_link_kind.code_a IS 'Smaller code of the pair.';
COMMENT ON COLUMN coordination_link_kind.code_b IS 'Larger code of the pair.';
COMMENT ON COLUMN coordination_link_kind.name_a IS 'Chinese name of code_a.';
COMMENT ON COLUMN coordination_link_kind.name_b IS 'Chinese name of code_b.';
COMMENT ON COLUMN coordination_link_kind.kind IS 'Event kind of the links.';
COMMENT ON COLUMN coordination_link_kind.n_events IS 'Number of distinct events of this kind linking the pair (dated and undated).';
COMMENT ON COLUMN coordination_link_kind.n_directed IS 'How many of them are sender -> receiver events (either direction).';
COMMENT ON COLUMN coordination_link_kind.first_year IS 'Year of the first dated such event (NULL when all are undated).';
COMMENT ON COLUMN coordination_link_kind.last_year IS 'Year of the last dated such event (NULL when all are undated).';
COMMENT ON COLUMN coordination_link_kind.n_undated IS 'How many of the events are undated (maps draw them dashed).';
COMMENT ON COLUMN coordination_link_kind.programmes IS 'Distinct programmes of the events, sorted.';
COMMENT ON COLUMN coordination_link_kind.geom IS 'Line between the representative points (WGS 84).';

-- The link rows with the period of an analysis_period scheme that holds their year: the one
-- place where a link gets its period. Periods are whole calendar years (first_year..last_year
-- inclusive), so a date of any precision (day, month or year) lies in exactly one period by its
-- year: a year-precision 2014 belongs to the period whose years include 2014 (seed001:
-- '2008-2014', not '2014-2016'), never split or moved. An undated event is in period 'undated'
-- (period_ordinal NULL); a dated one outside every period of the scheme has period NULL.
CREATE FUNCTION coordination_link_in_period_at(
    p_level text DEFAULT NULL,
    p_scheme text DEFAULT 'seed001',
    p_kinds text[] DEFAULT ARRAY['coordination_agreement', 'industrial_transfer', 'co_construction',
                                 'division_of_labour', 'innovation_cooperation', 'other'],
    p_programme text DEFAULT NULL,
    p_within text[] DEFAULT NULL
)
RETURNS TABLE (event_id text, event_year integer, kind text, programme text, directed boolean,
               from_code text, to_code text, from_name text, to_name text, event_date date,
               date_precision text, title_zh text, title_en text, period_ordinal smallint,
               period text, geom geometry(LineString, 4326))
LANGUAGE sql STABLE AS $$
    SELECT l.event_id, l.event_year, l.kind, l.programme, l.directed, l.from_code, l.to_code,
           l.from_name, l.to_name, l.event_date, l.date_precision, l.title_zh, l.title_en,
           p.ordinal,
           CASE WHEN l.event_year IS NULL THEN 'undated' ELSE p.label END,
           l.geom
    FROM coordination_link_at(p_level, p_kinds, p_programme, p_within) l
    LEFT JOIN analysis_period p ON p.scheme = p_scheme AND l.event_year IS NOT NULL
         AND (p.first_year IS NULL OR l.event_year >= p.first_year)
         AND (p.last_year IS NULL OR l.event_year <= p.last_year)
$$;
COMMENT ON FUNCTION coordination_link_in_period_at(text, text, text[], text, text[]) IS 'The rows of coordination_link_at (same filters) with the analysis_period (scheme p_scheme) holding their event year. Periods are whole years, so a day-, month- or year-precision date lies in the one period holding its year (a year-precision 2014 is in 2008-2014 of seed001); undated events get period ''undated'' and period_ordinal NULL.';

CREATE VIEW coordination_link_in_period AS SELECT * FROM coordination_link_in_period_at(NULL, 'seed001');
COMMENT ON VIEW coordination_link_in_period IS 'Coordination links (units as encoded) with their seed 001 period (before 2008, 2008-2014, 2014-2016, after 2016) by the year of the date whatever its precision; undated links in period ''undated''.';
COMMENT ON COLUMN coordination_link_in_period.event_id IS 'policy_event.id.';
COMMENT ON COLUMN coordination_link_in_period.event_year IS 'Year of the event date; NULL when undated.';
COMMENT ON COLUMN coordination_link_in_period.kind IS 'Event kind.';
COMMENT ON COLUMN coordination_link_in_period.programme IS 'Programme (policy family) of the event.';
COMMENT ON COLUMN coordination_link_in_period.directed IS 'True for sender -> receiver rows; false for party pairs.';
COMMENT ON COLUMN coordination_link_in_period.from_code IS 'Sender, or the smaller code of a party pair.';
COMMENT ON COLUMN coordination_link_in_period.to_code IS 'Receiver, or the larger code of a party pair.';
COMMENT ON COLUMN coordination_link_in_period.from_name IS 'Chinese name of from_code.';
COMMENT ON COLUMN coordination_link_in_period.to_name IS 'Chinese name of to_code.';
COMMENT ON COLUMN coordination_link_in_period.event_date IS 'policy_event.event_date; read it together with date_precision; NULL when undated.';
COMMENT ON COLUMN coordination_link_in_period.date_precision IS 'policy_event.date_precision: day, month, year or undated.';
COMMENT ON COLUMN coordination_link_in_period.title_zh IS 'Chinese title of the event.';
COMMENT ON COLUMN coordination_link_in_period.title_en IS 'English title of the event, when encoded.';
COMMENT ON COLUMN coordination_link_in_period.period_ordinal IS 'analysis_period.ordinal of the period holding event_year; NULL when undated or when no period does.';
COMMENT ON COLUMN coordination_link_in_period.period IS 'analysis_period.label of that period; ''undated'' for undated events; NULL when no period holds the year.';
COMMENT ON COLUMN coordination_link_in_period.geom IS 'Line from the representative point of from_code to that of to_code (WGS 84).';

CREATE FUNCTION coordination_link_period_at(
    p_level text DEFAULT NULL,
    p_scheme text DEFAULT 'seed001',
    p_kinds text[] DEFAULT ARRAY['coordination_agreement', 'industrial_transfer', 'co_construction',
                                 'division_of_labour', 'innovation_cooperation', 'other'],
    p_programme text DEFAULT NULL,
    p_within text[] DEFAULT NULL
)
RETURNS TABLE (code_a text, code_b text, programme text, period_ordinal smallint, period text,
               n_events bigint, kinds text[])
LANGUAGE sql STABLE AS $$
    SELECT LEAST(l.from_code, l.to_code), GREATEST(l.from_code, l.to_code), l.programme,
           l.period_ordinal, l.period, count(DISTINCT l.event_id),
           array_agg(DISTINCT l.kind ORDER BY l.kind)
    FROM coordination_link_in_period_at(p_level, p_scheme, p_kinds, p_programme, p_within) l
    WHERE l.period IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5
$$;
COMMENT ON FUNCTION coordination_link_period_at(text, text, text[], text, text[]) IS 'Per unordered pair, programme and period of an analysis_period scheme (periods from coordination_link_in_period_at, same filters, undated events in period ''undated''): number of linking events.';

CREATE VIEW coordination_link_period AS SELECT * FROM coordination_link_period_at(NULL, 'seed001');
COMMENT ON VIEW coordination_link_period IS 'Linking events per pair, programme and seed 001 period (before 2008, 2008-2014, 2014-2016, after 2016, and undated).';
COMMENT ON COLUMN coordination_link_period.code_a IS 'Smaller code of the pair.';
COMMENT ON COLUMN coordination_link_period.code_b IS 'Larger code of the pair.';
COMMENT ON COLUMN coordination_link_period.programme IS 'Programme (policy family) of the events; filter or group by it.';
COMMENT ON COLUMN coordination_link_period.period_ordinal IS 'analysis_period.ordinal; NULL for the undated events.';
COMMENT ON COLUMN coordination_link_period.period IS 'analysis_period.label, or ''undated''.';
COMMENT ON COLUMN coordination_link_period.n_events IS 'Distinct events linking the pair in the period.';
COMMENT ON COLUMN coordination_link_period.kinds IS 'Distinct event kinds in the period, sorted.';

-- Per unit: the nodes of the link network (one edge per link row: a multigraph).
CREATE FUNCTION coordination_link_node_at(
    p_level text DEFAULT NULL,
    p_kinds text[] DEFAULT ARRAY['coordination_agreement', 'industrial_transfer', 'co_construction',
                                 'division_of_labour', 'innovation_cooperation', 'other'],
    p_programme text DEFAULT NULL,
    p_within text[] DEFAULT NULL
)
RETURNS TABLE (code text, name_zh text, name_en text, n_links bigint, n_events bigint,
               n_partners bigint, first_year integer, last_year integer, n_undated bigint,
               programmes text[])
LANGUAGE sql STABLE AS $$
    WITH ends AS (
        SELECT l.from_code AS code, l.to_code AS partner, l.event_id, l.event_year, l.programme
        FROM coordination_link_at(p_level, p_kinds, p_programme, p_within) l
        UNION ALL
        SELECT l.to_code, l.from_code, l.event_id, l.event_year, l.programme
        FROM coordination_link_at(p_level, p_kinds, p_programme, p_within) l
    )
    SELECT e.code, u.name_zh, u.name_en, count(*), count(DISTINCT e.event_id),
           count(DISTINCT e.partner), min(e.event_year), max(e.event_year),
           count(DISTINCT e.event_id) FILTER (WHERE e.event_year IS NULL),
           array_agg(DISTINCT e.programme ORDER BY e.programme) FILTER (WHERE e.programme IS NOT NULL)
    FROM ends e JOIN admin_unit u ON u.code = e.code
    GROUP BY e.code, u.name_zh, u.name_en
$$;
COMMENT ON FUNCTION coordination_link_node_at(text, text[], text, text[]) IS 'Per unit with at least one link of coordination_link_at (same filters): links (strength), distinct events, distinct partners (degree), first and last link year of the dated links, undated linking events, programmes.';

CREATE VIEW coordination_link_node AS SELECT * FROM coordination_link_node_at(NULL);
COMMENT ON VIEW coordination_link_node IS 'One row per linked unit (as encoded): link rows, events, partners, the first/last link year and the undated linking events (the nodes of seed 001 Fig. 2 as a table).';
COMMENT ON COLUMN coordination_link_node.code IS 'Unit code.';
COMMENT ON COLUMN coordination_link_node.name_zh IS 'Chinese name.';
COMMENT ON COLUMN coordination_link_node.name_en IS 'English name, when encoded.';
COMMENT ON COLUMN coordination_link_node.n_links IS 'Link rows (event x pair) the unit is an end of: its strength, the degree in the multigraph with one edge per link.';
COMMENT ON COLUMN coordination_link_node.n_events IS 'Distinct linking events the unit takes part in (dated and undated).';
COMMENT ON COLUMN coordination_link_node.n_partners IS 'Distinct units it is linked to: its degree in the simple graph.';
COMMENT ON COLUMN coordination_link_node.first_year IS 'Year of its first dated link (the first dated inter-city event it took part in with a partner); NULL when all its links are undated.';
COMMENT ON COLUMN coordination_link_node.last_year IS 'Year of its last dated link; NULL when all are undated.';
COMMENT ON COLUMN coordination_link_node.n_undated IS 'Distinct undated linking events the unit takes part in.';
COMMENT ON COLUMN coordination_link_node.programmes IS 'Distinct programmes of its links, sorted.';
