"""The watching settings in settings.xml: ids and defaults are contract (README "Watching")."""

import os
import xml.etree.ElementTree as ET  # noqa: S405 - our own file

from easytv.core.settings import Settings

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

DEFAULTS = {
    "launch_behaviour": "0", "sort_by": "0", "sort_reverse": "false", "limit_shows": "0",
    "show_filter": "", "mix_length": "10", "mix_multiple_episodes": "false", "mix_content": "0",
    "mix_resume": "true", "next_prompt": "true", "next_prompt_seconds": "20",
    "next_prompt_default": "0", "next_prompt_in_mix": "false", "missed_episode_check": "false",
}


def test_watching_settings_exist_with_their_defaults_and_match_the_snapshot():
    tree = ET.parse(os.path.join(ROOT, "resources", "settings.xml"))
    found = {s.get("id"): s.findtext("default") for s in tree.iter("setting")}
    for setting_id, default in DEFAULTS.items():
        assert setting_id in found, setting_id
        assert found[setting_id] == default, setting_id
    snapshot = Settings()
    for setting_id, default in DEFAULTS.items():
        value = getattr(snapshot, setting_id)
        if default in ("true", "false"):
            assert value is (default == "true"), setting_id
        elif default:
            assert value == int(default), setting_id
    assert snapshot.show_filter == ()
