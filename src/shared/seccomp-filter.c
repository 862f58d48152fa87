/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seccomp-filter.h"
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

static bool is_argument_checked(const char *name);

/* What seccomp_filter_build() hands out: the program to load (struct sock_fprog and its
 * instructions in one allocation, freed with free()), libseccomp's filter behind a prefix of ours. The prefix answers ENOSYS for every native syscall from the first number
 * libseccomp cannot name: a kernel newer than libseccomp has calls in no list (under a deny
 * list they would run, open_tree_attr() beside the denied open_tree(); under an allow list
 * they would get its errno, on which a libc does not fall back). Built once, in the init; the
 * child that execs only loads it. */

#define X32_SYSCALL_BIT 0x40000000U
#define PREFIX_LEN 6

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

/* libseccomp's program (seccomp_export_bpf() writes it to an fd: a pipe, cheaper to make than a
 * memfd, non-blocking so that a program too long for it fails instead of hanging) behind the
 * prefix; its jumps are relative, so it runs unchanged from PREFIX_LEN on. Other architectures
 * and x32 go straight to it, and it kills them. Releases ctx before the program is copied out,
 * so the copy, kept for the init's life, lands low in the heap rather than above the freed rule
 * database, where it would keep a page. */
static int build_program(scmp_filter_ctx ctx, struct sock_fprog **ret) {
        uint32_t unknown_from = first_unknown_syscall();
        struct sock_filter prefix[PREFIX_LEN] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, seccomp_arch_native(), 0, 4),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 2, 0),
                BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, unknown_from, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
        };
        /* Without a first unknown number there is nothing to answer: libseccomp's program alone. */
        size_t skip = unknown_from == 0 ? PREFIX_LEN : 0, n;
        _cleanup_close_ int rfd = -EBADF, wfd = -EBADF;
        struct sock_filter *insns;
        struct sock_fprog *prog;
        int fds[2], avail, r;

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
        if (n / sizeof(struct sock_filter) + PREFIX_LEN > BPF_MAXINSNS)
                return -E2BIG;
        prog = malloc(sizeof(*prog) + sizeof(prefix) + n);
        if (!prog)
                return -ENOMEM;
        insns = (struct sock_filter *) (prog + 1);
        memcpy(insns, prefix, sizeof(prefix));
        if (read(rfd, insns + PREFIX_LEN, n) != (ssize_t) n) {
                free(prog);
                return -EIO;
        }
        *prog = (struct sock_fprog) {
                .len = (unsigned short) (n / sizeof(struct sock_filter) + PREFIX_LEN - skip),
                .filter = insns + skip,
        };
        *ret = prog;
        return 0;
}

static int add_names(scmp_filter_ctx ctx, uint32_t action, char **names) {
        int r;

        for (char **n = names; n && *n; n++) {
                if (is_argument_checked(*n))
                        continue;
                r = add_rule(ctx, action, *n, 0, NULL);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int expand_default_deny(char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        int r;

        for (const char *const *d = sandbox_default_syscall_deny; *d; d++) {
                const char *const *members = (*d)[0] == '@' ? syscall_group_members(*d) : NULL;

                if ((*d)[0] != '@') {
                        r = strv_extend(&l, *d);
                        if (r < 0)
                                return r;
                        continue;
                }
                for (const char *const *m = members; m && *m; m++) {
                        r = strv_extend(&l, *m);
                        if (r < 0)
                                return r;
                }
        }
        *ret = TAKE_PTR(l);
        return 0;
}

#define NAMESPACE_FLAGS                                                                                            \
        (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |   \
         CLONE_NEWTIME)
#define BAD_PERSONALITY (READ_IMPLIES_EXEC | ADDR_NO_RANDOMIZE)

/* The calls refused by argument only, for deny and allow lists alike. */
static const char *const argument_checked[] = { "unshare", "clone", "ioctl", "personality" };

static bool is_argument_checked(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(argument_checked); i++)
                if (strcmp(name, argument_checked[i]) == 0)
                        return true;
        return false;
}

/* Deny list (default allow): refuse new namespaces (a user namespace above all:
 * dropping capabilities does not stop unshare(CLONE_NEWUSER)), TIOCSTI/TIOCLINUX
 * (typing into a terminal), personalities that weaken the process. */
static int add_argument_denials(scmp_filter_ctx ctx, uint32_t deny) {
        static const unsigned long ioctls[] = { TIOCSTI, TIOCLINUX };
        static const unsigned long personalities[] = { READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE };
        int r;

        for (size_t i = 0; i < ELEMENTSOF(namespace_flags); i++) {
                struct scmp_arg_cmp a = SCMP_A0(SCMP_CMP_MASKED_EQ, namespace_flags[i], namespace_flags[i]);

                r = add_rule(ctx, deny, "unshare", 1, &a);
                if (r >= 0)
                        r = add_rule(ctx, deny, "clone", 1, &a);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ELEMENTSOF(ioctls); i++) {
                struct scmp_arg_cmp a = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, ioctls[i]);

                r = add_rule(ctx, deny, "ioctl", 1, &a);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < ELEMENTSOF(personalities); i++) {
                struct scmp_arg_cmp a = SCMP_A0(SCMP_CMP_MASKED_EQ, personalities[i], personalities[i]);

                r = add_rule(ctx, deny, "personality", 1, &a);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Allow list (default deny): the same calls are allowed only with harmless arguments. */
static int add_argument_allowances(scmp_filter_ctx ctx, char **allowed) {
        int r;

        FOREACH_NAME(n, "unshare", "clone") {
                struct scmp_arg_cmp a = SCMP_A0(SCMP_CMP_MASKED_EQ, NAMESPACE_FLAGS, 0);

                if (!strv_contains(allowed, n))
                        continue;
                r = add_rule(ctx, SCMP_ACT_ALLOW, n, 1, &a);
                if (r < 0)
                        return r;
        }
        if (strv_contains(allowed, "personality")) {
                struct scmp_arg_cmp a = SCMP_A0(SCMP_CMP_MASKED_EQ, BAD_PERSONALITY, 0);

                r = add_rule(ctx, SCMP_ACT_ALLOW, "personality", 1, &a);
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

int seccomp_filter_build(const SandboxOptions *o, struct sock_fprog **ret) {
        scmp_filter_ctx ctx;
        uint32_t deny;
        int r;

        deny = o->system_call_error_number == SANDBOX_SYSCALL_KILL ? SCMP_ACT_KILL_PROCESS
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
                r = add_names(ctx, SCMP_ACT_ALLOW, o->system_call_filter);
                if (r < 0)
                        goto fail;
                /* Whatever the list, the argument checks stay. */
                r = add_argument_allowances(ctx, o->system_call_filter);
                if (r < 0)
                        goto fail;
        } else {
                _cleanup_strv_free_ char **defaults = NULL;

                r = expand_default_deny(&defaults);
                if (r < 0)
                        goto fail;
                r = add_names(ctx, deny, defaults);
                if (r < 0)
                        goto fail;
                r = add_names(ctx, deny, o->system_call_filter);
                if (r < 0)
                        goto fail;
                for (size_t i = 0; i < ELEMENTSOF(argument_checked); i++)
                        if (strv_contains(o->system_call_filter, argument_checked[i])) {
                                r = add_rule(ctx, deny, argument_checked[i], 0, NULL);
                                if (r < 0)
                                        goto fail;
                        }
                r = add_argument_denials(ctx, deny);
                if (r < 0)
                        goto fail;
        }

        return build_program(ctx, ret); /* releases ctx */

fail:
        seccomp_release(ctx);
        return r;
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
