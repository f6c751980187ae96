# EasyTV developer commands. `make demo` and `make test` install what they need themselves.
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
VERSION := $(shell sed -n 's/^<addon .* version="\([^"]*\)".*/\1/p' addon.xml)
ZIP := dist/service.easytv-$(VERSION).zip
PYTEST_ARGS ?=
# Kodi of `make demo` / `make e2e`: 20 (Debian 12's, on the host) or 21 (Debian 13's, in the chroot)
KODI ?= 20
# The Debian 13 chroot with Kodi 21.2, MariaDB 11.8 and Python 3.13 (tools/kodi21_chroot.sh)
export EASYTV_TRIXIE_ROOT ?= $(CURDIR)/build/trixie
KODISTUBS21 := build/kodistubs21
# Lanes of `make test` (tools/test_lanes.py --list); LANES=kodi21 runs one
LANES ?=

.PHONY: demo demo-stop test lint unit e2e zip check bench faults deps venv clean chroot

## demo: MariaDB + real Kodi with EasyTV; plays an episode and prints the widget before/after (KEEP=1 leaves it running; KODI=21 for Kodi 21)
demo: deps venv $(if $(filter 21,$(KODI)),chroot,)
	EASYTV_KODI=$(KODI) $(VPY) tools/demo.py $(if $(KEEP),--keep,)

demo-stop: venv
	$(VPY) tools/demo.py --stop

## test: lint (mypy against Kodistubs 20 and 21), the add-on checker (nexus and omega), then every
## lane: host tests, real Kodi 20 and 21, both pymysql ends, MariaDB 11.8, Python 3.13; lane timings at the end
test: deps venv venv-min chroot lint check
	$(VPY) tools/test_lanes.py $(LANES) -- $(PYTEST_ARGS)

## chroot: the Debian 13 chroot (Kodi 21.2, MariaDB 11.8, Python 3.13), built once under build/trixie
chroot: deps
	bash tools/kodi21_chroot.sh

## unit: everything but the real-Kodi tests (fast)
unit: venv
	$(VPY) -m pytest tests -m "not e2e" $(PYTEST_ARGS)

## e2e: the real-Kodi suite on one Kodi (KODI=20|21)
e2e: deps venv $(if $(filter 21,$(KODI)),chroot,)
	EASYTV_KODI=$(KODI) $(VPY) -m pytest tests/e2e --ignore=tests/e2e/test_libraries.py $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	@# Kodistubs ships no py.typed: hand its modules to mypy as a stub path so the Kodi
	@# adapters are type-checked against Kodi's real signatures.
	@mkdir -p build/kodistubs && cp $(VENV)/lib/python3*/site-packages/xbmc*.py build/kodistubs/
	MYPYPATH=lib:build/kodistubs $(VENV)/bin/mypy lib
	@# The same against Kodi 21's API (Kodistubs 21), in a folder of its own.
	@test -f $(KODISTUBS21)/xbmc.py || $(VPY) -m pip install -q --disable-pip-version-check \
		--target $(KODISTUBS21) Kodistubs==21.0.0
	MYPYPATH=lib:$(KODISTUBS21) $(VENV)/bin/mypy --cache-dir build/.mypy-kodi21 lib

## zip: the installable add-on, from git archive (dev files are export-ignored)
zip: $(ZIP)

$(ZIP): FORCE
	@mkdir -p dist
	@tree=$$(git stash create); git archive --format=zip --prefix=service.easytv/ -o $(ZIP) $${tree:-HEAD}
	@echo "built $(ZIP)"

## check: kodi-addon-checker on the built zip for branches nexus (Kodi 20) and omega (Kodi 21)
check: venv zip
	$(VPY) tools/addon_checker.py --checker $(CURDIR)/$(VENV)/bin/kodi-addon-checker $(ZIP)

## bench: the rule and property diff over 2,000 shows / 100,000 episodes; the shared store against
## real MariaDB (round trips, commits, bytes); device-to-device propagation in two real Kodis;
## Kodi's CPU at idle with and without EasyTV (2 x 5 min); 20 simulated devices on one MariaDB (2 min)
bench: deps venv
	$(VPY) tools/bench.py
	$(VPY) tools/bench_sync.py
	$(VPY) tools/bench_idle.py
	$(VPY) tools/bench_propagation.py --hints on
	$(VPY) tools/bench_propagation.py --hints dropped
	$(VPY) tools/bench_idle_cpu.py
	$(VPY) tools/bench_scale.py

## faults: the whole fault suite against real MariaDB processes (make test runs its fast part); prints a table
faults: deps venv
	$(VPY) tools/faults.py

deps:
	bash tools/install_system_deps.sh

venv: $(VENV)/.installed

$(VENV)/.installed: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
	@touch $@

clean:
	rm -rf dist build .pytest_cache .ruff_cache .mypy_cache

FORCE:

# -- screenshots (docs/*.png): real Kodi under Xvfb at 1280x720 --------------------------------
.PHONY: screenshots
## screenshots: the chooser, the next-episode prompt, the missed-episode warning, the settings pages and Sync status into docs/
screenshots: deps venv
	$(VPY) tools/screenshots.py

# --- pymysql/defusedxml range (conn branch; the lead may fold `range` into `test`) ---------------
# .venv has the newest pins (requirements-dev.txt), .venv-min the declared minimum
# (requirements-min.txt: PyMySQL 1.1.0, defusedxml 0.6.0).
VENV_MIN := .venv-min
RANGE_TESTS := tests/contract tests/unit tests/faults tests/test_pymysql_internals.py

.PHONY: venv-min range

venv-min: $(VENV_MIN)/.installed

$(VENV_MIN)/.installed: requirements-min.txt
	$(PYTHON) -m venv $(VENV_MIN)
	$(VENV_MIN)/bin/pip install -q --disable-pip-version-check -r requirements-min.txt
	@touch $@

## range: the contract, unit, fast fault and pymysql-internals tests on both ends of the driver range
range: deps venv venv-min
	$(VPY) -m pytest $(RANGE_TESTS) $(PYTEST_ARGS)
	$(VENV_MIN)/bin/python -m pytest $(RANGE_TESTS) $(PYTEST_ARGS)
