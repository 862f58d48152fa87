/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "macro.h"
#include "service-state.h"

static const char *const service_state_table[_SERVICE_STATE_MAX] = {
        [SERVICE_STARTING] = "starting", [SERVICE_RUNNING] = "running", [SERVICE_RELOADING] = "reloading",
        [SERVICE_STOPPING] = "stopping", [SERVICE_EXITED] = "exited",   [SERVICE_FAILED] = "failed",
        [SERVICE_ACTIVE_EXITED] = "active-exited",
};

static const char *const service_result_table[_SERVICE_RESULT_MAX] = {
        [SERVICE_SUCCESS] = "success",
        [SERVICE_FAILURE_RESOURCES] = "resources",
        [SERVICE_FAILURE_PROTOCOL] = "protocol",
        [SERVICE_FAILURE_TIMEOUT] = "timeout",
        [SERVICE_FAILURE_EXIT_CODE] = "exit-code",
        [SERVICE_FAILURE_SIGNAL] = "signal",
        [SERVICE_FAILURE_CORE_DUMP] = "core-dump",
        [SERVICE_FAILURE_START_LIMIT_HIT] = "start-limit-hit",
        [SERVICE_FAILURE_HEALTH] = "health",
        [SERVICE_FAILURE_OOM_KILL] = "oom-kill",
        [SERVICE_FAILURE_WATCHDOG] = "watchdog",
        [SERVICE_SKIP_CONDITION] = "exec-condition",
};

static int table_lookup(const char *const *table, int n, const char *s) {
        if (!s)
                return -EINVAL;
        for (int i = 0; i < n; i++)
                if (table[i] && strcmp(s, table[i]) == 0)
                        return i;
        return -EINVAL;
}

const char *service_state_to_string(ServiceState s) {
        if (s < 0 || s >= _SERVICE_STATE_MAX)
                return NULL;
        return service_state_table[s];
}

ServiceState service_state_from_string(const char *s) {
        return (ServiceState) table_lookup(service_state_table, _SERVICE_STATE_MAX, s);
}

const char *service_result_to_string(ServiceResult r) {
        if (r < 0 || r >= _SERVICE_RESULT_MAX)
                return NULL;
        return service_result_table[r];
}

ServiceResult service_result_from_string(const char *s) {
        return (ServiceResult) table_lookup(service_result_table, _SERVICE_RESULT_MAX, s);
}

bool service_state_is_active(ServiceState s) {
        return s == SERVICE_STARTING || s == SERVICE_RUNNING || s == SERVICE_RELOADING || s == SERVICE_STOPPING ||
               s == SERVICE_ACTIVE_EXITED;
}

#define ACTIVE                                                                                                    \
        ((1u << SERVICE_STARTING) | (1u << SERVICE_RUNNING) | (1u << SERVICE_RELOADING) | (1u << SERVICE_STOPPING) | \
         (1u << SERVICE_ACTIVE_EXITED))
#define ENDED ((1u << SERVICE_EXITED) | (1u << SERVICE_FAILED))

/* Each row: the states a service may go to from that one. */
static const unsigned service_state_transitions[_SERVICE_STATE_MAX] = {
        [SERVICE_STARTING] = ACTIVE | ENDED,
        [SERVICE_RUNNING] = ACTIVE | ENDED,
        [SERVICE_RELOADING] = ACTIVE | ENDED,
        [SERVICE_STOPPING] = ACTIVE | ENDED,
        [SERVICE_EXITED] = 0,
        [SERVICE_FAILED] = 0,
        [SERVICE_ACTIVE_EXITED] = ACTIVE | ENDED,
};

bool service_state_transition_allowed(ServiceState from, ServiceState to) {
        if (from < 0 || from >= _SERVICE_STATE_MAX || to < 0 || to >= _SERVICE_STATE_MAX || from == to)
                return false;
        return service_state_transitions[from] & (1u << to);
}

ServiceState service_state_of_result(ServiceResult r) {
        return r == SERVICE_SUCCESS || r == SERVICE_SKIP_CONDITION ? SERVICE_EXITED : SERVICE_FAILED;
}

/* A command of the start (ExecStartPre=, forking's parent): only exit 0 is clean, as systemd's
 * EXIT_CLEAN_COMMAND. */
static ServiceResult result_of_command(int code, int status) {
        if (code == CLD_EXITED)
                return status == 0 ? SERVICE_SUCCESS : SERVICE_FAILURE_EXIT_CODE;
        return code == CLD_DUMPED ? SERVICE_FAILURE_CORE_DUMP : SERVICE_FAILURE_SIGNAL;
}

/* The main process: SuccessExitStatus= and the clean signals, as systemd's EXIT_CLEAN_DAEMON. */
static ServiceResult result_of_exit(int code, int status, const ExitStatusSet *success) {
        switch (exit_outcome_of(code, status, success)) {
        case EXIT_OUTCOME_SUCCESS:
                return SERVICE_SUCCESS;
        case EXIT_OUTCOME_EXIT_CODE:
                return SERVICE_FAILURE_EXIT_CODE;
        case EXIT_OUTCOME_CORE_DUMP:
                return SERVICE_FAILURE_CORE_DUMP;
        default:
                return SERVICE_FAILURE_SIGNAL;
        }
}

ServiceResult service_result_from_facts(const ServiceEndFacts *f) {
        if (f->protocol_error)
                return SERVICE_FAILURE_PROTOCOL;
        if (f->start_timed_out)
                return SERVICE_FAILURE_TIMEOUT;
        if (f->start_limit_hit)
                return SERVICE_FAILURE_START_LIMIT_HIT;
        if (f->exec_condition && !f->stop_requested)
                return SERVICE_SKIP_CONDITION;
        if (f->watchdog && !f->stop_requested)
                return SERVICE_FAILURE_WATCHDOG;
        if (f->runtime_max && !f->stop_requested)
                return SERVICE_FAILURE_TIMEOUT;
        /* OOMPolicy=stop or kill: the OOM kill ended the service, whatever the processes did after. */
        if (f->oom_killed && !f->oom_continue)
                return SERVICE_FAILURE_OOM_KILL;
        if (f->health_failed && !f->stop_requested)
                return SERVICE_FAILURE_HEALTH;
        /* A command of the start failed: ExecStartPre=, forking's parent, notify's main. */
        if (f->start_failed && f->exit_reported && !f->stop_requested)
                return result_of_command(f->exit_code, f->exit_status);
        if (!f->released || f->start_failed) {
                /* A stop asked for while starting is no failure of the service, as in systemd. */
                if (f->stop_requested && !f->start_errno && f->start_failed && f->start_cancelled)
                        return SERVICE_SUCCESS;
                return f->start_errno ? SERVICE_FAILURE_EXIT_CODE : SERVICE_FAILURE_RESOURCES;
        }
        /* Released, yet the init never named a main process nor completed the start. */
        if (!f->main_pid_known && !f->start_complete && !f->stop_requested)
                return SERVICE_FAILURE_PROTOCOL;
        if (f->exit_code == CLD_KILLED && f->stop_requested)
                return SERVICE_SUCCESS;
        return result_of_exit(f->exit_code, f->exit_status, f->success_status);
}
