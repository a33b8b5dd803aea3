"""X (Twitter) connector on tweepy (mentions and DMs polled within X's rate budget)."""

from monitor.connectors.twitter.timeline import TwitterConnector, build

__all__ = ["TwitterConnector", "build"]
