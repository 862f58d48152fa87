/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <sched.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/shm.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardening-options.h"
#include "seccomp-filter.h"
#include "syscall-groups.h"
#include "strv.h"

#define FOREACH_NAME(x, ...)                                                                       \
        for (const char *const *x##_l = (const char *const[]) { __VA_ARGS__, NULL }, *x; (x = *x##_l); x##_l++)

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const unsigned long namespace_flags[] = {
        CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWTIME,
};

static int add_rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n_args, const struct scmp_arg_cmp *args) {
        int nr = seccomp_syscall_resolve_name(name);
        int r;

        if (nr == __NR_SCMP_ERROR || nr < 0)
                return 0; /* not a syscall of this arch */
        r = seccomp_rule_add_array(ctx, action, nr, n_args, args);
        /* -EEXIST: already covered by an unconditional rule, -EACCES: same action as the default. */
        if (r == -EEXIST || r == -EACCES)
                return 0;
        return r;
}

static bool is_argument_checked(const SandboxOptions *o, const char *name);

/* What seccomp_filter_build() hands out: the program to load (struct sock_fprog and its
 * instructions in one allocation, freed with free()), libseccomp's filter behind a prefix of ours. The prefix answers ENOSYS for every native syscall from the first number
 * libseccomp cannot name: a kernel newer than libseccomp has calls in no list (under a deny
 * list they would run, open_tree_attr() beside the denied open_tree(); under an allow list
 * they would get its errno, on which a libc does not fall back). Built once, in the init; the
 * child that execs only loads it. */

#define X32_SYSCALL_BIT 0x40000000U
#define PREFIX_MAX 128

/* The syscalls after clone3(), in the kernel's order (the numbers are shared by every arch since
 * 424), up to 6.18's. The first number past the newest of them that libseccomp knows is where
 * the unknown start: like systemd's @known, a call newer than this list answers ENOSYS even
 * once libseccomp learns its name, until it is added here. */
static const char *const newer_syscalls[] = {
        "close_range", "openat2", "pidfd_getfd", "faccessat2", "process_madvise", "epoll_pwait2",
        "mount_setattr", "quotactl_fd", "landlock_create_ruleset", "landlock_add_rule",
        "landlock_restrict_self", "memfd_secret", "process_mrelease", "futex_waitv",
        "set_mempolicy_home_node", "cachestat", "fchmodat2", "map_shadow_stack", "futex_wake",
        "futex_wait", "futex_requeue", "statmount", "listmount", "lsm_get_self_attr",
        "lsm_set_self_attr", "lsm_list_modules", "mseal", "setxattrat", "getxattrat", "listxattrat",
        "removexattrat", "open_tree_attr", "file_getattr", "file_setattr",
};

/* Name lookups only: libseccomp's number-to-name lookup faults in its tables, a fraction of a
 * millisecond in a fresh process. 0 if it cannot tell. */
static uint32_t first_unknown_syscall(void) {
        int last = seccomp_syscall_resolve_name("clone3");

        if (last < 0)
                return 0;
        for (size_t i = ELEMENTSOF(newer_syscalls); i > 0; i--) {
                int nr = seccomp_syscall_resolve_name(newer_syscalls[i - 1]);

                if (nr > last) {
                        last = nr;
                        break;
                }
        }
        return (uint32_t) last + 1;
}

/* The prefix is assembled with symbolic forward jumps, resolved once it is complete. */
typedef enum PrefixLabel {
        LABEL_NONE,
        LABEL_LIB, /* libseccomp's program: right after the prefix */
        LABEL_ENOSYS,
        LABEL_PERSONALITY,
        LABEL_SOCKET,
        LABEL_FAMILY_HIGH,
        LABEL_FAMILY_LOW_OK,
        LABEL_NETLINK,
        LABEL_INET,
        LABEL_MMAP,
        LABEL_MPROTECT,
        LABEL_SHMAT,
        LABEL_SCHED,
        LABEL_EPERM,
        LABEL_EAFNOSUPPORT,
        LABEL_EPROTONOSUPPORT,
        _LABEL_MAX,
} PrefixLabel;

typedef struct Prefix {
        struct sock_filter insns[PREFIX_MAX];
        PrefixLabel jt[PREFIX_MAX], jf[PREFIX_MAX], ja[PREFIX_MAX];
        int at[_LABEL_MAX];
        size_t n;
        bool overflow;
} Prefix;

static void emit(Prefix *p, struct sock_filter insn, PrefixLabel jt, PrefixLabel jf) {
        if (p->n >= PREFIX_MAX) {
                p->overflow = true;
                return;
        }
        p->jt[p->n] = jt;
        p->jf[p->n] = jf;
        p->ja[p->n] = LABEL_NONE;
        p->insns[p->n++] = insn;
}

static void emit_jump(Prefix *p, PrefixLabel to) {
        emit(p, (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JA, 0, 0, 0), LABEL_NONE, LABEL_NONE);
        if (!p->overflow)
                p->ja[p->n - 1] = to;
}

static void label(Prefix *p, PrefixLabel l) {
        p->at[l] = (int) p->n;
}

