"""The regimes app's read paths, one module per concern."""
