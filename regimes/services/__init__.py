"""The regimes app's write paths, one module per concern."""
