"""Write the benchmark report: ``python bench/report.py --help``.

The same as ``fastsaga bench``; the code is in ``fastsaga.benchmarks``.
"""

import sys

from fastsaga.benchmarks.report import main

if __name__ == "__main__":
    sys.exit(main())
