/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

/* Capability names as systemd writes them in unit files ("CAP_SYS_ADMIN"), over libcap's
 * table (which knows the kernel's). Pure: no logging. */

/* Capability number of "CAP_SYS_ADMIN" (any case), or -EINVAL (also for a name without the
 * CAP_ prefix, which systemd does not take either), -ENOMEM. */
int capability_from_name(const char *name);

/* "CAP_SYS_ADMIN" for 21, in a new string; NULL for -ENOMEM. A capability libcap does not
 * name comes back as its number. */
char *capability_to_name(int c);

/* "CAP_CHOWN CAP_KILL": the capabilities of set, in number order; *ret NULL for the empty
 * set. -ENOMEM. */
int capability_set_to_string(uint64_t set, char **ret);
