"""Loads reply templates from data/templates/*.toml and fills them with brand facts."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.config import Brand

TEMPLATE_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "templates"
LANGUAGES = ("en", "zh")


class TemplateError(KeyError):
    """No template for the requested kind, language and key."""


@dataclass(frozen=True, slots=True)
class Templates:
    """All templates, keyed by kind then language; rendered with brand facts."""

    data: dict[str, dict[str, Any]]
    brand: Brand

    @classmethod
    def load(cls, brand: Brand, directory: Path = TEMPLATE_DIR) -> Templates:
        """Read every `<kind>.toml` in the directory."""
        data = {p.stem: tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.toml"))}
        return cls(data=data, brand=brand)

    def render(self, kind: str, lang: str, *path: str, **extra: str) -> str:
        """The template at kind/lang/path..., falling back to English, filled in."""
        lang = lang if lang in LANGUAGES else "en"
        node: Any = self.data.get(kind, {}).get(lang) or self.data.get(kind, {}).get("en")
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, str):
            raise TemplateError(f"no template {kind}/{lang}/{'/'.join(path)}")
        return node.format_map({**self._brand_fields(), **extra})

    def _brand_fields(self) -> dict[str, str]:
        """Placeholders every template may use."""
        b = self.brand
        return {
            "brand": b.name,
            "live_chat_url": b.live_chat_url,
            "ticket_url": b.ticket_url,
            "help_center_url": b.help_center_url or b.live_chat_url,
        }
