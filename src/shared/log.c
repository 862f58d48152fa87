/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

static int max_level = LOG_INFO;
static const char *prefix;
static int kernel_style;

void log_set_max_level(int level) {
        max_level = level;
}

void log_set_prefix(const char *p) {
        prefix = p;
}

void log_set_kernel_style(int enabled) {
        kernel_style = enabled;
}

int log_internal(int level, int error, const char *fmt, ...) {
        int saved = errno;
        va_list ap;

        if (error < 0)
                error = -error;
        if (level <= max_level) {
                if (kernel_style)
                        fprintf(stderr, "<%d>", level);
                if (prefix)
                        fprintf(stderr, "%s: ", prefix);
                /* %m in fmt prints strerror(error), as in systemd. */
                errno = error;
                va_start(ap, fmt);
                vfprintf(stderr, fmt, ap);
                va_end(ap);
                fputc('\n', stderr);
        }
        errno = saved;
        return error > 0 ? -error : -EIO;
}
