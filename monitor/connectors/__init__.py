"""Connectors: one per platform, each behind the small Connector protocol."""
