"""The running daemon: ingest and connector supervision, the sender, reload, database-write
retries, logs, metrics, health and the ops server."""
