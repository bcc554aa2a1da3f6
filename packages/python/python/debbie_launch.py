"""Starts a sandboxed run; runs before bubblewrap, as the sandbox's user, under prlimit.

usage: debbie_launch.py KEEP_FDS SCRATCH SIZE_BYTES MAX_INODES -- COMMAND ARGS...

1. Closes every file descriptor except 0, 1, 2 and KEEP_FDS (comma-separated: the seccomp
   program for bwrap and the result pipe). Descriptors the parent process opened without
   close-on-exec (a DuckDB store file, for one) would otherwise reach the script.
2. Unless SCRATCH is "-": in a user and mount namespace of its own, mounts one tmpfs on SCRATCH
   capped in size AND in inodes (bubblewrap's --size cannot cap inodes, so a million empty files
   would cost the host kernel memory), with the directories work/, tmp/ and shm/ that bubblewrap
   binds to /work, /tmp and /dev/shm. The mount lives only as long as the sandbox.
3. Replaces itself with COMMAND (bubblewrap, or the interpreter when isolation is off).
Exit code 125 and one line on stderr starting "debbie-launch:" when a step fails.
"""
import ctypes
import os
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_REC = 0x4000
MS_PRIVATE = 1 << 18


def fail(message):
    sys.stderr.write(f"debbie-launch: {message}\n")
    sys.stderr.flush()
    os._exit(125)


def close_inherited(keep):
    highest = 3
    for name in os.listdir("/proc/self/fd"):
        highest = max(highest, int(name) + 1)
    start = 3
    for fd in sorted(keep):
        if fd >= start:
            os.closerange(start, fd)
            start = fd + 1
    os.closerange(start, max(highest, start))


def mount_scratch(path, size, inodes):
    libc = ctypes.CDLL(None, use_errno=True)
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0:
        fail(f"unshare(user, mount) failed: {os.strerror(ctypes.get_errno())}")
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"0 {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"0 {gid} 1")
    if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        fail(f"making / private failed: {os.strerror(ctypes.get_errno())}")
    options = f"size={size},nr_inodes={inodes},mode=0700".encode()
    if libc.mount(b"debbie-scratch", path.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options) != 0:
        fail(f"mounting the scratch tmpfs on {path} failed: {os.strerror(ctypes.get_errno())}")
    for sub in ("work", "tmp", "shm"):
        os.mkdir(os.path.join(path, sub), 0o700)


def main():
    argv = sys.argv
    if len(argv) < 7 or argv[5] != "--":
        fail("usage: debbie_launch.py KEEP_FDS SCRATCH SIZE_BYTES MAX_INODES -- COMMAND ARGS...")
    keep = {int(x) for x in argv[1].split(",") if x}
    close_inherited(keep)
    if argv[2] != "-":
        mount_scratch(argv[2], int(argv[3]), int(argv[4]))
    command = argv[6:]
    try:
        os.execv(command[0], command)
    except OSError as exc:
        fail(f"cannot run {command[0]}: {exc.strerror}")


main()
