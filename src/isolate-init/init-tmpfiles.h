/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The service's private /run as a booted host has it: systemd-tmpfiles --create --prefix=/run
 * (but /run/user and /run/isolated) of the service's own root, run once the root is entered (the
 * host tree read-only, /run the service's own tmpfs), before any command of the service. As the
 * user namespace's root, with no_new_privs and a bounding set of CAP_CHOWN, CAP_DAC_OVERRIDE,
 * CAP_FOWNER and CAP_FSETID only, no fd but its stdio (the journal stream, or stderr when -EBADF),
 * within a bounded time. A root without systemd-tmpfiles is left as it is. A failure of the tool (a
 * line it cannot apply) is its own message in the service's journal; -errno only when it cannot
 * run at all. */
int init_tmpfiles_run(int stream_fd);
