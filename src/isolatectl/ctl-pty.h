/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <signal.h>
#include <sys/types.h>

/* A pseudo terminal for a command run inside a service, so that it never
 * gets a descriptor of the caller's terminal (TIOCSTI and friends). */

/* Opens a pty pair sized and set up as our terminal on stdin. Call it before
 * entering a mount namespace: /dev/ptmx is the host's. */
int pty_open(int *ret_master, int *ret_slave);

/* In the child: a new session with the slave as controlling terminal and
 * standard input, output and error. */
int pty_make_controlling(int slave);

/* In the parent: stdin in raw mode, relays both ways and window size changes
 * until the child has exited and its output is drained; restores the
 * terminal. */
int pty_relay(int master, pid_t child, siginfo_t *ret_status);
