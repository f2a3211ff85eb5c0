"""SL900: a file that does not parse (reported by the engine; the run goes on)."""

from __future__ import annotations

from slimlint.rules.base import Rule


class SyntaxError_(Rule):
    code = "SL900"
    name = "syntax-error"
    summary = "The file cannot be parsed as Python 3, so slimlint cannot check it."
    what_it_does = """
        Reports a file that LibCST cannot parse, with the line and column of the first error. TF1
        repositories often still hold Python 2 files (`print "..."`, `except Exception, e:`); the message says
        so when the error looks like Python 2. Also a file whose coding cookie names a codec Python does not
        know (`# -*- coding: future_fstrings -*-`, registered at run time by a package slimlint never runs),
        at 1:1. The rest of the run goes on. Files that cannot contain a
        finding (no batch norm, train op, update ops or mode flag in their text) are not parsed at all, so
        this is reported only for files slimlint needs to read.
    """
    why_bad = """
        A file slimlint cannot read is a file whose batch-norm and train-op mistakes go unseen.
    """
    example = """
        print "step %d" % step
    """
    use_instead = """
        print("step %d" % step)
    """
    fix_safety = """
        No fix is offered: porting a file to Python 3 is beyond a linter's job.
    """

    def check(self, ctx):
        return iter(())
