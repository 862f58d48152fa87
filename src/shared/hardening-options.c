/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract-word.h"
#include "hardening-options.h"
#include "parse-util.h"
#include "string-util.h"
#include "strv.h"

#define FOREACH_STRING(x, ...) \
        for (const char *const *x##_l = (const char *const[]) { __VA_ARGS__, NULL }, *x; (x = *x##_l); x##_l++)

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const char *const protect_proc_table[_PROTECT_PROC_MAX] = {
        [PROTECT_PROC_DEFAULT] = "default",
        [PROTECT_PROC_NOACCESS] = "noaccess",
        [PROTECT_PROC_INVISIBLE] = "invisible",
        [PROTECT_PROC_PTRACEABLE] = "ptraceable",
};

static const char *const proc_subset_table[_PROC_SUBSET_MAX] = {
        [PROC_SUBSET_ALL] = "all",
        [PROC_SUBSET_PID] = "pid",
};

static const char *const keyring_mode_table[_KEYRING_MODE_MAX] = {
        [KEYRING_MODE_INHERIT] = "inherit",
        [KEYRING_MODE_PRIVATE] = "private",
        [KEYRING_MODE_SHARED] = "shared",
};

const char *protect_proc_to_string(ProtectProc p) {
        return p >= 0 && p < _PROTECT_PROC_MAX ? protect_proc_table[p] : NULL;
}

const char *proc_subset_to_string(ProcSubset p) {
        return p >= 0 && p < _PROC_SUBSET_MAX ? proc_subset_table[p] : NULL;
}

const char *keyring_mode_to_string(KeyringMode m) {
        return m >= 0 && m < _KEYRING_MODE_MAX ? keyring_mode_table[m] : NULL;
}

/* A boolean whose systemd default is off; "" resets it. */
static int parse_switch(bool *b, const char *key, const char *value, char **ret_error) {
        int r;

        if (isempty(value)) {
                *b = false;
                return 0;
        }
        r = parse_boolean(value);
        if (r < 0)
                return key_value_invalid(ret_error, key, value);
        *b = r;
        return 0;
}

/* mmap(2)/mprotect(2)/pkey_mprotect(2)/shmat(2) refused as systemd refuses them (seccomp-filter.c). */
KEY_PARSER(parse_memory_deny_write_execute) {
        SandboxOptions *o = data;

        return parse_switch(&o->memory_deny_write_execute, key, value, ret_error);
}

KEY_PARSER(parse_restrict_realtime) {
        SandboxOptions *o = data;

        return parse_switch(&o->restrict_realtime, key, value, ret_error);
}

KEY_PARSER(parse_protect_clock) {
        SandboxOptions *o = data;

        return parse_switch(&o->protect_clock, key, value, ret_error);
}

static const struct {
        const char *name;
        unsigned long flag;
} namespace_names[] = {
        { "cgroup", CLONE_NEWCGROUP }, { "ipc", CLONE_NEWIPC }, { "net", CLONE_NEWNET },   { "mnt", CLONE_NEWNS },
        { "pid", CLONE_NEWPID },       { "user", CLONE_NEWUSER }, { "uts", CLONE_NEWUTS }, { "time", CLONE_NEWTIME },
};

int namespace_flag_from_name(const char *name, unsigned long *ret) {
        for (size_t i = 0; i < ELEMENTSOF(namespace_names); i++)
                if (strcmp(namespace_names[i].name, name) == 0) {
                        *ret = namespace_names[i].flag;
                        return 0;
                }
        return -EINVAL;
}

/* systemd 252: yes restricts all, no none; "mnt ipc" allows only those, "~mnt ipc" all but
 * those; a later list adds to what the first allowed ("~" takes away); "" resets. ULONG_MAX is
 * "never given": every namespace, as systemd's default. */
KEY_PARSER(parse_restrict_namespaces) {
        SandboxOptions *o = data;
        unsigned long flags = 0;
        const char *p = value;
        bool invert = false;
        int r;

        if (isempty(value)) {
                o->restrict_namespaces = ULONG_MAX;
                return 0;
        }
        r = parse_boolean(value);
        if (r >= 0) {
                o->restrict_namespaces = r ? 0 : SANDBOX_NAMESPACE_FLAGS_ALL;
                return 0;
        }
        if (p[0] == '~') {
                invert = true;
                p++;
        }
        for (;;) {
                _cleanup_free_ char *word = NULL;
                unsigned long f;

                r = extract_first_word(&p, &word, EXTRACT_UNQUOTE, NULL);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return key_value_invalid(ret_error, key, value);
                if (r == 0)
                        break;
                if (namespace_flag_from_name(word, &f) < 0)
                        return error_set(ret_error, -EINVAL, "%s=: unknown namespace type '%s'", key, word);
                flags |= f;
        }
        if (o->restrict_namespaces == ULONG_MAX)
                o->restrict_namespaces = invert ? SANDBOX_NAMESPACE_FLAGS_ALL & ~flags : flags;
        else if (invert)
                o->restrict_namespaces &= ~flags;
        else
                o->restrict_namespaces |= flags;
        return 0;
}

unsigned long sandbox_namespaces_allowed(const SandboxOptions *o) {
        if (!o->allow_namespaces)
                return 0;
        return o->restrict_namespaces == ULONG_MAX ? SANDBOX_NAMESPACE_FLAGS_ALL : o->restrict_namespaces;
}

KEY_PARSER(parse_isolate_namespaces) {
        SandboxOptions *o = data;

        return parse_switch(&o->allow_namespaces, key, value, ret_error);
}

KEY_PARSER(parse_protect_proc) {
        SandboxOptions *o = data;
        int p;

        if (isempty(value)) {
                o->protect_proc = PROTECT_PROC_DEFAULT;
                return 0;
        }
        p = table_lookup(protect_proc_table, _PROTECT_PROC_MAX, value);
        if (p < 0)
                return key_value_invalid(ret_error, key, value);
        o->protect_proc = (ProtectProc) p;
        return 0;
}

KEY_PARSER(parse_proc_subset) {
        SandboxOptions *o = data;
        int p;

        if (isempty(value)) {
                o->proc_subset = PROC_SUBSET_ALL;
                return 0;
        }
        p = table_lookup(proc_subset_table, _PROC_SUBSET_MAX, value);
        if (p < 0)
                return key_value_invalid(ret_error, key, value);
        o->proc_subset = (ProcSubset) p;
        return 0;
}

/* The init joins a new session keyring for private (the default) and shared; inherit keeps
 * the daemon's, which holds nothing (isolated.service's own). The @keyring calls stay denied
 * unless [Isolate] AllowSystemCalls= allows them. shared (the user keyring linked in) is run
 * as private: never more than asked. */
KEY_PARSER(parse_keyring_mode) {
        SandboxOptions *o = data;
        int m;

        if (isempty(value)) {
                o->keyring_mode = KEYRING_MODE_PRIVATE;
                return 0;
        }
        m = table_lookup(keyring_mode_table, _KEYRING_MODE_MAX, value);
        if (m < 0)
                return key_value_invalid(ret_error, key, value);
        o->keyring_mode = (KeyringMode) m;
        if (m == KEYRING_MODE_SHARED)
                return key_notice(ret_notice, "%s=shared: the service gets a session keyring of its own, without the "
                              "user keyring linked in (as private)", key);
        return 0;
}

/* systemd's PrivateUsers=yes: a user namespace mapping root and the service's user only. Every
 * isolated service has a user namespace of its own already, whose 65536 IDs map to a range of
 * its own (no host user, no other service); yes asks for nothing more. */
KEY_PARSER(parse_private_users) {
        SandboxOptions *o = data;

        return parse_switch(&o->private_users, key, value, ret_error);
}

KEY_PARSER(parse_dynamic_user) {
        SandboxOptions *o = data;

        return parse_switch(&o->dynamic_user, key, value, ret_error);
}

/* isolated applies no AppArmor profile: "-" (the profile is optional, as systemd skips it where
 * AppArmor is off) runs without it, with a notice; a required profile is refused, as systemd
 * fails the start where it cannot apply it. */
KEY_PARSER(parse_apparmor_profile) {
        if (isempty(value))
                return 0;
        if (value[0] == '-')
                return key_notice(ret_notice, "%s=%s: isolated applies no AppArmor profile; optional, so the service "
                              "runs confined by its sandbox alone", key, value);
        return error_set(ret_error, -EINVAL, "%s=%s: isolated cannot apply AppArmor profiles (systemd fails the start "
                         "without the profile; '-%s' makes it optional)", key, value, value);
}

/* The service's IPC namespace is its own: its System V objects and POSIX message queues go with
 * it, which is what RemoveIPC=yes asks for. */
KEY_PARSER(parse_remove_ipc) {
        int r;

        if (isempty(value))
                return 0;
        r = parse_boolean(value);
        if (r < 0)
                return key_value_invalid(ret_error, key, value);
        return key_notice(ret_notice, "%s=%s: the service's IPC namespace is its own and goes with it, IPC objects and all",
                      key, value);
}

int hardening_options_finalize(SandboxOptions *o) {
        int r;

        if (!o->protect_clock)
                return 0;
        o->capability_bounding_set &= ~((UINT64_C(1) << CAP_SYS_TIME) | (UINT64_C(1) << CAP_WAKE_ALARM));
        o->ambient_capabilities &= ~((UINT64_C(1) << CAP_SYS_TIME) | (UINT64_C(1) << CAP_WAKE_ALARM));
        /* PrivateDevices= (the default) has no clock device; with HostDevices=yes they are masked. */
        if (!o->private_devices)
                FOREACH_STRING(p, "-/dev/rtc", "-/dev/rtc0", "-/dev/rtc1")
                        if (!strv_contains(o->inaccessible_paths, p)) {
                                r = strv_extend(&o->inaccessible_paths, p);
                                if (r < 0)
                                        return r;
                        }
        return 0;
}

uint32_t dynamic_user_id(const char *name) {
        uint32_t h = 2166136261U; /* FNV-1a */

        for (const char *c = name ?: ""; *c; c++)
                h = (h ^ (unsigned char) *c) * 16777619U;
        return 61184 + h % (65519 - 61184 + 1);
}

static char **syscall_errno_find(char *const *map, const char *name) {
        size_t k = strlen(name);

        for (char *const *i = map; i && *i; i++)
                if (strncmp(*i, name, k) == 0 && (*i)[k] == ':')
                        return (char **) i;
        return NULL;
}

int syscall_errno_set(char ***map, const char *name, int e) {
        char **i = syscall_errno_find(*map, name);
        char *entry;

        if (i) {
                free(*i);
                memmove(i, i + 1, (strv_length(i + 1) + 1) * sizeof(char *));
        }
        if (e == SYSCALL_ERRNO_NONE)
                return 0;
        if (asprintf(&entry, "%s:%d", name, e) < 0)
                return -ENOMEM;
        return strv_consume(map, entry);
}

int syscall_errno_get(char *const *map, const char *name) {
        char **i = syscall_errno_find(map, name);

        return i ? atoi(strchr(*i, ':') + 1) : SYSCALL_ERRNO_NONE;
}