static int resolve(Prefix *p) {
        if (p->overflow)
                return -E2BIG;
        p->at[LABEL_LIB] = (int) p->n;
        for (size_t i = 0; i < p->n; i++) {
                if (p->ja[i] != LABEL_NONE)
                        p->insns[i].k = (uint32_t) (p->at[p->ja[i]] - (int) i - 1);
                FOREACH_NAME(which, "jt", "jf") {
                        PrefixLabel l = which[1] == 't' ? p->jt[i] : p->jf[i];
                        int off;

                        if (l == LABEL_NONE)
                                continue;
                        off = p->at[l] - (int) i - 1;
                        if (p->at[l] < 0 || off < 0 || off > 255)
                                return -EINVAL;
                        if (which[1] == 't')
                                p->insns[i].jt = (uint8_t) off;
                        else
                                p->insns[i].jf = (uint8_t) off;
                }
        }
        return 0;
}

/* Offsets of the two 32-bit halves of a 64-bit argument in struct seccomp_data. */
#if __BYTE_ORDER == __LITTLE_ENDIAN
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define ARG_HI(i) (offsetof(struct seccomp_data, args) + 8 * (i) + 4)
#else
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i) + 4)
#define ARG_HI(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#endif

#define LD_ABS(off) ((struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t) (off)))
#define JEQ(k) ((struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t) (k), 0, 0))
#define JGE(k) ((struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t) (k), 0, 0))
#define JSET(k) ((struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, (uint32_t) (k), 0, 0))
#define RET(k) ((struct sock_filter) BPF_STMT(BPF_RET | BPF_K, (uint32_t) (k)))

/* A bit of mask, the bit number in A: jumps to yes if set, else to no. X is clobbered. */
static void emit_bit_test(Prefix *p, uint32_t mask, PrefixLabel yes, PrefixLabel no) {
        emit(p, (struct sock_filter) BPF_STMT(BPF_MISC | BPF_TAX, 0), LABEL_NONE, LABEL_NONE);
        emit(p, (struct sock_filter) BPF_STMT(BPF_LD | BPF_IMM, mask), LABEL_NONE, LABEL_NONE);
        emit(p, (struct sock_filter) BPF_STMT(BPF_ALU | BPF_RSH | BPF_X, 0), LABEL_NONE, LABEL_NONE);
        emit(p, JSET(1), yes, no);
}

/* Our prefix, for the native arch: ENOSYS for every syscall from the first number libseccomp
 * cannot name (a kernel newer than libseccomp has calls in no list: under a deny list they
 * would run, open_tree_attr() beside the denied open_tree(); under an allow list they would
 * get its errno, on which a libc does not fall back), and the argument checks that are cheaper
 * written by hand than as libseccomp rules (one comparison per rule: dozens of them), each
 * passing what it allows on to libseccomp's program:
 *   personality(2), LockPersonality=: the query 0xffffffff and PER_LINUX, as the kernel sees
 *   its 32-bit argument, with nothing in the upper half; unlocked, READ_IMPLIES_EXEC and
 *   ADDR_NO_RANDOMIZE stay refused but for the query. EPERM, as systemd answers.
 *   socket(2), RestrictAddressFamilies=: a family (an int: nothing in the upper half, below 64)
 *   in o->address_families, else EAFNOSUPPORT as systemd answers; for AF_NETLINK a protocol in
 *   o->netlink_protocols, else EPROTONOSUPPORT as the kernel answers for one it lacks; for
 *   AF_INET and AF_INET6 inet_protocols_default[] or one of o->ip_protocols, or any with SOCK_RAW,
 *   else EPROTONOSUPPORT: the first socket() naming SCTP or DCCP would have the kernel load its
 *   module (request_module() as the host's root, from any user namespace), which systemd's
 *   RestrictAddressFamilies= lets happen.
 *   MemoryDenyWriteExecute=, as systemd 252: mmap(2) with PROT_WRITE and PROT_EXEC both,
 *   mprotect(2) and pkey_mprotect(2) with PROT_EXEC, shmat(2) with SHM_EXEC: EPERM.
 *   RestrictRealtime=, as systemd 252: sched_setscheduler(2) to SCHED_FIFO, SCHED_RR or any
 *   policy above SCHED_IDLE (SCHED_DEADLINE, SCHED_RESET_ON_FORK with any): EPERM; and, where
 *   systemd lets it pass, sched_setattr(2), whose policy is in memory a filter cannot read.
 *   Each reads the low half of its argument only: the kernel takes an int or a flag word. */
/* What socket() of AF_INET and AF_INET6 may name by default: the default (0), TCP, UDP, UDP-Lite,
 * ICMP and ICMPv6 (ping sockets). */
static const uint32_t inet_protocols_default[] = { 0, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDPLITE, IPPROTO_ICMP,
                                                    IPPROTO_ICMPV6 };

