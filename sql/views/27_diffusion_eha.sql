-- Event history analysis (EHA) of policy diffusion: adoption cascades and discrete-time risk sets.
--
-- A cascade is (unit, first adoption date and its precision) for one programme: the units that
-- take part in an event of the programme, each at its earliest event. A risk set is the
-- unit-year table of discrete-time EHA (Berry & Berry 1990; Box-Steffensmeier & Jones 2004,
-- ch. 5): a unit is at risk from the first year of the window until the year it adopts (event =
-- 1 in that year) and leaves the table afterwards; units that never adopt within the window are
-- right-censored at its last year; units that adopted before the window are not at risk.
--
-- Rules (see sql/README.md "Event history analysis"):
--   * the programme is read from policy_event.programme; p_kinds (NULL = every kind) and
--     p_roles (default: every role, since a city issuing its own plan adopts it) filter the
--     events and participants that count;
--   * p_level NULL: participants as encoded (the 87 units named by the three low-carbon pilot
--     notices); p_level = a level set: a participant of that level adopts itself; with
--     p_covers a designated higher unit (a province) adopts for every unit of the level beneath
--     it; with p_rollup a participant below the level (a county) adopts for its ancestor of the
--     level (its prefecture);
--   * undated events (event_date NULL) place no unit in time and are left out;
--   * earliest wins: the smallest stored event date (a month- or year-precision date is stored
--     as the first day of its month or year), then the finer precision, then the event id;
--   * the risk set's higher-level exposure: higher_first_year = the earliest first year of a
--     strict ancestor of the unit (its province, its prefecture) that itself takes part in the
--     programme (participants as encoded); higher_adopted = 1 when that year is before the row's
--     year (lagged, like a neighbour share: what was known when the year began).
--
-- Python reads these through policylink.diffusion_inputs; the estimators (logit / cloglog
-- hazards, neighbour shares from any weights, dyads, NetInf) are in policylink.spatial.

DROP FUNCTION IF EXISTS eha_cascade(text, text, text[], boolean, boolean, text[], text[]) CASCADE;
DROP FUNCTION IF EXISTS eha_risk_set(text, text, integer, integer, text[], boolean, boolean, text[], text[]) CASCADE;
DROP FUNCTION IF EXISTS eha_programmes() CASCADE;
DROP VIEW IF EXISTS eha_programme CASCADE;

CREATE FUNCTION eha_cascade(
    p_programme text,
    p_level text DEFAULT NULL,
    p_within text[] DEFAULT NULL,
    p_covers boolean DEFAULT false,
    p_rollup boolean DEFAULT false,
    p_kinds text[] DEFAULT NULL,
    p_roles text[] DEFAULT ARRAY['party', 'sender', 'receiver', 'issuer']
)
RETURNS TABLE (unit_code text, name_zh text, unit_level text, first_date date,
               date_precision text, first_year integer, first_event text, batch smallint,
               designated_code text, via text, n_events bigint)
LANGUAGE sql STABLE AS $$
    WITH part AS (
        SELECT DISTINCT e.id, e.event_date, e.date_precision, e.batch, p.unit_code AS code,
               du.level AS des_level,
               CASE e.date_precision WHEN 'day' THEN 0 WHEN 'month' THEN 1 ELSE 2 END AS prec_rank
        FROM policy_event e
        JOIN event_participant p ON p.event_id = e.id
        JOIN admin_unit du ON du.code = p.unit_code
        WHERE e.programme = p_programme
          AND e.event_date IS NOT NULL
          AND (p_kinds IS NULL OR e.kind = ANY (p_kinds))
          AND (p_roles IS NULL OR p.role = ANY (p_roles))
    ),
    reach AS (
        -- participants as encoded
        SELECT d.code AS unit_code, d.*, 'self' AS via FROM part d WHERE p_level IS NULL
        UNION ALL
        -- the participant itself, in the requested level set
        SELECT l.code, d.*, 'self'
        FROM part d JOIN unit_level l ON l.code = d.code AND l.level = p_level
        UNION ALL
        -- units of the level below a participant (a province covers its prefectures)
        SELECT a.code, d.*, 'ancestor ' || d.des_level
        FROM part d
        JOIN unit_ancestor a ON a.ancestor_code = d.code AND a.depth >= 1
        JOIN unit_level l ON l.code = a.code AND l.level = p_level
        WHERE p_covers AND a.code <> d.code
        UNION ALL
        -- the unit of the level above a participant (a county pilot counts for its prefecture)
        SELECT a.ancestor_code, d.*, 'descendant ' || d.des_level
        FROM part d
        JOIN unit_ancestor a ON a.code = d.code AND a.depth >= 1
        JOIN unit_level l ON l.code = a.ancestor_code AND l.level = p_level
        WHERE p_rollup AND a.ancestor_code <> d.code
    ),
    inside AS (
        SELECT w.code FROM unit_within(p_within, p_level) w WHERE p_within IS NOT NULL
    ),
    counted AS (
        SELECT r.unit_code, count(DISTINCT r.id) AS n FROM reach r GROUP BY r.unit_code
    )
    SELECT DISTINCT ON (r.unit_code)
           r.unit_code, u.name_zh, CASE WHEN p_level IS NULL THEN u.level ELSE p_level END,
           r.event_date, r.date_precision, extract(year FROM r.event_date)::integer, r.id,
           r.batch, r.code, r.via, c.n
    FROM reach r
    JOIN admin_unit u ON u.code = r.unit_code
    JOIN counted c ON c.unit_code = r.unit_code
    WHERE p_within IS NULL OR r.unit_code IN (SELECT code FROM inside)
    ORDER BY r.unit_code, r.event_date, r.prec_rank, r.id
