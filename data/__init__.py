"""The project's data files (config example, templates, word lists, demo stream, model), installed as monitor.data."""
