-- Reliability: cancel the statements of clients that have gone away.
--
-- When a client dies (a killed loader, a crashed QGIS, a dropped network), PostgreSQL normally
-- notices only when it next writes to the connection, so a long statement (a REFRESH, a big
-- INSERT ... SELECT) would run to its end, holding its locks, before being rolled back.
-- client_connection_check_interval (PostgreSQL >= 14) makes the server check the socket while
-- a statement runs and cancel it within that interval. Set per database, for new sessions; only
-- when the migrating role owns the database (ALTER DATABASE needs ownership).
DO $$
BEGIN
    IF current_setting('server_version_num')::int >= 140000
       AND EXISTS (SELECT 1 FROM pg_database d
                   WHERE d.datname = current_database() AND pg_has_role(current_user, d.datdba, 'MEMBER')) THEN
        EXECUTE format('ALTER DATABASE %I SET client_connection_check_interval = %L',
                       current_database(), '1s');
    END IF;
END;
$$;
