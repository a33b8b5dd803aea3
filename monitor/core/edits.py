"""Edited messages: each edit is a post of its own (its id: models.edit_id), and only what it
newly shows is acted on."""

from __future__ import annotations

import dataclasses

from monitor.core import policy
from monitor.core.pipeline import Processed
from monitor.replies.templates import Templates


def what_is_new(result: Processed, flagged_before: set[str], templates: Templates) -> Processed:
    """An edit's result without the finding kinds an earlier version of the message already had,
    and without support requests, which were answered on the first version: fixing a typo must not
    bring a second answer or warning, but a seed phrase or a phishing link edited in is acted on."""
    skip = flagged_before | {"support_request"}
    kept = [f for f in result.findings if f.kind not in skip]
    if len(kept) == len(result.findings):
        return result
    actions = policy.plan(result.post, kept, templates)
    return dataclasses.replace(result, findings=kept, actions=actions)
