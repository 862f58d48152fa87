/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "description-loader.h"
#include "init-protocol.h"
#include "time-util.h"

/* What the daemon keeps of a running service in its state directory, so a
 * restarted daemon can take it over: NAME.state (key=value lines) and
 * NAME.sources (the description files, serialized). The daemon makes NAME.sock
 * and NAME.exit for the init (see below), which records there how the main process ended. Nothing here logs. */

typedef struct StateRecord {
        pid_t init_pid;
        pid_t main_pid;
        usec_t start_timestamp;
        uid_t uid_base; /* of its user namespace's range; (uid_t) -1: none (an old record too) */
        bool starting;  /* written before the scope, rewritten once the start is complete (an old record: false) */
} StateRecord;

int state_file_write(const char *dir, const char *name, const StateRecord *record, const DescriptionSources *sources);
/* -ENOENT if there is no NAME.state; -EBADMSG if it or NAME.sources is corrupt. */
int state_file_read(const char *dir, const char *name, StateRecord *ret, DescriptionSources **ret_sources);
/* NAME.exit as the init wrote it: CLD_EXITED/CLD_KILLED/CLD_DUMPED and the status. */
int state_file_read_exit(const char *dir, const char *name, int *ret_code, int *ret_status, InitEndResult *ret_result);
/* Makes NAME.sock, listening, for a restarted daemon to reach the init, and an empty NAME.exit
 * open for writing, where the init records the main process's end. Both fds go to the init, which so
 * holds no fd of this directory. -errno, nothing left. */
int state_file_make_init_endpoints(const char *dir, const char *name, int *ret_listen_fd, int *ret_exit_fd);
/* Removes every file of NAME. */
void state_file_remove(const char *dir, const char *name);
/* The names that have a NAME.state, or NAME.exit (an end recorded while no daemon ran). */
int state_dir_list(const char *dir, char ***ret_names);