static int build_prefix(const SandboxOptions *o, uint32_t unknown_from, uint32_t eperm, Prefix *p) {
        int nr_personality = seccomp_syscall_resolve_name("personality"),
            nr_socket = seccomp_syscall_resolve_name("socket");

        *p = (Prefix) {};
        for (int i = 0; i < _LABEL_MAX; i++)
                p->at[i] = -1;

        emit(p, LD_ABS(offsetof(struct seccomp_data, arch)), LABEL_NONE, LABEL_NONE);
        emit(p, JEQ(seccomp_arch_native()), LABEL_NONE, LABEL_LIB); /* another arch: libseccomp kills it */
        emit(p, LD_ABS(offsetof(struct seccomp_data, nr)), LABEL_NONE, LABEL_NONE);
        emit(p, JGE(X32_SYSCALL_BIT), LABEL_LIB, LABEL_NONE);
        emit(p, JGE(unknown_from), LABEL_ENOSYS, LABEL_NONE);
        if (nr_personality >= 0)
                emit(p, JEQ(nr_personality), LABEL_PERSONALITY, LABEL_NONE);
        if (nr_socket >= 0)
                emit(p, JEQ(nr_socket), LABEL_SOCKET, LABEL_NONE);
        if (o->memory_deny_write_execute) {
                FOREACH_NAME(n, "mmap", "mmap2") {
                        int nr = seccomp_syscall_resolve_name(n);
                        if (nr >= 0)
                                emit(p, JEQ(nr), LABEL_MMAP, LABEL_NONE);
                }
                FOREACH_NAME(n, "mprotect", "pkey_mprotect") {
                        int nr = seccomp_syscall_resolve_name(n);
                        if (nr >= 0)
                                emit(p, JEQ(nr), LABEL_MPROTECT, LABEL_NONE);
                }
                if (seccomp_syscall_resolve_name("shmat") >= 0)
                        emit(p, JEQ(seccomp_syscall_resolve_name("shmat")), LABEL_SHMAT, LABEL_NONE);
        }
        if (o->restrict_realtime) {
                if (seccomp_syscall_resolve_name("sched_setscheduler") >= 0)
                        emit(p, JEQ(seccomp_syscall_resolve_name("sched_setscheduler")), LABEL_SCHED, LABEL_NONE);
                if (seccomp_syscall_resolve_name("sched_setattr") >= 0)
                        emit(p, JEQ(seccomp_syscall_resolve_name("sched_setattr")), LABEL_EPERM, LABEL_NONE);
        }
        emit_jump(p, LABEL_LIB);
        label(p, LABEL_ENOSYS);
        emit(p, RET(SECCOMP_RET_ERRNO | ENOSYS), LABEL_NONE, LABEL_NONE);

        label(p, LABEL_PERSONALITY);
        if (o->lock_personality) {
                emit(p, LD_ABS(ARG_HI(0)), LABEL_NONE, LABEL_NONE);
                emit(p, JEQ(0), LABEL_NONE, LABEL_EPERM);
                emit(p, LD_ABS(ARG_LO(0)), LABEL_NONE, LABEL_NONE);
                emit(p, JEQ(PER_LINUX), LABEL_LIB, LABEL_NONE);
                emit(p, JEQ(0xffffffffU), LABEL_LIB, LABEL_EPERM);
        } else {
                emit(p, LD_ABS(ARG_LO(0)), LABEL_NONE, LABEL_NONE);
                emit(p, JEQ(0xffffffffU), LABEL_LIB, LABEL_NONE);
                emit(p, JSET(READ_IMPLIES_EXEC | ADDR_NO_RANDOMIZE), LABEL_EPERM, LABEL_LIB);
        }

        label(p, LABEL_SOCKET);
        emit(p, LD_ABS(ARG_HI(0)), LABEL_NONE, LABEL_NONE);
        emit(p, JEQ(0), LABEL_NONE, LABEL_EAFNOSUPPORT);
        emit(p, LD_ABS(ARG_LO(0)), LABEL_NONE, LABEL_NONE);
        emit(p, JGE(64), LABEL_EAFNOSUPPORT, LABEL_NONE);
        emit(p, JGE(32), LABEL_FAMILY_HIGH, LABEL_NONE);
        emit_bit_test(p, (uint32_t) o->address_families, LABEL_FAMILY_LOW_OK, LABEL_EAFNOSUPPORT);
        label(p, LABEL_FAMILY_HIGH);
        emit(p, (struct sock_filter) BPF_STMT(BPF_ALU | BPF_SUB | BPF_K, 32), LABEL_NONE, LABEL_NONE);
        emit_bit_test(p, (uint32_t) (o->address_families >> 32), LABEL_LIB, LABEL_EAFNOSUPPORT);
        label(p, LABEL_FAMILY_LOW_OK);
        emit(p, (struct sock_filter) BPF_STMT(BPF_MISC | BPF_TXA, 0), LABEL_NONE, LABEL_NONE);
        emit(p, JEQ(AF_NETLINK), LABEL_NETLINK, LABEL_NONE);
        emit(p, JEQ(AF_INET), LABEL_INET, LABEL_NONE);
        emit(p, JEQ(AF_INET6), LABEL_INET, LABEL_LIB);
        label(p, LABEL_NETLINK);
        emit(p, LD_ABS(ARG_HI(2)), LABEL_NONE, LABEL_NONE);
        emit(p, JEQ(0), LABEL_NONE, LABEL_EPROTONOSUPPORT);
        emit(p, LD_ABS(ARG_LO(2)), LABEL_NONE, LABEL_NONE);
        emit(p, JGE(32), LABEL_EPROTONOSUPPORT, LABEL_NONE);
        emit_bit_test(p, o->netlink_protocols, LABEL_LIB, LABEL_EPROTONOSUPPORT);
        label(p, LABEL_INET);
        emit(p, LD_ABS(ARG_HI(2)), LABEL_NONE, LABEL_NONE);
        emit(p, JEQ(0), LABEL_NONE, LABEL_EPROTONOSUPPORT);
        emit(p, LD_ABS(ARG_LO(2)), LABEL_NONE, LABEL_NONE);
        for (size_t i = 0; i < ELEMENTSOF(inet_protocols_default); i++)
                emit(p, JEQ(inet_protocols_default[i]), LABEL_LIB, LABEL_NONE);
        for (IPProtocolOptIn i = 0; i < _IP_PROTOCOL_OPT_IN_MAX; i++)
                if (o->ip_protocols & (UINT32_C(1) << i))
                        emit(p, JEQ(ip_protocol_opt_in_number(i)), LABEL_LIB, LABEL_NONE);
        emit(p, LD_ABS(ARG_LO(1)), LABEL_NONE, LABEL_NONE);
        emit(p, (struct sock_filter) BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xf), LABEL_NONE, LABEL_NONE); /* SOCK_TYPE_MASK */
        emit(p, JEQ(SOCK_RAW), LABEL_LIB, LABEL_EPROTONOSUPPORT);

        if (o->memory_deny_write_execute) {
                label(p, LABEL_MMAP);
                emit(p, LD_ABS(ARG_LO(2)), LABEL_NONE, LABEL_NONE);
                emit(p, (struct sock_filter) BPF_STMT(BPF_ALU | BPF_AND | BPF_K, PROT_WRITE | PROT_EXEC), LABEL_NONE,
                     LABEL_NONE);
                emit(p, JEQ(PROT_WRITE | PROT_EXEC), LABEL_EPERM, LABEL_LIB);
                label(p, LABEL_MPROTECT);
                emit(p, LD_ABS(ARG_LO(2)), LABEL_NONE, LABEL_NONE);
                emit(p, JSET(PROT_EXEC), LABEL_EPERM, LABEL_LIB);
                label(p, LABEL_SHMAT);
                emit(p, LD_ABS(ARG_LO(2)), LABEL_NONE, LABEL_NONE);
                emit(p, JSET(SHM_EXEC), LABEL_EPERM, LABEL_LIB);
        }
        if (o->restrict_realtime) {
                label(p, LABEL_SCHED);
                emit(p, LD_ABS(ARG_LO(1)), LABEL_NONE, LABEL_NONE);
                emit(p, JEQ(SCHED_FIFO), LABEL_EPERM, LABEL_NONE);
                emit(p, JEQ(SCHED_RR), LABEL_EPERM, LABEL_NONE);
                emit(p, JGE(SCHED_IDLE + 1), LABEL_EPERM, LABEL_LIB);
        }

        label(p, LABEL_EPERM);
        emit(p, RET(eperm), LABEL_NONE, LABEL_NONE);
        label(p, LABEL_EAFNOSUPPORT);
        emit(p, RET(SECCOMP_RET_ERRNO | EAFNOSUPPORT), LABEL_NONE, LABEL_NONE);
        label(p, LABEL_EPROTONOSUPPORT);
        emit(p, RET(SECCOMP_RET_ERRNO | EPROTONOSUPPORT), LABEL_NONE, LABEL_NONE);
        return resolve(p);
}

