/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <time.h>

#include "ctl.h"
#include "log.h"

static int get_field(sd_journal *j, const char *field, char *buf, size_t size) {
        size_t len, flen = strlen(field);
        const void *data;
        int r;

        r = sd_journal_get_data(j, field, &data, &len);
        if (r < 0)
                return r;
        /* data is "FIELD=value". */
        if (len < flen + 1)
                return -EBADMSG;
        snprintf(buf, size, "%.*s", (int) (len - flen - 1), (const char *) data + flen + 1);
        return 0;
}

/* One entry in journalctl's short format. */
static void print_entry(sd_journal *j) {
        char ident[128], pid[32], host[128], stamp[64];
        size_t len;
        const void *data;
        uint64_t usec;
        struct tm tm;
        time_t t;

        if (sd_journal_get_data(j, "MESSAGE", &data, &len) < 0 || len < 8)
                return;
        stamp[0] = 0;
        if (sd_journal_get_realtime_usec(j, &usec) >= 0) {
                t = (time_t) (usec / 1000000);
                if (localtime_r(&t, &tm))
                        strftime(stamp, sizeof(stamp), "%b %d %H:%M:%S", &tm);
        }
        if (get_field(j, "SYSLOG_IDENTIFIER", ident, sizeof(ident)) < 0 &&
            get_field(j, "_COMM", ident, sizeof(ident)) < 0)
                snprintf(ident, sizeof(ident), "unknown");
        if (get_field(j, "_HOSTNAME", host, sizeof(host)) < 0)
                host[0] = 0;
        if (get_field(j, "_PID", pid, sizeof(pid)) < 0)
                pid[0] = 0;
        printf("%s %s %s%s%s%s: %.*s\n", stamp, host, ident, *pid ? "[" : "", pid, *pid ? "]" : "", (int) len - 8,
               (const char *) data + 8);
}

/* The journal of a scope: the last "lines" entries (all if < 0), then new
 * ones as they come if follow. quiet: no error if the journal cannot be read
 * (status shows what it can). */
int show_journal(const char *unit, int lines, bool follow, bool quiet) {
        _cleanup_free_ char *match = NULL;
        sd_journal *j = NULL;
        int r;

        if (asprintf(&match, "_SYSTEMD_UNIT=%s", unit) < 0)
                return log_oom(), EXIT_FAIL;
        r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
        if (r < 0) {
                if (!quiet)
                        log_error_errno(r, "Failed to open the journal: %m");
                return EXIT_FAIL;
        }
        r = sd_journal_add_match(j, match, 0);
        if (r < 0)
                goto finish;
        if (lines >= 0) {
                /* The last N entries, oldest first, as journalctl -n shows them. */
                r = sd_journal_seek_tail(j);
                if (r >= 0)
                        r = sd_journal_previous_skip(j, (uint64_t) lines + 1);
                if (r >= 0 && r <= lines)
                        r = sd_journal_seek_head(j);
        } else
                r = sd_journal_seek_head(j);
        if (r < 0)
                goto finish;
        for (;;) {
                while ((r = sd_journal_next(j)) > 0) {
                        print_entry(j);
                }
                if (r < 0 || !follow)
                        break;
                fflush(stdout);
                r = sd_journal_wait(j, UINT64_MAX);
                if (r < 0)
                        break;
        }
finish:
        sd_journal_close(j);
        if (r < 0) {
                if (!quiet)
                        log_error_errno(r, "Failed to read the journal of %s: %m", unit);
                return EXIT_FAIL;
        }
        return EXIT_OK;
}

int verb_logs(sd_bus *bus, int argc, char **argv) {
        _cleanup_free_ char *unit = NULL;

        if (argc != 2)
                return log_error("Usage: isolatectl logs [-f] [-n N] NAME"), EXIT_FAIL;
        if (arg_host)
                return refuse_remote("logs");
        if (asprintf(&unit, "isolated-%s.scope", argv[1]) < 0)
                return log_oom(), EXIT_FAIL;
        return show_journal(unit, arg_lines >= 0 ? arg_lines : arg_follow ? 10 : -1, arg_follow, false);
}
