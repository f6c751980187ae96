"""Run the unit suite on Kodi 21's Python (3.13, Debian 13) inside the trixie chroot.

Usage::

    python tools/chroot_tests.py             # tests/unit tests/test_*.py -m "not e2e"
    python tools/chroot_tests.py -q -k engine  # extra pytest arguments, appended

The chroot (``build/trixie`` or ``$EASYTV_TRIXIE_ROOT``) is built by ``tools/kodi21_chroot.sh``.
Debian 13's ``python3`` has no ``ensurepip`` (that is the separate ``python3-venv`` package), so
the test venv ``/opt/easytv-venv`` inside the chroot is made with ``python3 -m venv
--without-pip`` and filled from PyPI by the host's pip (``pip install --target
<venv>/lib/python3.13/site-packages --python-version 3.13 --only-binary=:all:``; pytest,
hypothesis, PyMySQL and defusedxml are pure Python) with the pins of ``requirements-dev.txt``.
Idempotent: a marker in the venv holds the installed pins; they are installed again only when
they change. The repository is mounted at its own path inside the chroot (private mount
namespace, nothing left mounted afterwards) and pytest runs there with no bytecode and no cache
written into the working tree. Exit code: pytest's.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from e2e.harness.chroot import chroot_command, trixie_root  # noqa: E402

VENV = "/opt/easytv-venv"
PACKAGES = ("pytest", "hypothesis", "pymysql", "defusedxml")
DEFAULT_ARGS = ["tests/unit", *sorted(str(p.relative_to(REPO)) for p in (REPO / "tests").glob("test_*.py")),
                "-m", "not e2e"]


def pins() -> list[str]:
    """The ``name==version`` lines of requirements-dev.txt for PACKAGES."""
    found = []
    for line in (REPO / "requirements-dev.txt").read_text().splitlines():
        name, sep, _ = line.split("#")[0].strip().partition("==")
        if sep and name.strip().lower() in PACKAGES:
            found.append(line.split("#")[0].strip())
    return found


def python_version(root: Path) -> str:
    """``3.13`` for the chroot's python3."""
    done = subprocess.run(chroot_command(["python3", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                         root=root), capture_output=True, text=True, check=True)
    return done.stdout.strip()


def ensure_venv(root: Path) -> Path:
    """Create and fill the chroot's test venv if its pins changed; return its site-packages
    (host path)."""
    version = python_version(root)
    venv = root / VENV.lstrip("/")
    site = venv / "lib" / f"python{version}" / "site-packages"
    marker = venv / ".easytv-pins"
    wanted = "\n".join(pins()) + "\n"
    if marker.exists() and marker.read_text() == wanted and site.exists():
        return site
    began = time.monotonic()
    subprocess.run(chroot_command(["python3", "-m", "venv", "--without-pip", "--clear", VENV], root=root),
                   check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    "--target", str(site), "--python-version", version, "--only-binary=:all:",
                    "--upgrade", *pins()], check=True)
    marker.write_text(wanted)
    print(f"chroot_tests: {VENV} (Python {version}) filled in {time.monotonic() - began:.1f} s")
    return site


def main(argv: list[str]) -> int:
    """Run pytest with DEFAULT_ARGS + ``argv`` inside the chroot; return its exit code."""
    root = trixie_root()
    ensure_venv(root)
    env = {"PATH": f"{VENV}/bin:/usr/bin:/bin", "HOME": "/root", "LANG": "C.UTF-8",
           "PYTHONDONTWRITEBYTECODE": "1"}
    command = [f"{VENV}/bin/python", "-m", "pytest", "-p", "no:cacheprovider", *DEFAULT_ARGS, *argv]
    script = ["sh", "-c", 'cd "$0" && exec "$@"', str(REPO), *command]
    began = time.monotonic()
    code = subprocess.run(chroot_command(script, binds=[REPO], env=env, root=root)).returncode
    print(f"chroot_tests: pytest on the chroot's Python exited {code} after {time.monotonic() - began:.1f} s")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
