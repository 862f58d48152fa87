/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>

#include "time-util.h"

/* The scope's live usage, as systemd reports it (so it works on v1, hybrid and
 * v2 hosts alike), kept in the service and refreshed asynchronously: a property
 * read answers at once from the cache and asks systemd for fresh figures, so
 * the event loop never waits on systemd. UINT64_MAX where unknown. */
typedef struct UsageCache {
        uint64_t memory_current;
        uint64_t tasks_current;
        uint64_t cpu_usage_nsec;
        usec_t timestamp; /* CLOCK_MONOTONIC of the last answer; 0 before any */
        sd_bus_slot *call;
} UsageCache;

#define USAGE_CACHE_NULL                                                                                           \
        ((UsageCache) { .memory_current = UINT64_MAX, .tasks_current = UINT64_MAX, .cpu_usage_nsec = UINT64_MAX })

/* Asks systemd for fresh figures of unit unless a question is pending (u must outlive the
 * question: usage_done() cancels it). */
void usage_refresh(UsageCache *u, sd_bus *bus, const char *unit);
/* The cached value of MemoryCurrent, TasksCurrent or CPUUsageNSec. */
uint64_t usage_get(const UsageCache *u, const char *property);
void usage_done(UsageCache *u);
