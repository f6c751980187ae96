"""The `SharedStore` contract, run against every implementation: `MemoryStore` (the reference),
`MySQLStore` with a user that may create databases, and one limited to `MyVideos%` (fallback
tables in the device's own `MyVideos121` or `MyVideos131`). Stores are opened as Kodi 20 unless
a test says otherwise; the scope tests put Kodi 20 and Kodi 21 devices on one server."""

import dataclasses
import time

from easytv.core.models import Episode, TVShow
from easytv.core.rule import next_episode
from easytv.core.scope import same_library
from easytv.core.sync import Device, SharedShow
from kodi_shapes import episode, season, tvshow

from .conftest import KODI20, KODI21


def state(tvshowid: int = 1, watched: int = 1, title: str = None, resume: float = 0.0, specials: bool = False):
    """A ShowState computed by the real rule from Kodi-shaped records."""
    items = season(1, 6, watched=watched, tvshowid=tvshowid) + season(2, 4, tvshowid=tvshowid)
    if resume:
        items[watched] = episode(1, watched + 1, tvshowid=tvshowid, resume=resume)
    if specials:
        items.append(episode(0, 1, tvshowid=tvshowid, specialsortseason=1, specialsortepisode=3))
    show = TVShow.from_jsonrpc(tvshow(tvshowid, title=title))
    result = next_episode(show, [Episode.from_jsonrpc(e) for e in items], include_positioned_specials=specials)
    assert result is not None
    return result


def row(tvshowid: int, event_time: float, watched: int = 1, device: str = "device-a", title: str = None, **kwargs):
    s = state(tvshowid, watched, title=title, **kwargs)
    return SharedShow(tvshowid, s.show.title, s.show.year, s, event_time, device)


def tombstone(tvshowid: int, event_time: float, device: str = "device-a"):
    return SharedShow(tvshowid, "Show%d" % tvshowid, 2001, None, event_time, device)


def stamped(show: SharedShow, revision: int) -> SharedShow:
    return dataclasses.replace(show, revision=revision)


def by_id(shows):
    return {s.tvshowid: s for s in shows}


