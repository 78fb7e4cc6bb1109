"""Run medbrief in a child process with a system library hidden, as on a machine without it.

Two ways, both real (WeasyPrint itself fails to load the library and takes its own fallback):

- ``namespace``: a private mount namespace (``unshare -m``, needs root) in which
  ``/dev/null`` is bind-mounted over the library's files, so the dynamic loader cannot
  load it; nothing outside the child sees the mount.
- ``dlopen``: the child refuses, in cffi's ``FFI.dlopen``, to open the library's names,
  exactly as the loader would if the file were absent (works everywhere, root or not).

:func:`hide` picks the namespace when this machine allows one, else the dlopen refusal.
"""

from __future__ import annotations

import ctypes.util
import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

_REFUSE_DLOPEN = """\
import re, runpy, sys
import cffi.api
hidden = re.compile(sys.argv[1])
real_dlopen = cffi.api.FFI.dlopen
def dlopen(self, name, *args, **kwargs):
    if isinstance(name, str) and hidden.search(name):
        raise OSError(f"cannot load library {name!r}: hidden by the test")
    return real_dlopen(self, name, *args, **kwargs)
cffi.api.FFI.dlopen = dlopen
sys.argv = sys.argv[2:]
if sys.argv[0] == "-c":
    sys.argv = sys.argv[1:]
    exec(compile(sys.argv[0], "<test>", "exec"), {"__name__": "__main__"})
else:
    runpy.run_path(sys.argv[0], run_name="__main__")
"""


def library_files(soname_stem: str) -> list[str]:
    """Real files (symlinks resolved) of a shared library, e.g. ``harfbuzz-subset``."""
    found = set()
    name = ctypes.util.find_library(soname_stem)
    dirs = {
        "/lib",
        "/usr/lib",
        "/lib64",
        "/usr/lib64",
        "/usr/local/lib",
        *glob.glob("/usr/lib/*-linux-gnu"),
        *glob.glob("/lib/*-linux-gnu"),
    }
    for folder in dirs:
        for path in glob.glob(f"{folder}/lib{soname_stem}.so*"):
            found.add(os.path.realpath(path))
    if name and os.path.isabs(name):
        found.add(os.path.realpath(name))
    return sorted(found)


def namespace_available() -> bool:
    """True when a private mount namespace can be made here (root, unshare permitted)."""
    if not shutil.which("unshare") or os.geteuid() != 0:
        return False
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    return probe.returncode == 0


def _names_pattern(soname_stem: str) -> str:
    return rf"(^|[/\\]|lib){soname_stem}([-.]|$)"


def hide(
    soname_stem: str,
    args: list[str],
    *,
    method: str | None = None,
    cwd: Path = REPO,
    timeout: float = 600,
) -> tuple[subprocess.CompletedProcess, str]:
    """Run ``python *args`` with the library hidden; return the run and the method used."""
    method = method or (
        "namespace" if namespace_available() and library_files(soname_stem) else "dlopen"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    if method == "namespace":
        mounts = " && ".join(f"mount --bind /dev/null '{f}'" for f in library_files(soname_stem))
        command = [
            "unshare",
            "-m",
            "sh",
            "-c",
            f'{mounts} && exec "$0" "$@"',
            sys.executable,
            *args,
        ]
    else:
        command = [sys.executable, "-c", _REFUSE_DLOPEN, _names_pattern(soname_stem), *args]
    run = subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)
    return run, method


ENGINE_PROBE = """\
from medbrief import environment
found = environment.engine()
print("subset", found.harfbuzz_subset, "error", found.error)
"""
"""Child code that prints whether WeasyPrint loaded HarfBuzz-Subset (and Pango)."""
