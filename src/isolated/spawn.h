/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

/* The held child: forked into new PID, mount, UTS, IPC and network namespaces,
 * blocked on its control socket until the daemon sends "RELEASE", then it execs
 * the init. Nothing of the service runs before the scope holds the child. */
typedef struct HeldChild {
        pid_t pid;      /* as the daemon sees it */
        int pidfd;      /* O_CLOEXEC */
        int control_fd; /* daemon's end of the SOCK_SEQPACKET pair, O_CLOEXEC|O_NONBLOCK */
} HeldChild;

/* init_path: the isolate-init binary. On success the caller owns both fds. */
int held_child_spawn(const char *init_path, HeldChild *ret);

/* Lets the held child exec the init. */
int held_child_release(int control_fd);
