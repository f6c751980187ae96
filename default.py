"""EasyTV script and plugin: the next-episode widget lists, the chooser dialog, the sync actions."""

import os
import sys

if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
    from easytv.app.routes import run

    run(sys.argv)
