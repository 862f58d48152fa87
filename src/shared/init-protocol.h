/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* The conversation between isolated and isolate-init over one AF_UNIX
 * SOCK_SEQPACKET socket pair. Each message is one datagram of text: a verb,
 * then (for some) a newline and a payload. The init's end of the pair is its
 * file descriptor INIT_CONTROL_FD (not O_CLOEXEC in the init, O_CLOEXEC for
 * everything the init starts).
 *
 * The daemon forks the child with its new namespaces and holds it: the child
 * blocks reading its end until the daemon has placed it into the scope; then:
 *
 * daemon -> init
 *   "RELEASE"                   the scope holds the child: exec isolate-init
 *                               (read by the held child, before exec).
 *   "START 2\nNAME\nSOURCES"    protocol version 2; NAME of the service and the
 *                               description's files (main file, then drop-ins)
 *                               as description_sources_serialize() writes them,
 *                               already validated; the init parses them again
 *                               with description_parse_sources().
 *   "KILL main SIG" / "KILL all SIG"
 *                               forward signal SIG (a number) to the main
 *                               process or to every process of the namespace.
 *
 * init -> daemon
 *   "MAIN PID"                  the main process was forked and its exec
 *                               succeeded; PID as seen inside. The datagram
 *                               carries a pidfd of it (SCM_RIGHTS), from which
 *                               the daemon learns the PID it sees.
 *   "FAILED ERRNO\nTEXT"        start failed (positive errno, one line of text);
 *                               the init exits right after.
 *   "EXITED CODE STATUS"        the main process ended: CODE is "exited",
 *                               "killed" or "dumped", STATUS the exit status or
 *                               the signal number. The init then ends what is
 *                               left of the namespace and exits.
 *
 * The init exits with 0 if the main process exited 0, with its exit status if
 * it exited non-zero, with 128+SIG if it was killed, and with 255 on a failed
 * start. */

#define INIT_CONTROL_FD 3
#define INIT_PROTOCOL_VERSION 2
/* Largest datagram: the description's files (paths and texts together at most
 * DESCRIPTION_SIZE_MAX, see description-loader.h), their length headers, the
 * name and the verb. */
#define INIT_MESSAGE_MAX (DESCRIPTION_SIZE_MAX + 65536)
#define INIT_EXIT_START_FAILED 255

/* The daemon's state directory. The init listens on NAME.sock there for a
 * daemon that restarted (same protocol, the init speaking first with MAIN or
 * EXITED), and records NAME.exit when the main process ends. */
#define INIT_STATE_DIR "/run/isolated/state"
