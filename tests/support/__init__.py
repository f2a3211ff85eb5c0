"""Helpers shared by the CLI, bad-input, property and sweep tests."""
