/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <grp.h>
#include <linux/capability.h>
#include <linux/keyctl.h>
#include <linux/securebits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hardening-options.h"
#include "parse-util.h"
#include "sandbox-process.h"
#include "learn.h"
#include "seccomp-filter.h"
#include "string-util.h"

static int parse_id(const char *s, uint32_t *ret) {
        uint64_t v;

        if (parse_uint64(s, &v) < 0 || v >= UINT32_MAX - 1)
                return -EINVAL;
        *ret = (uint32_t) v;
        return 0;
}

static int lookup_group(const char *name, gid_t *ret) {
        struct group *g;
        uint32_t id;

        if (parse_id(name, &id) >= 0) {
                *ret = id;
                return 0;
        }
        errno = 0;
        g = getgrnam(name);
        if (!g)
                return errno > 0 ? -errno : -ESRCH;
        *ret = g->gr_gid;
        return 0;
}

static int add_group(SandboxProcess *p, gid_t g) {
        gid_t *n;

        for (size_t i = 0; i < p->n_groups; i++)
                if (p->groups[i] == g)
                        return 0;
        n = reallocarray(p->groups, p->n_groups + 1, sizeof(gid_t));
        if (!n)
                return -ENOMEM;
        p->groups = n;
        p->groups[p->n_groups++] = g;
        return 0;
}

int sandbox_process_prepare(const SandboxOptions *o, struct sock_fprog *seccomp, SandboxProcess *ret,
                            char **ret_error) {
        _cleanup_(sandbox_process_done) SandboxProcess p = { .options = o, .seccomp = seccomp };
        int r;

        if (o->user) {
                struct passwd *pw;
                uint32_t id;

                errno = 0;
                pw = parse_id(o->user, &id) >= 0 ? getpwuid(id) : getpwnam(o->user);
                if (!pw && parse_id(o->user, &id) >= 0) {
                        /* A numeric uid without an entry is fine, as in systemd. */
                        p.uid = id;
                        p.gid = id;
                } else if (!pw && o->dynamic_user) {
                        /* DynamicUser=: a user of that name exists nowhere inside; a transient
                         * uid of the service's own range stands for it, as systemd's from
                         * 61184..65519 (no host user has it: the whole range is the service's). */
                        p.uid = p.gid = dynamic_user_id(o->user);
                        p.user_name = strdup(o->user);
                        p.home = strdup("/");
                        p.shell = strdup("/usr/sbin/nologin");
                        if (!p.home || !p.user_name || !p.shell)
                                return -ENOMEM;
                } else if (!pw)
                        return error_set(ret_error, errno > 0 ? -errno : -ESRCH,
                                         "Failed to resolve User=%s: no such user in the sandbox's /etc/passwd", o->user);
                else {
                        p.uid = pw->pw_uid;
                        p.gid = pw->pw_gid;
                        p.home = strdup(pw->pw_dir ?: "/");
                        p.user_name = strdup(pw->pw_name);
                        p.shell = strdup(pw->pw_shell ?: "/bin/sh");
                        if (!p.home || !p.user_name || !p.shell)
                                return -ENOMEM;
                }
                p.switch_user = true;
        }
        if (!o->user && o->dynamic_user) {
                /* DynamicUser= without User=: systemd names the user after the unit; any uid of
                 * the range does, none is in use inside. */
                p.uid = p.gid = dynamic_user_id(NULL);
                p.switch_user = true;
        }
        if (o->group && !(o->dynamic_user && lookup_group(o->group, &p.gid) < 0)) {
                r = lookup_group(o->group, &p.gid);
                if (r < 0)
                        return error_set(ret_error, r, "Failed to resolve Group=%s: no such group in the sandbox's /etc/group",
                                         o->group);
                p.switch_user = true;
        }
        for (char **g = o->supplementary_groups; g && *g; g++) {
                gid_t gid;

                r = lookup_group(*g, &gid);
                if (r < 0)
                        return error_set(ret_error, r, "Failed to resolve SupplementaryGroups=%s", *g);
                r = add_group(&p, gid);
                if (r < 0)
                        return r;
        }
        if (p.user_name) {
                /* The user's own groups, as initgroups() would give them. */
                int n = 64;
                gid_t *list = NULL;

                for (;;) {
                        int k = n;

                        free(list);
                        list = calloc((size_t) n, sizeof(gid_t));
                        if (!list)
                                return -ENOMEM;
                        if (getgrouplist(p.user_name, p.gid, list, &k) >= 0) {
                                n = k;
                                break;
                        }
                        if (k <= n || n > 65536) {
                                n = 0;
                                break;
                        }
                        n = k;
                }
                for (int i = 0; i < n; i++) {
                        r = add_group(&p, list[i]);
                        if (r < 0) {
                                free(list);
                                return r;
                        }
                }
                free(list);
        }

        if (!p.seccomp) {
                r = learn_active() ? seccomp_filter_build_learn(o, &p.seccomp) : seccomp_filter_build(o, &p.seccomp);
                if (r < 0)
                        return error_set(ret_error, r, "Failed to build the seccomp filter: %s", strerror(-r));
        }

        *ret = p;
        p = (SandboxProcess) {};
        return 0;
}

void sandbox_process_done(SandboxProcess *p) {
        free(p->groups);
        free(p->home);
        free(p->user_name);
        free(p->shell);
        free(p->seccomp);
        *p = (SandboxProcess) {};
}

#define CAP(c) (UINT64_C(1) << (c))

static int cap_last(void) {
        static int last = -1;
        FILE *f;

        if (last >= 0)
                return last;
        f = fopen("/proc/sys/kernel/cap_last_cap", "re");
        if (f) {
                if (fscanf(f, "%d", &last) != 1)
                        last = -1;
                fclose(f);
        }
        if (last < 0)
                last = CAP_LAST_CAP;
        return last;
}

