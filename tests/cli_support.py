"""`hearth` as its console script runs it, in this process.

The console script is ``hearth.web.cli:main``; this calls that same ``main`` with the same
arguments, under click's CliRunner isolation (its own stdin, stdout, stderr and environment
for the call, and the working folder asked for), and answers like ``subprocess.run``:
``returncode``, ``stdout``, ``stderr``. A new Python process costs about two seconds of
imports; the suite ran some two hundred of them, a minute and more of CI's twenty.

An exception that escapes ``main`` is what a user would see as a traceback: its traceback is
put into ``stderr`` and the return code is 1, so "never a traceback" checks still fail on it.
tests/test_cli.py keeps a few calls of the real console script in a new process. What a
command sets for its own process is put back after it: `evaluate --cases` freezes what is
loaded and turns the garbage collector's automatic collections off for its run
(hearth.engine.bulk.keep_loaded).
"""
from __future__ import annotations

import contextlib
import gc
import os
import traceback
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from hearth.web.cli import main


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


def hearth(*args, policies: Path | str, cwd: Path | str | None = None, env: dict | None = None,
           input: str | None = None) -> Ran:
    """Run ``hearth ARGS`` with HEARTH_POLICIES=policies (and ``env``), in ``cwd``."""
    variables = {"HEARTH_POLICIES": str(policies), **(env or {})}
    code, escaped = 0, ""
    collecting = gc.isenabled()
    with contextlib.chdir(cwd or os.getcwd()), CliRunner().isolation(input=input, env=variables) as streams:
        stdout, stderr = streams[0], streams[1]
        try:
            main([str(arg) for arg in args])
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        except Exception as exc:  # noqa: BLE001 - what a user would see as a traceback
            code, escaped = 1, "".join(traceback.format_exception(exc))
        out, err = stdout.getvalue().decode("utf-8", "replace"), stderr.getvalue().decode("utf-8", "replace")
    if collecting and not gc.isenabled():
        gc.unfreeze()
        gc.enable()
    return Ran(code, out, err + escaped)
