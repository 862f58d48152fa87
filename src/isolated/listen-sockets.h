/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "description.h"
#include "socket-spec.h"

/* ListenStream=, ListenDatagram=: the daemon makes the listening sockets on
 * the host, as systemd makes a socket unit's (SO_REUSEADDR, a bare PORT on
 * IPv6 and IPv4, socket files mode 0666 with their parents created); the
 * init hands them to the main process as fds 3... with LISTEN_FDS. */

/* Opens one socket per d->listen spec, O_CLOEXEC, in order. On failure nothing is left
 * (no fd, no socket file made here) and *ret_error names the key and why. A socket file is made,
 * and removed, as the host's root but never through a symlink below a directory the service can
 * write (sandbox_host_writable_paths()): one it planted there in an earlier run would have the
 * daemon make directories and sockets, or remove sockets, anywhere on the host. */
int listen_sockets_open(const Description *d, int **ret_fds, char **ret_error);

/* Closes n fds and frees the array; NULL. */
int *listen_sockets_close(int *fds, size_t n);

/* Removes the socket files of the "/path" specs, once nothing listens on them
 * any more; anything there that is not a socket is left alone. */
void listen_sockets_remove_files(const Description *d);
