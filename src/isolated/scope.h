/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "description.h"

/* What the daemon asks of systemd (PID 1) about a service's scope. Every call
 * is asynchronous: callback gets systemd's method reply (the job's path). */

/* "isolated-NAME.scope"; NULL on OOM. */
char *scope_unit_name(const char *service_name);

/* StartTransientUnit(unit, "fail") holding pid, with the description's slice,
 * cgroup limits, KillSignal=, TimeoutStopSec= and CollectMode=inactive-or-failed. */
int scope_start(sd_bus *bus, const char *unit, const Description *d, pid_t pid,
                sd_bus_message_handler_t callback, void *userdata, sd_bus_slot **ret_slot);

/* StopUnit(unit, "replace"). */
int scope_stop(sd_bus *bus, const char *unit, sd_bus_message_handler_t callback, void *userdata,
               sd_bus_slot **ret_slot);
