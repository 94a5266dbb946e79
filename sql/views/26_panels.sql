-- Wide emission panel and spatial lags (W * y) of any panel variable.

DROP VIEW IF EXISTS emission_panel CASCADE;
DROP FUNCTION IF EXISTS spatial_lag(text, text, text) CASCADE;
DROP FUNCTION IF EXISTS observation_at(text, text[]) CASCADE;

-- Panel values at a level set (sql/README.md "Levels"): each observation is placed on the unit
-- standing for its code at that level when that unit is the same territory (unit_equivalent via
-- self or same territory): seed 002 codes Beijing's and Shanghai's 2010 values on 110000 and
-- 310000, and they are the values of 110100 and 310100 on a prefecture map. A value is never
-- moved to an ancestor or a descendant of another territory (Hebei's value is not Baoding's).
-- When a unit has a value under its own code and under its same territory, its own wins.
CREATE FUNCTION observation_at(p_level text, p_variables text[] DEFAULT NULL)
RETURNS TABLE (unit_code text, year integer, variable text, value double precision,
               encoded_code text)
LANGUAGE sql STABLE AS $$
    SELECT DISTINCT ON (q.equivalent_code, o.year, o.variable)
           q.equivalent_code, o.year, o.variable, o.value, o.unit_code
    FROM observation o
    JOIN unit_equivalent q ON q.code = o.unit_code AND q.level = p_level
                          AND q.via IN ('self', 'same territory')
    WHERE p_variables IS NULL OR o.variable = ANY (p_variables)
    ORDER BY q.equivalent_code, o.year, o.variable, (q.via <> 'self'), o.unit_code
$$;
COMMENT ON FUNCTION observation_at(text, text[]) IS 'Observations (of p_variables, NULL = all) on the units of level set p_level: a value coded on a same-territory code counts for the unit (110000 -> 110100 at prefecture level, 110100 -> 110000 at province level); the unit''s own value wins; values never move to another territory. encoded_code = the code the value was loaded under.';

CREATE VIEW emission_panel AS
SELECT o.unit_code, u.level, o.year,
       max(o.value) FILTER (WHERE o.variable = 'co2_emissions') AS co2_emissions,
       max(o.value) FILTER (WHERE o.variable = 'co2_intensity') AS co2_intensity,
       max(o.value) FILTER (WHERE o.variable = 'co2_per_capita') AS co2_per_capita,
       max(o.value) FILTER (WHERE o.variable = 'isu') AS isu,
       max(o.value) FILTER (WHERE o.variable = 'ei') AS ei,
       max(o.value) FILTER (WHERE o.variable = 'energy_consumption') AS energy_consumption,
       max(o.value) FILTER (WHERE o.variable = 'coal_consumption') AS coal_consumption,
       max(o.value) FILTER (WHERE o.variable = 'natural_gas_consumption') AS natural_gas_consumption,
       max(o.value) FILTER (WHERE o.variable = 'fuel_oil_consumption') AS fuel_oil_consumption,
       max(o.value) FILTER (WHERE o.variable = 'gdp') AS gdp,
       max(o.value) FILTER (WHERE o.variable = 'population') AS population
FROM observation o JOIN admin_unit u ON u.code = o.unit_code
WHERE o.variable IN ('co2_emissions', 'co2_intensity', 'co2_per_capita', 'isu', 'ei',
                     'energy_consumption', 'coal_consumption', 'natural_gas_consumption',
                     'fuel_oil_consumption', 'gdp', 'population')
GROUP BY o.unit_code, u.level, o.year;
COMMENT ON VIEW emission_panel IS 'Wide unit x year panel of the emission variables (derived CO2 = 44/12 x sum of fuel x standard-coal x carbon factors, seed 000 eq. 1; intensity = CO2 / GDP; isu, seed 000 eq. 2), as stored in observation by the ETL.';
COMMENT ON COLUMN emission_panel.unit_code IS 'Unit code.';
COMMENT ON COLUMN emission_panel.level IS 'Level of the unit.';
COMMENT ON COLUMN emission_panel.year IS 'Calendar year.';
COMMENT ON COLUMN emission_panel.co2_emissions IS 'CO2 emissions, 10^4 t CO2 (derived, seed 000 eq. 1 and Table 1).';
COMMENT ON COLUMN emission_panel.co2_intensity IS 'CO2 / GDP, t CO2 per 10^4 yuan (derived).';
COMMENT ON COLUMN emission_panel.co2_per_capita IS 'CO2 per person, t CO2 per person.';
COMMENT ON COLUMN emission_panel.isu IS 'Industrial-structure upgrading index (seed 000 eq. 2).';
COMMENT ON COLUMN emission_panel.ei IS 'Energy intensity, tce per 10^4 yuan.';
COMMENT ON COLUMN emission_panel.energy_consumption IS 'Total energy consumption, 10^4 tce.';
COMMENT ON COLUMN emission_panel.coal_consumption IS 'Coal consumption, 10^4 t.';
COMMENT ON COLUMN emission_panel.natural_gas_consumption IS 'Natural-gas consumption, 10^8 m3.';
COMMENT ON COLUMN emission_panel.fuel_oil_consumption IS 'Fuel-oil consumption, 10^4 t.';
COMMENT ON COLUMN emission_panel.gdp IS 'GDP, 10^8 yuan.';
COMMENT ON COLUMN emission_panel.population IS 'Population, 10^4 persons.';

-- Spatial lag with row-standardised contiguity weights over the neighbours observed in that year
-- ((W y)_it = mean of y_jt over the neighbours j with a value; islands and units whose
-- neighbours are all missing get NULL).
CREATE FUNCTION spatial_lag(p_variable text, p_level text DEFAULT 'prefecture', p_kind text DEFAULT 'queen')
RETURNS TABLE (unit_code text, year integer, value double precision, lag double precision,
               n_neighbors bigint, n_observed bigint)
LANGUAGE sql STABLE AS $$
    WITH y AS (
        SELECT o.unit_code, o.year, o.value FROM observation_at(p_level, ARRAY[p_variable]) o
    ),
    w AS (
        SELECT i, j FROM w_queen WHERE level = p_level AND p_kind = 'queen'
        UNION ALL
        SELECT i, j FROM w_rook WHERE level = p_level AND p_kind = 'rook'
    )
    SELECT y.unit_code, y.year, y.value, avg(yj.value), count(w.j), count(yj.value)
    FROM y
    LEFT JOIN w ON w.i = y.unit_code
    LEFT JOIN y yj ON yj.unit_code = w.j AND yj.year = y.year
    GROUP BY y.unit_code, y.year, y.value
$$;
COMMENT ON FUNCTION spatial_lag(text, text, text) IS 'W * y of any observation variable per unit and year (values at the level through observation_at), W = row-standardised queen or rook contiguity over the neighbours observed that year.';
