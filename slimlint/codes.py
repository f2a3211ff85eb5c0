"""The rule codes, without importing the rules (they import LibCST): configuration checks codes on every
run, also on a warm one answered from the cache. tests/test_rules.py keeps this list equal to the registry."""

CODES = (
    "SL101",
    "SL102",
    "SL103",
    "SL104",
    "SL105",
    "SL106",
    "SL201",
    "SL202",
    "SL203",
    "SL204",
    "SL205",
    "SL206",
    "SL207",
    "SL900",
)
