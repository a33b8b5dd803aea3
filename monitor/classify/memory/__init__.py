"""Campaign memory: near-copies of scam texts managers confirmed, the scammers behind them, and
waves of one text from many new accounts."""

from monitor.classify.memory.actors import ActorIndex, Identifier, identifiers
from monitor.classify.memory.copies import CopyIndex, Match
from monitor.classify.memory.detector import MemoryDetector, Remembered
from monitor.classify.memory.shingles import informative
from monitor.classify.memory.waves import WaveDetector

__all__ = ["ActorIndex", "CopyIndex", "Identifier", "Match", "MemoryDetector", "Remembered",
           "WaveDetector", "identifiers", "informative"]
