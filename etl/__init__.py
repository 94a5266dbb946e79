"""PolicyLink ETL: database connection, embedded PostGIS, migrations and file loaders."""
