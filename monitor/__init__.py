"""support-monitor: watches a brand's social channels for support requests, impersonators and
leaked secrets."""

__version__ = "0.1.0"
