/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <sys/types.h>

#include "init-protocol.h"

/* The init's side of init-protocol.h: one datagram per call, nothing logged. */

/* Receives one datagram into a NUL-terminated buffer of *ret_size bytes.
 * Returns 1 on a message, 0 on EOF (the daemon closed its end), -EMSGSIZE
 * for a datagram larger than max bytes, -errno otherwise. */
int control_receive(int fd, size_t max, char **ret, size_t *ret_size);
/* The same, with up to max_fds fds (O_CLOEXEC) that came with it in fds; on
 * 0 or failure *ret_n_fds may be non-zero: the caller closes them. */
int control_receive_fds(int fd, size_t max, char **ret, size_t *ret_size, int *fds, size_t max_fds, size_t *ret_n_fds);

/* What the daemon hands over before the service starts: an optional MOUNTS
 * datagram, then START (init-protocol.h). Every fd O_CLOEXEC, -EBADF where
 * none came. */
typedef struct InitStart {
        char *name;
        char *invocation_id; /* 32 hex digits, or empty */
        char *text;          /* the description's files: see description_sources_deserialize() */
        int fds[INIT_START_FDS_MAX]; /* the listening sockets, in the description's order */
        size_t n_fds;
        int role_fds[_START_FD_ROLE_MAX];
        char **mount_paths; /* MOUNTS: where each detached mount belongs */
        int *mount_fds;
        size_t n_mounts;
} InitStart;

#define INIT_START_NULL                                                                            \
        ((InitStart) { .role_fds = { [0 ... _START_FD_ROLE_MAX - 1] = -EBADF } })

void init_start_done(InitStart *st);

/* Waits for [MOUNTS then] START and splits them. -EPROTONOSUPPORT for another
 * version, -EBADMSG for anything malformed; on failure no fd is left open. */
int control_receive_start(int fd, InitStart *ret);

/* Waits for "GO\nINVOCATION_ID" (init-protocol.h): the ID (32 hex digits or empty) into
 * ret_invocation_id. -ECONNRESET on EOF, -EBADMSG for anything else. */
int control_receive_go(int fd, char ret_invocation_id[static 33]);

/* The messages to the daemon, encoded by init_message_format() (init-protocol.h). */
/* "HELLO VERSION": first on every connection. */
int control_send_hello(int fd);
/* "MAIN PID\nSTATE=...\nNRESTARTS=N\nSTATUS=..." with pidfd attached; pidfd < 0
 * sends the text alone. */
int control_send_main(int fd, pid_t pid, int pidfd, InitState state, unsigned n_restarts, const char *status);
/* "FAILED ERRNO\nTEXT"; error may be given negative. */
int control_send_failed(int fd, int error, const char *text);
/* "EXITED CODE STATUS" for a wait status as returned by waitpid(), and
 * "\nRESULT=result" if result is not NULL. */
int control_send_exited(int fd, int wait_status, const char *result);
/* "RELOADED 0", or "RELOADED ERRNO\nTEXT". */
int control_send_reloaded(int fd, int error, const char *text);
