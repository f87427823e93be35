"""Prediction-market data platform: venue adapters, HTTP hooks, the extract operator and the
landing schema they write."""
