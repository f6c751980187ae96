"""A small generated TV library (ffmpeg + NFO files) and its import into Kodi's shared DB."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from .notify import is_method
from .procs import HarnessError, wait_until
from .versions import video_db_of

VIDEO_DB = video_db_of()  # the video database of the lane's Kodi ($EASYTV_KODI): MyVideos121 or 131
EPISODE_SECONDS = 10
# Video only: EasyTV never touches audio, and with an audio stream a starved Kodi (two suites
# side by side on two cores) floods its log with "ActiveAE - large audio sync error" and once
# died in the middle of the suite.
FFMPEG_EPISODE = ["-f", "lavfi", "-i", f"testsrc=size=160x120:rate=25:duration={EPISODE_SECONDS}",
                  "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-an", "-movflags", "+faststart"]
EPISODE_PROPERTIES = ["tvshowid", "showtitle", "title", "season", "episode", "file", "playcount",
                      "specialsortseason", "specialsortepisode", "resume", "lastplayed"]


@dataclass(frozen=True)
class Episode:
    """One NFO ``<episodedetails>``; ``display`` = (displayseason, displayepisode) for specials."""

    season: int
    episode: int
    title: str
    display: tuple[int, int] | None = None


@dataclass(frozen=True)
class Show:
    """A show folder. Each entry of ``files`` is one video file holding one or more episodes
    (more than one = a multi-episode file)."""

    title: str
    year: int
    files: tuple[tuple[Episode, ...], ...]
    color: str = "steelblue"

    def episode_count(self) -> int:
        """Number of library episodes the show imports as."""
        return sum(len(f) for f in self.files)


def regular_episodes(*numbers: int) -> tuple[tuple[Episode, ...], ...]:
    """``Show.files`` of one-episode files S01E<n> titled "Episode <n>" for each of ``numbers``."""
    return tuple((Episode(1, n, f"Episode {n}"),) for n in numbers)


_regular = regular_episodes


# Each e2e scenario owns a show so tests stay independent of their order.
DEFAULT_SHOWS: tuple[Show, ...] = (
    Show("Alpha Station", 2019, _regular(1, 2, 3), "steelblue"),
    Show("Bravo Bay", 2020, _regular(1, 2, 3), "darkorange"),
    Show("Charlie Circuit", 2018, _regular(1, 2, 3, 4) + (
        (Episode(0, 1, "Behind the Circuit", display=(1, 3)),),
        (Episode(0, 2, "Blooper Reel"),)), "seagreen"),
    Show("Delta Drift", 2021, (
        (Episode(1, 1, "Pilot"),),
        (Episode(1, 2, "Two Parter (1)"), Episode(1, 3, "Two Parter (2)")),
        (Episode(1, 4, "Aftermath"),)), "firebrick"),
    Show("Echo Empire", 2017, _regular(1, 2, 3), "slateblue"),
    Show("Foxtrot Falls", 2022, _regular(1, 2), "goldenrod"),
    Show("Golf Gardens", 2016, _regular(1, 2, 3), "darkcyan"),
)


@dataclass
class Library:
    """A generated library on disk: ``root`` is the folder given to Kodi as a tvshows source."""

    root: Path
    shows: tuple[Show, ...]
    files: list[Path] = field(default_factory=list)

    @property
    def source_path(self) -> str:
        """The source path as stored in Kodi's ``path`` table (absolute, trailing slash)."""
        return str(self.root.resolve()) + "/"


def _ffmpeg(args: list[str], dest: Path) -> Path:
    if not dest.exists():
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp{dest.suffix}")
        done = subprocess.run(["ffmpeg", "-y", "-loglevel", "error", *args, str(tmp)],
                              capture_output=True, text=True, check=False, timeout=120)
        if done.returncode != 0:
            raise HarnessError(f"ffmpeg failed for {dest.name}: {done.stderr[-1000:]}")
        tmp.replace(dest)
    return dest


def _link_or_copy(src: Path, dest: Path) -> None:
    try:
        os.link(src, dest)
    except OSError:
        shutil.copyfile(src, dest)


def _episode_nfo(episodes: tuple[Episode, ...], show: Show) -> str:
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>']
    for ep in episodes:
        display = ""
        if ep.display:
            display = (f"  <displayseason>{ep.display[0]}</displayseason>\n"
                       f"  <displayepisode>{ep.display[1]}</displayepisode>\n")
        parts.append(
            f"<episodedetails>\n  <title>{escape(ep.title)}</title>\n"
            f"  <showtitle>{escape(show.title)}</showtitle>\n"
            f"  <season>{ep.season}</season>\n  <episode>{ep.episode}</episode>\n{display}"
            f"  <plot>{escape(show.title)} S{ep.season:02d}E{ep.episode:02d}: "
            f"{escape(ep.title)}.</plot>\n"
            f"  <aired>{show.year}-{max(ep.season, 1):02d}-{min(ep.episode, 28):02d}</aired>\n"
            f"</episodedetails>")
    return "\n".join(parts) + "\n"


