/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

/* The messages of isolatectl shell in init-protocol.h (SHELL, SHELL-KILL,
 * PTY; SHELL-EXITED, SHELL-FAILED, PTY), encoded and decoded here only: the
 * daemon and the init both link this. What the init sends is read as coming
 * from a process its service may own: shell_reply_decode() takes any bytes
 * (tests/fuzz/fuzz-shell-reply.c). Nothing here logs. */

#define SHELL_TERM_MAX 128 /* a longer TERM= is dropped */
#define SHELL_TEXT_MAX 256

/* daemon -> init: "SHELL ID N\nARG\0...ENV\0...". -E2BIG beyond
 * INIT_SHELL_MESSAGE_MAX, -ENOMEM. */
int shell_request_encode(uint64_t id, char *const *argv, char *const *env, char **ret, size_t *ret_size);

/* The ID of a datagram that starts "SHELL ID ", so that a malformed one can
 * still be answered. -EBADMSG. */
int shell_request_id(const char *msg, uint64_t *ret_id);

/* A SHELL datagram of size bytes (msg[size] must be 0): argv (empty: the
 * user's shell) and the caller's TERM= value (NULL if none; every other
 * variable is dropped). -EBADMSG, -ENOMEM. */
int shell_request_decode(const char *msg, size_t size, uint64_t *ret_id, char ***ret_argv, char **ret_term);

/* "VERB ID" for "PTY" and "SHELL-KILL" (daemon -> init), and its decoding:
 * -EBADMSG if msg is not exactly that. */
int shell_simple_format(const char *verb, uint64_t id, char *buf, size_t size);
int shell_simple_decode(const char *verb, const char *msg, uint64_t *ret_id);

typedef enum ShellReplyType {
        SHELL_REPLY_EXITED, /* "SHELL-EXITED ID CODE STATUS" */
        SHELL_REPLY_FAILED, /* "SHELL-FAILED ID ERRNO\nTEXT" */
        SHELL_REPLY_PTY,    /* "PTY ID ERRNO" (0: two fds came with it) */
        _SHELL_REPLY_MAX,
        _SHELL_REPLY_INVALID = -EINVAL,
} ShellReplyType;

typedef struct ShellReply {
        ShellReplyType type;
        uint64_t id;
        int code;   /* EXITED: CLD_EXITED, CLD_KILLED or CLD_DUMPED */
        int status; /* EXITED: the exit status or the signal */
        int error;  /* FAILED, PTY: a positive errno (PTY: 0 on success) */
        char text[SHELL_TEXT_MAX]; /* FAILED: one line, may be empty */
} ShellReply;

/* init -> daemon. Return the length written, or -ENOBUFS. */
int shell_reply_format_exited(uint64_t id, int wait_status, char *buf, size_t size);
int shell_reply_format_failed(uint64_t id, int error, const char *text, char *buf, size_t size);
int shell_reply_format_pty(uint64_t id, int error, char *buf, size_t size);

/* One datagram of the init, NUL-terminated. -ENOMSG if it is no shell
 * message (the caller looks further), -EBADMSG if it is one but garbled. */
int shell_reply_decode(const char *msg, ShellReply *ret);

/* "exited", "killed", "dumped" for CLD_*; NULL for anything else. */
const char *shell_exit_code_to_string(int code);
