"""Plugin directory items (`xbmcplugin`) built from cached show fields."""

from typing import Iterable, Mapping, Optional, Tuple

import xbmcgui
import xbmcplugin


def _int(value: str) -> int:
    return int(value) if value.lstrip("-").isdigit() else 0


def episode_item(fields: Mapping[str, str]) -> xbmcgui.ListItem:
    """A playable episode `ListItem` from one show's README, "Window properties" fields.

    Sets InfoTagVideo (mediatype episode, dbid, title, tvshowtitle, season, episode, plot,
    playcount 0, resume point in seconds, lastplayed) and art (thumb, poster/fanart of the show).
    """
    label = "%s - %s - %s" % (fields["TVShowTitle"], fields["EpisodeNo"], fields["Title"])
    item = xbmcgui.ListItem(label=label, label2=fields["EpisodeNo"], path=fields["File"], offscreen=True)
    tag = item.getVideoInfoTag()
    tag.setMediaType("episode")
    tag.setDbId(_int(fields["EpisodeID"]))
    tag.setTitle(fields["Title"])
    tag.setTvShowTitle(fields["TVShowTitle"])
    tag.setSeason(_int(fields["Season"]))
    tag.setEpisode(_int(fields["Episode"]))
    tag.setPlot(fields["Plot"])
    tag.setPlaycount(0)
    tag.setPath(fields["File"])
    if fields["LastPlayed"]:
        tag.setLastPlayed(fields["LastPlayed"])
    resume, total = _int(fields["ResumeSeconds"]), _int(fields["TotalSeconds"])
    if resume > 0:
        tag.setResumePoint(float(resume), float(total))
    art = {"thumb": fields["Thumb"], "poster": fields["Poster"], "fanart": fields["Fanart"],
           "tvshow.poster": fields["Poster"], "tvshow.fanart": fields["Fanart"]}
    item.setArt({k: v for k, v in art.items() if v})
    item.setProperty("IsPlayable", "true")
    item.setProperty("TVShowID", fields["TVShowID"])
    item.setProperty("IsSkipped", fields["IsSkipped"])
    return item


def action_item(label: str, url: str, thumb: str = "") -> xbmcgui.ListItem:
    """A non-folder item that runs the plugin `url` when clicked (IsPlayable false: Kodi runs
    the plugin as an action instead of waiting for a resolved file), e.g. "Random mix"."""
    item = xbmcgui.ListItem(label=label, path=url, offscreen=True)
    item.setProperty("IsPlayable", "false")
    if thumb:
        item.setArt({"thumb": thumb, "fanart": thumb})
    return item


def folder_item(label: str, url: str) -> xbmcgui.ListItem:
    """A folder entry of the plugin's root listing."""
    item = xbmcgui.ListItem(label=label, path=url, offscreen=True)
    item.setIsFolder(True)
    return item


def show_episodes(handle: int, entries: Iterable[Mapping[str, str]], first: Optional[Tuple[str, str]] = None) -> None:
    """Answer a plugin call with playable episode items (content `episodes`, never cached);
    `first`, a `(label, url)`, puts an `action_item` before them."""
    xbmcplugin.setContent(handle, "episodes")
    items = [(f["File"], episode_item(f), False) for f in entries]
    if first is not None:
        items.insert(0, (first[1], action_item(first[0], first[1]), False))
    xbmcplugin.addDirectoryItems(handle, items, len(items))
    xbmcplugin.endOfDirectory(handle, succeeded=True, cacheToDisc=False)


def show_folders(handle: int, folders: Iterable[tuple]) -> None:
    """Answer a plugin call with `(label, url)` folders."""
    items = [(url, folder_item(label, url), True) for label, url in folders]
    xbmcplugin.addDirectoryItems(handle, items, len(items))
    xbmcplugin.endOfDirectory(handle, succeeded=True, cacheToDisc=False)


def end_empty(handle: int) -> None:
    """Answer a plugin call that lists nothing (e.g. a script action reached as a plugin URL)."""
    xbmcplugin.endOfDirectory(handle, succeeded=False, cacheToDisc=False)
