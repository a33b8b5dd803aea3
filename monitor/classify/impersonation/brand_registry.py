"""BrandRegistry: a brand's names, official handles and domains in the
normal forms the checks compare."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.classify.impersonation.skeleton import skeleton
from monitor.classify.text import normalise, simplified
from monitor.core.models import Brand

# Shorter tokens ("ok") would match inside ordinary words.
_MIN_TOKEN = 3


@dataclass(frozen=True, slots=True)
class BrandRegistry:
    """What counts as the brand: tokens to spot in names, handles that
    are official, domains it owns."""

    name: str
    # skeleton -> name as written, for names, aliases and domain labels; longest first
    tokens: dict[str, str]
    cjk_names: tuple[str, ...]  # non-Latin names after NFKC, folded to simplified (歐易 -> 欧易)
    official: dict[str, frozenset[str]]  # platform -> case-folded official handles
    official_skeletons: dict[str, str]  # skeleton -> an official handle as configured
    domains: tuple[str, ...]
    trusted: dict[str, frozenset[str]]  # platform -> case-folded handles the team vouches for

    @classmethod
    def from_brand(cls, brand: Brand) -> BrandRegistry:
        """Build the registry from the configured [brand] section."""
        labels = [d.split(".")[0] for d in brand.domains]
        latin = [n for n in (*brand.names, *labels) if n.isascii()]
        tokens = {
            skeleton(n): n.casefold() for n in reversed(latin) if len(skeleton(n)) >= _MIN_TOKEN
        }
        handles = [h.lstrip("@") for hs in brand.accounts.values() for h in hs]
        return cls(
            name=brand.name,
            tokens=dict(sorted(tokens.items(), key=lambda kv: -len(kv[0]))),
            cjk_names=tuple(simplified(normalise(n)) for n in brand.names if not n.isascii()),
            official={
                p: frozenset(h.lstrip("@").casefold() for h in hs)
                for p, hs in brand.accounts.items()
            },
            official_skeletons={skeleton(h): h for h in handles},
            domains=tuple(d.casefold().rstrip(".") for d in brand.domains),
            trusted={
                p: frozenset(h.lstrip("@").casefold() for h in hs)
                for p, hs in brand.trusted.items()
            },
        )

    def is_official(self, platform: str, handle: str) -> bool:
        """True when the handle is one of the brand's own accounts on that platform."""
        return handle.lstrip("@").casefold() in self.official.get(platform, frozenset())

    def known_handles(self) -> frozenset[str]:
        """Every official or vouched-for handle on any platform, case-folded: what a post or
        question names without saying where."""
        return frozenset(
            h for handles in (*self.official.values(), *self.trusted.values()) for h in handles
        )

    def is_trusted(self, platform: str, handle: str) -> bool:
        """True when the team vouches for this account on that platform (its name
        and handle are not checked)."""
        return handle.lstrip("@").casefold() in self.trusted.get(platform, frozenset())

    def is_official_host(self, host: str) -> bool:
        """True for an official domain or any subdomain of one."""
        host = host.casefold().rstrip(".")
        return any(host == d or host.endswith("." + d) for d in self.domains)
