"""Campaign memory: near-copies of scam texts managers confirmed, and the scammers behind them."""

from monitor.classify.memory.actors import ActorIndex, Identifier, identifiers
from monitor.classify.memory.copies import CopyIndex, Match
from monitor.classify.memory.detector import MemoryDetector, Remembered
from monitor.classify.memory.shingles import informative

__all__ = ["ActorIndex", "CopyIndex", "Identifier", "Match", "MemoryDetector", "Remembered",
           "identifiers", "informative"]
