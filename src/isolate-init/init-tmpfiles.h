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

/* The same from the daemon's plan (tmpfiles-plan.h, the START role "tmpfiles"): what the tool made
 * under an empty /run when the daemon last ran it with this host's tmpfiles.d, replayed into our
 * /run (mkdirat, symlinkat, fchownat, fchmodat ...: microseconds, no exec). What the tool said
 * then goes to stream_fd as it would have (at init_tmpfiles_report()); an entry that cannot be made (an ID outside the user
 * namespace) is one line there, and the rest is made. -errno only for a plan that cannot be read
 * or is malformed (-EBADMSG). */
int init_tmpfiles_replay(int plan_fd, int stream_fd);
/* After GO, once we are in the scope (so the journal files our lines under the service, and a
 * child of ours is the scope's): what the replay had to say (the tool's lines, the entries it could
 * not make) to stream_fd (or our log); without a replay before, init_tmpfiles_run() now. */
int init_tmpfiles_after_go(int stream_fd);
