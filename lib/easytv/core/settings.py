"""The add-on's settings as one frozen snapshot (README, "Settings"), rebuilt on `onSettingsChanged`."""

import dataclasses
import hashlib
from dataclasses import dataclass
from typing import Callable, Dict, List, Mapping, Optional, Tuple

DEFAULT_WIDGET_LIMIT = 25

LAUNCH_BROWSE = 0
LAUNCH_RANDOM_MIX = 1
LAUNCH_ASK = 2
PROMPT_DEFAULT_PLAY = 0
PROMPT_DEFAULT_STOP = 1
MIX_IN_PROGRESS = 0
MIX_WITH_UNSTARTED = 1


@dataclass(frozen=True)
class Settings:
    """Snapshot of the settings the service and the plugin use.

    `random_order_shows`: tvshowids of random-order shows; `widget_limit`: maximum items per
    widget list (>= 1); `sync_poll_seconds`: how often a syncing device checks the revision
    while wake-up hints are not known to arrive; `sync_hints`: send and listen for wake-up hints
    (UDP) to and from the other devices (takes effect when sync next starts).

    Watching (local to this device): `launch_behaviour` (`LAUNCH_*`), chooser `sort_by`
    (`easytv.core.chooser.SORT_*`), `sort_reverse`, `limit_shows` (0 = all), `show_filter`
    (tvshowids, empty = all), random mix `mix_length` (episodes), `mix_multiple_episodes`,
    `mix_content` (`MIX_*`), `mix_resume`; next-episode prompt `next_prompt`,
    `next_prompt_seconds` (countdown, seconds), `next_prompt_default` (`PROMPT_DEFAULT_*`),
    `next_prompt_in_mix`; `missed_episode_check`.
    """

    include_positioned_specials: bool = False
    random_order_shows: Tuple[int, ...] = ()
    widget_limit: int = DEFAULT_WIDGET_LIMIT
    debug_logging: bool = False
    multi_instance_sync: bool = False
    sync_poll_seconds: float = 2.0
    sync_hints: bool = True
    launch_behaviour: int = LAUNCH_BROWSE
    sort_by: int = 0
    sort_reverse: bool = False
    limit_shows: int = 0
    show_filter: Tuple[int, ...] = ()
    mix_length: int = 10
    mix_multiple_episodes: bool = False
    mix_content: int = MIX_IN_PROGRESS
    mix_resume: bool = True
    next_prompt: bool = True
    next_prompt_seconds: int = 20
    next_prompt_default: int = PROMPT_DEFAULT_PLAY
    next_prompt_in_mix: bool = False
    missed_episode_check: bool = False

    @property
    def rule_fingerprint(self) -> Tuple[bool, Tuple[int, ...]]:
        """The settings that change what "next" means; a change needs a full recompute."""
        return (self.include_positioned_specials, tuple(sorted(self.random_order_shows)))


def parse_show_ids(value: str, warn: Optional[Callable[[str], None]] = None,
                   name: str = "random_order_shows") -> Tuple[int, ...]:
    """Parse a show-id setting `name` ("3,12,40") into sorted unique tvshowids.

    Entries that are not positive integers are dropped and reported through `warn`.
    """
    ids: List[int] = []
    for part in (value or "").split(","):
        part = part.strip()
        if not part:
            continue
        if part.isdigit() and int(part) > 0:
            ids.append(int(part))
        elif warn is not None:
            warn("%s: ignoring %r, not a tvshowid" % (name, part))
    return tuple(sorted(set(ids)))


def clamp(value: int, lowest: int, highest: int, default: int) -> int:
    """`value` when within `lowest..highest`, else `default`."""
    return value if lowest <= value <= highest else default


def clamp_widget_limit(value: int) -> int:
    """`widget_limit` kept within 1..500; anything else falls back to the default 25."""
    if 1 <= value <= 500:
        return value
    return DEFAULT_WIDGET_LIMIT


def format_show_ids(ids: Tuple[int, ...]) -> str:
    """Inverse of `parse_show_ids`: "3,12,40"."""
    return ",".join(str(i) for i in sorted(set(ids)))


def shared_values(settings: Settings) -> Dict[str, str]:
    """The settings that live in the shared database, as their stored strings."""
    return {
        "include_positioned_specials": "true" if settings.include_positioned_specials else "false",
        "random_order_shows": format_show_ids(settings.random_order_shows),
    }


def with_shared_values(settings: Settings, values: Mapping[str, str]) -> Settings:
    """`settings` with the shared values applied (missing or unreadable values leave it as is)."""
    changes: Dict[str, object] = {}
    specials = values.get("include_positioned_specials")
    if specials in ("true", "false"):
        changes["include_positioned_specials"] = specials == "true"
    if "random_order_shows" in values:
        changes["random_order_shows"] = parse_show_ids(values["random_order_shows"])
    return dataclasses.replace(settings, **changes)  # type: ignore[arg-type]


def fingerprint(values: Mapping[str, str]) -> str:
    """A short digest of shared-setting values, to spot devices whose settings drift."""
    text = "\n".join("%s=%s" % (k, values[k]) for k in sorted(values))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
