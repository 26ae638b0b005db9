"""ctest fixture: starts (or reuses) the suite's shared control plane in KVALIDATE_HOME."""
import sys

import kvtest

p = kvtest.kv("up", "--wait", "120s", timeout=200)
sys.stdout.write(p.stdout)
sys.stderr.write(p.stderr)
sys.exit(p.returncode)
