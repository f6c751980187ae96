"""This device's identity: a UUID kept in the add-on's profile folder (README, "The shared tables":
`devices.device_id`). Standard library only, so it is tested without Kodi."""

import logging
import os
import uuid
from typing import Optional

LOG = logging.getLogger("EasyTV.service")
FILE_NAME = "device_id"


class DeviceId:
    """The id in `folder/device_id`, created on first use (written atomically: a temporary file,
    then `os.replace`).

    When the folder cannot be written (read-only or full profile), an id made for this run is
    used, the same one for the whole run, and the reason is logged once; the next start tries
    again. `get()` never raises `OSError`.
    """

    def __init__(self) -> None:
        self._for_this_run: Optional[str] = None

    def get(self, folder: str) -> str:
        """The device id kept in `folder` (created there if missing or unreadable)."""
        path = os.path.join(folder, FILE_NAME)
        try:
            with open(path, encoding="utf-8") as handle:
                value = handle.read().strip()
            uuid.UUID(value)
            return value
        except (OSError, ValueError):
            pass
        if self._for_this_run is not None:
            return self._for_this_run
        value = str(uuid.uuid4())
        tmp = path + ".tmp"
        try:
            os.makedirs(folder, exist_ok=True)
            with open(tmp, "w", encoding="utf-8") as handle:
                handle.write(value + "\n")
            os.replace(tmp, path)
        except OSError as exc:
            LOG.warning("Cannot keep the device id in %s (%s); using %s for this run only", path, exc, value)
            self._for_this_run = value
        return value


DEVICE_ID = DeviceId()
"""The one `DeviceId` of this Python interpreter (the service's, or one script run's)."""


def device_id(folder: str) -> str:
    """`DEVICE_ID.get(folder)`: this device's id, kept in `folder` (the add-on's profile folder)."""
    return DEVICE_ID.get(folder)
