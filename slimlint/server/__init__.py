"""`slimlint server`: the Language Server Protocol server for editors (pygls, the `server` extra)."""

from __future__ import annotations

import sys

from slimlint.findings import EXIT_ERROR

INSTALL_HINT = "pip install 'slimlint[server]' (or: pip install 'pygls>=2,<3')"


def serve() -> int:
    """Serve over stdio until the client says exit; the exit code (0 after shutdown and exit)."""
    try:
        from pygls.lsp.server import LanguageServer  # noqa: F401  (pygls 2: 1.x has no pygls.lsp.server)
    except ImportError:
        sys.stderr.write(f"slimlint: error: `slimlint server` needs pygls 2, which is not installed: {INSTALL_HINT}\n")
        return EXIT_ERROR
    from slimlint.server.protocol import run

    return run()
