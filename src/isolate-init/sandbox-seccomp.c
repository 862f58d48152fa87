/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>

#include "sandbox-process.h"
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

/* What sandbox_seccomp_build() hands out: libseccomp's filter, and the first native syscall
 * number libseccomp cannot name. Syscalls from there on (a kernel newer than libseccomp:
 * open_tree_attr() beside the denied open_tree(), say) are in no list: they are answered
 * ENOSYS, as from a kernel without them, so a libc falls back. */
typedef struct SeccompFilter {
        scmp_filter_ctx ctx;
        uint32_t arch;         /* the native audit arch */
        uint32_t unknown_from; /* 0: none found */
        bool allow_list;
} SeccompFilter;

/* Allow lists answer unknown numbers in the filter itself, up to this many past the last known
 * one (6.18 has 13 more than libseccomp 2.5.4); deny lists with a filter of their own. */
#define UNKNOWN_SYSCALL_WINDOW 32
#define X32_SYSCALL_BIT 0x40000000U

/* The native numbers from clone3() on have no gaps: bisect for the first one libseccomp does
 * not know. 0 if it cannot tell. */
static uint32_t first_unknown_syscall(void) {
        int lo = seccomp_syscall_resolve_name("clone3"), hi;

        if (lo < 0)
                return 0;
        for (hi = lo + 1024; hi - lo > 1;) {
                int mid = lo + (hi - lo) / 2;
                char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, mid);

                if (name)
                        lo = mid;
                else
                        hi = mid;
                free(name);
        }
        return (uint32_t) hi;
}

static int add_unknown_enosys_rules(scmp_filter_ctx ctx, uint32_t from) {
        for (uint32_t nr = from; from > 0 && nr < from + UNKNOWN_SYSCALL_WINDOW; nr++) {
                int r = seccomp_rule_add_exact(ctx, SCMP_ACT_ERRNO(ENOSYS), (int) nr, 0);

                /* -EACCES: ENOSYS is the list's own errno already. */
                if (r < 0 && r != -EACCES && r != -EEXIST)
                        return r;
        }
        return 0;
}

/* Deny lists: every native number from f->unknown_from on answers ENOSYS. Eight instructions
 * beside libseccomp's filter, rather than a rule per number in it. Other architectures and x32
 * are left to libseccomp's filter, which kills them. */
static int load_unknown_enosys_filter(const SeccompFilter *f) {
        struct sock_filter insns[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, f->arch, 1, 0),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
                BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 2, 0),
                BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, f->unknown_from, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = { .len = ELEMENTSOF(insns), .filter = insns };

        if (f->allow_list || f->unknown_from == 0)
                return 0;
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
                return negative_errno();
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

int sandbox_seccomp_build(const SandboxOptions *o, void **ret) {
        scmp_filter_ctx ctx;
        SeccompFilter *f = NULL;
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

        f = calloc(1, sizeof(SeccompFilter));
        if (!f) {
                r = -ENOMEM;
                goto fail;
        }
        *f = (SeccompFilter) { .arch = seccomp_arch_native(), .unknown_from = first_unknown_syscall(),
                               .allow_list = o->system_call_allow_list };

        if (o->system_call_allow_list) {
                r = add_names(ctx, SCMP_ACT_ALLOW, o->system_call_filter);
                if (r < 0)
                        goto fail;
                r = add_unknown_enosys_rules(ctx, f->unknown_from);
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

        f->ctx = ctx;
        *ret = f;
        return 0;

fail:
        free(f);
        seccomp_release(ctx);
        return r;
}

void sandbox_seccomp_free(void *filter) {
        SeccompFilter *f = filter;

        if (!f)
                return;
        seccomp_release(f->ctx);
        free(f);
}

/* The ENOSYS filter first: libseccomp's may deny seccomp() itself. */
static int load_both(const SeccompFilter *f) {
        int r = load_unknown_enosys_filter(f);

        return r < 0 ? r : seccomp_load(f->ctx);
}

int sandbox_seccomp_load(void *filter, bool no_new_privileges) {
        const SeccompFilter *f = filter;
        int r;

        if (!f)
                return 0;
        r = load_both(f);
        if (r == -EACCES && !no_new_privileges) {
                /* NoNewPrivileges=no and no CAP_SYS_ADMIN left: as systemd does, a filter implies it. */
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        return negative_errno();
                r = load_both(f);
        }
        return r;
}
