/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <endian.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log-context.h"
#include "string-util.h"

#define UNITS_DIR "/run/systemd/units"

/* Atomically: a temporary name, then rename(), so journald never reads half a file. */
static int write_extra_fields(const char *path, char *const *fields) {
        _cleanup_free_ char *tmp = strprintf("%s.isolated-tmp", path);
        _cleanup_close_ int fd = -EBADF;
        int r = 0;

        if (!tmp)
                return -ENOMEM;
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return negative_errno();
        for (char *const *f = fields; f && *f && r >= 0; f++) {
                uint64_t n = htole64((uint64_t) strlen(*f));

                if (write(fd, &n, sizeof(n)) != (ssize_t) sizeof(n) ||
                    write(fd, *f, strlen(*f)) != (ssize_t) strlen(*f))
                        r = errno > 0 ? -errno : -EIO;
        }
        if (r >= 0 && rename(tmp, path) < 0)
                r = negative_errno();
        if (r < 0)
                (void) unlink(tmp);
        return r;
}

/* A symlink whose target is the value, as systemd's symlink_atomic() leaves it. */
static int write_value_link(const char *path, const char *value) {
        _cleanup_free_ char *tmp = strprintf("%s.isolated-tmp", path);

        if (!tmp)
                return -ENOMEM;
        (void) unlink(tmp);
        if (symlink(value, tmp) < 0)
                return negative_errno();
        if (rename(tmp, path) < 0) {
                int r = negative_errno();

                (void) unlink(tmp);
                return r;
        }
        return 0;
}

typedef enum LogContextFile {
        LOG_CONTEXT_LEVEL_MAX,
        LOG_CONTEXT_EXTRA_FIELDS,
        LOG_CONTEXT_RATELIMIT_INTERVAL,
        LOG_CONTEXT_RATELIMIT_BURST,
        _LOG_CONTEXT_FILE_MAX,
} LogContextFile;

/* journald's names (journald-context.c), not those systemd 252 unlinks with (it says "extra-fields:"). */
static const char *const log_context_file_prefix[_LOG_CONTEXT_FILE_MAX] = {
        [LOG_CONTEXT_LEVEL_MAX] = "log-level-max:",
        [LOG_CONTEXT_EXTRA_FIELDS] = "log-extra-fields:",
        [LOG_CONTEXT_RATELIMIT_INTERVAL] = "log-rate-limit-interval:",
        [LOG_CONTEXT_RATELIMIT_BURST] = "log-rate-limit-burst:",
};

static char *log_context_path(LogContextFile f, const char *unit) {
        return strprintf(UNITS_DIR "/%s%s", log_context_file_prefix[f], unit);
}

/* Whether o sets f: those it does not are removed, what an earlier start of the name may have left. */
static bool log_context_sets(const ProcessOptions *o, LogContextFile f) {
        switch (f) {
        case LOG_CONTEXT_LEVEL_MAX:
                return o->log_level_max >= 0;
        case LOG_CONTEXT_EXTRA_FIELDS:
                return o->log_extra_fields;
        case LOG_CONTEXT_RATELIMIT_INTERVAL:
                return o->log_ratelimit_interval_usec > 0;
        case LOG_CONTEXT_RATELIMIT_BURST:
                return o->log_ratelimit_burst > 0;
        default:
                assert(false);
                return false;
        }
}

static int log_context_write(const ProcessOptions *o, LogContextFile f, const char *path) {
        char value[32];

        switch (f) {
        case LOG_CONTEXT_LEVEL_MAX:
                snprintf(value, sizeof(value), "%d", o->log_level_max);
                break;
        case LOG_CONTEXT_EXTRA_FIELDS:
                return write_extra_fields(path, o->log_extra_fields);
        case LOG_CONTEXT_RATELIMIT_INTERVAL:
                snprintf(value, sizeof(value), "%" PRIu64, (uint64_t) o->log_ratelimit_interval_usec);
                break;
        case LOG_CONTEXT_RATELIMIT_BURST:
                snprintf(value, sizeof(value), "%u", o->log_ratelimit_burst);
                break;
        default:
                assert(false);
                return -EINVAL;
        }
        return write_value_link(path, value);
}

int log_context_export(const ProcessOptions *o, const char *unit) {
        bool any = false;
        int r = 0;

        for (LogContextFile f = 0; f < _LOG_CONTEXT_FILE_MAX; f++)
                any = any || log_context_sets(o, f);
        if (any) {
                (void) mkdir("/run/systemd", 0755);
                (void) mkdir(UNITS_DIR, 0755);
        }
        for (LogContextFile f = 0; f < _LOG_CONTEXT_FILE_MAX; f++) {
                _cleanup_free_ char *path = log_context_path(f, unit);
                int k = 0;

                if (!path)
                        return -ENOMEM;
                if (log_context_sets(o, f))
                        k = log_context_write(o, f, path);
                else
                        (void) unlink(path);
                if (r >= 0)
                        r = k;
        }
        return r;
}

void log_context_remove(const char *unit) {
        for (LogContextFile f = 0; f < _LOG_CONTEXT_FILE_MAX; f++) {
                _cleanup_free_ char *path = log_context_path(f, unit);

                if (path)
                        (void) unlink(path);
        }
}
