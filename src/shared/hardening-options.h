/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <limits.h>

#include "sandbox-options.h"
#include "service-keys.h"

/* The hardening keys of [Service] with systemd 252's meaning (systemd.exec(5)), and the
 * [Isolate] opt-out Namespaces=. Each parser as sandbox_options_parse(): 0 (a notice perhaps
 * in *ret_notice), or -EINVAL with *ret_error, or -ENOMEM. Pure: no logging, no system state.
 * The seccomp side is in seccomp-filter.c, the mounts in isolate-init's sandbox-mount.c. */

/* The rows of service-keys-rows.h name these; data is the SandboxOptions. */
KEY_PARSER(parse_memory_deny_write_execute);
KEY_PARSER(parse_restrict_realtime);
KEY_PARSER(parse_protect_clock);
KEY_PARSER(parse_restrict_namespaces);
KEY_PARSER(parse_protect_proc);
KEY_PARSER(parse_proc_subset);
KEY_PARSER(parse_keyring_mode);
KEY_PARSER(parse_private_users);
KEY_PARSER(parse_dynamic_user);
KEY_PARSER(parse_apparmor_profile);
KEY_PARSER(parse_remove_ipc);
/* [Isolate] Namespaces=yes. */
KEY_PARSER(parse_isolate_namespaces);

/* The namespace flags (CLONE_NEW*) a service may create: what RestrictNamespaces= leaves, if
 * [Isolate] Namespaces=yes; none otherwise. */
unsigned long sandbox_namespaces_allowed(const SandboxOptions *o);
#define SANDBOX_NAMESPACE_FLAGS_ALL 0x7e020080UL /* CLONE_NEW{NS,CGROUP,UTS,IPC,USER,PID,NET,TIME} */

/* "mnt ipc" <-> flags; NULL/-EINVAL for an unknown name. */
int namespace_flag_from_name(const char *name, unsigned long *ret);

const char *protect_proc_to_string(ProtectProc p);
const char *proc_subset_to_string(ProcSubset p);
const char *keyring_mode_to_string(KeyringMode m);

/* After the last file (from sandbox_options_finalize()): ProtectClock= drops CAP_SYS_TIME and
 * CAP_WAKE_ALARM and hides /dev/rtc*. -ENOMEM. */
int hardening_options_finalize(SandboxOptions *o);

/* SystemCallFilter=~NAME:ERRNO: map holds "NAME:N" entries, N an errno (0..4095) or
 * SANDBOX_SYSCALL_KILL (NAME:kill). set with SYSCALL_ERRNO_NONE removes NAME's; get returns
 * its N, or SYSCALL_ERRNO_NONE. -ENOMEM. */
#define SYSCALL_ERRNO_NONE INT_MIN
int syscall_errno_set(char ***map, const char *name, int e);
int syscall_errno_get(char *const *map, const char *name);

/* DynamicUser=: the uid (and gid) inside the service's range for a User= that has no entry in
 * the sandbox's /etc/passwd: in systemd's dynamic range 61184..65519, from the name. */
uint32_t dynamic_user_id(const char *name);
