"""Library records in Kodi's JSON-RPC vocabulary, as frozen dataclasses.

Field names follow Kodi's JSON-RPC v13 (Kodi 20) `Video.Fields.Episode` and
`Video.Fields.TVShow`; `from_jsonrpc` takes one item of a `VideoLibrary.GetEpisodes` /
`VideoLibrary.GetTVShows` result as Kodi returns it.
"""

from dataclasses import dataclass
from typing import Any, Mapping, Optional, Tuple

from easytv.core.errors import MalformedRecord

# Kodi's "display after season S" places a special at episode 4096 of season S
# (CVideoDatabase, `specialsortepisode`); any value >= the season's last episode sorts after it.
AFTER_SEASON_EPISODE = 4096


def _int(item: Mapping[str, Any], key: str, default: Optional[int] = None) -> int:
    value = item.get(key, default)
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MalformedRecord("field %r is not a number: %r" % (key, value))
    return int(value)


def _float(item: Mapping[str, Any], key: str) -> float:
    value = item.get(key, 0.0)
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MalformedRecord("field %r is not a number: %r" % (key, value))
    return float(value)


def _build(cls, **fields: Any) -> Any:
    """A frozen dataclass instance from already-validated fields, bypassing the generated
    `__init__` (whose per-field `object.__setattr__` doubles the cost of parsing 100,000
    episodes; see `make bench`). Every field must be given."""
    obj = object.__new__(cls)
    obj.__dict__.update(fields)
    return obj


def _str(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise MalformedRecord("field %r is not a string: %r" % (key, value))
    return value


def _art(item: Mapping[str, Any]) -> Mapping[str, str]:
    art = item.get("art") or {}
    if not isinstance(art, dict):
        raise MalformedRecord("field 'art' is not an object: %r" % (art,))
    return {str(k): str(v) for k, v in art.items() if isinstance(v, str)}


DISPLAY_FIELDS = ("title", "showtitle", "plot", "runtime", "dateadded", "thumb")
"""`Episode` fields only the window properties show (the rule never reads them); Kodi's
`plot` and `art` make up most of a `GetEpisodes` answer, so they are asked for the next
episodes only (see `easytv.kodi.library`)."""


@dataclass(frozen=True)
class Episode:
    """One episode as Kodi's `VideoLibrary.GetEpisodes` reports it.

    `resume_position`/`resume_total` and `runtime` are seconds; `lastplayed` and
    `dateadded` are Kodi's `YYYY-MM-DD HH:MM:SS` strings ("" when never played).
    `specialsortseason`/`specialsortepisode` are -1 when Kodi has no position.
    """

    episodeid: int
    tvshowid: int
    season: int
    episode: int
    playcount: int = 0
    file: str = ""
    specialsortseason: int = -1
    specialsortepisode: int = -1
    resume_position: float = 0.0
    resume_total: float = 0.0
    lastplayed: str = ""
    title: str = ""
    showtitle: str = ""
    plot: str = ""
    runtime: int = 0
    dateadded: str = ""
    thumb: str = ""

    @property
    def watched(self) -> bool:
        """True when Kodi counts the episode as played (`playcount > 0`)."""
        return self.playcount > 0

    @property
    def is_special(self) -> bool:
        """True for season 0."""
        return self.season == 0

    @property
    def is_positioned(self) -> bool:
        """True for a special with both `specialsortseason` and `specialsortepisode` >= 0."""
        return self.specialsortseason >= 0 and self.specialsortepisode >= 0

    @classmethod
    def from_jsonrpc(cls, item: Mapping[str, Any]) -> "Episode":
        """Build from one `episodes[]` item of `VideoLibrary.GetEpisodes`.

        Raises `MalformedRecord` when a required field is missing or of the wrong type.
        """
        if not isinstance(item, dict):
            raise MalformedRecord("episode is not an object: %r" % (item,))
        resume = item.get("resume") or {}
        if not isinstance(resume, dict):
            raise MalformedRecord("field 'resume' is not an object: %r" % (resume,))
        art = _art(item)
        return _build(
            cls,
            episodeid=_int(item, "episodeid"),
            tvshowid=_int(item, "tvshowid"),
            season=_int(item, "season"),
            episode=_int(item, "episode"),
            playcount=_int(item, "playcount", 0),
            file=_str(item, "file"),
            specialsortseason=_int(item, "specialsortseason", -1),
            specialsortepisode=_int(item, "specialsortepisode", -1),
            resume_position=_float(resume, "position"),
            resume_total=_float(resume, "total"),
            lastplayed=_str(item, "lastplayed"),
            title=_str(item, "title"),
            showtitle=_str(item, "showtitle"),
            plot=_str(item, "plot"),
            runtime=_int(item, "runtime", 0),
            dateadded=_str(item, "dateadded"),
            thumb=art.get("thumb", ""),
        )


@dataclass(frozen=True)
class TVShow:
    """One show as Kodi's `VideoLibrary.GetTVShows` reports it (`year` 0 when unknown)."""

    tvshowid: int
    title: str
    year: int = 0
    lastplayed: str = ""
    dateadded: str = ""
    poster: str = ""
    fanart: str = ""

    @classmethod
    def from_jsonrpc(cls, item: Mapping[str, Any]) -> "TVShow":
        """Build from one `tvshows[]` item of `VideoLibrary.GetTVShows` (or `tvshowdetails`).

        Raises `MalformedRecord` when a required field is missing or of the wrong type.
        """
        if not isinstance(item, dict):
            raise MalformedRecord("tvshow is not an object: %r" % (item,))
        art = _art(item)
        return cls(
            tvshowid=_int(item, "tvshowid"),
            title=_str(item, "title") or _str(item, "label"),
            year=_int(item, "year", 0),
            lastplayed=_str(item, "lastplayed"),
            dateadded=_str(item, "dateadded"),
            poster=art.get("poster", ""),
            fanart=art.get("fanart", ""),
        )


@dataclass(frozen=True)
class ShowState:
    """The outcome of the next-episode rule for one show.

    `upcoming` and `skipped` hold episodeids in rule order; `lastplayed` is the latest
    `lastplayed` of the show and its episodes ("" if never played).
    """

    show: TVShow
    next: Episode
    is_skipped: bool
    upcoming: Tuple[int, ...] = ()
    skipped: Tuple[int, ...] = ()
    count_watched: int = 0
    count_unwatched: int = 0
    lastplayed: str = ""
    in_progress: bool = False

    @property
    def tvshowid(self) -> int:
        """The show's Kodi id."""
        return self.show.tvshowid
