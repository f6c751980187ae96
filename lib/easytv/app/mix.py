"""The random mix (README "Watching"): drawn from the window-property cache, played as one
Kodi video playlist."""

import logging
import random
from typing import List

from easytv.app import widget
from easytv.app.interfaces import Window
from easytv.core import chooser
from easytv.core.settings import MIX_WITH_UNSTARTED, Settings
from easytv.kodi import player
from easytv.kodi.player import Call

LOG = logging.getLogger("EasyTV.mix")
ALL = 100000
MIX_PROPERTY = "EasyTV.Mix"
"""Home-window property: the episodeids of the mix last started (comma-separated), so the
service's watching logic knows a playlist is EasyTV's mix."""


def build(window: Window, settings: Settings, call: Call, rng: random.Random) -> List[int]:
    """The episodeids of a new mix, in play order (empty when no show has a next episode).

    Shows come from the cache (`EasyTV.ShowIDs`, plus `EasyTV.FreshIDs` when `mix_content`
    includes unstarted shows) after `show_filter`; each contributes its cached next episode,
    so a random-order show contributes its (shared) pick. Only a show drawn for more than one
    episode (`mix_multiple_episodes`) costs a request: one `VideoLibrary.GetEpisodes` for
    that show, for the unwatched episodes after its next one.
    """
    pool = chooser.mix_pool(widget.read_list(window, widget.NEXT_EPISODES, ALL),
                            widget.read_list(window, widget.START_FRESH, ALL),
                            settings.mix_content == MIX_WITH_UNSTARTED, settings.show_filter)
    plan = chooser.allocate_mix(pool, settings.mix_length, settings.mix_multiple_episodes,
                                settings.random_order_shows, rng)
    episodeids: List[int] = []
    for tvshowid, count in plan:
        entry = chooser.find_entry(pool, tvshowid)
        if entry is None:
            continue
        next_id = widget.to_int(entry["EpisodeID"])
        if count > 1:
            episodeids.extend(chooser.following(player.show_episodes(call, tvshowid), next_id, count))
        else:
            episodeids.append(next_id)
    return episodeids


def play(window: Window, settings: Settings, call: Call, rng: random.Random) -> bool:
    """Build a mix and start it; False (nothing played) when there is nothing to mix."""
    episodeids = build(window, settings, call, rng)
    if not episodeids:
        LOG.info("Random mix: no show has a next episode")
        return False
    LOG.info("Playing a random mix of %d episodes: %s, resume=%s", len(episodeids),
             ",".join(str(i) for i in episodeids), settings.mix_resume)
    window.set(MIX_PROPERTY, ",".join(str(i) for i in episodeids))
    player.play_episodes(call, episodeids, settings.mix_resume)
    return True
