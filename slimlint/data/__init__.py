"""Data shipped with slimlint: the API signature table (see generate_signatures.py)."""
