-- ETL: units that play a role at two levels under one code.
--
-- Some GB/T 2260 codes name one territory that is both a prefecture-level and a county-level
-- unit (province-administered county-level cities such as 济源 419001 or 仙桃 429004, and
-- prefecture-level cities without counties such as 东莞 441900). admin_unit keeps one row per
-- code, at the higher level; also_county marks the prefecture-level rows that are also
-- county-level units, so that "all county-level units" is level = 'county' OR also_county.
ALTER TABLE admin_unit ADD COLUMN also_county boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN admin_unit.also_county IS
    'True for a prefecture-level unit that is also a county-level unit under the same code '
    '(e.g. 济源 419001, 东莞 441900). County-level set: level = ''county'' OR also_county.';

CREATE INDEX load_batch_source_idx ON load_batch (kind, source, sha256);
