/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>

/* isolatectl learn, the init's half (org.isolated1(5), LearnService). The daemon asks for it with
 * the START role "learn", a memfd of its own that we fill with what we saw:
 *   "write PATH\n"    an entry of the throwaway layer (a file, a whiteout, or a directory that is
 *                     empty or that we could not read there), as the host's path;
 *   "syscall NAME\n"  a call the filter would have refused.
 * The host's mounts become overlays (sandbox-mount.c): each handed-in mount the read-only lower
 * layer, the upper and work directories on one tmpfs of ours, so the service writes what it
 * likes and nothing reaches the host. The filter's refusals are SECCOMP_RET_USER_NOTIF; a thread
 * of ours records each and lets the call go on (SECCOMP_USER_NOTIF_FLAG_CONTINUE). The daemon
 * trusts none of this: it checks every line and turns it into a proposal only. */

bool learn_active(void);
/* Takes report_fd; from now on learn_active(). -errno. */
int learn_setup(int report_fd);

/* sandbox-mount.c: the tmpfs holding the layers (fd taken) and the host path of each mount N
 * (upper layer N/upper). */
void learn_set_layers(int layers_fd, char *const *paths, size_t n);

/* The thread that answers the notifications. -errno. */
int learn_seccomp_start(void);
/* In the child, last before exec: loads prog with a listener and sends the listener over sock
 * (SCM_RIGHTS, one datagram "L"), then closes it. -errno. */
int learn_seccomp_load(const struct sock_fprog *prog, bool no_new_privileges, int sock);
/* In the init: a listener that came from a child (taken). */
void learn_seccomp_add(int listener_fd);

/* Writes the findings to the report memfd, once the service's processes are gone. */
void learn_report(void);
