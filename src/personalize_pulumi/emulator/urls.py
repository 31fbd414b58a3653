"""Routing, in moto's layout: moto derives this module's name from the backend's (`emulator.models` -> `emulator.urls`)."""

from .responses import PersonalizeEmulatorResponse

url_bases = [
    r"https?://personalize\.(.+)\.amazonaws\.com",
]

url_paths = {
    "{0}/$": PersonalizeEmulatorResponse.dispatch,
}