/* libseccomp's program (seccomp_export_bpf() writes it to an fd: a pipe, cheaper to make than a
 * memfd, non-blocking so that a program too long for it fails instead of hanging) behind our
 * prefix; its jumps are relative, so it runs unchanged after the prefix. Other architectures
 * and x32 go straight to it, and it kills them. Releases ctx before the program is copied out,
 * so the copy, kept for the init's life, lands low in the heap rather than above the freed rule
 * database, where it would keep a page. */
static int build_program(const SandboxOptions *o, scmp_filter_ctx ctx, bool learn, struct sock_fprog **ret) {
        uint32_t unknown_from = first_unknown_syscall();
        _cleanup_close_ int rfd = -EBADF, wfd = -EBADF;
        struct sock_filter *insns;
        struct sock_fprog *prog;
        int fds[2], avail, r;
        Prefix prefix;
        size_t n;

        /* Without a first unknown number there is nothing to answer ENOSYS to: past x32's bit. */
        r = build_prefix(o, unknown_from == 0 ? X32_SYSCALL_BIT : unknown_from,
                         learn ? SECCOMP_RET_USER_NOTIF : SECCOMP_RET_ERRNO | EPERM, &prefix);
        if (r < 0) {
                seccomp_release(ctx);
                return r;
        }
        if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
                r = negative_errno();
                seccomp_release(ctx);
                return r;
        }
        rfd = fds[0];
        wfd = fds[1];
        r = seccomp_export_bpf(ctx, wfd);
        seccomp_release(ctx);
        if (r < 0)
                return r == -EAGAIN ? -E2BIG : r;
        wfd = safe_close(wfd);

        /* Exactly what is in the pipe: a page fault costs tens of microseconds in a VM. */
        if (ioctl(rfd, FIONREAD, &avail) < 0)
                return negative_errno();
        if (avail <= 0 || avail % sizeof(struct sock_filter) != 0)
                return -EIO;
        n = (size_t) avail;
        if (n / sizeof(struct sock_filter) + prefix.n > BPF_MAXINSNS)
                return -E2BIG;
        prog = malloc(sizeof(*prog) + prefix.n * sizeof(struct sock_filter) + n);
        if (!prog)
                return -ENOMEM;
        insns = (struct sock_filter *) (prog + 1);
        memcpy(insns, prefix.insns, prefix.n * sizeof(struct sock_filter));
        if (read(rfd, insns + prefix.n, n) != (ssize_t) n) {
                free(prog);
                return -EIO;
        }
        *prog = (struct sock_fprog) {
                .len = (unsigned short) (n / sizeof(struct sock_filter) + prefix.n),
                .filter = insns,
        };
        *ret = prog;
        return 0;
}

