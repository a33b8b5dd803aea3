"""Per secret type and mutation shape: of N generated secrets, how many the
pipeline leaves no raw form of.

The shapes are the test suite's (tests/mutations.py); a post passes when none of its stored fields
(text, link, reply-to, handle, display name, bio) still holds the secret, its normalised,
URL-decoded or squeezed form, or what the shape typed.

Usage: python bench/mutations.py [--secrets 20]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.core import config
from monitor.core.models import Author, Post
from monitor.core.pipeline import Pipeline
from tests.mutations import KINDS, Case, leaked, make, shapes


def _post(case: Case) -> Post:
    """A post with the case's fields."""
    f = case.fields
    author = Author(
        "telegram", "42", f.get("handle", "bob"), name=f.get("name", "Bob"), bio=f.get("bio", "")
    )
    return Post(
        "telegram",
        "1",
        author,
        f.get("text", ""),
        channel="group",
        url=f.get("url", ""),
        reply_to=f.get("reply_to"),
    )


def _stored(post: Post) -> str:
    """Every field of a processed post that is stored or shown."""
    return "\n".join(
        [
            post.text,
            post.url,
            post.reply_to or "",
            post.author.handle,
            post.author.name,
            getattr(post.author, "bio", ""),
        ]
    )


def main() -> None:
    """Print one line per type and shape, then the totals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--secrets", type=int, default=20, help="secrets generated per shape")
    args = parser.parse_args()
    settings = config.load(None)
    settings = dataclasses.replace(settings, support={**settings.support, "use_encoder": False})
    pipeline = Pipeline.from_settings(settings, b"bench-salt" * 4)
    classes = full = 0
    print(f"{'type':<12} {'shape':<34} redacted")
    for kind in KINDS:
        for name, shape in shapes(kind).items():
            cases = [
                (secret, shape(secret)) for secret in (make(kind, s) for s in range(args.secrets))
            ]
            ok = sum(not leaked(_stored(pipeline.process(_post(c)).post), c, s) for s, c in cases)
            classes, full = classes + 1, full + (ok == len(cases))
            print(f"{kind:<12} {name:<34} {ok}/{len(cases)}")
    print(f"shapes fully redacted: {full}/{classes}")


if __name__ == "__main__":
    main()
