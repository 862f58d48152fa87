/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <endian.h>
#include <fcntl.h>
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

static int write_level_max(const char *path, int level) {
        _cleanup_free_ char *tmp = strprintf("%s.isolated-tmp", path);
        char target[16];

        if (!tmp)
                return -ENOMEM;
        snprintf(target, sizeof(target), "%d", level);
        (void) unlink(tmp);
        if (symlink(target, tmp) < 0)
                return negative_errno();
        if (rename(tmp, path) < 0) {
                int r = negative_errno();

                (void) unlink(tmp);
                return r;
        }
        return 0;
}

int log_context_export(const ProcessOptions *o, const char *unit) {
        _cleanup_free_ char *level = strprintf(UNITS_DIR "/log-level-max:%s", unit);
        _cleanup_free_ char *extra = strprintf(UNITS_DIR "/log-extra-fields:%s", unit);
        int r = 0, k;

        if (!level || !extra)
                return -ENOMEM;
        if (o->log_level_max < 0 && !o->log_extra_fields) {
                /* What an earlier start of the name left. */
                (void) unlink(level);
                (void) unlink(extra);
                return 0;
        }
        (void) mkdir("/run/systemd", 0755);
        (void) mkdir(UNITS_DIR, 0755);

        if (o->log_level_max >= 0)
                r = write_level_max(level, o->log_level_max);
        else
                (void) unlink(level);
        if (o->log_extra_fields) {
                k = write_extra_fields(extra, o->log_extra_fields);
                if (r >= 0)
                        r = k;
        } else
                (void) unlink(extra);
        return r;
}