/* The deny list's action for name: its own errno (SystemCallFilter=~NAME:ERRNO), else action;
 * learning, always the notification. */
static uint32_t deny_action(const SandboxOptions *o, uint32_t action, const char *name) {
        int e = syscall_errno_get(o->system_call_errno, name);

        if (e == SYSCALL_ERRNO_NONE || action == SCMP_ACT_NOTIFY)
                return action;
        return e == SANDBOX_SYSCALL_KILL ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_ERRNO((uint32_t) e);
}

static int add_names(scmp_filter_ctx ctx, const SandboxOptions *o, uint32_t action, char **names) {
        int r;

        for (char **n = names; n && *n; n++) {
                if (is_argument_checked(o, *n))
                        continue;
                r = add_rule(ctx, deny_action(o, action, *n), *n, 0, NULL);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Whether the default deny list keeps name: not if [Isolate] AllowSystemCalls= takes it out, nor
 * syslog(2) once ProtectKernelLogs= is off. */
static bool default_denies(const SandboxOptions *o, const char *name) {
        if (strv_contains(o->allow_system_calls, name))
                return false;
        /* With namespaces allowed, setns(2) is checked by its argument. */
        if (strcmp(name, "setns") == 0 && sandbox_namespaces_allowed(o) != 0)
                return false;
        return o->protect_kernel_logs || strcmp(name, "syslog") != 0;
}

static int expand_default_deny(const SandboxOptions *o, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        int r;

        for (const char *const *d = sandbox_default_syscall_deny; *d; d++) {
                const char *const *members = (*d)[0] == '@' ? syscall_group_members(*d) : NULL;

                if ((*d)[0] != '@') {
                        if (!default_denies(o, *d))
                                continue;
                        r = strv_extend(&l, *d);
                        if (r < 0)
                                return r;
                        continue;
                }
                for (const char *const *m = members; m && *m; m++) {
                        if (!default_denies(o, *m))
                                continue;
                        r = strv_extend(&l, *m);
                        if (r < 0)
                                return r;
                }
        }
        /* ProtectClock=: @clock, whatever [Isolate] AllowSystemCalls= takes out of the defaults. */
        if (o->protect_clock)
                for (const char *const *m = syscall_group_members("@clock"); m && *m; m++)
                        if (!strv_contains(l, *m)) {
                                r = strv_extend(&l, *m);
                                if (r < 0)
                                        return r;
                        }
        *ret = TAKE_PTR(l);
        return 0;
}

#define NAMESPACE_FLAGS                                                                                            \
        (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |   \
         CLONE_NEWTIME)

/* The calls refused by argument only, for deny and allow lists alike. */
static const char *const argument_checked[] = { "unshare", "clone", "ioctl" };

/* RestrictSUIDSGID=: the calls that set a mode, and which argument holds it (and the open
 * flags, for those that only create with O_CREAT or O_TMPFILE), as systemd's
 * seccomp_restrict_suid_sgid(). openat2() carries its mode in memory a filter cannot read:
 * ENOSYS, on which libcs and programs fall back to openat(). */
static const struct {
        const char *name;
        unsigned mode_arg;
        int flags_arg; /* -1: none */
} mode_calls[] = {
        { "chmod", 1, -1 },  { "fchmod", 1, -1 }, { "fchmodat", 2, -1 }, { "fchmodat2", 2, -1 },
        { "mkdir", 1, -1 },  { "mkdirat", 2, -1 }, { "mknod", 1, -1 },   { "mknodat", 2, -1 },
        { "creat", 1, -1 },  { "open", 2, 1 },    { "openat", 3, 2 },
};

#define SUID_SGID_BITS ((unsigned long) (S_ISUID | S_ISGID))
#define CREATE_FLAGS ((unsigned long) O_CREAT | ((unsigned long) O_TMPFILE & ~(unsigned long) O_DIRECTORY))

static bool is_mode_call(const char *name) {
        if (strcmp(name, "openat2") == 0)
                return true;
        for (size_t i = 0; i < ELEMENTSOF(mode_calls); i++)
                if (strcmp(name, mode_calls[i].name) == 0)
                        return true;
        return false;
}

static bool is_argument_checked(const SandboxOptions *o, const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(argument_checked); i++)
                if (strcmp(name, argument_checked[i]) == 0)
                        return true;
        if (strcmp(name, "setns") == 0 && sandbox_namespaces_allowed(o) != 0)
                return true;
        return o->restrict_suid_sgid && is_mode_call(name);
}

/* Deny list: a set-user-ID or set-group-ID bit in a mode is EPERM (a notification while
 * learning); openat2() ENOSYS. */
static int add_suid_sgid_denials(scmp_filter_ctx ctx, uint32_t deny) {
        uint32_t eperm = deny == SCMP_ACT_NOTIFY ? SCMP_ACT_NOTIFY : SCMP_ACT_ERRNO(EPERM);
        static const unsigned long bits[] = { S_ISUID, S_ISGID };
        /* What makes open() and openat() create: O_TMPFILE without the O_DIRECTORY it includes. */
        static const unsigned long creating[] = { O_CREAT, (unsigned long) O_TMPFILE & ~(unsigned long) O_DIRECTORY };
        int r;

        for (size_t i = 0; i < ELEMENTSOF(mode_calls); i++)
                for (size_t b = 0; b < ELEMENTSOF(bits); b++) {
                        struct scmp_arg_cmp a[2] = {
                                { .arg = mode_calls[i].mode_arg, .op = SCMP_CMP_MASKED_EQ, .datum_a = bits[b],
                                  .datum_b = bits[b] },
                        };

                        if (mode_calls[i].flags_arg < 0) {
                                r = add_rule(ctx, eperm, mode_calls[i].name, 1, a);
                                if (r < 0)
                                        return r;
                                continue;
                        }
                        for (size_t f = 0; f < ELEMENTSOF(creating); f++) {
                                a[1] = (struct scmp_arg_cmp) { .arg = (unsigned) mode_calls[i].flags_arg,
                                                               .op = SCMP_CMP_MASKED_EQ,
                                                               .datum_a = creating[f],
                                                               .datum_b = creating[f] };
                                r = add_rule(ctx, eperm, mode_calls[i].name, 2, a);
                                if (r < 0)
                                        return r;
                        }
                }
        return add_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "openat2", 0, NULL);
}

