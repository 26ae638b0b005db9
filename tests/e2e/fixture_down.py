"""ctest fixture: stops the suite's shared control plane."""
import sys

import kvtest

p = kvtest.kv("down", timeout=120)
sys.stdout.write(p.stdout)
sys.stderr.write(p.stderr)
sys.exit(p.returncode)
