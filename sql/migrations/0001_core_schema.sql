-- PolicyLink core schema: administrative units, policy events, panels, provenance.
CREATE EXTENSION IF NOT EXISTS postgis;

-- Equal-area projection for China (Albers conic, standard parallels 25N and 47N, central
-- meridian 105E, WGS 84). Used for areas, distances and distance-band weights.
INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, proj4text, srtext)
VALUES (
    990001, 'POLICYLINK', 990001,
    '+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs',
    'PROJCS["China Albers Equal Area (PolicyLink)",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Albers_Conic_Equal_Area"],PARAMETER["latitude_of_center",0],PARAMETER["longitude_of_center",105],PARAMETER["standard_parallel_1",25],PARAMETER["standard_parallel_2",47],PARAMETER["false_easting",0],PARAMETER["false_northing",0],UNIT["metre",1]]'
)
ON CONFLICT (srid) DO NOTHING;

CREATE TABLE load_batch (
    id          bigserial PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('boundaries', 'events', 'panel', 'attributes', 'catalogue', 'other')),
    source      text NOT NULL,
    file_name   text,
    sha256      text,
    rows_in     integer,
    rows_loaded integer,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    status      text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed', 'replaced', 'unchanged')),
    message     text
);
COMMENT ON TABLE load_batch IS 'Provenance: one row per file load (what, when, checksum, how many rows, outcome).';
COMMENT ON COLUMN load_batch.source IS 'Logical source name; loading a corrected file of the same source replaces its rows.';
COMMENT ON COLUMN load_batch.sha256 IS 'sha256 of the loaded file; an identical re-load is a no-op.';

CREATE TABLE admin_unit (
    code        text PRIMARY KEY CHECK (code ~ '^[0-9]{6}$'),
    name_zh     text NOT NULL,
    name_en     text,
    level       text NOT NULL CHECK (level IN ('province', 'prefecture', 'county')),
    parent_code text REFERENCES admin_unit (code) DEFERRABLE INITIALLY DEFERRED,
    geom        geometry(MultiPolygon, 4326) NOT NULL,
    geom_eq     geometry(MultiPolygon, 990001),
    rep_point   geometry(Point, 4326),
    source      text NOT NULL,
    load_id     bigint REFERENCES load_batch (id)
);
COMMENT ON TABLE admin_unit IS 'Administrative units of China by GB/T 2260 code (adcode): provinces, prefectures, counties.';
COMMENT ON COLUMN admin_unit.code IS 'Six-digit GB/T 2260 administrative division code (adcode).';
COMMENT ON COLUMN admin_unit.level IS 'province, prefecture (incl. the four municipalities as prefecture-level units) or county.';
COMMENT ON COLUMN admin_unit.parent_code IS 'Code of the unit one level up (county -> prefecture -> province).';
COMMENT ON COLUMN admin_unit.geom IS 'Boundary in WGS 84 (EPSG:4326); sources in GCJ-02 are converted on load.';
COMMENT ON COLUMN admin_unit.geom_eq IS 'Boundary in China Albers equal-area (SRID 990001, metres); kept in sync by trigger.';
COMMENT ON COLUMN admin_unit.rep_point IS 'A point guaranteed inside the unit (ST_PointOnSurface), used as the end of link lines.';
CREATE INDEX admin_unit_geom_gix ON admin_unit USING gist (geom);
CREATE INDEX admin_unit_geom_eq_gix ON admin_unit USING gist (geom_eq);
CREATE INDEX admin_unit_level_idx ON admin_unit (level);
CREATE INDEX admin_unit_parent_idx ON admin_unit (parent_code);

CREATE FUNCTION admin_unit_derive_geoms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.geom_eq := ST_Multi(ST_Transform(NEW.geom, 990001));
    NEW.rep_point := ST_PointOnSurface(NEW.geom);
    RETURN NEW;
END;
$$;
CREATE TRIGGER admin_unit_derive_geoms
    BEFORE INSERT OR UPDATE OF geom ON admin_unit
    FOR EACH ROW EXECUTE FUNCTION admin_unit_derive_geoms();

