/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "health-options.h"
#include "macro.h"
#include "parse-util.h"
#include "string-util.h"

static const char *const health_on_failure_table[_HEALTH_ON_FAILURE_MAX] = {
        [HEALTH_ON_FAILURE_NONE] = "none",
        [HEALTH_ON_FAILURE_KILL] = "kill",
        [HEALTH_ON_FAILURE_RESTART] = "restart",
};

const char *health_on_failure_to_string(HealthOnFailure f) {
        if (f < 0 || f >= _HEALTH_ON_FAILURE_MAX)
                return NULL;
        return health_on_failure_table[f];
}

HealthOnFailure health_on_failure_from_string(const char *s) {
        for (int i = 0; s && i < _HEALTH_ON_FAILURE_MAX; i++)
                if (strcmp(s, health_on_failure_table[i]) == 0)
                        return (HealthOnFailure) i;
        return _HEALTH_ON_FAILURE_INVALID;
}

void health_options_done(HealthOptions *h) {
        h->check = exec_command_free(h->check);
}

/* A time span that must be finite; zero only where allow_zero. */
static int parse_span(const char *key, const char *value, bool allow_zero, usec_t dflt, usec_t *ret, char **ret_error) {
        usec_t u;

        if (isempty(value)) {
                *ret = dflt;
                return 0;
        }
        if (parse_sec(value, &u) < 0 || u == USEC_INFINITY)
                return error_set(ret_error, -EINVAL, "Invalid %s= value '%s': expected a finite time span", key, value);
        if (u == 0 && !allow_zero)
                return error_set(ret_error, -EINVAL, "Invalid %s= value '%s': must be longer than 0", key, value);
        *ret = u;
        return 0;
}

int health_options_parse(HealthOptions *h, const char *key, const char *value, char **ret_error) {
        if (strcmp(key, "HealthInterval") == 0)
                return parse_span(key, value, false, HEALTH_INTERVAL_DEFAULT_USEC, &h->interval_usec, ret_error);
        if (strcmp(key, "HealthTimeout") == 0)
                return parse_span(key, value, false, HEALTH_TIMEOUT_DEFAULT_USEC, &h->timeout_usec, ret_error);
        if (strcmp(key, "HealthStartPeriod") == 0)
                return parse_span(key, value, true, 0, &h->start_period_usec, ret_error);

        if (strcmp(key, "HealthRetries") == 0) {
                uint64_t v;

                if (isempty(value)) {
                        h->retries = HEALTH_RETRIES_DEFAULT;
                        return 0;
                }
                if (parse_uint64(value, &v) < 0 || v < 1 || v > HEALTH_RETRIES_MAX)
                        return error_set(ret_error, -EINVAL, "Invalid %s= value '%s': expected a number 1..%u", key,
                                         value, HEALTH_RETRIES_MAX);
                h->retries = (unsigned) v;
                return 0;
        }

        if (strcmp(key, "HealthOnFailure") == 0) {
                HealthOnFailure f = isempty(value) ? HEALTH_ON_FAILURE_NONE : health_on_failure_from_string(value);

                if (f < 0)
                        return error_set(ret_error, -EINVAL, "Invalid %s= value '%s': expected none, kill or restart",
                                         key, value);
                h->on_failure = f;
                return 0;
        }

        if (strcmp(key, "HealthReady") == 0) {
                int b = isempty(value) ? 0 : parse_boolean(value);

                if (b < 0)
                        return error_set(ret_error, -EINVAL, "Invalid %s= value '%s': expected a boolean", key, value);
                h->ready = b;
                return 0;
        }

        return -ENOENT;
}
