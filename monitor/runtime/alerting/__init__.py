"""Alerts and the daily digest beyond the managers' Telegram chat: Slack, a webhook, e-mail."""