/* Allow list: each call that sets a mode only without those bits (open and openat also when
 * they create nothing). */
static int add_suid_sgid_allowances(scmp_filter_ctx ctx, char **allowed) {
        int r;

        for (size_t i = 0; i < ELEMENTSOF(mode_calls); i++) {
                struct scmp_arg_cmp clean = {
                        .arg = mode_calls[i].mode_arg, .op = SCMP_CMP_MASKED_EQ, .datum_a = SUID_SGID_BITS,
                        .datum_b = 0,
                };

                if (!strv_contains(allowed, mode_calls[i].name))
                        continue;
                r = add_rule(ctx, SCMP_ACT_ALLOW, mode_calls[i].name, 1, &clean);
                if (r < 0)
                        return r;
                if (mode_calls[i].flags_arg >= 0) {
                        struct scmp_arg_cmp no_create = {
                                .arg = (unsigned) mode_calls[i].flags_arg, .op = SCMP_CMP_MASKED_EQ,
                                .datum_a = CREATE_FLAGS, .datum_b = 0,
                        };

                        r = add_rule(ctx, SCMP_ACT_ALLOW, mode_calls[i].name, 1, &no_create);
                        if (r < 0)
                                return r;
                }
        }
        if (strv_contains(allowed, "openat2"))
                return add_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "openat2", 0, NULL);
        return 0;
}

/* Deny list (default allow): refuse new namespaces (a user namespace above all:
 * dropping capabilities does not stop unshare(CLONE_NEWUSER)), TIOCSTI/TIOCLINUX
 * (typing into a terminal), set-user-ID modes; personality(2) and socket(2) are
 * checked in our prefix (build_prefix()). */
