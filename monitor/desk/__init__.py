"""What the community managers touch: the review queue, allowing links, the Telegram command
handlers, `monitor serve` and the flagged-items report."""
