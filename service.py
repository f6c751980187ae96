"""EasyTV background service: keeps every show's next episode in home-window properties."""

import os
import sys

if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
    from easytv.app.service import run

    run()
