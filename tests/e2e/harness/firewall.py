"""A firewall in the way of the wake-up hints: an iptables rule that drops UDP datagrams to a
device's registered hint port (README, "Multi-instance sync": polling is the fallback)."""

from __future__ import annotations

import shutil
import subprocess

from .mariadb import MariaDB
from .procs import HarnessError, wait_until
from .shareddb import SHARED_DB, SharedLocation


def hint_port(db: MariaDB, name: str, loc: SharedLocation = SHARED_DB, timeout: float = 30.0) -> int:
    """The UDP port device ``name`` registered for wake-up hints in ``loc``'s device registry
    (waits up to ``timeout`` seconds for a registration)."""
    def registered() -> int:
        registry = f"`{loc.database}`.`{loc.prefix}devices`"
        ports = {row[0]: row[1] for row in db.sql(f"SELECT name, hint_port FROM {registry}")}
        return int(ports[name]) if ports.get(name, "NULL") not in ("", "NULL") else 0
    return wait_until(registered, timeout, interval=0.2, what=f"{name}'s hint port in the registry")


class DroppedHints:
    """``iptables -I INPUT -p udp --dport PORT -j DROP`` while the block runs (this machine's
    firewall, loopback included), deleted on exit. Raises ``HarnessError`` without iptables or
    when the rule cannot be added (not root)."""

    def __init__(self, port: int) -> None:
        self.rule = ["INPUT", "-p", "udp", "--dport", str(port), "-j", "DROP"]
        if shutil.which("iptables") is None:
            raise HarnessError("dropping hints needs iptables (make deps installs it)")

    def __enter__(self) -> DroppedHints:
        added = subprocess.run(["iptables", "-I", *self.rule], capture_output=True, text=True)
        if added.returncode:
            raise HarnessError(f"iptables -I {' '.join(self.rule)} failed: {added.stderr.strip()}")
        return self

    def __exit__(self, *exc_info: object) -> None:
        subprocess.run(["iptables", "-D", *self.rule], check=False, capture_output=True)
