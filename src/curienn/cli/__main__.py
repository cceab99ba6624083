import sys

from curienn.cli import main

sys.exit(main())
