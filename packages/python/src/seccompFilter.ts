// A seccomp filter (classic BPF, as `bwrap --seccomp FD` loads it) that makes the system calls an
// analysis script has no use for fail with EPERM: tracing and reading other processes (ptrace,
// process_vm_*), kernel and namespace administration (mount, unshare, setns, bpf, modules, kexec,
// keys, clocks, swap, reboot), io_uring and handle-based opens (known sandbox escapes). Syscall
// numbers are from the kernel headers (asm/unistd_64.h for x86_64, asm-generic/unistd.h for
// arm64). Anything from another ABI (i386 via int 0x80, x32) is killed outright.

const DENIED = [
  'ptrace',
  'process_vm_readv',
  'process_vm_writev',
  'kcmp',
  'perf_event_open',
  'bpf',
  'userfaultfd',
  'kexec_load',
  'kexec_file_load',
  'init_module',
  'finit_module',
  'delete_module',
  'reboot',
  'swapon',
  'swapoff',
  'acct',
  'keyctl',
  'add_key',
  'request_key',
  'mount',
  'umount2',
  'pivot_root',
  'chroot',
  'unshare',
  'setns',
  'mount_setattr',
  'move_mount',
  'open_tree',
  'fsopen',
  'fsconfig',
  'fsmount',
  'fspick',
  'open_by_handle_at',
  'name_to_handle_at',
  'fanotify_init',
  'quotactl',
  'settimeofday',
  'clock_settime',
  'adjtimex',
  'clock_adjtime',
  'syslog',
  'vhangup',
  'io_uring_setup',
  'io_uring_enter',
  'io_uring_register',
  'personality',
  'iopl',
  'ioperm',
] as const;
export type DeniedSyscall = (typeof DENIED)[number];

const X86_64: Record<DeniedSyscall, number> = {
  ptrace: 101,
  process_vm_readv: 310,
  process_vm_writev: 311,
  kcmp: 312,
  perf_event_open: 298,
  bpf: 321,
  userfaultfd: 323,
  kexec_load: 246,
  kexec_file_load: 320,
  init_module: 175,
  finit_module: 313,
  delete_module: 176,
  reboot: 169,
  swapon: 167,
  swapoff: 168,
  acct: 163,
  keyctl: 250,
  add_key: 248,
  request_key: 249,
  mount: 165,
  umount2: 166,
  pivot_root: 155,
  chroot: 161,
  unshare: 272,
  setns: 308,
  mount_setattr: 442,
  move_mount: 429,
  open_tree: 428,
  fsopen: 430,
  fsconfig: 431,
  fsmount: 432,
  fspick: 433,
  open_by_handle_at: 304,
  name_to_handle_at: 303,
  fanotify_init: 300,
  quotactl: 179,
  settimeofday: 164,
  clock_settime: 227,
  adjtimex: 159,
  clock_adjtime: 305,
  syslog: 103,
  vhangup: 153,
  io_uring_setup: 425,
  io_uring_enter: 426,
  io_uring_register: 427,
  personality: 135,
  iopl: 172,
  ioperm: 173,
};
// arm64 has no iopl/ioperm; -1 entries are skipped.
const ARM64: Record<DeniedSyscall, number> = {
  ptrace: 117,
  process_vm_readv: 270,
  process_vm_writev: 271,
  kcmp: 272,
  perf_event_open: 241,
  bpf: 280,
  userfaultfd: 282,
  kexec_load: 104,
  kexec_file_load: 294,
  init_module: 105,
  finit_module: 273,
  delete_module: 106,
  reboot: 142,
  swapon: 224,
  swapoff: 225,
  acct: 89,
  keyctl: 219,
  add_key: 217,
  request_key: 218,
  mount: 40,
  umount2: 39,
  pivot_root: 41,
  chroot: 51,
  unshare: 97,
  setns: 268,
  mount_setattr: 442,
  move_mount: 429,
  open_tree: 428,
  fsopen: 430,
  fsconfig: 431,
  fsmount: 432,
  fspick: 433,
  open_by_handle_at: 265,
  name_to_handle_at: 264,
  fanotify_init: 262,
  quotactl: 60,
  settimeofday: 170,
  clock_settime: 112,
  adjtimex: 171,
  clock_adjtime: 266,
  syslog: 116,
  vhangup: 58,
  io_uring_setup: 425,
  io_uring_enter: 426,
  io_uring_register: 427,
  personality: 92,
  iopl: -1,
  ioperm: -1,
};

const AUDIT_ARCH = { x64: 0xc000003e, arm64: 0xc00000b7 } as const;
const X32_SYSCALL_BIT = 0x40000000;

// BPF opcodes (linux/filter.h) and seccomp return values (linux/seccomp.h).
const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGE_K = 0x35;
const RET_K = 0x06;
const RET_KILL_PROCESS = 0x80000000;
const RET_ERRNO = 0x00050000;
const RET_ALLOW = 0x7fff0000;
const EPERM = 1;
// struct seccomp_data: int nr at 0, __u32 arch at 4.
const OFFSET_NR = 0;
const OFFSET_ARCH = 4;

/** The syscalls the filter denies. */
export const DENIED_SYSCALLS: readonly DeniedSyscall[] = DENIED;

/** True when a filter can be built for this machine's architecture. */
export function seccompSupported(arch: string = process.arch): boolean {
  return arch === 'x64' || arch === 'arm64';
}

/** The filter as the bytes of a `struct sock_filter[]` (8 bytes per instruction, host byte order). */
export function buildSeccompFilter(arch: string = process.arch): Buffer {
  if (arch !== 'x64' && arch !== 'arm64') throw new Error(`no seccomp syscall table for ${arch}`);
  const table = arch === 'x64' ? X86_64 : ARM64;
  const numbers = [...new Set(DENIED.map((name) => table[name]).filter((n) => n >= 0))];
  const program: [number, number, number, number][] = [];
  program.push([LD_W_ABS, 0, 0, OFFSET_ARCH]);
  program.push([JEQ_K, 1, 0, AUDIT_ARCH[arch]]);
  program.push([RET_K, 0, 0, RET_KILL_PROCESS]);
  program.push([LD_W_ABS, 0, 0, OFFSET_NR]);
  if (arch === 'x64') {
    program.push([JGE_K, 0, 1, X32_SYSCALL_BIT]);
    program.push([RET_K, 0, 0, RET_KILL_PROCESS]);
  }
  // One comparison per denied number; a match jumps to the EPERM return after the list.
  numbers.forEach((nr, i) => program.push([JEQ_K, numbers.length - i, 0, nr]));
  program.push([RET_K, 0, 0, RET_ALLOW]);
  program.push([RET_K, 0, 0, RET_ERRNO | EPERM]);
  const out = Buffer.alloc(program.length * 8);
  program.forEach(([code, jt, jf, k], i) => {
    out.writeUInt16LE(code, i * 8);
    out.writeUInt8(jt, i * 8 + 2);
    out.writeUInt8(jf, i * 8 + 3);
    out.writeUInt32LE(k >>> 0, i * 8 + 4);
  });
  return out;
}
