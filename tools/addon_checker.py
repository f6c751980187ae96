"""Run the official Kodi add-on checker offline on a built EasyTV add-on.

Usage::

    python tools/addon_checker.py dist/service.easytv-0.1.0.zip
    python tools/addon_checker.py path/to/service.easytv        # unpacked add-on
    python tools/addon_checker.py --branch omega dist/service.easytv-0.1.0.zip   # one branch

Without ``--branch`` the add-on is checked for every Kodi it supports: ``nexus`` (Kodi 20)
and ``omega`` (Kodi 21, whose ``xbmc.python`` is still 3.0.1), one checker run each; the
script fails if either finds a problem.

``kodi-addon-checker`` (PyPI) always downloads the add-on index of every Kodi
branch (``http://mirrors.kodi.tv/addons/<branch>/addons.xml.gz``, 5 retries,
30 s timeouts) before it checks anything, even with
``--skip-dependency-checks``. The build and CI machines have no internet, so
this script stubs that index: it starts a tiny HTTP server on 127.0.0.1 and
runs the checker with ``http_proxy``/``https_proxy`` pointing at it. The
server answers every GET with the same gzipped ``<addons>`` index listing our
real dependencies at the versions Kodi's repository has
(``script.module.pymysql`` 1.1.0, ``script.module.defusedxml`` 0.6.0+matrix.1,
``xbmc.python`` 3.0.1), so the dependency checks still run against realistic
data, and refuses HEAD requests and HTTPS tunnels (used only by the URL
check). All other checks (schemas, artwork, entry
points, language files, file whitelist, permissions) are the checker's own.

The one check that needs the real internet is the reachability of the
``<website>``/``<source>``/``<forum>`` URLs in addon.xml. Offline those
warnings only say "the stub proxy refused the tunnel"; they are listed as
"not verifiable offline" and do not fail the run (``--strict-urls`` makes them
fail). Any other ERROR or WARN record, a non-zero checker exit, a missing
summary line or a timeout makes this script exit 1 (the project requires zero
problems and zero warnings); a usage error exits 2.

The checker is found as ``--checker CMD``, else ``$KODI_ADDON_CHECKER``, else
``kodi-addon-checker`` next to this Python or on PATH, else
``python -m kodi_addon_checker``.
"""

import argparse
import gzip
import http.server
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import xml.etree.ElementTree as ET
import zipfile

BRANCHES = {"nexus": "Kodi 20", "omega": "Kodi 21"}  # every branch the add-on supports
DEFAULT_BRANCH = "nexus"  # Kodi 20 (kept for callers; main() checks all BRANCHES by default)
TIMEOUT_SECONDS = 300

# id -> version, as listed by Kodi's official repository.
STUB_INDEX = {
    "xbmc.python": "3.0.1",
    "script.module.pymysql": "1.1.0",
    "script.module.defusedxml": "0.6.0+matrix.1",
}

ANSI = re.compile(r"\x1b\[[0-9;]*m")
RECORD = re.compile(r"^(ERROR|WARN|INFO): ?(.*)$")
SUMMARY = re.compile(r"We found (no|\d+) problems and (no|\d+) warnings")
# Reason phrase of the stub's refusals; requests quotes it in the warning.
OFFLINE_MARK = "offline stub proxy: no internet"


def stub_index_xml():
    """Return the gzipped ``<addons>`` index served for every branch (bytes)."""
    root = ET.Element("addons")
    for addon_id, version in STUB_INDEX.items():
        addon = ET.SubElement(root, "addon", id=addon_id, name=addon_id, version=version,
                              **{"provider-name": "stub"})
        if addon_id.startswith("script.module."):
            requires = ET.SubElement(addon, "requires")
            ET.SubElement(requires, "import", addon="xbmc.python", version="3.0.0")
            ET.SubElement(addon, "extension", point="xbmc.python.module", library="lib")
        ET.SubElement(addon, "extension", point="xbmc.addon.metadata")
    return gzip.compress(ET.tostring(root, encoding="utf-8", xml_declaration=True), mtime=0)


