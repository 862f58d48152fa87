/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "description.h"

/* The "+" prefix (systemd.service(5)): the command runs with full privileges on the host, in the
 * service's scope. The init cannot start such a command (it is inside the sandbox), so it asks the
 * daemon to, over the control socket (init-protocol.h), and waits for its end as for any command:
 *
 * init -> daemon
 *   "EXEC-HOST SEQ KEY INDEX"   run command INDEX (from 0) of KEY (ExecStartPre, ExecStartPost,
 *                               ExecReload, ExecStop) of the service's description. SEQ: the
 *                               init's number for this run (decimal, u64), named by the answer.
 *                               Carries the main process's pidfd (SCM_RIGHTS) if there is one,
 *                               for $MAINPID as the host sees it. One at a time.
 *   "EXEC-HOST-KILL SEQ"        SIGKILL to it (a timeout of the phase, or a stop). No answer but
 *                               its end.
 * daemon -> init
 *   "EXEC-HOST-DONE SEQ STATUS ERRNO"
 *                               it ended with wait status STATUS (decimal, as waitpid() has it),
 *                               or could not run: ERRNO > 0 (STATUS then 0).
 *
 * Who trusts whom: the init may be the service's, so the daemon takes from it only which of the
 * administrator's "+" commands to run, never a command line, an environment, an fd (but the pidfd,
 * checked to be of a process in the scope) or a directory. A command without "+" is refused. */

typedef enum HostExecKey {
        HOST_EXEC_START_PRE,
        HOST_EXEC_START_POST,
        HOST_EXEC_RELOAD,
        HOST_EXEC_STOP,
        HOST_EXEC_CONDITION,
        HOST_EXEC_STOP_POST,
        _HOST_EXEC_KEY_MAX,
        _HOST_EXEC_KEY_INVALID = -EINVAL,
} HostExecKey;

const char *host_exec_key_to_string(HostExecKey k);
HostExecKey host_exec_key_from_string(const char *s);

/* The list of the description a key names. */
ExecCommand *const *host_exec_key_list(const Description *d, HostExecKey k);

typedef enum HostExecMessageType {
        HOST_EXEC_RUN,
        HOST_EXEC_KILL,
        HOST_EXEC_DONE,
        _HOST_EXEC_MESSAGE_TYPE_MAX,
} HostExecMessageType;

typedef struct HostExecMessage {
        HostExecMessageType type;
        uint64_t seq;
        HostExecKey key;   /* RUN */
        unsigned index;    /* RUN */
        int wait_status;   /* DONE */
        int error;         /* DONE: errno, 0 if it ran */
} HostExecMessage;

#define HOST_EXEC_MESSAGE_MAX 96

/* Writes the message (NUL-terminated) to buf; returns its length (without the NUL) or -ENOBUFS/-EINVAL. */
int host_exec_message_format(const HostExecMessage *m, char *buf, size_t size);
/* -ENOMSG: not one of these messages (another module's); -EBADMSG: one of them, garbled. */
int host_exec_message_parse(const char *msg, HostExecMessage *ret);
