"""Every user-controlled field of a post passes the secret finders before it is stored or shown."""

from __future__ import annotations

import dataclasses
from functools import lru_cache

from monitor.classify.secrets.core import find_secrets, redact
from monitor.classify.secrets.match import SecretMatch
from monitor.classify.text import strip_invisible
from monitor.core.models import Author, Post

# Where a secret was found, in the words an alert or report uses.
WHERE = {
    "url": "the post's link",
    "reply_to": "the reply-to field",
    "handle": "the handle",
    "name": "the display name",
    "bio": "the profile text",
    "place": "the place's id",
}
Located = tuple[str, SecretMatch]  # (field, match)


def scrub(post: Post) -> tuple[Post, list[Located]]:
    """The post with a secret in any field it came with replaced by a placeholder, and the matches
    (the text's first). Invisible characters go first: inside a secret they would hide it."""
    text = strip_invisible(post.text)
    located: list[Located] = [("text", m) for m in find_secrets(text)]
    clean_text = redact(text, [m for _, m in located])
    url, found_url = _field("url", post.url)
    reply_to, found_reply = _field("reply_to", post.reply_to or "")
    place, found_place = _field("place", post.place)
    author, found_author = _author(post.author)
    staff = tuple(_author(member)[0] for member in post.staff)
    located += found_url + found_reply + found_place + found_author
    clean = dataclasses.replace(
        post,
        text=clean_text,
        url=url,
        reply_to=reply_to or None,
        place=place,
        author=author,
        staff=staff,
        raw=None,
    )
    return clean, located


def _author(author: Author) -> tuple[Author, list[Located]]:
    """An author with its handle, display name and bio scrubbed."""
    handle, found_handle = _field("handle", author.handle)
    name, found_name = _field("name", author.name)
    bio, found_bio = _field("bio", author.bio)
    if not (found_handle or found_name or found_bio):
        return author, []
    return (
        dataclasses.replace(author, handle=handle, name=name, bio=bio),
        found_handle + found_name + found_bio,
    )


def _field(field: str, value: str) -> tuple[str, list[Located]]:
    """A field's scrubbed value and its matches, each detail saying where it was found."""
    if not value:
        return value, []
    clean, matches = _scrubbed(value)
    where = WHERE[field]
    return clean, [
        (field, dataclasses.replace(m, detail=f"{m.detail} (in {where})")) for m in matches
    ]


@lru_cache(maxsize=8192)
def _scrubbed(value: str) -> tuple[str, tuple[SecretMatch, ...]]:
    """A short field redacted; cached, since the same names and handles come again and again."""
    value = strip_invisible(value)
    matches = find_secrets(value)
    return redact(value, matches), tuple(matches)
