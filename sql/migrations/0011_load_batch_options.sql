-- ETL: "unchanged" means the same file loaded with the same options.
--
-- A re-load is a no-op only when a current batch of the same kind and source has the same file
-- checksum AND the same load options (the GeoPackage layer, the XLSX sheet, GCJ-02 conversion,
-- the code/name/parent fields and level of a boundary file, the checksum of an extra
-- catalogue). Before this column, loading the same GeoPackage with another --layer was reported
-- "unchanged" and ignored. Options at their defaults are left out, so '{}' is a load with
-- default options (what every batch recorded before this migration was).
ALTER TABLE load_batch ADD COLUMN options jsonb NOT NULL DEFAULT '{}'::jsonb;
COMMENT ON COLUMN load_batch.options IS
    'Load options that change what a file yields (layer, sheet, gcj02, fields, level, extra '
    'catalogue checksum), defaults left out; a re-load is a no-op only with the same sha256 and options.';