class StubIndexHandler(http.server.BaseHTTPRequestHandler):
    """Proxy-style handler: every GET gets the stub index; HEAD and CONNECT are refused.

    The checker downloads indexes with GET and checks addon.xml URLs with
    HEAD (HTTPS ones through a CONNECT tunnel): refusing those with a marked
    502 keeps the URL checks honest instead of pretending the site answered.
    """

    body = b""

    def do_GET(self):  # noqa: N802 - http.server naming
        """Answer any URL with the gzipped stub index."""
        self.send_response(200)
        self.send_header("Content-Type", "application/gzip")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def do_HEAD(self):  # noqa: N802
        """Refuse URL checks: there is no internet behind this proxy."""
        self.send_error(502, OFFLINE_MARK)

    def do_CONNECT(self):  # noqa: N802
        """Refuse HTTPS tunnels: there is no internet behind this proxy."""
        self.send_error(502, OFFLINE_MARK)

    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        """Stay quiet; the checker's report is the output."""


class StubServer:
    """The stub index server on a free 127.0.0.1 port, run in a daemon thread."""

    def __init__(self):
        handler = type("Handler", (StubIndexHandler,), {"body": stub_index_xml()})
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self):
        """The server's base URL, for ``http_proxy``."""
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


def addon_id_of(directory):
    """Return the ``id`` attribute of ``directory``/addon.xml, or None."""
    try:
        return ET.parse(os.path.join(directory, "addon.xml")).getroot().get("id")
    except (OSError, ET.ParseError):
        return None


def unpack_zip(zip_path, dest):
    """Unpack ``zip_path`` into ``dest`` keeping Unix permission bits; return the add-on dir.

    An installable Kodi zip holds one top folder named after the add-on id;
    a zip without it is unpacked into ``dest/<id>`` so the checker's
    "folder name matches id" rule can still pass or fail on its merits.
    """
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            target = archive.extract(info, dest)
            mode = (info.external_attr >> 16) & 0o7777
            if mode and not info.is_dir():
                os.chmod(target, mode)
    if os.path.isfile(os.path.join(dest, "addon.xml")):
        addon_id = addon_id_of(dest) or "addon"
        inner = os.path.join(dest, addon_id)
        os.makedirs(inner)
        for name in os.listdir(dest):
            if name != addon_id:
                shutil.move(os.path.join(dest, name), os.path.join(inner, name))
        return inner
    tops = [d for d in os.listdir(dest) if os.path.isfile(os.path.join(dest, d, "addon.xml"))]
    if len(tops) != 1:
        raise ValueError(f"{zip_path}: expected one top folder holding addon.xml, found {tops}")
    return os.path.join(dest, tops[0])


def prepare(target, workdir):
    """Return the add-on directory to check for a zip or directory ``target``."""
    if os.path.isfile(target) and zipfile.is_zipfile(target):
        return unpack_zip(target, os.path.join(workdir, "unpacked"))
    if os.path.isdir(target):
        if not os.path.isfile(os.path.join(target, "addon.xml")):
            raise ValueError(f"{target}: no addon.xml")
        return os.path.abspath(target)
    raise ValueError(f"{target}: not a zip file or a directory")


def checker_command(explicit):
    """Return the argv prefix that starts kodi-addon-checker."""
    if explicit:
        return shlex.split(explicit)
    if os.environ.get("KODI_ADDON_CHECKER"):
        return shlex.split(os.environ["KODI_ADDON_CHECKER"])
    beside = os.path.join(os.path.dirname(sys.executable), "kodi-addon-checker")
    for candidate in (beside, shutil.which("kodi-addon-checker")):
        if candidate and os.access(candidate, os.X_OK):
            return [candidate]
    return [sys.executable, "-m", "kodi_addon_checker"]


