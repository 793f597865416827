#!/usr/bin/env bash
# Regenerates every golden case under compiler/src/test/resources/goldens/ with PyTorch (float64),
# and the training loss curve of train/src/test/resources/dev/adjoint/train/train_equivalence/ (float32).
# Usage, from anywhere:  tools/reference/regenerate.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

PYTHON=${PYTHON:-/usr/bin/python3}   # Debian's python3 with python3-torch and python3-numpy
"$PYTHON" -c 'import torch, numpy' 2>/dev/null || {
  echo "regenerate.sh: $PYTHON cannot import torch and numpy (apt-get install python3-torch python3-numpy)" >&2
  exit 1
}

# Drop the generated cases first, so a renamed or removed case leaves no stale folder.
for prefix in builtin_ prelude_ nn_ example_; do
  rm -rf compiler/src/test/resources/goldens/"$prefix"*
done

"$PYTHON" tools/reference/goldens_builtins.py
"$PYTHON" tools/reference/goldens_prelude.py
"$PYTHON" tools/reference/goldens_examples.py
"$PYTHON" tools/reference/train_equivalence.py
