import sys

from ltvlib.cli import main

sys.exit(main())
