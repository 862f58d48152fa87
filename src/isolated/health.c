/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "health.h"
#include "init-protocol.h"
#include "log.h"
#include "manager.h"
#include "service.h"
#include "shell-protocol.h"
#include "socket-util.h"

static const char *const health_state_table[_HEALTH_STATE_MAX] = {
        [HEALTH_STATE_NONE] = "",
        [HEALTH_STATE_STARTING] = "starting",
        [HEALTH_STATE_HEALTHY] = "healthy",
        [HEALTH_STATE_UNHEALTHY] = "unhealthy",
};

const char *health_state_to_string(HealthState s) {
        if (s < 0 || s >= _HEALTH_STATE_MAX)
                return NULL;
        return health_state_table[s];
}

HealthState health_state_from_string(const char *s) {
        for (int i = 0; s && i < _HEALTH_STATE_MAX; i++)
                if (strcmp(s, health_state_table[i]) == 0)
                        return (HealthState) i;
        return _HEALTH_STATE_INVALID;
}

void health_done(ServiceHealth *h) {
        h->timer = sd_event_source_disable_unref(h->timer);
        h->armed = false;
        h->check_id = 0;
}

static const HealthOptions *options(const Service *s) {
        return s->description && s->description->health.check ? &s->description->health : NULL;
}

static void set_state(Service *s, HealthState state) {
        if (s->health.state == state)
                return;
        log_debug("%s: health %s -> %s", s->name, health_state_to_string(s->health.state) ?: "",
                  health_state_to_string(state));
        s->health.state = state;
        (void) sd_bus_emit_properties_changed(s->manager->bus, s->path, ISOLATED_SERVICE_INTERFACE, "Health", NULL);
        service_health_changed(s);
}

static int on_timer(sd_event_source *source, uint64_t usec, void *userdata);

/* The timer at now + usec (0: at once). */
static void arm_timer(Service *s, usec_t usec) {
        int r;

        if (s->health.timer) {
                r = sd_event_source_set_time_relative(s->health.timer, usec);
                if (r >= 0)
                        r = sd_event_source_set_enabled(s->health.timer, SD_EVENT_ONESHOT);
        } else
                r = sd_event_add_time_relative(s->manager->event, &s->health.timer, CLOCK_MONOTONIC, usec, 0,
                                               on_timer, s);
        if (r < 0)
                log_warning_errno(r, "%s: cannot arm the health check's timer, no more checks: %m", s->name);
}

static int send_text(Service *s, const char *text) {
        if (send(s->control_fd, text, strlen(text), MSG_NOSIGNAL) < 0)
                return negative_errno();
        return 0;
}

/* HealthOnFailure=, once per run of the main process. */
static void act(Service *s) {
        const HealthOptions *o = options(s);
        char msg[64];
        int r;

        if (s->health.acted || !s->start_complete || s->stop_requested)
                return; /* a held start (HealthReady=yes) fails instead: service_health_changed() */
        s->health.acted = true;
        switch (o->on_failure) {
        case HEALTH_ON_FAILURE_KILL:
                log_warning("%s: unhealthy, killing the main process (HealthOnFailure=kill).", s->name);
                s->health.ended_it = true; /* unless Restart= brings it back */
                r = service_kill(s, "main", SIGKILL);
                break;
        case HEALTH_ON_FAILURE_RESTART:
                log_warning("%s: unhealthy, restarting it (HealthOnFailure=restart).", s->name);
                r = daemon_request_format(&(DaemonRequest) { .type = DAEMON_REQUEST_RESTART }, msg, sizeof(msg));
                if (r >= 0)
                        r = send_text(s, msg);
                break;
        default:
                return;
        }
        if (r < 0)
                log_warning_errno(r, "%s: cannot carry out HealthOnFailure=%s: %m", s->name,
                                  health_on_failure_to_string(o->on_failure));
}

static void verdict(Service *s, bool ok, const char *what) {
        const HealthOptions *o = options(s);
        ServiceHealth *h = &s->health;

        if (ok) {
                if (h->state != HEALTH_STATE_HEALTHY)
                        log_info("%s: healthy.", s->name);
                h->failures = 0;
                h->ever_healthy = true;
                set_state(s, HEALTH_STATE_HEALTHY);
                return;
        }
        /* HealthStartPeriod=: the service may still be coming up, until a check passed once. */
        if (!h->ever_healthy && now_usec(CLOCK_MONOTONIC) < h->period_end) {
                log_debug("%s: health check %s, within HealthStartPeriod=: not counted.", s->name, what);
                return;
        }
        h->failures++;
        /* Once unhealthy, every further failure is no news. */
        log_internal(h->failures <= o->retries ? LOG_NOTICE : LOG_DEBUG, 0,
                     "%s: health check %s (%u of HealthRetries=%u).", s->name, what, h->failures, o->retries);
        if (h->failures < o->retries)
                return;
        if (h->state != HEALTH_STATE_UNHEALTHY)
                log_warning("%s: unhealthy.", s->name);
        set_state(s, HEALTH_STATE_UNHEALTHY);
        act(s);
}

