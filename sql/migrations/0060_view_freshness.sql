-- Freshness of the materialized views: refresh only what the data changed.
--
-- The materialized views (unit_point, w_contiguity_queen, w_contiguity_rook) are computed from
-- admin_unit alone (directly or through the functions of sql/views/21_contiguity.sql). Every
-- statement that writes admin_unit (INSERT, UPDATE, DELETE, TRUNCATE, COPY) bumps its counter
-- in data_version; a refresh records the counter it saw per view (and the view's oid, so a view
-- re-created by a view file counts as never refreshed). `policylink demo` then skips views whose
-- record matches; `policylink views refresh` always refreshes. tests/test_view_freshness.py
-- checks that no materialized view reads a table outside MATVIEW_SOURCES (etl/migrate.py).
CREATE TABLE IF NOT EXISTS data_version (
    tbl     text PRIMARY KEY,
    version bigint NOT NULL
);
COMMENT ON TABLE data_version IS 'Write counter per source table of the materialized views, bumped by a statement-level trigger.';

CREATE TABLE IF NOT EXISTS matview_refresh (
    view         text PRIMARY KEY,
    view_oid     oid NOT NULL,
    data_version bigint NOT NULL,
    refreshed_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE matview_refresh IS 'Last refresh of each materialized view: the view''s oid and the data_version it was computed from.';

CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO data_version AS d (tbl, version) VALUES (TG_TABLE_NAME, 1)
    ON CONFLICT (tbl) DO UPDATE SET version = d.version + 1;
    RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS admin_unit_data_version ON admin_unit;
CREATE TRIGGER admin_unit_data_version
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON admin_unit
    FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version();
