"""The interfaces the engine works on; Kodi, MySQL and test doubles implement them."""

from typing import Dict, Iterator, List, Optional, Sequence

from easytv.core.models import Episode, TVShow
from easytv.core.sync import SharedShow

try:  # Python 3.8 (Kodi on Windows) has typing.Protocol
    from typing import Protocol
except ImportError:  # pragma: no cover
    Protocol = object  # type: ignore[assignment,misc]


class Window(Protocol):
    """String properties of one Kodi window ("" when unset)."""

    def get(self, name: str) -> str:
        """One property's value."""

    def set(self, name: str, value: str) -> None:
        """Set one property; an empty value clears it."""


class Library(Protocol):
    """Kodi's video library (see `easytv.kodi.library.KodiLibrary`); raises `JsonRpcError`."""

    def tvshows(self) -> List[TVShow]:
        """Every show."""

    def tvshow(self, tvshowid: int) -> Optional[TVShow]:
        """One show, None if unknown."""

    def episodes(self, tvshowid: Optional[int] = None) -> List[Episode]:
        """Episodes of one show (every field) or of the whole library (the rule's fields)."""

    def episode_pages(self, size: int = 5000) -> Iterator[List[Episode]]:
        """The whole library's episodes (the rule's fields), `size` per call, fetched lazily."""

    def episode_details(self, episodeids: Sequence[int]) -> Dict[int, Episode]:
        """Every field of the given episodes (one batched call), unknown ones left out."""

    def episode_tvshowid(self, episodeid: int) -> Optional[int]:
        """The show of one episode, None if unknown."""

    def episode_tvshowids(self, episodeids: Sequence[int]) -> Dict[int, int]:
        """The shows of the given episodes (one batched call), unknown ones left out."""


class Store(Protocol):
    """Where the engine sends the rows of shows it changed locally (tombstones included).

    `LocalStore` keeps nothing; `easytv.app.sync.Syncer` queues them for the shared database.
    `name` is what `EasyTV.Storage` shows (`local` or `shared`).
    """

    name: str

    def save(self, rows: Sequence[SharedShow]) -> None:
        """Accept changed rows; must not block on I/O (the service loop calls it)."""


class LocalStore:
    """Keeps nothing beyond the window-property cache (sync off)."""

    name = "local"

    def save(self, rows: Sequence[SharedShow]) -> None:
        """Nothing to do: the window cache is the only storage."""