/* The next check, HealthInterval= after the end of this one. */
static void check_done(Service *s, bool ok, const char *what) {
        s->health.check_id = 0;
        if (s->health.armed)
                arm_timer(s, options(s)->interval_usec);
        verdict(s, ok, what);
}

static void start_check(Service *s) {
        const HealthOptions *o = options(s);
        _cleanup_free_ char *msg = NULL;
        _cleanup_close_ int null_fd = -EBADF;
        uint64_t id = HEALTH_CHECK_ID_BASE | s->health.next_id++;
        size_t size;
        int r;

        /* Nothing of ours reaches it: /dev/null as its stdio, no environment but the service's. */
        null_fd = open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (null_fd < 0) {
                r = negative_errno();
                goto fail;
        }
        r = shell_request_encode(id, o->check->argv, NULL, &msg, &size);
        if (r >= 0)
                r = send_with_fds(s->control_fd, msg, size, (int[]) { null_fd, null_fd, null_fd }, 3);
        if (r < 0)
                goto fail;
        s->health.check_id = id;
        s->health.check_start = now_usec(CLOCK_MONOTONIC);
        arm_timer(s, o->timeout_usec);
        log_debug("%s: health check %" PRIu64 " started.", s->name, id & ~HEALTH_CHECK_ID_BASE);
        return;

fail:
        log_warning_errno(r, "%s: cannot ask the init to run the health check: %m", s->name);
        check_done(s, false, "could not be started");
}

static int on_timer(sd_event_source *source, uint64_t usec, void *userdata) {
        Service *s = userdata;
        char msg[64], what[64];

        /* Being stopped, or a held start that failed: the init's end disarms us soon. */
        if (!s->health.armed || s->control_fd < 0 || s->stop_requested || s->start_error)
                return 0;
        if (s->health.check_id == 0) {
                start_check(s);
                return 0;
        }
        /* HealthTimeout=: killed, and a failure now; its late end is not counted. */
        if (shell_simple_format("SHELL-SIGKILL", s->health.check_id, msg, sizeof(msg)) >= 0)
                (void) send_text(s, msg);
        snprintf(what, sizeof(what), "timed out after %" PRIu64 "ms",
                 (now_usec(CLOCK_MONOTONIC) - s->health.check_start) / USEC_PER_MSEC);
        check_done(s, false, what);
        return 0;
}

void health_main_changed(Service *s, InitState state) {
        const HealthOptions *o = options(s);
        ServiceHealth *h = &s->health;
        bool running = state == INIT_STATE_RUNNING || state == INIT_STATE_RELOADING;

        if (!o || running == h->armed)
                return;
        if (!running) {
                /* Stopping, or Restart= brings the main process back: the verdict stays until it is back. */
                health_done(h);
                return;
        }
        *h = (ServiceHealth) {
                .state = h->state,
                .armed = true,
                .next_id = h->next_id,
                .period_end = now_usec(CLOCK_MONOTONIC) + o->start_period_usec,
        };
        set_state(s, HEALTH_STATE_STARTING);
        if (h->armed) /* set_state() may have ended the start */
                arm_timer(s, 0); /* the first check at once, the next HealthInterval= after its end */
}

void health_stop(Service *s) {
        health_done(&s->health);
}

bool health_handle_message(Service *s, const char *msg, int *fds, size_t n_fds) {
        ShellReply reply;
        char what[SHELL_TEXT_MAX + 64];

        if (shell_reply_decode(msg, &reply) < 0 || reply.type == SHELL_REPLY_PTY ||
            !(reply.id & HEALTH_CHECK_ID_BASE))
                return false;
        for (size_t i = 0; i < n_fds; i++)
                fds[i] = safe_close(fds[i]);
        if (reply.id != s->health.check_id || !s->health.armed)
                return true; /* timed out already, or from before a restart */
        if (reply.type == SHELL_REPLY_FAILED && reply.error == EBUSY) {
                /* Not the service's fault: it is between two runs (we will hear of it), or shells fill the
                 * init's slots. No verdict; the next check as usual. */
                log_debug("%s: the init could not run the health check now: %s", s->name, reply.text);
                s->health.check_id = 0;
                arm_timer(s, options(s)->interval_usec);
                return true;
        }
        if (reply.type == SHELL_REPLY_FAILED)
                snprintf(what, sizeof(what), "could not be started: %s",
                         reply.text[0] ? reply.text : strerror(reply.error));
        else if (reply.code == CLD_EXITED)
                snprintf(what, sizeof(what), "failed with exit status %d", reply.status);
        else
                snprintf(what, sizeof(what), "killed by signal %d", reply.status);
        check_done(s, reply.type == SHELL_REPLY_EXITED && reply.code == CLD_EXITED && reply.status == 0, what);
        return true;
}

bool health_holds_start(const Service *s) {
        const HealthOptions *o = options(s);

        return o && o->ready && s->health.state != HEALTH_STATE_HEALTHY;
}
