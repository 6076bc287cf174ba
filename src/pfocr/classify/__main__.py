"""``python -m pfocr.classify [OUT.json]`` rebuilds the shipped pathway classifier."""

import sys

from pfocr.classify.train import main

raise SystemExit(main(sys.argv[1:]))
