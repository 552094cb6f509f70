"""Make `ansible_collections.bandup.ecs` (this checkout, linked by `make setup`) importable."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(ROOT, ".collections")
if not os.path.isdir(os.path.join(COLLECTIONS, "ansible_collections", "bandup", "ecs")):
    raise RuntimeError("run `make setup` first: it links this checkout under .collections")
sys.path.insert(0, COLLECTIONS)
