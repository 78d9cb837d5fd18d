"""Facts about processes: is one alive, when did it start, and dying with one's parent.

Used by leases (is the holder still running?) and by the transform's worker pool: a worker
must not outlive the run that started it, even when that run is killed with SIGKILL and has
no chance to stop its pool. Two independent safeguards, because either alone has a gap:

- Linux: prctl(PR_SET_PDEATHSIG, SIGKILL), so the kernel kills the worker when its parent
  thread exits. The worker's parent is the multiprocessing forkserver, which itself exits
  when the run's process is gone.
- Everywhere: a daemon thread that checks twice a second whether the run's process is still
  there (not dead, not a zombie, not a reused pid) and that the worker was not re-parented;
  if not, the worker exits at once. The resource tracker then sees its last client go and
  exits too.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
from pathlib import Path

WATCH_INTERVAL_S = 0.5
_PR_SET_PDEATHSIG = 1


def _proc_stat(pid: int) -> list[str] | None:
    """Fields 3.. of /proc/<pid>/stat (Linux), or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its last ")".
    return text[text.rindex(")") + 2 :].split()


def process_start(pid: int) -> str | None:
    """When process `pid` started, in clock ticks since boot (Linux); None elsewhere."""
    fields = _proc_stat(pid)
    return fields[19] if fields and len(fields) > 19 else None


def pid_alive(pid: int, started: str | None = None) -> bool:
    """Whether `pid` runs (not a zombie) and, when `started` is given, is that same process."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by another user
    fields = _proc_stat(pid)
    if fields is None:
        return True  # no /proc: existence is all we can tell
    if fields[0] in ("Z", "X"):
        return False  # killed, not yet reaped by its parent
    return started is None or (len(fields) > 19 and fields[19] == started)


def _die_with_parent_thread() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        pass  # the watchdog thread below still covers it


def bind_to_parent(parent_pid: int, parent_started: str | None) -> None:
    """Process-pool initializer: this worker ends as soon as the run `parent_pid` is gone."""
    _die_with_parent_thread()
    ppid = os.getppid()
    if not pid_alive(parent_pid, parent_started):  # it died before the prctl took hold
        os._exit(1)

    def watch() -> None:
        while True:
            threading.Event().wait(WATCH_INTERVAL_S)
            if os.getppid() != ppid or not pid_alive(parent_pid, parent_started):
                os._exit(1)  # no cleanup to do: a batch is only complete once its summary is

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
