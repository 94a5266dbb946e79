-- Freshness per level set: loading counties must not recompute the prefecture and province
-- contiguity.
--
-- The contiguity of a level set reads only the units of that set (sql/views/21_contiguity.sql:
-- level = L, or also_county for the county set), so each set has materialized views of its own
-- and a write counter of its own in data_version: 'admin_unit:<level>'. The statement-level
-- triggers below bump the counter of every level set whose rows the statement wrote (old and
-- new rows of an UPDATE; a prefecture-level unit with also_county counts for the county set
-- too); TRUNCATE bumps all three. The whole-table counter 'admin_unit' of migration 0060 is
-- kept for the views that read every level (unit_point).
--
-- matview_source says which counter a materialized view is computed from; the view files fill
-- it next to the views they create (policylink.etl.migrate.refresh_materialized_views reads
-- it). A view that is not listed follows the whole-table counters (MATVIEW_SOURCES).

CREATE TABLE IF NOT EXISTS matview_source (
    view       text PRIMARY KEY,
    source_key text NOT NULL
);
COMMENT ON TABLE matview_source IS 'The data_version counter a materialized view is computed from (e.g. admin_unit:county); views not listed follow the whole-table counters.';
COMMENT ON COLUMN matview_source.view IS 'Materialized view in the public schema.';
COMMENT ON COLUMN matview_source.source_key IS 'data_version.tbl of its source: admin_unit:<level> for a level set.';

-- Bump the counters of the given keys by one, in key order (two loads at once lock the rows in
-- the same order).
CREATE OR REPLACE FUNCTION bump_data_versions(p_keys text[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO data_version AS d (tbl, version)
    SELECT DISTINCT k, 1 FROM unnest(p_keys) AS k WHERE k IS NOT NULL ORDER BY 1
    ON CONFLICT (tbl) DO UPDATE SET version = d.version + 1;
$$;

-- Level-set keys of a set of admin_unit rows.
CREATE OR REPLACE FUNCTION admin_unit_level_keys(p_levels text[], p_also_county boolean[])
RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(array_agg(DISTINCT k ORDER BY k), '{}')
    FROM (
        SELECT 'admin_unit:' || l AS k FROM unnest(p_levels) AS l
        UNION
        SELECT 'admin_unit:county' FROM unnest(p_also_county) AS a WHERE a
    ) s
$$;

CREATE OR REPLACE FUNCTION bump_level_versions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM bump_data_versions(
            ARRAY['admin_unit:county', 'admin_unit:prefecture', 'admin_unit:province']);
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM bump_data_versions(admin_unit_level_keys(
            ARRAY(SELECT level FROM new_rows), ARRAY(SELECT also_county FROM new_rows)));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM bump_data_versions(admin_unit_level_keys(
            ARRAY(SELECT level FROM old_rows), ARRAY(SELECT also_county FROM old_rows)));
    ELSE
        PERFORM bump_data_versions(admin_unit_level_keys(
            ARRAY(SELECT level FROM old_rows UNION ALL SELECT level FROM new_rows),
            ARRAY(SELECT also_county FROM old_rows UNION ALL SELECT also_county FROM new_rows)));
    END IF;
    RETURN NULL;
END;
$$;
COMMENT ON FUNCTION bump_level_versions() IS 'Statement trigger on admin_unit: bumps data_version admin_unit:<level> of every level set the statement wrote (all three on TRUNCATE).';

-- A trigger with transition tables takes one event, hence one per event.
DROP TRIGGER IF EXISTS admin_unit_level_version_ins ON admin_unit;
CREATE TRIGGER admin_unit_level_version_ins AFTER INSERT ON admin_unit
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION bump_level_versions();
DROP TRIGGER IF EXISTS admin_unit_level_version_upd ON admin_unit;
CREATE TRIGGER admin_unit_level_version_upd AFTER UPDATE ON admin_unit
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION bump_level_versions();
DROP TRIGGER IF EXISTS admin_unit_level_version_del ON admin_unit;
CREATE TRIGGER admin_unit_level_version_del AFTER DELETE ON admin_unit
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION bump_level_versions();
DROP TRIGGER IF EXISTS admin_unit_level_version_trunc ON admin_unit;
CREATE TRIGGER admin_unit_level_version_trunc AFTER TRUNCATE ON admin_unit
    FOR EACH STATEMENT EXECUTE FUNCTION bump_level_versions();
