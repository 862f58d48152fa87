/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "process-options.h"

/* LogLevelMax= and LogExtraFields= as systemd hands them to journald: journald reads, for the unit
 * of each client, /run/systemd/units/log-level-max:UNIT (a symlink to the level's number) and
 * /run/systemd/units/log-extra-fields:UNIT (each FIELD=VALUE as a little-endian 64-bit length
 * and the bytes). Written (or removed, when the description sets none) by the daemon on the
 * host before each start of the scope UNIT; journald then filters and tags every line of the
 * scope, the service's stdout and stderr and its syslog(3) alike. -errno. */
int log_context_export(const ProcessOptions *o, const char *unit);
