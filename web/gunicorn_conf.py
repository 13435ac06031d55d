"""gunicorn's settings for Hearth, and workers that leave when their master dies.

    gunicorn -c python:hearth.web.gunicorn_conf hearth.web.wsgi:app

(the app may be left off: ``wsgi_app`` below names it). Options on the command line
win over this module, so ``--bind`` or ``--workers`` still work; docs/deploy.md runs
it under systemd.

Why the hooks
-------------
gunicorn's master watches its workers, and each sync worker checks that its master is
alive only when it is idle, between two waits of half the ``timeout``, and never while
requests keep arriving. When the master was killed with ``kill -9`` (the OOM killer, an
operator, a supervisor giving up), the orphaned workers kept the listening socket and
went on serving for 33 s, and a new master could not bind the port until they left
(issue 8, finding 10). So each worker asks the kernel to signal it when its parent dies
(Linux ``prctl(PR_SET_PDEATHSIG, SIGTERM)``), and on that signal, finding itself
orphaned, it

* closes its listening sockets at once, so a new master can bind the port while the
  old worker is still finishing;
* finishes the request in hand (gunicorn's graceful exit: the client gets its answer,
  a commit under way is not cut off), and takes no other;
* is killed by the kernel (``SIGALRM``, default action) when that request reaches
  ``timeout``, as the master would have killed it, since no master is left to.

Where the signal can be lost, the hooks look for themselves:

* between ``fork`` and ``prctl`` the master may already have died, so ``post_fork``
  checks the parent after asking;
* the death signal is forgotten when a process changes its user or group (gunicorn's
  ``user``/``group`` settings do so in the worker after ``post_fork``), so
  ``post_worker_init`` asks again, after the worker's own signal handlers are installed
  and the app is loaded, and checks the parent once more: a SIGTERM that arrived while
  the worker was still booting went to handlers inherited from the master and did
  nothing.

``PR_SET_PDEATHSIG`` fires when the *thread* that forked the worker ends, not the
process. gunicorn forks workers from its master's main thread, whose end is the
master's end, so this is the signal we want; a master that forked from a short-lived
thread would see its workers leave too early. A master with other threads hands its
children to a surviving thread first, so the signal comes while the worker's parent
is still the same process: that looks like a master's ordinary graceful stop, and is
treated as one (gunicorn's handler: finish and leave, port freed at exit). gunicorn's
control socket (25.1 and later) is such a thread; it is turned off below, which keeps
the master single-threaded and the port freed at once.

The handler runs in Python, at the worker's next bytecode: a worker stuck inside one
long C call (a slow database query) closes its sockets when that call returns. On
systems without ``prctl`` (not Linux) the hooks do nothing and gunicorn's own polling is
all there is; under systemd (docs/deploy.md) the unit stops the whole process group
whatever happens to the master.

The numbers
-----------
``timeout`` is sized for the request limits (hearth.rules.limits; MAX_CONTENT_LENGTH is
2 MiB): an evaluation of a case near the 20,000-event limit took 73 s when measured, so
a worker is given 120 s before the master decides it is stuck, and a graceful stop (a
deploy) waits as long for requests under way. ``max_requests`` (with jitter, so the
workers do not all restart together) bounds what a long-lived worker can accumulate.
The heartbeat file lives in /dev/shm, a memory filesystem, so a slow disk cannot make
a worker look dead.
"""
from __future__ import annotations

import ctypes
import math
import os
import signal
import socket
import sys
import time
from pathlib import Path

from hearth.web.config import worker_timeout

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
DEATH_SIGNAL = signal.SIGTERM

