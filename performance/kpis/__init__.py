"""The provider's own performance management (DOMAIN.md 11, 17.12-15): KPI actuals, quarterly KPI ratings,
PIPs, and their pages. Laid out as participants/workspace is: engine, selectors, services, forms, views."""
