"""Test data in Kodi's JSON-RPC response shape: captured fixtures and a builder for more."""

import json
import os
from typing import Any, Dict, List

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "kodi20")


def load(name: str) -> Any:
    """One captured Kodi 20.1 answer from tests/fixtures/kodi20/ (e.g. `GetEpisodes_all.json`)."""
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as handle:
        return json.load(handle)


def episode(season: int, number: int, *, tvshowid: int = 1, watched: bool = False, file: str = None,
            specialsortseason: int = -1, specialsortepisode: int = -1, resume: float = 0.0,
            lastplayed: str = "", episodeid: int = None, title: str = None) -> Dict[str, Any]:
    """One `VideoLibrary.GetEpisodes` item as Kodi 20 returns it."""
    if file is None:
        file = "/srv/media/tv/Show%d/S%02dE%02d.mp4" % (tvshowid, season, number)
    return {
        "episodeid": episodeid if episodeid is not None else tvshowid * 10000 + season * 100 + number,
        "tvshowid": tvshowid, "season": season, "episode": number,
        "title": title or "Episode %dx%02d" % (season, number), "showtitle": "Show%d" % tvshowid,
        "playcount": 1 if watched else 0, "file": file,
        "specialsortseason": specialsortseason, "specialsortepisode": specialsortepisode,
        "resume": {"position": resume, "total": 600.0 if resume else 0.0},
        "lastplayed": lastplayed or ("2026-01-01 20:00:00" if watched or resume else ""),
        "plot": "", "art": {"thumb": "image://thumb%d/" % number}, "dateadded": "2026-01-01 10:00:00",
        "runtime": 600,
    }


def tvshow(tvshowid: int = 1, title: str = None, year: int = 2001, dateadded: str = "2026-01-01 10:00:00",
           lastplayed: str = "") -> Dict[str, Any]:
    """One `VideoLibrary.GetTVShows` item as Kodi 20 returns it."""
    return {"tvshowid": tvshowid, "title": title or "Show%d" % tvshowid, "label": title or "Show%d" % tvshowid,
            "year": year, "dateadded": dateadded, "lastplayed": lastplayed,
            "art": {"poster": "image://poster%d/" % tvshowid, "fanart": "image://fanart%d/" % tvshowid}}


def season(number: int, count: int, watched: int = 0, **kwargs) -> List[Dict[str, Any]]:
    """`count` episodes of one season, the first `watched` of them watched."""
    return [episode(number, n, watched=n <= watched, **kwargs) for n in range(1, count + 1)]
