"""Outgoing texts: templates per kind, topic, language and visibility."""
