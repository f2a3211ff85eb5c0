"""The LSP side: pygls handlers that lint open buffers, publish diagnostics and answer code actions.

Linting runs on one worker thread, so the loop keeps reading messages meanwhile; edits that arrive during a
run are coalesced into the next run, which reads the buffer as it then is (no timer: an edit's diagnostics
come as soon as the linter is free).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, Optional
from urllib.parse import unquote

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from slimlint import __version__
from slimlint.server import convert
from slimlint.server.session import Linter, Result


class _Held:
    """The last run over a buffer: the version it saw, what it found, and (on demand) its "fix all" text."""

    def __init__(self, uri: str, version: Optional[int], result: Result, text: convert.Text) -> None:
        self.uri = uri
        self.version = version
        self.result = result
        self.text = text
        self.fixed: Optional[Result] = None


class SlimlintServer(LanguageServer):
    def __init__(self) -> None:
        # Full sync: pygls applies incremental changes with str.splitlines, which also breaks lines at a form
        # feed or U+2028 (both legal in Python source) where the client does not; the whole text is always right.
        super().__init__("slimlint", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Full)
        self.linter = Linter()
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="slimlint-lint")
        self.held: Dict[str, _Held] = {}
        self.pending: Dict[str, None] = {}  # uris to lint, in order
        self.draining: Optional[asyncio.Task] = None
        self.logged: set = set()  # notes already in the client's log (not again at every keystroke)

    # --- linting -----------------------------------------------------------------------------------

    def request_lint(self, uri: str) -> None:
        self.pending[uri] = None
        if self.draining is None or self.draining.done():
            self.draining = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        while self.pending:
            uri = next(iter(self.pending))
            del self.pending[uri]
            doc = self.workspace.text_documents.get(unquote(uri))
            if doc is None or not _is_python(doc):
                continue  # closed meanwhile, or not Python (a notebook's JSON opened as text, say)
            version, text = doc.version, doc.source
            result = await self._run(_path(uri), text, fix=False)
            if unquote(uri) not in self.workspace.text_documents:
                continue
            held = _Held(uri, version, result, convert.Text(text, self.encoding))
            self.held[uri] = held
            for note in set(result.notes) - self.logged:
                self.logged.add(note)
                self.window_log_message(lsp.LogMessageParams(type=lsp.MessageType.Info, message=f"slimlint: {note}"))
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
                uri=uri, version=version, diagnostics=convert.diagnostics(result, held.text)))

    async def _run(self, path: Optional[Path], text: str, fix: bool) -> Result:
        try:
            return await asyncio.get_running_loop().run_in_executor(self.worker, self.linter.lint, path, text, fix)
        except Exception as exc:  # said in the editor and its log, never a dead server
            message = f"internal error: {type(exc).__name__}: {exc} (please report this)"
            self.window_log_message(lsp.LogMessageParams(type=lsp.MessageType.Error, message=f"slimlint: {message}"))
            return Result(text=text, error=message)

    @property
    def encoding(self) -> str:
        chosen = self.workspace.position_encoding
        return str(getattr(chosen, "value", chosen) or "utf-16")

    # --- code actions ------------------------------------------------------------------------------

    async def code_actions(self, params: lsp.CodeActionParams):
        uri = params.text_document.uri
        held = self.held.get(uri)
        if held is None:
            return None
        only = params.context.only
        # Edits cost a tree transform each (a fix-all, a fixing run): a client that resolves actions gets them
        # when the user picks one, not at every cursor move.
        lazy = self._resolves_edits()
        actions = []
        if convert.kind_wanted(lsp.CodeActionKind.QuickFix, only):
            for index in convert.fixable_at(held.result, held.text, params.range):
                action = convert.quick_fix(held.result.findings[index], held.text)
                actions.append(await self._complete(action, uri, held, index, lazy))
        if convert.kind_wanted(convert.FIX_ALL_KIND, only) and convert.applicable_fixes(held.result):
            actions.append(await self._complete(convert.fix_all(held.result), uri, held, None, lazy))
        return [a for a in actions if a.edit is not None or a.data is not None] or None

    async def resolve(self, action: lsp.CodeAction) -> lsp.CodeAction:
        data = action.data if isinstance(action.data, dict) else {}
        held = self.held.get(data.get("uri"))
        if held is not None and held.version == data.get("version"):  # else the text has moved on: no edit
            await self._complete(action, data["uri"], held, data.get("finding"), lazy=False)
        return action

    async def _complete(self, action: lsp.CodeAction, uri: str, held: "_Held", index: Optional[int], lazy: bool):
        """The action with its edit (finding `index`'s fix, or all fixes for None), or with what resolve needs."""
        if lazy:
            action.data = {"uri": uri, "version": held.version, "finding": index}
            return action
        action.data = None
        edit = await self._text_edit(held, index)
        action.edit = self._edit_builder(uri, held.version)(edit) if edit is not None else None
        return action

    async def _text_edit(self, held: "_Held", index: Optional[int]) -> Optional[lsp.TextEdit]:
        loop = asyncio.get_running_loop()
        if index is not None:
            finding = await loop.run_in_executor(self.worker, held.result.with_edits, index)
            return convert.fix_edit(finding, held.text) if finding.fix is not None and finding.fix.edits else None
        if held.fixed is None:  # computed once per version
            held.fixed = await self._run(_path(held.uri), held.result.text, fix=True)
        fixed = held.fixed.fixed
        return held.text.edit_to(fixed) if fixed is not None and fixed != held.text.text else None

    def _resolves_edits(self) -> bool:
        support = _capability(self.client_capabilities, "text_document", "code_action", "resolve_support")
        return support is not None and "edit" in (support.properties or [])

    def _edit_builder(self, uri: str, version: Optional[int]):
        """Edits pinned to the version that produced the diagnostics (a client refuses them on a newer text),
        when the client takes versioned edits."""
        versioned = bool(_capability(self.client_capabilities, "workspace", "workspace_edit", "document_changes"))

        def edit_for(text_edit: lsp.TextEdit) -> lsp.WorkspaceEdit:
            if versioned:
                doc = lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
                return lsp.WorkspaceEdit(document_changes=[lsp.TextDocumentEdit(text_document=doc, edits=[text_edit])])
            return lsp.WorkspaceEdit(changes={uri: [text_edit]})

        return edit_for

    def forget(self, uri: str) -> None:
        self.held.pop(uri, None)
        self.pending.pop(uri, None)
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def _capability(root, *names):
    for name in names:
        root = getattr(root, name, None)
        if root is None:
            return None
    return root


def _is_python(doc) -> bool:
    if doc.language_id:
        return doc.language_id == "python"
    return doc.uri.lower().endswith((".py", ".pyi"))


def _path(uri: str) -> Optional[Path]:
    """The file a buffer stands for; None for an unsaved `untitled:` one (checked alone, as unnamed stdin)."""
    fs_path = to_fs_path(uri)
    return Path(fs_path) if fs_path else None


def build() -> SlimlintServer:
    server = SlimlintServer()

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: SlimlintServer, params: lsp.DidOpenTextDocumentParams):
        ls.request_lint(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: SlimlintServer, params: lsp.DidChangeTextDocumentParams):
        ls.request_lint(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: SlimlintServer, params: lsp.DidSaveTextDocumentParams):
        # A saved file is context for the other open buffers (a model module their scripts import).
        ls.request_lint(params.text_document.uri)
        for uri in list(ls.held):
            ls.request_lint(uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: SlimlintServer, params: lsp.DidCloseTextDocumentParams):
        ls.forget(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION,
                    lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, convert.FIX_ALL_KIND],
                                          resolve_provider=True))
    async def code_action(ls: SlimlintServer, params: lsp.CodeActionParams):
        return await ls.code_actions(params)

    @server.feature(lsp.CODE_ACTION_RESOLVE)
    async def code_action_resolve(ls: SlimlintServer, action: lsp.CodeAction):
        return await ls.resolve(action)

    return server


class _OneLine(logging.Formatter):
    """A log record on one line: pygls logs a malformed message or a failed handler with its traceback."""

    def format(self, record: logging.LogRecord) -> str:
        exc = record.exc_info[1] if record.exc_info else None
        plain = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None, "stack_info": None})
        return super().format(plain) + (f" ({type(exc).__name__}: {exc})" if exc is not None else "")


def _log_to_stderr() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine("slimlint server: %(levelname)s: %(message)s"))
    log = logging.getLogger("pygls")
    log.addHandler(handler)
    log.setLevel(logging.WARNING)
    log.propagate = False


def run() -> int:
    _log_to_stderr()
    server = build()
    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr  # stdout carries the protocol: a stray print must not corrupt it
    try:
        server.start_io(sys.stdin.buffer, protocol_out)
    finally:
        server.worker.shutdown(wait=False, cancel_futures=True)
    # pygls swallows the exit notification's SystemExit: 0 after a shutdown request, 1 otherwise (LSP's rule).
    return 0 if getattr(server.protocol, "_shutdown", False) else 1