$$;
COMMENT ON FUNCTION eha_cascade(text, text, text[], boolean, boolean, text[], text[]) IS 'Adoption cascade of a programme (policy_event.programme): one row per adopting unit with its first adoption date, the date''s precision, year, event and batch. p_level NULL = participants as encoded, else a level set (p_covers: a higher participant adopts for the units beneath it; p_rollup: a lower participant adopts for its ancestor of the level); p_within = only units within these codes; p_kinds / p_roles = event kinds / participant roles that count (NULL kinds = all). Undated events are left out; the earliest stored date wins, then the finer precision, then the event id.';

CREATE FUNCTION eha_risk_set(
    p_programme text,
    p_level text DEFAULT 'prefecture',
    p_year_from integer DEFAULT 2009,
    p_year_to integer DEFAULT 2022,
    p_within text[] DEFAULT NULL,
    p_covers boolean DEFAULT false,
    p_rollup boolean DEFAULT false,
    p_kinds text[] DEFAULT NULL,
    p_roles text[] DEFAULT ARRAY['party', 'sender', 'receiver', 'issuer']
)
RETURNS TABLE (unit_code text, year integer, duration integer, event smallint,
               first_year integer, higher_first_year integer, higher_adopted smallint)
LANGUAGE sql STABLE AS $$
    WITH units AS (SELECT w.code FROM unit_within(p_within, p_level) w),
    f AS (
        SELECT c.unit_code, c.first_year
        FROM eha_cascade(p_programme, p_level, p_within, p_covers, p_rollup, p_kinds, p_roles) c
    ),
    enc AS (
        SELECT c.unit_code, c.first_year
        FROM eha_cascade(p_programme, NULL, NULL, false, false, p_kinds, p_roles) c
    ),
    higher AS (
        SELECT a.code, min(enc.first_year) AS first_year
        FROM unit_ancestor a JOIN enc ON enc.unit_code = a.ancestor_code
        WHERE a.depth >= 1 AND a.ancestor_code <> a.code
        GROUP BY a.code
    )
    SELECT u.code, y.year, y.year - p_year_from + 1,
           (f.first_year IS NOT NULL AND y.year = f.first_year)::integer::smallint,
           f.first_year, h.first_year,
           (h.first_year IS NOT NULL AND h.first_year < y.year)::integer::smallint
    FROM units u
    CROSS JOIN generate_series(p_year_from, p_year_to) AS y(year)
    LEFT JOIN f ON f.unit_code = u.code
    LEFT JOIN higher h ON h.code = u.code
    WHERE f.first_year IS NULL OR (f.first_year >= p_year_from AND y.year <= f.first_year)
$$;
COMMENT ON FUNCTION eha_risk_set(text, text, integer, integer, text[], boolean, boolean, text[], text[]) IS 'Discrete-time risk set of a programme: one row per unit of the level (within p_within) and year of p_year_from..p_year_to while the unit is at risk (until and including its adoption year; right-censored at p_year_to; units adopting before p_year_from left out), with event = 1 in the adoption year, duration = year - p_year_from + 1, and the lagged adoption of a higher-level unit. Cascade rules as eha_cascade.';

CREATE VIEW eha_programme AS
SELECT e.programme, count(DISTINCT e.id) AS n_events,
       count(DISTINCT p.unit_code) AS n_participants,
       min(e.event_date) AS first_date, max(e.event_date) AS last_date,
       array_agg(DISTINCT e.kind ORDER BY e.kind) AS kinds
FROM policy_event e
LEFT JOIN event_participant p ON p.event_id = e.id
WHERE e.programme IS NOT NULL
GROUP BY e.programme;
COMMENT ON VIEW eha_programme IS 'Programmes of policy_event with their events, distinct participants (any role) and date range: the cascades eha_cascade can build.';
COMMENT ON COLUMN eha_programme.programme IS 'policy_event.programme.';
COMMENT ON COLUMN eha_programme.n_events IS 'Events of the programme.';
COMMENT ON COLUMN eha_programme.n_participants IS 'Distinct participating units (as encoded, any role).';
COMMENT ON COLUMN eha_programme.first_date IS 'Earliest event date (stored first day for month/year precision).';
COMMENT ON COLUMN eha_programme.last_date IS 'Latest event date.';
COMMENT ON COLUMN eha_programme.kinds IS 'Distinct event kinds, sorted.';
