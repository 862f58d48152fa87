/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "time-util.h"

/* Value parsers with systemd's meanings. Each returns 0 and writes *ret on
 * success, -EINVAL (or -ERANGE) on a bad value, and never logs. */

/* yes/no/true/false/on/off/1/0, case-insensitive. Returns 1/0 itself too. */
int parse_boolean(const char *s);
/* "1024", "10K", "1.5M", "2G", "1T" (base 1024); "infinity" gives UINT64_MAX. */
int parse_size(const char *s, uint64_t *ret);
/* "20%" -> 20 as per-cent; also "1.5%" is refused. Returns the percentage. */
int parse_percent(const char *s);
/* CPUQuota=: "20%" or "150%" -> microseconds of CPU time per second. */
int parse_cpu_quota(const char *s, usec_t *ret);
/* "5s", "1min 30s", "500ms", "2h", bare number = seconds, "infinity". */
int parse_sec(const char *s, usec_t *ret);
/* TasksMax=: a number, "infinity", or a percentage of the kernel's pid_max. */
int parse_tasks_max(const char *s, uint64_t *ret);
/* "SIGTERM", "TERM" or "15". Returns the signal number. */
int parse_signal(const char *s);
/* Unsigned decimal that fits 64 bits. */
int parse_uint64(const char *s, uint64_t *ret);

/* Like parse_size(), also "N%" of physical memory (MemoryMax= and kin). 0 and
 * 0% are refused, as systemd does for MemoryMax=. */
int parse_memory_limit(const char *s, uint64_t *ret);
/* "N%", "N.N%", "N.NN%", "N‰" or "N.N‰" as hundredths of a per-cent (1% = 100).
 * More than 100% is allowed. */
int parse_permyriad_unbounded(const char *s);
/* Name of signal sig ("TERM", "RTMIN+3"), or NULL. Never allocates. */
const char *signal_to_string(int sig);
