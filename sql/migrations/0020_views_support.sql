-- Support objects for the public views (issue 4): period schemes and the read-only role.

-- Period schemes used to tabulate events by period. Years are inclusive; NULL = open-ended.
CREATE TABLE analysis_period (
    scheme     text NOT NULL CHECK (scheme ~ '^[a-z][a-z0-9_]*$'),
    ordinal    smallint NOT NULL,
    label      text NOT NULL,
    first_year integer,
    last_year  integer,
    source     text NOT NULL,
    PRIMARY KEY (scheme, ordinal),
    UNIQUE (scheme, label),
    CHECK (first_year IS NULL OR last_year IS NULL OR first_year <= last_year)
);
COMMENT ON TABLE analysis_period IS 'Named period schemes (e.g. seed001) used by the per-period link and adoption tables; years inclusive, NULL = open-ended.';
COMMENT ON COLUMN analysis_period.scheme IS 'Scheme name, e.g. seed001.';
COMMENT ON COLUMN analysis_period.ordinal IS 'Order of the period within its scheme (1 = earliest).';
COMMENT ON COLUMN analysis_period.label IS 'Period label shown in tables (e.g. 2008-2013).';
COMMENT ON COLUMN analysis_period.first_year IS 'First year of the period (inclusive); NULL = no lower bound.';
COMMENT ON COLUMN analysis_period.last_year IS 'Last year of the period (inclusive); NULL = no upper bound.';
COMMENT ON COLUMN analysis_period.source IS 'Where the period boundaries come from.';

-- Seed 001 (Ma, Huang, Luo 2018, Acta Ecologica Sinica 38(12)), section 1 "方法与数据": search
-- windows "2008年之前、2008—2014年、2014—2016年"; section 2.3: "至2014年地级市增加了承德、保定"
-- and "在2014年之后 ... 所有地级以上城市均制定了相关政策", so 2014 closes the second window.
-- Events after 2016 fall outside the paper and get their own open period.
INSERT INTO analysis_period (scheme, ordinal, label, first_year, last_year, source) VALUES
    ('seed001', 1, 'before 2008', NULL, 2007, 'seed 001, section 1 and 2.3'),
    ('seed001', 2, '2008-2014', 2008, 2014, 'seed 001, section 1 and 2.3 (2014 closes this window)'),
    ('seed001', 3, '2014-2016', 2015, 2016, 'seed 001, section 1 and 2.3 (after 2014, to 2016)'),
    ('seed001', 4, 'after 2016', 2017, NULL, 'outside seed 001''s window (it ends with 2016)');

-- Read-only role for analysts and QGIS: SELECT on the public tables and views, EXECUTE on the
-- view functions (granted by sql/views/99_grants.sql, re-applied with the views), nothing else.
-- Roles are cluster-wide, so create it only when missing. NOLOGIN: give it to login roles with
-- GRANT policylink_reader TO some_user.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'policylink_reader') THEN
        CREATE ROLE policylink_reader NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
    END IF;
END;
$$;
COMMENT ON ROLE policylink_reader IS 'PolicyLink read-only role: SELECT on tables and views, EXECUTE on view functions; cannot write or create.';
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO policylink_reader;
