/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "process-options.h"

/* LogLevelMax=, LogExtraFields=, LogRateLimitIntervalSec= and LogRateLimitBurst= as systemd
 * hands them to journald: journald reads, for the unit of each client, in /run/systemd/units/
 * log-level-max:UNIT (a symlink to the level's number), log-extra-fields:UNIT (each FIELD=VALUE as
 * a little-endian 64-bit length and the bytes), log-rate-limit-interval:UNIT and
 * log-rate-limit-burst:UNIT (symlinks to the microseconds and the count). Written (or removed, for
 * what the description does not set) by the daemon on the host before each start of the scope
 * UNIT; journald then filters, tags and rate-limits every line of the scope, the service's stdout
 * and stderr and its syslog(3) alike. -errno. */
int log_context_export(const ProcessOptions *o, const char *unit);

/* Once the scope UNIT is gone: none of them stays behind. */
void log_context_remove(const char *unit);
