import sys

from poseviz.cli import main

sys.exit(main())