# --- settings (the environment may change the deployment-specific ones) ------------------
wsgi_app = "hearth.web.wsgi:app"
bind = [os.environ.get("HEARTH_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("HEARTH_WORKERS") or 2 * (os.cpu_count() or 1) + 1)
worker_class = "sync"
timeout = worker_timeout()
graceful_timeout = timeout
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None
# gunicornc's control socket: a thread in the master, at one path ($HOME/.gunicorn/gunicorn.ctl)
# for every gunicorn the user runs; Hearth is run by signals from its supervisor instead.
control_socket_disable = True


# --- the death signal -----------------------------------------------------------------------

def _libc():
    """The C library, for prctl; None where there is no prctl (not Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    return ctypes.CDLL(None, use_errno=True)


def ask_for_death_signal() -> bool:
    """Ask the kernel to send DEATH_SIGNAL to this process when its parent dies.

    False (and nothing done) where the kernel cannot; OSError if it refuses.
    """
    libc = _libc()
    if libc is None:
        return False
    if libc.prctl(PR_SET_PDEATHSIG, int(DEATH_SIGNAL), 0, 0, 0) != 0:
        number = ctypes.get_errno()
        raise OSError(number, f"prctl(PR_SET_PDEATHSIG) failed: {os.strerror(number)}")
    return True


def orphaned(worker) -> bool:
    """Has the master that forked this worker gone (the worker re-parented elsewhere)?"""
    return os.getppid() != worker.ppid


def release_listener(descriptor: int) -> None:
    """Let go of the listening socket behind `descriptor` while keeping the number valid.

    gunicorn's loop goes on selecting on and accepting from the descriptor until it sees
    ``alive`` is False, so closing it would make that loop fail (a closed socket object
    has no descriptor to select on). Instead the descriptor is pointed (dup2) at a
    non-blocking listening Unix socket with a kernel-chosen abstract name, which no one
    connects to: select never finds it ready, accept says "try again", and the port's
    listening socket, its last reference in this process gone, is released.
    """
    stand_in = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stand_in.bind("")  # Linux picks an unused abstract name
    stand_in.listen(1)
    stand_in.setblocking(False)
    os.dup2(stand_in.fileno(), descriptor, inheritable=False)
    stand_in.close()


def leave_now(worker) -> None:
    """An orphan's exit: free the port at once, finish the request in hand, then go.

    Releasing the listening sockets is what lets a new master bind; the worker's loop then
    ends (``alive`` is False) after the request it is serving, if any. The alarm is a
    kernel-enforced ceiling on that request, the one the master's timeout would have set.
    """
    worker.log.warning("Worker %s: its master (pid %s) has gone; closing the listening sockets and leaving",
                       worker.pid, worker.ppid)
    for listener in worker.sockets:
        release_listener(listener.fileno())
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(seconds_left(worker))
    worker.alive = False


def seconds_left(worker) -> int:
    """What the master would still have allowed the request in hand: `timeout` from the
    worker's last heartbeat (gunicorn beats just before taking a request), at least 1 s;
    graceful_timeout if there is no timeout."""
    if not worker.cfg.timeout:
        return max(1, int(worker.cfg.graceful_timeout))
    quiet = time.monotonic() - worker.tmp.last_update()
    return max(1, math.ceil(worker.cfg.timeout - quiet))


def post_fork(server, worker) -> None:
    """In the new worker, before anything else: ask for the death signal, then check
    that the master did not die before we asked."""
    if not ask_for_death_signal():
        server.log.info("No prctl on this system: workers notice a dead master only by polling")
        return
    if orphaned(worker):
        server.log.warning("Worker %s: its master (pid %s) died while it was being forked; leaving",
                           worker.pid, worker.ppid)
        sys.exit(0)


def post_worker_init(worker) -> None:
    """After the worker's handlers and app are set up: ask again (a change of user or group
    forgets the request), make SIGTERM from the kernel free the port, and check the parent
    once more in case it died while the worker was booting."""
    if not ask_for_death_signal():
        return
    graceful_exit = signal.getsignal(signal.SIGTERM)

    def on_sigterm(signum, frame):
        if orphaned(worker):
            leave_now(worker)
        if callable(graceful_exit):
            graceful_exit(signum, frame)

    signal.signal(signal.SIGTERM, on_sigterm)
    signal.siginterrupt(signal.SIGTERM, False)  # as gunicorn has it: requests are not disturbed
    if orphaned(worker):
        leave_now(worker)
