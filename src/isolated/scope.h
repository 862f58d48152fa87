/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "description.h"

/* What the daemon asks of systemd (PID 1) about a service's scope. Every call
 * is asynchronous: callback gets systemd's method reply (the job's path). */

/* "isolated-NAME.scope"; NULL on OOM. */
char *scope_unit_name(const char *service_name);

/* StartTransientUnit(unit, "fail") holding pid, with the description's slice,
 * cgroup limits, KillSignal=, TimeoutStopSec= and CollectMode=inactive-or-failed,
 * once systemd has removed a previous unit of that name (bounded: see scope.c).
 * callback gets systemd's reply (or an error reply of ours if a step could not
 * be asked); *ret_slot stands for the whole operation: unreferencing it cancels. */
int scope_start(sd_bus *bus, const char *unit, const Description *d, pid_t pid,
                sd_bus_message_handler_t callback, void *userdata, sd_bus_slot **ret_slot);

/* If the slot is a scope_start() still waiting for the previous scope of the name (nothing of
 * ours exists yet), drops it and returns true: there is no scope to stop. */
bool scope_start_cancel(sd_bus_slot **slot);

/* StopUnit(unit, "replace"). */
int scope_stop(sd_bus *bus, const char *unit, sd_bus_message_handler_t callback, void *userdata,
               sd_bus_slot **ret_slot);

#define SCOPE_INVOCATION_ID_MAX 33 /* 32 hex digits and NUL */

/* Get(org.freedesktop.systemd1.Unit, InvocationID) of the unit: the ID
 * systemd gave this activation of the scope (the journal's _SYSTEMD_INVOCATION_ID). */
int scope_get_invocation_id(sd_bus *bus, const char *unit, sd_bus_message_handler_t callback, void *userdata,
                            sd_bus_slot **ret_slot);
/* From the reply of scope_get_invocation_id(): 32 lowercase hex digits. -EBADMSG if it is not 16 bytes. */
int scope_read_invocation_id(sd_bus_message *reply, char ret[static SCOPE_INVOCATION_ID_MAX]);
/* Watches PropertiesChanged of unit (systemd sends them to us, subscribed): its InvocationID arrives
 * with its start, so that no Get is needed after the job. scope_read_changed_invocation_id() reads
 * it from such a signal: 1 if it was there, 0 if not. */
int scope_watch_invocation_id(sd_bus *bus, const char *unit, sd_bus_message_handler_t callback, void *userdata,
                              sd_bus_slot **ret_slot);
int scope_read_changed_invocation_id(sd_bus_message *m, char ret[static SCOPE_INVOCATION_ID_MAX]);
