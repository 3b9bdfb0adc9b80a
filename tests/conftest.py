"""Shared test setup: make tests/ importable for helper modules such as gradcheck."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
