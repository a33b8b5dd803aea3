"""Edited messages: each edit is a post of its own (its id: models.edit_id), and only what it
newly shows is acted on."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from monitor.core import policy
from monitor.core.enforce import Enforce
from monitor.core.models import Context, Processed
from monitor.replies.templates import Templates


def what_is_new(result: Processed, flagged_before: set[str], templates: Templates,
                enforce: Enforce | None = None) -> Processed:
    """An edit's result without the finding kinds an earlier version of the message already had,
    and without support requests, which were answered on the first version: fixing a typo must not
    bring a second answer or warning, but a seed phrase or a phishing link edited in is acted on."""
    skip = flagged_before | {"support_request"}
    kept = [f for f in result.findings if f.kind not in skip]
    if len(kept) == len(result.findings):
        return result
    actions = policy.plan(result.post, kept, templates, enforce)
    return dataclasses.replace(result, findings=kept, actions=actions)


def new_in_edits(
    results: Sequence[Processed], context: Context, templates: Templates,
    enforce: Enforce | None = None,
) -> list[Processed]:
    """For each edited message, only the finding kinds none of its earlier versions had, stored
    (the context) or earlier in this batch (a message and its edit may arrive together)."""
    in_batch: dict[tuple[str, str], set[str]] = {}
    out = []
    for result in results:
        post = result.post
        key = (post.platform, post.edit_of or post.id)
        earlier = in_batch.get(key, set())
        if post.edit_of is not None:
            result = what_is_new(result, earlier | context.kinds(*key), templates, enforce)
        in_batch[key] = earlier | {f.kind for f in result.findings}
        out.append(result)
    return out
