"""The limits of a plan file, each named in the problem that refuses a file beyond it."""

from __future__ import annotations

# 4x the 10,000-objective bench plan (4.1 MB as PyYAML writes it, 2.9 MB as export does), which
# imports in about 2 s: room for any organisation's plan, and a cap on what one file can cost.
MAX_BYTES = 16_000_000
# Breakthrough, annual, then 48 cascaded levels: a company of a million people is about ten
# management levels deep, so 50 is far beyond any real plan, and every walk over the tree
# (import, export, status, reflection) stays far inside Python's recursion limit of 1,000.
MAX_LEVELS = 50
# YAML blocks nest twice per level (a list of objectives, then the objective), plus the top of
# the file and the blocks inside an objective; with room for a few levels more, so that a plan a
# level or two too deep is refused by the objective that is too deep, with its place.
MAX_NESTING = 2 * (MAX_LEVELS + 5)
# Values that aliases (*name) may bring in, all uses counted with what they hold: enough to reuse
# a few defaults with `<<: *defaults` a thousand times, far from the 10^7 objectives that 2.6 KB
# of nested aliases expand to.
MAX_ALIASED = 10_000

LEVELS = (
    f"a plan may be at most {MAX_LEVELS} levels deep (a breakthrough, its annual objectives and "
    f"{MAX_LEVELS - 2} levels of cascaded ones)"
)
