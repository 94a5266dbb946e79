-- Policy facts straight (issue 16): undated events and the programme catalogue.
--
-- 1. An event the source does not date is stored as undated (event_date NULL,
--    date_precision 'undated') instead of at a made-up year; the views keep it, count it as
--    undated and place it in no year and no period.
-- 2. The programme table names the policy families (programmes) that events belong to, with
--    the effective years per batch that the adoption rules use for that programme by default.
--    policy_event.programme is not a foreign key: a user may load events of a programme that is
--    not listed here; it then has no labels and its adoption years are the event years.

ALTER TABLE policy_event ALTER COLUMN event_date DROP NOT NULL;
ALTER TABLE policy_event DROP CONSTRAINT IF EXISTS policy_event_date_precision_check;
ALTER TABLE policy_event ADD CONSTRAINT policy_event_date_precision_check
    CHECK (date_precision IN ('day', 'month', 'year', 'undated'));
ALTER TABLE policy_event ADD CONSTRAINT policy_event_undated_check
    CHECK ((date_precision = 'undated') = (event_date IS NULL));
COMMENT ON COLUMN policy_event.event_date IS
    'Date of the event; a date known only to the month or year is stored as its first day '
    '(see date_precision); NULL exactly when the event is undated.';
COMMENT ON COLUMN policy_event.date_precision IS
    'day, month, year or undated: how much of event_date the source gives. A month- or '
    'year-precision date is stored as the first day of that month or year; an undated event '
    '(the source names it but gives no date) has event_date NULL and is placed in no year or period.';

CREATE TABLE programme (
    name            text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]*$'),
    label_zh        text,
    label_en        text,
    effective_years integer[],
    source          text NOT NULL
);
COMMENT ON TABLE programme IS
    'Policy programmes (families) that policy_event.programme refers to, with labels and the '
    'default effective year per batch used by the adoption rules. Events of an unlisted '
    'programme are valid: they have no labels and adopt in their event year.';
COMMENT ON COLUMN programme.name IS 'Programme name as in policy_event.programme (lower_snake_case).';
COMMENT ON COLUMN programme.label_zh IS 'Chinese name of the programme.';
COMMENT ON COLUMN programme.label_en IS 'English name of the programme.';
COMMENT ON COLUMN programme.effective_years IS
    'First treated year of batch 1, 2, 3, ... (index = policy_event.batch) used by '
    'adoption_first_rules when called with p_effective_years NULL; NULL = the event year.';
COMMENT ON COLUMN programme.source IS 'Where the programme and its effective years come from.';

INSERT INTO programme (name, label_zh, label_en, effective_years, source) VALUES
    ('low_carbon_pilot', '低碳省区和低碳城市试点', 'low-carbon province and city pilots',
     ARRAY[2011, 2013, 2017],
     'notices 发改气候〔2010〕1587号, 〔2012〕3760号, 〔2017〕66号; effective years seed 004 section 3'),
    ('ets_pilot', '碳排放权交易试点', 'emissions-trading pilots', NULL, 'seed 002 section 1.1.3 (1)'),
    ('ghg_inventory_pilot', '温室气体清单编制试点', 'GHG inventory pilots', NULL,
     'seed 002 section 1.1.3 (3)'),
    ('low_carbon_transport_pilot', '低碳交通运输体系建设试点', 'low-carbon transport pilots',
     NULL, 'seed 002 section 3; batch years from the Ministry of Transport programme'),
    ('wwf_low_carbon_city', 'WWF 低碳城市发展项目', 'WWF low-carbon city programme', NULL,
     'seed 002 section 1.1.2, Fig. 1'),
    ('sino_swiss_low_carbon_city', '中瑞低碳城市项目', 'Sino-Swiss low-carbon cities', NULL,
     'seed 002 section 1.1.2, Fig. 1'),
    ('local_low_carbon_exploration', '地方低碳探索', 'local low-carbon explorations 2008-2010',
     NULL, 'seed 002 section 1.1.2, Fig. 1'),
    ('jjj_coordination', '京津冀产业协同', 'Jing-Jin-Ji industrial coordination', NULL,
     'seed 001 sections 2.1-2.3 and 3.2'),
    ('jjj_policy_adoption', '京津冀产业协同政策出台', 'Jing-Jin-Ji coordination policy adoption by window',
     NULL, 'seed 001 section 2.3 and Fig. 1 (events dated at the end of their window)'),
    ('peak_target', '碳达峰目标', 'carbon-peak targets', NULL, 'seed 003 【形势分析】'),
    ('chengdu_new_economy', '成都新经济', 'Chengdu new economy', NULL, 'seed 003 【地方新政】')
ON CONFLICT (name) DO NOTHING;
