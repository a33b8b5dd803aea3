"""Reply templates from data/templates/<kind>/<lang>.toml, per visibility and
topic, filled with brand facts."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from monitor.core.models import Brand
from monitor.resources import data_path

TEMPLATE_DIR = data_path("templates")
LANGUAGES = ("en", "zh", "zh_hant")
VISIBILITIES = ("public", "dm")
DEFAULT_TOPIC = "default"
SNIPPETS = "snippets"
# A missing text is looked up in the next language: traditional → simplified → English.
_FALLBACK = {"zh_hant": ("zh_hant", "zh", "en"), "zh": ("zh", "en"), "en": ("en",)}

Key = tuple[str, str, str, str]  # (kind, lang, visibility, topic)


class TemplateError(KeyError):
    """A template file is malformed, or no template exists for what was asked."""

    def __str__(self) -> str:
        """The message itself, not KeyError's quoted repr."""
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True, slots=True)
class Templates:
    """Every template keyed by (kind, lang, visibility, topic), plus per-language snippets."""

    texts: dict[Key, str]
    snippets: dict[str, dict[str, str]]  # lang -> name -> text
    brand: Brand

    @classmethod
    def load(cls, brand: Brand, directory: Path = TEMPLATE_DIR) -> Templates:
        """Read every `<kind>/<lang>.toml` and `snippets/<lang>.toml` under the directory."""
        texts: dict[Key, str] = {}
        snippets: dict[str, dict[str, str]] = {}
        for path in sorted(directory.glob("*/*.toml")):
            kind, lang = path.parent.name, path.stem
            if lang not in LANGUAGES:
                raise TemplateError(
                    f"{path}: unknown language '{lang}' (use one of {', '.join(LANGUAGES)})"
                )
            data = _read(path)
            if kind == SNIPPETS:
                snippets[lang] = _strings(path, data, "")
                continue
            for visibility, table in data.items():
                if visibility not in VISIBILITIES or not isinstance(table, dict):
                    raise TemplateError(f"{path}: '{visibility}' must be a [public] or [dm] table")
                for topic, text in _strings(path, table, f"{visibility}.").items():
                    texts[(kind, lang, visibility, topic)] = text
        return cls(texts=texts, snippets=snippets, brand=brand)

    def entries(self) -> Iterator[Key]:
        """Every (kind, lang, visibility, topic) that has a text of its own."""
        return iter(sorted(self.texts))

    def find(self, kind: str, lang: str, visibility: str, topic: str = DEFAULT_TOPIC) -> Key:
        """The key that answers a request: the user's language first,
        then the topic, then fallbacks."""
        for candidate in _FALLBACK.get(lang, _FALLBACK["en"]):
            for name in (topic, DEFAULT_TOPIC):
                if (kind, candidate, visibility, name) in self.texts:
                    return (kind, candidate, visibility, name)
        raise TemplateError(f"no template {kind}/{lang}/{visibility}/{topic}")

    def render(
        self, kind: str, lang: str, visibility: str, topic: str = DEFAULT_TOPIC, **extra: str
    ) -> str:
        """The best template for the request, filled with brand facts, snippets and `extra`."""
        key = self.find(kind, lang, visibility, topic)
        fields = {**self._brand_fields(), **extra}
        fields |= {
            name: text.format_map(fields) for name, text in self.snippets.get(key[1], {}).items()
        }
        try:
            return self.texts[key].format_map(fields)
        except (KeyError, IndexError, ValueError) as exc:
            raise TemplateError(f"template {'/'.join(key)}: bad placeholder {exc}") from None

    def _brand_fields(self) -> dict[str, str]:
        """Placeholders every template may use."""
        b = self.brand
        return {
            "brand": b.name,
            "live_chat_url": b.live_chat_url,
            "ticket_url": b.ticket_url,
            "help_center_url": b.help_center_url or b.live_chat_url,
        }


def _read(path: Path) -> dict[str, object]:
    """One TOML file, with an error naming it."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{path}: not valid TOML: {exc}") from None


def _strings(path: Path, table: dict[str, object], prefix: str) -> dict[str, str]:
    """A table whose values must all be strings."""
    for key, value in table.items():
        if not isinstance(value, str):
            raise TemplateError(f"{path}: '{prefix}{key}' must be a string")
    return dict(table)  # type: ignore[arg-type]