def generate_library(root: Path, cache: Path, shows: tuple[Show, ...] = DEFAULT_SHOWS) -> Library:
    """Write ``shows`` under ``root``: ``Show/tvshow.nfo``, poster.jpg, ``Season 01/`` and
    ``Specials/`` with one mp4 + NFO per file. The 10 s mp4 and posters are rendered once into
    ``cache`` and hard-linked (copied across filesystems). Raises ``HarnessError`` if ffmpeg fails.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    media = cache / "media"
    media.mkdir(parents=True, exist_ok=True)
    video = _ffmpeg(FFMPEG_EPISODE, media / f"episode-{EPISODE_SECONDS}s-v2.mp4")
    library = Library(root, shows)
    for show in shows:
        folder = root / show.title
        folder.mkdir(exist_ok=True)
        (folder / "tvshow.nfo").write_text(
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f"<tvshow>\n  <title>{escape(show.title)}</title>\n  <year>{show.year}</year>\n"
            f"  <plot>{escape(show.title)} is a generated test show.</plot>\n"
            f"  <premiered>{show.year}-01-01</premiered>\n</tvshow>\n")
        poster = _ffmpeg(["-f", "lavfi", "-i", f"color=c={show.color}:s=200x300",
                          "-frames:v", "1"], media / f"poster-{show.color}.jpg")
        _link_or_copy(poster, folder / "poster.jpg")
        for episodes in show.files:
            first = episodes[0]
            sub = folder / ("Specials" if first.season == 0 else f"Season {first.season:02d}")
            sub.mkdir(exist_ok=True)
            tag = f"S{first.season:02d}E{first.episode:02d}" + "".join(
                f"-E{ep.episode:02d}" for ep in episodes[1:])
            target = sub / f"{show.title} {tag}.mp4"
            _link_or_copy(video, target)
            target.with_suffix(".nfo").write_text(_episode_nfo(episodes, show))
            library.files.append(target)
    return library


def wait_video_db(db, timeout: float = 30.0, video_db: str | None = None) -> None:
    """Wait until Kodi has created ``video_db`` completely (its ``version`` row is written
    last). ``db`` is a ``MariaDB``; ``video_db`` is the instance's ``KodiInstance.video_db``
    (``MyVideos121`` for Kodi 20, ``MyVideos131`` for Kodi 21; None: the lane's ``VIDEO_DB``)."""
    name = video_db or VIDEO_DB

    def ready() -> bool:
        return bool(db.sql(f"SELECT idVersion FROM `{name}`.version"))

    wait_until(ready, timeout, interval=0.1, what=f"{name} created by Kodi")


def add_source_and_scan(db, kodi, library: Library, timeout: float = 60.0) -> list[dict]:
    """Insert ``library`` as a tvshows/metadata.local path into ``kodi``'s video database
    (``kodi.video_db``: each Kodi version has its own), run ``VideoLibrary.Scan`` on ``kodi``
    and wait for ``OnScanFinished``.

    Returns ``VideoLibrary.GetTVShows`` (title, year); raises ``HarnessError`` when not every
    show of ``library`` was imported.
    """
    video_db = kodi.video_db
    wait_video_db(db, timeout, video_db)
    source = library.source_path.replace("\\", "\\\\").replace("'", "''")
    if not db.sql(f"SELECT idPath FROM `{video_db}`.path WHERE strPath = '{source}'"):
        db.sql(f"INSERT INTO `{video_db}`.path (strPath, strContent, strScraper, scanRecursive, "
               "useFolderNames, strSettings, noUpdate, exclude, allAudio, dateAdded) VALUES "
               f"('{source}', 'tvshows', 'metadata.local', 0, 0, '', 0, 0, 0, NOW())")
    mark = kodi.listener.mark()
    kodi.call("VideoLibrary.Scan", {"showdialogs": False})
    kodi.listener.wait_for(is_method("VideoLibrary.OnScanFinished"), timeout, mark,
                           what=f"{kodi.name}: VideoLibrary.OnScanFinished")
    shows = kodi.call("VideoLibrary.GetTVShows", {"properties": ["title", "year"]})
    shows = shows.get("tvshows") or []
    missing = {s.title for s in library.shows} - {s["title"] for s in shows}
    if missing:
        raise HarnessError(f"scan did not import {sorted(missing)}; see {kodi.kodi_log_path}")
    return shows


def get_episodes(kodi, tvshowid: int | None = None) -> list[dict]:
    """``VideoLibrary.GetEpisodes`` with ``EPISODE_PROPERTIES`` (all shows, or one)."""
    params: dict = {"properties": EPISODE_PROPERTIES}
    if tvshowid is not None:
        params["tvshowid"] = tvshowid
    return kodi.call("VideoLibrary.GetEpisodes", params).get("episodes") or []
