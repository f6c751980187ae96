"""Run a program of the Debian 13 (trixie) chroot (Kodi 21.2, MariaDB 11.8, Python 3.13) from
the Debian 12 host, with host folders visible inside at the same paths.

The chroot is built by ``tools/kodi21_chroot.sh`` (Debian's archive only) under
``build/trixie`` or ``$EASYTV_TRIXIE_ROOT``; it writes ``.easytv-ready`` when complete.

Every program runs in its own private mount namespace (``unshare --mount``): ``proc``,
``sysfs``, ``devpts`` (``newinstance,ptmxmode=0666``), ``/dev/shm``, the host's ``/tmp`` (so
temporary run folders and ``/tmp/.X11-unix`` of a host Xvfb agree on both sides) and the
requested host folders outside ``/tmp`` are mounted there only, never in the host's
namespace; the kernel drops them when the namespace's last process exits (also after SIGKILL
or a crashed test run), so no mount is ever left behind. ``unshare`` (no ``--fork``),
``sh -c ... exec``, ``chroot`` and ``env`` all exec in place: the PID of the started process
is the PID of the chroot's program (kodi.bin, mariadbd), which is what the harness records
and signals. See ``tests/e2e/README.md`` ("Kodi 20 and Kodi 21").
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from .procs import HarnessError

READY_MARKER = ".easytv-ready"
_MOUNT_SCRIPT = """set -e
root=$1; shift
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
mount --bind /dev/shm "$root/dev/shm"
mount --rbind /tmp "$root/tmp"
while [ "$1" != "--" ]; do
  mkdir -p "$root$1"; mount --rbind "$1" "$root$1"; shift
done
shift
exec chroot "$root" "$@"
"""


class ChrootError(HarnessError):
    """The trixie chroot is missing or incomplete."""


def repo_root() -> Path:
    """The repository checkout holding ``tests/e2e/harness``."""
    return Path(__file__).resolve().parents[3]


def trixie_root() -> Path:
    """``$EASYTV_TRIXIE_ROOT`` or ``<repo>/build/trixie``; raises ``ChrootError`` unless the
    chroot is complete (``.easytv-ready``), naming the command that builds it."""
    root = Path(os.environ.get("EASYTV_TRIXIE_ROOT") or repo_root() / "build" / "trixie")
    if not (root / READY_MARKER).exists():
        raise ChrootError(f"no Debian 13 chroot at {root} (missing {READY_MARKER}): run "
                          "`bash tools/kodi21_chroot.sh` (or `make chroot`)")
    return root


def chroot_command(argv: list[str], binds: list[Path] = (), env: dict[str, str] | None = None,
                   root: Path | None = None) -> list[str]:
    """The host command line that runs ``argv`` inside the chroot ``root`` (default
    ``trixie_root()``) in a private mount namespace, with the host's ``/tmp`` and each of
    ``binds`` (host folders, created if missing) at the same path inside (a mount point outside
    ``/tmp`` is an empty folder left in the chroot: removing it while another program's
    namespace uses it would detach that mount). With ``env``, the program
    gets exactly that environment (``env -i``). Needs root (``unshare``, ``mount``)."""
    root = Path(root) if root else trixie_root()
    paths = []
    for path in binds:
        path = Path(path).resolve()
        path.mkdir(parents=True, exist_ok=True)
        if path.parts[:2] != ("/", "tmp"):  # /tmp is there already
            paths.append(str(path))
    program = list(argv)
    if env is not None:
        program = ["env", "-i", *(f"{k}={v}" for k, v in env.items()), *program]
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", _MOUNT_SCRIPT,
            "easytv-chroot", str(root), *paths, "--", *program]


def mountpoints_under(root: Path) -> list[str]:
    """Mount points below ``root`` visible in this (the host's) mount namespace: none are
    expected, since every chroot program mounts in its own namespace."""
    prefix = str(Path(root).resolve()) + "/"
    with open("/proc/self/mounts") as mounts:
        return [line.split()[1] for line in mounts if line.split()[1].startswith(prefix)]


def describe(command: list[str]) -> str:
    """``command`` as one shell-quoted line (for logs)."""
    return " ".join(shlex.quote(part) for part in command)
