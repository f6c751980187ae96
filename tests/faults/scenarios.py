"""The fault scenarios, shared by the pytest suite (small numbers) and `tools/faults.py` (the
issue's numbers). Each takes a running `FaultServer`, injects its faults into real `mariadbd`
processes (and the devices' network), and returns a report; the caller asserts on it or prints it.
"""

from .connections import hang_then_continue, hung_database, idle_disconnects, offline_device
from .contention import change_during_start, lock_takeover, population_race, skewed_clock
from .devices import OPEN_TAKES_CANCEL
from .kills import outage_recovery, sigkill_during_population, sigkill_during_writes
from .lifecycle import clear_with_early_write, clock_step, quits_after_play, recreated_database
from .rebuild import library_rebuild
from .silent import silent_server

__all__ = ["OPEN_TAKES_CANCEL", "clear_with_early_write", "clock_step", "quits_after_play", "recreated_database",
           "silent_server",
           "change_during_start", "hang_then_continue", "hung_database", "idle_disconnects", "library_rebuild",
           "lock_takeover", "offline_device", "outage_recovery", "population_race", "sigkill_during_population",
           "sigkill_during_writes", "skewed_clock"]
