"""KPI targets kept by hand (issue 12; DOMAIN.md 11, 17.13): a contract's targets per unit, KPI and month
entered in a grid with the previous month copied forward, or uploaded as a spreadsheet in kpi_targets.csv's
columns (DATA.md), checked by the bundle's own rule (participants.imports.validation.check_kpi_targets)."""