def wait_for(condition, timeout: float, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() > deadline:
            raise AssertionError("condition not met within %.1f s" % timeout)
        time.sleep(interval)


def test_an_empty_store_is_at_revision_0_of_some_generation(store_factory):
    store = store_factory()
    head = store.head()
    assert (head.revision, dict(head.settings)) == (0, {})
    assert isinstance(head.generation, int) and head.generation == store.head().generation
    assert store.shows() == []
    assert store.changes_since(0)[1] == []


def test_a_write_bumps_the_revision_once_and_stamps_the_rows_it_changed(store_factory):
    store = store_factory()
    first = [row(1, 100.0), row(2, 100.0), row(3, 100.0)]
    assert store.write(first) == 1
    assert store.write([row(2, 200.0, watched=2)]) == 2
    assert store.head().revision == 2
    rows = by_id(store.shows())
    assert {i: r.revision for i, r in rows.items()} == {1: 1, 2: 2, 3: 1}
    assert rows[2].state.next.episode == 3


def test_writing_nothing_returns_the_current_revision(store_factory):
    store = store_factory()
    store.write([row(1, 100.0)])
    assert store.write([]) == 1
    assert store.head().revision == 1


def test_changes_since_returns_only_rows_changed_later_tombstones_included(store_factory):
    store = store_factory()
    store.write([row(1, 100.0), row(2, 100.0)])
    store.write([row(3, 100.0)])
    store.write([tombstone(1, 150.0)])
    head, rows = store.changes_since(1)
    assert head.revision == 3
    assert [(r.tvshowid, r.revision, r.deleted) for r in rows] == [(1, 3, True), (3, 2, False)]
    assert store.changes_since(3)[1] == []
    assert [r.tvshowid for r in store.changes_since(0)[1]] == [1, 2, 3]


def test_an_older_event_never_overwrites_a_newer_one_and_keeps_its_stamp(store_factory):
    store = store_factory()
    newer = row(1, 200.0, watched=3, device="device-a")
    store.write([newer])
    assert store.write([row(1, 100.0, watched=1, device="device-b")]) == 2
    assert store.shows() == [stamped(newer, 1)]
    assert store.changes_since(1)[1] == []
    store.write([tombstone(1, 150.0, device="device-b")])  # an old deletion loses too
    assert store.shows() == [stamped(newer, 1)]


def test_an_equal_or_newer_event_wins(store_factory):
    store = store_factory()
    store.write([row(1, 100.0, watched=1)])
    equal = row(1, 100.0, watched=2, device="device-b")
    store.write([equal])
    assert store.shows() == [stamped(equal, 2)]
    gone = tombstone(1, 300.0)
    store.write([gone])
    assert store.shows() == [stamped(gone, 3)]
    back = row(1, 400.0, watched=4)  # an explicit intent after the deletion is an event too
    store.write([back])
    assert store.shows() == [stamped(back, 4)]


def test_in_one_write_only_winning_rows_are_stamped(store_factory):
    store = store_factory()
    store.write([row(1, 500.0), row(2, 100.0)])
    store.write([row(1, 400.0, watched=2), row(2, 200.0, watched=2), row(3, 1.0)])
    rows = by_id(store.shows())
    assert {i: (r.revision, r.state.count_watched) for i, r in rows.items()} == {1: (1, 1), 2: (2, 2), 3: (2, 1)}


def test_two_rows_for_one_show_in_one_write_resolve_by_the_rule_in_order(store_factory):
    store = store_factory()
    later = row(1, 100.0, watched=3)
    store.write([row(1, 100.0, watched=2), later, row(1, 50.0, watched=1)])
    assert store.shows() == [stamped(later, 1)]


def test_states_round_trip_exactly(store_factory):
    store = store_factory()
    shows = [
        row(1, 1700000000.123456, watched=0),
        row(2, 1700000001.5, watched=3, resume=421.5),
        row(3, 1.0e9, watched=5, specials=True),
        row(4, 2.0, watched=1, title="Café \"Ümlaut\" 'quote' \\ back`tick ☕ 🎬 %s"),
        tombstone(5, 3.25),
    ]
    revision = store.write(shows)
    assert store.shows() == [stamped(s, revision) for s in shows]
    assert store.changes_since(0)[1] == [stamped(s, revision) for s in shows]


def test_settings_are_written_with_rows_and_seeded_only_once(store_factory):
    store = store_factory()
    assert store.seed_settings({"include_positioned_specials": "true", "random_order_shows": "3,12"}) == {
        "include_positioned_specials": "true", "random_order_shows": "3,12"}
    other = store_factory("device-b")
    shared = other.seed_settings({"include_positioned_specials": "false", "random_order_shows": ""})
    assert shared == {"include_positioned_specials": "true", "random_order_shows": "3,12"}
    revision = other.write([], settings={"random_order_shows": "7"})
    assert revision == 1
    head = store.head()
    assert dict(head.settings) == {"include_positioned_specials": "true", "random_order_shows": "7"}
    assert head.revision == 1


def test_the_lock_is_exclusive_renewable_and_released(store_factory):
    a, b = store_factory("device-a"), store_factory("device-b")
    assert a.try_lock("device-a", 60)
    assert not b.try_lock("device-b", 60)
    assert a.try_lock("device-a", 60)  # renewal by the owner
    b.release_lock("device-b")  # not the holder: no effect
    assert not b.try_lock("device-b", 60)
    a.release_lock("device-a")
    assert b.try_lock("device-b", 60)
    assert not a.try_lock("device-a", 60)


def test_an_expired_lock_is_taken_over(store_factory):
    a, b = store_factory("device-a"), store_factory("device-b")
    assert a.try_lock("device-a", 1)
    assert not b.try_lock("device-b", 60)
    started = time.monotonic()
    wait_for(lambda: b.try_lock("device-b", 60), timeout=5.0)
    assert time.monotonic() - started >= 0.5  # not before the TTL (1 s, minus the first attempt's delay)
    assert not a.try_lock("device-a", 60)


def test_clear_removes_rows_resets_the_revision_and_changes_the_generation(store_factory):
    store = store_factory()
    for n in range(5):
        store.write([row(n + 1, 100.0 + n)])
    applied = store.head()
    assert applied.revision == 5
    head = store.clear()
    assert head.revision == 0 and head.generation != applied.generation
    again = store.head()
    assert (again.revision, again.generation, dict(again.settings)) == (0, head.generation, dict(head.settings))
    assert store.shows() == []
    for n in range(5):
        store.write([row(n + 1, 200.0 + n)])
    now = store.head()
    assert now.revision == applied.revision  # the number alone would lie ...
    assert (now.revision, now.generation) != (applied.revision, applied.generation)  # ... the pair does not


def test_clear_keeps_the_shared_settings(store_factory):
    store = store_factory()
    store.seed_settings({"include_positioned_specials": "true"})
    assert dict(store.clear().settings) == {"include_positioned_specials": "true"}


def test_the_device_registry_upserts_with_server_time(store_factory):
    store = store_factory()
    store.register_device(Device("device-b", "Bedroom", "1.0.0", "20.1", "fp1", 3))
    store.register_device(Device("device-a", "Living Room", "1.0.0", "20.1", "fp1", 0))
    store.register_device(Device("device-b", "Bedroom TV", "1.1.0", "20.2", "fp2", 9))
    devices = store.devices()
    assert [(d.device_id, d.name, d.addon_version, d.kodi_version, d.settings_fingerprint, d.revision_applied)
            for d in devices] == [("device-a", "Living Room", "1.0.0", "20.1", "fp1", 0),
                                  ("device-b", "Bedroom TV", "1.1.0", "20.2", "fp2", 9)]
    assert all(abs(d.last_seen - time.time()) < 60 for d in devices)


def test_the_device_registry_keeps_each_devices_hint_endpoint(store_factory):
    store = store_factory()
    store.register_device(Device("device-a", "Living Room", "1.0.0", "20.1", "fp1", 0, hint_host="192.0.2.7",
                                 hint_port=40123))
    store.register_device(Device("device-b", "Bedroom", "1.0.0", "20.1", "fp1", 0))  # does not listen
    store.register_device(Device("device-a", "Living Room", "1.0.0", "20.1", "fp1", 0, hint_host="192.0.2.8",
                                 hint_port=40999))  # moved
    assert [(d.device_id, d.hint_host, d.hint_port) for d in store.devices()] == [
        ("device-a", "192.0.2.8", 40999), ("device-b", "", 0)]


def test_round_trip_bounds(store_factory):
    store = store_factory()
    before = store.round_trips
    store.head()
    assert store.round_trips - before == 1
    before, commits = store.round_trips, store.commits
    store.write([row(1, 100.0)])
    assert store.round_trips - before <= 2
    assert store.commits - commits == 1
    before = store.round_trips
    store.changes_since(0)
    assert store.round_trips - before <= 2


def test_populating_5000_shows_is_one_transaction_in_at_most_25_round_trips(store_factory):
    store = store_factory()
    template = state(1, 2)
    shows = [SharedShow(i, "Show%d" % i, 2001, dataclasses.replace(template, show=dataclasses.replace(
        template.show, tvshowid=i, title="Show%d" % i)), 100.0, "device-a") for i in range(1, 5001)]
    before, commits = store.round_trips, store.commits
    assert store.write(shows) == 1
    assert store.round_trips - before <= 25
    assert store.commits - commits == 1
    store.write([dataclasses.replace(shows[4321], event_time=200.0)])
    before = store.round_trips
    head, rows = store.changes_since(1)
    assert store.round_trips - before <= 2
    assert (head.revision, [r.tvshowid for r in rows]) == (2, [4322])


def test_server_time_is_the_databases_clock_in_epoch_seconds(store_factory):
    store = store_factory()
    before = time.time()
    server = store.server_time()
    after = time.time()
    # Same machine here, so the server's clock agrees with ours within a second.
    assert before - 1.0 <= server <= after + 1.0


def test_every_clear_draws_a_generation_never_seen_before(store_factory):
    store = store_factory()
    seen = {store.head().generation}
    for _ in range(5):
        seen.add(store.clear().generation)
    assert len(seen) == 6


def test_the_head_carries_the_servers_clock(store_factory):
    store = store_factory()
    before = time.time()
    head = store.head()
    after = time.time()
    assert before - 1.0 <= head.server_time <= after + 1.0  # same machine: the clocks agree
    head, _ = store.changes_since(0)
    assert before - 1.0 <= head.server_time <= time.time() + 1.0


def test_an_event_time_more_than_a_minute_ahead_of_the_server_is_clamped(store_factory):
    store = store_factory()
    now = store.server_time()
    store.write([row(1, now + 3 * 86400.0), row(2, now + 30.0), row(3, 100.0)])
    stored = {s.tvshowid: s.event_time for s in store.shows()}
    assert now + 59.0 <= stored[1] <= time.time() + 61.0
    assert (stored[2], stored[3]) == (now + 30.0, 100.0)  # within the minute: exact


def test_two_kodi_libraries_on_one_server_share_nothing(store_factory):
    nexus, omega = store_factory("device-a", KODI20), store_factory("device-b", KODI21)
    assert same_library(nexus.library, "MyVideos121") and same_library(omega.library, "MyVideos131")
    nexus.write([row(1, 100.0), row(2, 100.0)], settings={"random_order_shows": "1"})
    head = omega.head()
    assert (head.revision, dict(head.settings), omega.shows(), omega.changes_since(0)[1]) == (0, {}, [], [])
    assert omega.seed_settings({"random_order_shows": "9"}) == {"random_order_shows": "9"}
    assert omega.write([row(1, 900.0, watched=5, device="device-b")]) == 1
    assert [(s.tvshowid, s.state.count_watched, s.revision) for s in nexus.shows()] == [(1, 1, 1), (2, 1, 1)]
    assert (nexus.head().revision, dict(nexus.head().settings)) == (1, {"random_order_shows": "1"})
    assert nexus.try_lock("device-a", 60) and omega.try_lock("device-b", 60)  # one lock per library
    omega.clear()
    assert len(nexus.shows()) == 2 and nexus.head().revision == 1
    nexus.register_device(Device("device-a", "Living Room", "1.0.0", KODI20))
    omega.register_device(Device("device-b", "Bedroom", "1.0.0", KODI21))
    for store in (nexus, omega):
        assert [(d.device_id, d.library.lower()) for d in store.devices()] == [
            ("device-a", "myvideos121"), ("device-b", "myvideos131")]


def test_an_upgraded_device_brings_its_settings_and_random_picks_into_the_new_library(store_factory):
    old = store_factory("device-a", KODI20)
    old.seed_settings({"include_positioned_specials": "true", "random_order_shows": "3"})
    picked = row(3, 100.0, watched=2)
    old.write([picked, row(4, 100.0)])
    old.register_device(Device("device-a", "Living Room", "1.0.0", KODI20))
    before = (old.head().revision, old.shows())
    store_factory.kodi_copies_library("MyVideos121", "MyVideos131")
    new = store_factory("device-a", KODI21)
    head = new.head()
    assert dict(head.settings) == {"include_positioned_specials": "true", "random_order_shows": "3"}
    assert head.revision == 1
    assert [(s.tvshowid, s.state, s.event_time, s.revision) for s in new.shows()] == [
        (3, picked.state, 100.0, 1), (4, row(4, 100.0).state, 100.0, 1)]
    assert (old.head().revision, old.shows()) == before  # the old library is untouched
    new.register_device(Device("device-a", "Living Room", "1.0.0", KODI21))
    again = store_factory("device-a", KODI21)  # only once
    assert again.head().revision == 1


def test_a_device_joining_a_library_that_already_has_rows_copies_nothing(store_factory):
    old = store_factory("device-a", KODI20)
    old.write([row(1, 100.0)], settings={"random_order_shows": "1"})
    old.register_device(Device("device-a", "Living Room", "1.0.0", KODI20))
    store_factory.kodi_copies_library("MyVideos121", "MyVideos131")
    first = store_factory("device-b", KODI21)
    first.write([row(7, 100.0)])
    upgraded = store_factory("device-a", KODI21)
    assert [s.tvshowid for s in upgraded.shows()] == [7] and dict(upgraded.head().settings) == {}


AWKWARD = ("it's \"quoted\" \\back\\slash\\ \\' \\\" \x00NUL\x00 \x1a ^Z \r\n tab\t `tick` %s %% %(x)s "
           "'); DROP TABLE shows; -- _utf8mb4 X'00' 0x27 café Ümlaut ☕ 🎬 𝄞 \U0010ffff 中文 ")


def awkward_row(tvshowid: int, event_time: float) -> SharedShow:
    """A row whose every text field holds quotes, backslashes, NUL, emoji and other 4-byte UTF-8,
    an injection attempt and placeholder syntax, with a plot of about 300 KB (UTF-8)."""
    s = state(tvshowid, watched=2, title=AWKWARD + "title")
    nxt = dataclasses.replace(s.next, plot=AWKWARD * 3000, file="/srv/tv/" + AWKWARD + ".mkv", title=AWKWARD,
                              showtitle=AWKWARD, thumb="image://" + AWKWARD)
    s = dataclasses.replace(s, next=nxt, show=dataclasses.replace(s.show, poster=AWKWARD, fanart=AWKWARD))
    return SharedShow(tvshowid, s.show.title, s.show.year, s, event_time, "device-" + AWKWARD[:40])


def test_awkward_text_round_trips_exactly(store_factory):
    store = store_factory()
    shows = [awkward_row(1, 10.5), row(2, 11.0), awkward_row(3, 12.25), tombstone(4, 13.0)]
    revision = store.write(shows, settings={"random_order_shows": AWKWARD})
    assert len(shows[0].state.next.plot.encode("utf-8")) > 250000
    assert store.shows() == [stamped(s, revision) for s in shows]
    assert store.changes_since(0)[1] == [stamped(s, revision) for s in shows]
    assert dict(store.head().settings) == {"random_order_shows": AWKWARD}
    other = store_factory("device-b")
    assert other.seed_settings({"random_order_shows": "x", AWKWARD[:60]: AWKWARD}) == {
        "random_order_shows": AWKWARD, AWKWARD[:60]: AWKWARD}
    assert other.shows() == [stamped(s, revision) for s in shows]
    # The conflict rule still holds for such rows: an older awkward event loses, a newer one wins.
    store.write([awkward_row(2, 5.0), dataclasses.replace(awkward_row(4, 20.0), device_id="device-b")])
    rows = by_id(other.shows())
    assert rows[2].state == shows[1].state and rows[4].state.next.plot == AWKWARD * 3000


def test_a_row_written_by_the_previous_encoding_is_still_read(store_factory):
    """Rows written before the hex-literal encoding (the driver's escaped parameters, which this
    add-on's earlier version used) read back the same."""
    if store_factory.backend == "memory":
        return  # the reference keeps objects; there is no encoding to be compatible with
    import pymysql

    from easytv.mysql.rows import show_params
    from easytv.mysql.statements import SHOW_COLUMNS

    store = store_factory()
    revision = store.write([row(9, 1.0)])
    old = [awkward_row(1, 10.5), row(2, 11.0), tombstone(3, 12.0)]
    config = store.config
    placeholders = ", ".join(["%s"] * len(SHOW_COLUMNS))
    with pymysql.connect(host=config.host, port=config.port, user=config.user, password=config.password,
                         database=store.location.database, charset="utf8mb4", autocommit=True) as conn:
        with conn.cursor() as cursor:
            params = [(store.library,) + show_params(s)[:4] + (revision,) + show_params(s)[4:] for s in old]
            cursor.executemany("INSERT INTO %s (%s) VALUES (%s)" % (store.tables.shows, ", ".join(SHOW_COLUMNS),
                                                                  placeholders), params)
    assert by_id(store.shows()) == by_id([stamped(s, revision) for s in old] + [stamped(row(9, 1.0), revision)])


def test_a_row_that_cannot_be_stored_fails_the_whole_write_and_the_store_stays_usable(store_factory):
    """Rows are encoded 500 at a time while earlier INSERTs already run: a NaN event time in the
    third batch still writes nothing."""
    if store_factory.backend == "memory":
        return  # MySQL cannot store NaN; the reference keeps any float
    from easytv.core.errors import StoreError

    store = store_factory()
    before = store.head().revision
    shows = [row(i, 100.0 + i) for i in range(1, 1201)]
    shows[1100] = dataclasses.replace(shows[1100], event_time=float("nan"))
    try:
        store.write(shows)
        raise AssertionError("a NaN event time was written")
    except StoreError as exc:
        assert "tvshowid=1101" in str(exc)
    assert store.head().revision == before and store.shows() == []
    revision = store.write(shows[:1100])
    assert store.shows() == [stamped(s, revision) for s in shows[:1100]]
