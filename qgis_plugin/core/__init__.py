"""Plugin logic without widgets: i18n, dependency check, layer and database access, styling, layouts."""
