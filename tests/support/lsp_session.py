"""A real LSP client session (pygls's LanguageClient) against `python -m slimlint server` over stdio.

Used by tests/test_server.py and benchmarks/server_latency.py. Applying an edit here is written
independently of slimlint.server.positions, so the tests check the server's positions against it.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path


class Session:
    def __init__(self, cwd: Path, position_encodings: Optional[Sequence[str]] = None, resolve: bool = False) -> None:
        self.cwd = Path(cwd)
        self.client = LanguageClient("slimlint-tests", "1")
        self.published: Dict[str, List[lsp.PublishDiagnosticsParams]] = {}
        self.arrived = asyncio.Event()
        self.encodings = position_encodings
        self.resolve_edits = resolve  # the client resolves code actions' edits (codeAction/resolve), as VS Code
        self.capabilities: Optional[lsp.ServerCapabilities] = None

        @self.client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def _published(params: lsp.PublishDiagnosticsParams) -> None:
            self.published.setdefault(params.uri, []).append(params)
            self.arrived.set()

    async def start(self) -> "Session":
        env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
        await self.client.start_io(sys.executable, "-m", "slimlint", "server", cwd=str(self.cwd), env=env)
        general = lsp.GeneralClientCapabilities(position_encodings=list(self.encodings)) if self.encodings else None
        resolve = lsp.ClientCodeActionResolveOptions(properties=["edit"]) if self.resolve_edits else None
        capabilities = lsp.ClientCapabilities(
            general=general,
            text_document=lsp.TextDocumentClientCapabilities(code_action=lsp.CodeActionClientCapabilities(
                data_support=self.resolve_edits, resolve_support=resolve)),
            workspace=lsp.WorkspaceClientCapabilities(workspace_edit=lsp.WorkspaceEditClientCapabilities(document_changes=True)))
        result = await asyncio.wait_for(self.client.initialize_async(lsp.InitializeParams(
            capabilities=capabilities, root_uri=from_fs_path(str(self.cwd)), process_id=os.getpid())), 60)
        self.capabilities = result.capabilities
        self.client.initialized(lsp.InitializedParams())
        return self

    @staticmethod
    def uri(path: Path) -> str:
        return from_fs_path(str(path))

    def open(self, path: Path, text: str, version: int = 1) -> None:
        self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(
            lsp.TextDocumentItem(uri=self.uri(path), language_id="python", version=version, text=text)))

    def change(self, path: Path, text: str, version: int) -> None:
        self.client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(uri=self.uri(path), version=version),
            [lsp.TextDocumentContentChangeWholeDocument(text=text)]))

    def save(self, path: Path) -> None:
        self.client.text_document_did_save(lsp.DidSaveTextDocumentParams(lsp.TextDocumentIdentifier(self.uri(path))))

    async def diagnostics(self, path: Path, version: int, timeout: float = 60) -> List[lsp.Diagnostic]:
        """The diagnostics published for `path` at `version` (waiting for them)."""
        uri = self.uri(path)

        async def wait():
            while True:
                for params in self.published.get(uri, []):
                    if params.version == version:
                        return list(params.diagnostics)
                self.arrived.clear()
                await self.arrived.wait()

        return await asyncio.wait_for(wait(), timeout)

    async def code_actions(self, path: Path, range_: lsp.Range, diagnostics=(), only=None) -> List[lsp.CodeAction]:
        params = lsp.CodeActionParams(text_document=lsp.TextDocumentIdentifier(self.uri(path)), range=range_,
                                      context=lsp.CodeActionContext(diagnostics=list(diagnostics), only=only))
        return list(await asyncio.wait_for(self.client.text_document_code_action_async(params), 60) or [])

    async def resolve(self, action: lsp.CodeAction) -> lsp.CodeAction:
        return await asyncio.wait_for(self.client.code_action_resolve_async(action), 60)

    async def close(self) -> int:
        """shutdown, exit; the server's exit code."""
        await asyncio.wait_for(self.client.shutdown_async(None), 30)
        self.client.exit(None)
        await asyncio.wait_for(self.client.stop(), 30)
        return self.client._server.returncode

    async def stderr(self) -> str:
        return (await self.client._server.stderr.read()).decode("utf-8", "replace")


# --- applying an edit, in the client's terms ---------------------------------------------------------

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def offset(text: str, position: lsp.Position, encoding: str = "utf-16") -> int:
    """The offset of an LSP position: lines end at \\r\\n, \\r or \\n; characters counted in `encoding`."""
    lines = _LINE.findall(text)
    if position.line >= len(lines):
        return len(text)
    start = sum(len(line) for line in lines[:position.line])
    line = lines[position.line].rstrip("\r\n")
    width = {"utf-16": 2, "utf-32": 4, "utf-8": 1}[encoding]
    codec = {"utf-16": "utf-16-le", "utf-32": "utf-32-le", "utf-8": "utf-8"}[encoding]
    data = line.encode(codec, "surrogatepass")[:position.character * width]
    return start + len(data.decode(codec, "surrogatepass"))


def apply(text: str, edit: lsp.WorkspaceEdit, uri: str, version: Optional[int] = None) -> str:
    """`text` with the workspace edit's edits to `uri` applied (its pinned version checked when given)."""
    edits = []
    for change in edit.document_changes or []:
        assert change.text_document.uri == uri
        if version is not None:
            assert change.text_document.version == version, "edit pinned to another version"
        edits += change.edits
    edits += (edit.changes or {}).get(uri, [])
    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[:offset(text, e.range.start)] + e.new_text + text[offset(text, e.range.end):]
    return text