/* Effective and permitted set to exactly ep, inheritable to inh. */
static int caps_set(uint64_t ep, uint64_t inh) {
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[2] = {};

        /* Never more than we hold: a container's root may lack some. */
        if (capget(&h, d) < 0)
                return negative_errno();
        d[0].effective = d[0].permitted = d[0].permitted & (uint32_t) ep;
        d[1].effective = d[1].permitted = d[1].permitted & (uint32_t) (ep >> 32);
        d[0].inheritable = (uint32_t) inh;
        d[1].inheritable = (uint32_t) (inh >> 32);
        if (capset(&h, d) < 0)
                return negative_errno();
        return 0;
}

int sandbox_process_apply_credentials(const SandboxProcess *p) {
        const SandboxOptions *o = p->options;
        int last = cap_last();
        /* The description withheld them already (sandbox_options_finalize()); again here, where
         * they would be granted: a withheld capability never reaches a service by another path. */
        uint64_t bounding = (p->sandbox_capabilities ? UINT64_MAX : o->capability_bounding_set) & sandbox_caps_allowed(o);
        uint64_t ambient = p->sandbox_capabilities ? 0 : o->ambient_capabilities & bounding;
        unsigned secure_bits = o->process.secure_bits;
        int r;

        /* Limit*= were applied before, clamped as systemd clamps them (spawn.c). */
        umask(o->umask);

        /* The bounding set first: dropping needs CAP_SETPCAP, which the user switch takes away. */
        for (int c = 0; c <= last && c < 64; c++)
                if (!(bounding & (UINT64_C(1) << c)))
                        if (prctl(PR_CAPBSET_DROP, (unsigned long) c, 0, 0, 0) < 0 && errno != EINVAL)
                                return negative_errno();

        /* SecureBits=, before the user switch: setting them needs CAP_SETPCAP, which the switch
         * takes away. What they change about it is undone below (the sets are set exactly),
         * keep-caps is cleared by execve() anyway, and noroot keeps root's exec from gaining
         * anything but the ambient set: never more than without them. With ambient capabilities
         * to keep across the switch, keep-caps rides along (PR_SET_KEEPCAPS would fail on
         * keep-caps-locked). */
        if (secure_bits != 0 &&
            prctl(PR_SET_SECUREBITS, secure_bits | (p->switch_user && ambient ? SECBIT_KEEP_CAPS : 0), 0, 0, 0) < 0)
                return negative_errno();

        if (p->switch_user) {
                /* Keep the permitted set across setuid() only for ambient capabilities. */
                if (ambient && secure_bits == 0 && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                        return negative_errno();
                if (setgroups(p->n_groups, p->groups) < 0)
                        return negative_errno();
                if (setresgid(p->gid, p->gid, p->gid) < 0)
                        return negative_errno();
                if (setresuid(p->uid, p->uid, p->uid) < 0)
                        return negative_errno();
                if (ambient && secure_bits == 0 && prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
                        return negative_errno();
        } else if (p->n_groups > 0 && setgroups(p->n_groups, p->groups) < 0)
                return negative_errno();

        /* Root keeps what the bounding set allows (exec recomputes it the same way); another
         * user only the ambient set. Inheritable holds exactly what ambient needs. */
        r = caps_set(!p->switch_user || p->uid == 0 ? bounding & ((UINT64_C(2) << last) - 1) : ambient,
                     ambient);
        if (r < 0)
                return r;
        for (int c = 0; c <= last && c < 64; c++)
                if ((ambient & (UINT64_C(1) << c)) &&
                    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long) c, 0, 0) < 0)
                        return negative_errno();

        if (o->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return negative_errno();
        return 0;
}

int sandbox_init_drop_capabilities(const SandboxOptions *o, bool permissions_start_only) {
        int last = cap_last();

        /* KeyringMode=private (the default) and shared: a new anonymous session keyring, for the
         * init and every command it starts; inherit keeps the daemon's. */
        if (o->keyring_mode != KEYRING_MODE_INHERIT &&
            syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0) < 0 && errno != ENOSYS)
                return negative_errno();
        /* What the commands we start may hold (they can only get what we have), and what we need
         * ourselves: signal them, switch their user, shape their capability sets, give a shell its
         * terminal. Not CAP_SYS_ADMIN unless a command needs it to load its filter without
         * no_new_privs: without it, no mount of ours can be changed again (the host's files are
         * idmapped into the tree: a read-only mount made writable would write them as their real
         * owners). */
        uint64_t keep = (o->capability_bounding_set & sandbox_caps_allowed(o)) | CAP(CAP_KILL) | CAP(CAP_SETUID) |
                        CAP(CAP_SETGID) | CAP(CAP_SETPCAP) | CAP(CAP_CHOWN);

        if (!o->no_new_privileges)
                keep |= CAP(CAP_SYS_ADMIN);
        /* PermissionsStartOnly=: the commands but ExecStart= get the sandbox's set (SandboxProcess). */
        if (permissions_start_only)
                keep |= sandbox_caps_allowed(o);
        for (int c = 0; c <= last && c < 64; c++)
                if (!(keep & (UINT64_C(1) << c)))
                        if (prctl(PR_CAPBSET_DROP, (unsigned long) c, 0, 0, 0) < 0 && errno != EINVAL)
                                return negative_errno();
        return caps_set(keep & ((UINT64_C(2) << last) - 1), 0);
}

int sandbox_process_apply_seccomp(const SandboxProcess *p) {
        return seccomp_filter_load(p->seccomp, p->options->no_new_privileges);
}