static int add_argument_denials(scmp_filter_ctx ctx, const SandboxOptions *o, uint32_t deny) {
        static const unsigned long ioctls[] = { TIOCSTI, TIOCLINUX };
        unsigned long allowed = sandbox_namespaces_allowed(o);
        int r;

        for (size_t i = 0; i < ELEMENTSOF(namespace_flags); i++) {
                struct scmp_arg_cmp a = SCMP_A0(SCMP_CMP_MASKED_EQ, namespace_flags[i], namespace_flags[i]);

                if (allowed & namespace_flags[i])
                        continue;
                r = add_rule(ctx, deny, "unshare", 1, &a);
                if (r >= 0)
                        r = add_rule(ctx, deny, "clone", 1, &a);
                if (r < 0)
                        return r;
        }
        /* setns(2), once any namespace is allowed: a type not allowed, and 0 (any type) unless all are. */
        if (allowed != 0) {
                struct scmp_arg_cmp any = SCMP_A1(SCMP_CMP_EQ, 0);

                for (size_t i = 0; i < ELEMENTSOF(namespace_flags); i++) {
                        struct scmp_arg_cmp a = SCMP_A1(SCMP_CMP_EQ, namespace_flags[i]);

                        if (allowed & namespace_flags[i])
                                continue;
                        r = add_rule(ctx, deny, "setns", 1, &a);
                        if (r < 0)
                                return r;
                }
                if ((allowed & NAMESPACE_FLAGS) != NAMESPACE_FLAGS) {
                        r = add_rule(ctx, deny, "setns", 1, &any);
                        if (r < 0)
                                return r;
                }
        }
        for (size_t i = 0; i < ELEMENTSOF(ioctls); i++) {
                struct scmp_arg_cmp a = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, ioctls[i]);

                r = add_rule(ctx, deny, "ioctl", 1, &a);
                if (r < 0)
                        return r;
        }
        if (o->restrict_suid_sgid)
                return add_suid_sgid_denials(ctx, deny);
        return 0;
}

