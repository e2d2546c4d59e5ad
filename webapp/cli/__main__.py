"""``python -m webapp.cli``: the same command as the ``talkcast`` script."""

import sys

from webapp.cli import main

sys.exit(main())
