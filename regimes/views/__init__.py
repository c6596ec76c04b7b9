"""Pages of the regimes app, one module per concern."""