/* Allow list (default deny): the same calls are allowed only with harmless arguments. */
static int add_argument_allowances(scmp_filter_ctx ctx, const SandboxOptions *o, char **allowed) {
        int r;

        unsigned long ns = sandbox_namespaces_allowed(o);

        FOREACH_NAME(n, "unshare", "clone") {
                struct scmp_arg_cmp a = SCMP_A0(SCMP_CMP_MASKED_EQ, NAMESPACE_FLAGS & ~ns, 0);

                if (!strv_contains(allowed, n))
                        continue;
                r = add_rule(ctx, SCMP_ACT_ALLOW, n, 1, &a);
                if (r < 0)
                        return r;
        }
        if (ns != 0 && strv_contains(allowed, "setns")) {
                for (size_t i = 0; i < ELEMENTSOF(namespace_flags); i++) {
                        struct scmp_arg_cmp a = SCMP_A1(SCMP_CMP_EQ, namespace_flags[i]);

                        if (!(ns & namespace_flags[i]))
                                continue;
                        r = add_rule(ctx, SCMP_ACT_ALLOW, "setns", 1, &a);
                        if (r < 0)
                                return r;
                }
                if ((ns & NAMESPACE_FLAGS) == NAMESPACE_FLAGS) {
                        struct scmp_arg_cmp any = SCMP_A1(SCMP_CMP_EQ, 0);

                        r = add_rule(ctx, SCMP_ACT_ALLOW, "setns", 1, &any);
                        if (r < 0)
                                return r;
                }
        }
        if (o->restrict_suid_sgid) {
                r = add_suid_sgid_allowances(ctx, allowed);
                if (r < 0)
                        return r;
        }
        if (strv_contains(allowed, "ioctl")) {
                /* Every command but TIOCSTI (0x5412) and TIOCLINUX (0x541C), in ranges. */
                struct scmp_arg_cmp lo = SCMP_A1(SCMP_CMP_LT, TIOCSTI), hi = SCMP_A1(SCMP_CMP_GT, TIOCLINUX);

                r = add_rule(ctx, SCMP_ACT_ALLOW, "ioctl", 1, &lo);
                if (r >= 0)
                        r = add_rule(ctx, SCMP_ACT_ALLOW, "ioctl", 1, &hi);
                for (unsigned long c = TIOCSTI + 1; r >= 0 && c < TIOCLINUX; c++) {
                        struct scmp_arg_cmp eq = SCMP_A1(SCMP_CMP_EQ, c);

                        r = add_rule(ctx, SCMP_ACT_ALLOW, "ioctl", 1, &eq);
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

static int filter_build(const SandboxOptions *o, bool learn, struct sock_fprog **ret) {
        scmp_filter_ctx ctx;
        uint32_t deny;
        int r;

        deny = learn ? SCMP_ACT_NOTIFY
               : o->system_call_error_number == SANDBOX_SYSCALL_KILL ? SCMP_ACT_KILL_PROCESS
                                                                      : SCMP_ACT_ERRNO((uint32_t) o->system_call_error_number);

        ctx = seccomp_init(o->system_call_allow_list ? deny : SCMP_ACT_ALLOW);
        if (!ctx)
                return -ENOMEM;

        /* Only the native arch is in the filter: i386 and x32 calls hit the bad-arch action. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
        if (r < 0)
                goto fail;
        /* The filter is loaded with no_new_privs set by us or, for NoNewPrivileges=no, by CAP_SYS_ADMIN. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r < 0)
                goto fail;

        /* clone3() passes its flags in memory a filter cannot read: ENOSYS, and libcs fall back to clone(). */
        r = add_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL);
        if (r < 0)
                goto fail;

        if (o->system_call_allow_list) {
                _cleanup_strv_free_ char **defaults = NULL;

                /* A stock unit's list only tightens: what the defaults deny stays denied (but for
                 * [Isolate] AllowSystemCalls=), whatever the list names. */
                r = expand_default_deny(o, &defaults);
                if (r < 0)
                        goto fail;
                for (char **n = o->system_call_filter; n && *n; n++) {
                        if (is_argument_checked(o, *n) || strv_contains(defaults, *n))
                                continue;
                        r = add_rule(ctx, SCMP_ACT_ALLOW, *n, 0, NULL);
                        if (r < 0)
                                goto fail;
                }
                /* Whatever the list, the argument checks stay. */
                r = add_argument_allowances(ctx, o, o->system_call_filter);
                if (r < 0)
                        goto fail;
        } else {
                _cleanup_strv_free_ char **defaults = NULL;

                r = expand_default_deny(o, &defaults);
                if (r < 0)
                        goto fail;
                r = add_names(ctx, o, deny, defaults);
                if (r < 0)
                        goto fail;
                r = add_names(ctx, o, deny, o->system_call_filter);
                if (r < 0)
                        goto fail;
                for (char **n = o->system_call_filter; n && *n; n++)
                        if (is_argument_checked(o, *n)) {
                                r = add_rule(ctx, deny_action(o, deny, *n), *n, 0, NULL);
                                if (r < 0)
                                        goto fail;
                        }
                r = add_argument_denials(ctx, o, deny);
                if (r < 0)
                        goto fail;
        }

        return build_program(o, ctx, learn, ret); /* releases ctx */

fail:
        seccomp_release(ctx);
        return r;
}

int seccomp_filter_build(const SandboxOptions *o, struct sock_fprog **ret) {
        return filter_build(o, false, ret);
}

int seccomp_filter_build_learn(const SandboxOptions *o, struct sock_fprog **ret) {
        return filter_build(o, true, ret);
}

char *seccomp_filter_key(const SandboxOptions *o) {
        size_t size = 128;
        char *key, *p;

        for (char **i = o->system_call_filter; i && *i; i++)
                size += strlen(*i) + 1;
        for (char **i = o->allow_system_calls; i && *i; i++)
                size += strlen(*i) + 1;
        for (char **i = o->system_call_errno; i && *i; i++)
                size += strlen(*i) + 1;
        key = malloc(size);
        if (!key)
                return NULL;
        p = key + snprintf(key, size, "%s %d kl%d suid%d pers%d af%016llx nl%08x ip%08x mdwe%d rt%d clk%d ns%lx",
                           o->system_call_allow_list ? "allow" : "deny", o->system_call_error_number, o->protect_kernel_logs, o->restrict_suid_sgid,
                           o->lock_personality, (unsigned long long) o->address_families, o->netlink_protocols, o->ip_protocols,
                           o->memory_deny_write_execute, o->restrict_realtime, o->protect_clock,
                           sandbox_namespaces_allowed(o));
        for (char **i = o->system_call_filter; i && *i; i++)
                p = stpcpy(stpcpy(p, " "), *i);
        p = stpcpy(p, " |");
        for (char **i = o->allow_system_calls; i && *i; i++)
                p = stpcpy(stpcpy(p, " "), *i);
        p = stpcpy(p, " |");
        for (char **i = o->system_call_errno; i && *i; i++)
                p = stpcpy(stpcpy(p, " "), *i);
        return key;
}

static int load_program(const struct sock_fprog *prog) {
        /* What seccomp_load() does with the attributes set above: no flags, no_new_privs not set. */
        return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prog, 0, 0) < 0 ? negative_errno() : 0;
}

int seccomp_filter_load(const struct sock_fprog *prog, bool no_new_privileges) {
        int r;

        if (!prog)
                return 0;
        r = load_program(prog);
        if (r == -EACCES && !no_new_privileges) {
                /* NoNewPrivileges=no and no CAP_SYS_ADMIN left: as systemd does, a filter implies it. */
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        return negative_errno();
                r = load_program(prog);
        }
        return r;
}

int seccomp_filter_to_memfd(const struct sock_fprog *prog, int *ret_fd) {
        _cleanup_close_ int fd = -EBADF;
        size_t size = prog->len * sizeof(struct sock_filter);

        fd = memfd_create("seccomp-filter", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
                return negative_errno();
        if (write(fd, prog->filter, size) != (ssize_t) size)
                return -EIO;
        /* Handed to every init that runs this filter: nobody changes it after this. */
        if (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
                return negative_errno();
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int seccomp_filter_from_fd(int fd, struct sock_fprog **ret) {
        struct sock_fprog *prog;
        struct stat st;
        size_t size;

        if (fstat(fd, &st) < 0)
                return negative_errno();
        size = (size_t) st.st_size;
        if (size == 0 || size % sizeof(struct sock_filter) != 0 || size / sizeof(struct sock_filter) > BPF_MAXINSNS)
                return -EBADMSG;
        prog = malloc(sizeof(*prog) + size);
        if (!prog)
                return -ENOMEM;
        *prog = (struct sock_fprog) {
                .len = (unsigned short) (size / sizeof(struct sock_filter)),
                .filter = (struct sock_filter *) (prog + 1),
        };
        if (pread(fd, prog->filter, size, 0) != (ssize_t) size) {
                free(prog);
                return -EIO;
        }
        *ret = prog;
        return 0;
}
