/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "init-protocol.h"
#include "time-util.h"

typedef struct Service Service;

/* [Isolate] HealthCheck=: the daemon's side. The check is started by the init
 * as every command of `isolatectl shell` is (SHELL of init-protocol.h): inside
 * the service's confinement (user namespace, User=, capabilities, seccomp,
 * rlimits, cgroup, the service's environment), with /dev/null for stdin,
 * stdout and stderr, and no fd or variable of the daemon's. One timer per
 * service with a HealthCheck=, only while its main process runs: it is the
 * next check's start, or the running check's HealthTimeout=.
 *
 * Who trusts whom: the verdict comes from inside the service (the init
 * reports the check's exit), so a service that took its init over can claim to
 * be healthy; it can only lie about itself, and a failed verdict can only end
 * or restart that one service. */

typedef enum HealthState {
        HEALTH_STATE_NONE,      /* no HealthCheck=: "" */
        HEALTH_STATE_STARTING,  /* no verdict yet since the main process (re)started */
        HEALTH_STATE_HEALTHY,
        HEALTH_STATE_UNHEALTHY, /* HealthRetries= checks in a row failed */
        _HEALTH_STATE_MAX,
        _HEALTH_STATE_INVALID = -EINVAL,
} HealthState;

const char *health_state_to_string(HealthState s);
HealthState health_state_from_string(const char *s);

typedef struct ServiceHealth {
        HealthState state;
        bool armed;        /* the main process runs: checks are due */
        bool ever_healthy; /* a check passed since the main process (re)started: failures count from now on */
        bool acted;        /* HealthOnFailure= carried out for this run of the main process */
        bool ended_it;     /* the daemon ended the service for its health: Result=health */
        unsigned failures; /* in a row */
        usec_t period_end; /* CLOCK_MONOTONIC: HealthStartPeriod= is over */
        uint64_t next_id;
        uint64_t check_id; /* the check running, 0 if none */
        usec_t check_start; /* CLOCK_MONOTONIC */
        sd_event_source *timer;
} ServiceHealth;

/* The IDs of checks, in the SHELL ID space: never one of shell.c's (which count from 1). */
#define HEALTH_CHECK_ID_BASE (UINT64_C(1) << 63)

void health_done(ServiceHealth *h);

/* The init said where the service is (MAIN): checks run while it is running or
 * reloading; a main process that comes back (a restart in place) starts with
 * Health=starting again. */
void health_main_changed(Service *s, InitState state);

/* The init is gone: no timer is left, no check counted; the last verdict stays. */
void health_stop(Service *s);

/* SHELL-EXITED or SHELL-FAILED of a check: applied, fds closed, true. Anything else: false,
 * fds untouched. */
bool health_handle_message(Service *s, const char *msg, int *fds, size_t n_fds);

/* HealthReady=yes and no check has passed yet: the start is not complete. */
bool health_holds_start(const Service *s);