def parse_report(output):
    """Split checker output into (errors, warnings, summary match or None).

    Records are printed one per line as ``LEVEL: message`` (colour codes
    around them); messages may continue on following lines, and schema
    errors are printed without a level (they are always followed by an
    ERROR record). The checker's own closing line ("We found ...") is itself
    a record and is left out of the counts.
    """
    errors, warnings, summary = [], [], None
    for raw in output.splitlines():
        line = ANSI.sub("", raw).rstrip()
        match = RECORD.match(line)
        if not match:
            continue
        level, message = match.groups()
        found = SUMMARY.search(message)
        if found:
            summary = found
            continue
        if level == "ERROR":
            errors.append(message)
        elif level == "WARN":
            warnings.append(message)
    return errors, warnings, summary


def run_checker(addon_dir, branch, command, timeout, workdir):
    """Run the checker on ``addon_dir`` behind the stub proxy; return (exit code, output)."""
    with StubServer() as server:
        env = dict(os.environ)
        for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
            env[name] = server.url
        for name in ("no_proxy", "NO_PROXY", "all_proxy", "ALL_PROXY"):
            env.pop(name, None)
        env["PYTHONIOENCODING"] = "utf-8"
        argv = command + ["--branch", branch, addon_dir]
        print("$", " ".join(shlex.quote(a) for a in argv), flush=True)
        # cwd: the checker writes kodi-addon-checker.log into its working directory.
        proc = subprocess.run(argv, cwd=workdir, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=timeout, check=False)
    return proc.returncode, proc.stdout.decode("utf-8", "replace")


def check_branch(addon_dir, branch, args, workdir):
    """Run the checker for ``branch`` on ``addon_dir``; print its report; return 0 (no
    problem) or 1."""
    try:
        code, output = run_checker(addon_dir, branch, checker_command(args.checker),
                                   args.timeout, workdir)
    except subprocess.TimeoutExpired:
        print(f"addon_checker: FAILED: checker still running after {args.timeout:g} s "
              f"(branch {branch})", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"addon_checker: FAILED: cannot start the checker: {error}", file=sys.stderr)
        return 1

    sys.stdout.write(output if sys.stdout.isatty() else ANSI.sub("", output))
    errors, warnings, summary = parse_report(output)
    offline = [] if args.strict_urls else [w for w in warnings if OFFLINE_MARK in w]
    warnings = [w for w in warnings if w not in offline]
    for message in offline:
        print(f"addon_checker: not verifiable offline (ignored): {message}")

    failures = []
    if summary is None:
        failures.append(f"the checker did not finish its report (exit code {code})")
    elif code != 0:
        failures.append(f"the checker exited with code {code}")
    if errors:
        failures.append(f"{len(errors)} error(s)")
    if warnings:
        failures.append(f"{len(warnings)} warning(s)")
    if failures:
        print(f"addon_checker: FAILED (branch {branch}): " + "; ".join(failures), file=sys.stderr)
        for message in errors + warnings:
            print(f"  - {message.splitlines()[0] if message else message}", file=sys.stderr)
        return 1
    print(f"addon_checker: OK: 0 errors, 0 warnings (branch {branch}, {BRANCHES.get(branch, '?')})")
    return 0


def main(argv=None):
    """Check one built add-on for each branch; return the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", help="built add-on zip or unpacked add-on directory")
    parser.add_argument("--branch", action="append", choices=sorted(BRANCHES),
                        help="Kodi repository branch to check against; repeatable "
                             "(default: every supported branch: " + ", ".join(BRANCHES) + ")")
    parser.add_argument("--checker", help="command that starts kodi-addon-checker")
    parser.add_argument("--timeout", type=float, default=TIMEOUT_SECONDS,
                        help="seconds before the checker is killed (default: %(default)s)")
    parser.add_argument("--strict-urls", action="store_true",
                        help="also fail on URL-reachability warnings that cannot pass offline")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="addon-checker-") as workdir:
        try:
            addon_dir = prepare(args.target, workdir)
        except (ValueError, zipfile.BadZipFile, OSError) as error:
            print(f"addon_checker: {error}", file=sys.stderr)
            return 2
        results = [check_branch(addon_dir, branch, args, workdir)
                   for branch in (args.branch or list(BRANCHES))]
    return 1 if any(results) else 0


if __name__ == "__main__":
    sys.exit(main())
