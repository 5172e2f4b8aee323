"""``python -m jobtrends.bench``."""

import sys

from jobtrends.bench import main

sys.exit(main())
