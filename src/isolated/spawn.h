/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

/* The held child: forked into new user, PID, mount, UTS, IPC and network
 * namespaces, blocked on its control socket until the daemon sends "RELEASE",
 * then it execs the init. The daemon releases it at once (the init builds the
 * sandbox while systemd's scope job runs); nothing of the service runs before
 * GO, which the daemon sends once the scope holds the init.
 *
 * With a user namespace (uid_base given), the namespaces are created by an
 * intermediate child that first becomes host uid/gid uid_base with no
 * capability left: so the user namespace is owned by that ID of the service's
 * own, and what the kernel counts per owner of a namespace (inotify instances
 * and watches, and the other ucounts) is counted per service rather than
 * against the host's root. The intermediate child creates the held child with
 * CLONE_PARENT, so the held child is ours, reports its PID and exits. We then
 * map the namespace's 0..65535 onto uid_base.. (uid and gid alike) before the
 * held child is released. */
typedef struct HeldChild {
        pid_t pid;      /* as the daemon sees it */
        int pidfd;      /* O_CLOEXEC */
        int control_fd; /* daemon's end of the SOCK_SEQPACKET pair, O_CLOEXEC|O_NONBLOCK */
        int userns_fd;  /* its user namespace, O_CLOEXEC; -EBADF without one */
        int mntns_fd;   /* its mount namespace, O_CLOEXEC; -EBADF if it could not be opened */
} HeldChild;

/* init_path: the isolate-init binary; uid_base: the first host ID of the
 * service's range, or (uid_t) -1 for no user namespace (the init is host
 * root). On success the caller owns the fds. */
/* journal_header: journald's stdout stream header for the service (see
 * journal_stream_header()): the stream is opened as root (with a user namespace
 * before the intermediate child gives up root), and the init finds it on
 * INIT_JOURNAL_FD. */
int held_child_spawn(const char *init_path, uid_t uid_base, const char *journal_header, HeldChild *ret);

/* The init's mount namespace held by the daemon: when the init exits, the kernel does not tear its
 * mounts down before it reports the exit (exit_task_namespaces() comes before exit_notify(), and
 * an umount of a few dozen mounts waits for an RCU grace period: 1-2 ms), so the service's end is
 * seen that much sooner; the daemon closes it once the end is reported. */

/* Lets the held child exec the init. */
int held_child_release(int control_fd);
