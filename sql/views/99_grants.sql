-- Read-only access for policylink_reader (migration 0020). Applied last, and re-applied with any
-- changed view file, because DROP/CREATE of a view drops its grants. Functions keep the
-- PostgreSQL default (EXECUTE for PUBLIC); they run with the caller's rights, hence SELECT on tables.
GRANT USAGE ON SCHEMA public TO policylink_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO policylink_reader;
