"""Forms of the regimes pages, one module per concern. Messages name the field; the services re-check."""
