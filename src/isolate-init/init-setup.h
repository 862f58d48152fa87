/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "description.h"

/* The sandbox the init builds around the service, from inside the scope and
 * the new namespaces, before the main process is forked. */

typedef struct InitSetup {
        const Description *description;
        /* The service's stdout/stderr: a journal stream, or -EBADF for the
         * init's own stderr. Owned. */
        int stream_fd;
        /* The host's mounts, idmapped, as the daemon sent them (MOUNTS): the service's root is built
         * from them. None: the service runs in the host's tree (HostRoot=yes). Not owned. */
        char *const *mount_paths;
        const int *mount_fds;
        size_t n_mounts;
        /* The daemon's plan of /run (START role "tmpfiles"), or -EBADF: run systemd-tmpfiles. Not owned. */
        int tmpfiles_plan_fd;
        /* A step's own one-line account of its failure, if it has one. Owned. */
        char *error;
} InitSetup;

void init_setup_done(InitSetup *s);

/* Runs every sandbox step in order. On failure returns -errno and sets
 * *ret_error to a one-line text for the daemon ("Failed to mount /proc: ..."). */
int init_setup_run(InitSetup *s, char **ret_error);

/* After GO (the init is in the scope's cgroup): the cgroup namespace, then the cgroup hierarchies
 * that init_setup_run() left out (sandbox_mount_defer_cgroupfs()). Same error convention. */
int init_setup_cgroup(InitSetup *s, char **ret_error);
