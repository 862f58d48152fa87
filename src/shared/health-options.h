/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stdbool.h>

#include "exec-line.h"
#include "time-util.h"

/* [Isolate] HealthCheck= and its kin: a command run now and then inside the
 * service's confinement, whose exit tells whether the service is healthy.
 * Parsed here (the command line itself by description.c, which resolves its
 * specifiers); carried out by the daemon (src/isolated/health.h). Pure: no
 * logging. */

typedef enum HealthOnFailure {
        HEALTH_ON_FAILURE_NONE,    /* only the Health property says it */
        HEALTH_ON_FAILURE_KILL,    /* SIGKILL to the main process: Restart= applies, Result=health */
        HEALTH_ON_FAILURE_RESTART, /* a restart in place, whatever Restart= says (NRestarts counts it) */
        _HEALTH_ON_FAILURE_MAX,
        _HEALTH_ON_FAILURE_INVALID = -EINVAL,
} HealthOnFailure;

const char *health_on_failure_to_string(HealthOnFailure f);
HealthOnFailure health_on_failure_from_string(const char *s);

#define HEALTH_INTERVAL_DEFAULT_USEC (30 * USEC_PER_SEC)
#define HEALTH_TIMEOUT_DEFAULT_USEC (30 * USEC_PER_SEC)
#define HEALTH_RETRIES_DEFAULT 3U
#define HEALTH_RETRIES_MAX 1000U

typedef struct HealthOptions {
        ExecCommand *check;  /* HealthCheck=; NULL: no health checks */
        usec_t interval_usec; /* HealthInterval=: from the end of one check to the start of the next */
        usec_t timeout_usec;  /* HealthTimeout=: a check still running then is killed, a failure */
        unsigned retries;     /* HealthRetries=: this many failures in a row make it unhealthy */
        usec_t start_period_usec; /* HealthStartPeriod=: failures this soon after the start do not count */
        HealthOnFailure on_failure; /* HealthOnFailure= */
        bool ready;           /* HealthReady=: the start completes with the first healthy check */
} HealthOptions;

#define HEALTH_OPTIONS_DEFAULT                                                                          \
        ((HealthOptions) {                                                                              \
                .interval_usec = HEALTH_INTERVAL_DEFAULT_USEC,                                          \
                .timeout_usec = HEALTH_TIMEOUT_DEFAULT_USEC,                                            \
                .retries = HEALTH_RETRIES_DEFAULT,                                                      \
        })

void health_options_done(HealthOptions *h);

/* One [Isolate] key of the health checks but HealthCheck= (which description.c parses as a
 * command line): 0, -EINVAL with *ret_error set (the key and the value), or -ENOENT if key is none
 * of them. An empty value resets the key to its default. */
int health_options_parse(HealthOptions *h, const char *key, const char *value, char **ret_error);
