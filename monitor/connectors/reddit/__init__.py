"""Reddit connector on asyncpraw (the inbox and watched subreddits, a cursor per listing)."""

from monitor.connectors.reddit.stream import RedditConnector, RedditError, build

__all__ = ["RedditConnector", "RedditError", "build"]
