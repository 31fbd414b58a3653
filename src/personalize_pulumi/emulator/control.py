"""The emulator's client and launcher under the path they had in 1.0 (`client.py`, `launcher.py`)."""

from .client import EmulatorControl
from .launcher import EmulatorProcess

__all__ = ["EmulatorControl", "EmulatorProcess"]