CREATE TABLE unit_attribute (
    unit_code text NOT NULL REFERENCES admin_unit (code) ON DELETE CASCADE,
    scheme    text NOT NULL CHECK (scheme ~ '^[a-z][a-z0-9_]*$'),
    value     text NOT NULL,
    source    text NOT NULL,
    load_id   bigint REFERENCES load_batch (id),
    PRIMARY KEY (unit_code, scheme)
);
COMMENT ON TABLE unit_attribute IS 'Categorical classifications of units (e.g. resource_dependent, region, city_size), with their source.';

CREATE TABLE policy_event (
    id             text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_.-]*$'),
    event_date     date NOT NULL,
    date_precision text NOT NULL DEFAULT 'day' CHECK (date_precision IN ('day', 'month', 'year')),
    title_zh       text NOT NULL,
    title_en       text,
    level          text NOT NULL CHECK (level IN ('national', 'regional', 'provincial', 'prefecture', 'county')),
    kind           text NOT NULL CHECK (kind IN ('pilot_designation', 'coordination_agreement',
                       'industrial_transfer', 'co_construction', 'division_of_labour',
                       'innovation_cooperation', 'target', 'plan', 'other')),
    programme      text,
    batch          smallint,
    issuer         text,
    document_no    text,
    source         text NOT NULL,
    notes          text,
    load_id        bigint REFERENCES load_batch (id)
);
COMMENT ON TABLE policy_event IS 'Policy events: pilot designations, coordination agreements, transfers, targets, plans.';
COMMENT ON COLUMN policy_event.id IS 'Stable identifier given in the events file (e.g. lcp-2010-batch1).';
COMMENT ON COLUMN policy_event.date_precision IS 'day, month or year: a date known only to the month is stored as its first day.';
COMMENT ON COLUMN policy_event.programme IS 'Programme the event belongs to (e.g. low_carbon_pilot, ets_pilot, jjj_coordination).';
COMMENT ON COLUMN policy_event.batch IS 'Batch number within a pilot programme (1, 2, 3 for the low-carbon pilots).';
COMMENT ON COLUMN policy_event.source IS 'Where the fact comes from: document number, seed paper and section, URL.';
CREATE INDEX policy_event_programme_idx ON policy_event (programme, event_date);

CREATE TABLE event_participant (
    event_id  text NOT NULL REFERENCES policy_event (id) ON DELETE CASCADE,
    unit_code text NOT NULL REFERENCES admin_unit (code),
    role      text NOT NULL CHECK (role IN ('party', 'sender', 'receiver', 'issuer')),
    note      text,
    PRIMARY KEY (event_id, unit_code, role)
);
COMMENT ON TABLE event_participant IS 'Units taking part in an event and their role (party, sender, receiver, issuer).';
COMMENT ON COLUMN event_participant.note IS 'Free text, e.g. the organisation that moved (Shougang Group).';
CREATE INDEX event_participant_unit_idx ON event_participant (unit_code);

CREATE TABLE variable (
    name         text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]*$'),
    label_zh     text,
    label_en     text,
    unit         text,
    description  text,
    source       text,
    is_synthetic boolean NOT NULL DEFAULT false,
    is_derived   boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE variable IS 'Catalogue of panel variables: labels, unit of measure, source, synthetic flag.';
COMMENT ON COLUMN variable.is_synthetic IS 'True for generated (synthetic) data; maps and reports must say so.';

CREATE TABLE observation (
    unit_code text NOT NULL REFERENCES admin_unit (code),
    year      integer NOT NULL CHECK (year BETWEEN 1949 AND 2100),
    variable  text NOT NULL REFERENCES variable (name),
    value     double precision NOT NULL CHECK (value = value),  -- rejects NaN
    load_id   bigint REFERENCES load_batch (id),
    PRIMARY KEY (unit_code, year, variable)
);
COMMENT ON TABLE observation IS 'Panel data in long form: one value per unit, year and variable.';
CREATE INDEX observation_variable_year_idx ON observation (variable, year);
CREATE INDEX observation_load_idx ON observation (load_id);
