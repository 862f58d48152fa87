/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <time.h>

#include "ctl.h"
#include "log.h"
#include "service-name.h"

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

/* The length of the UTF-8 sequence at s (at most n bytes) and its code point; 0 if invalid. */
static size_t utf8_sequence(const unsigned char *s, size_t n, uint32_t *ret) {
        size_t k = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
        uint32_t c = k == 1 ? s[0] : k == 2 ? s[0] & 0x1F : k == 3 ? s[0] & 0x0F : s[0] & 0x07;

        if (k == 0 || k > n)
                return 0;
        for (size_t i = 1; i < k; i++) {
                if ((s[i] & 0xC0) != 0x80)
                        return 0;
                c = (c << 6) | (s[i] & 0x3F);
        }
        if ((k == 2 && c < 0x80) || (k == 3 && c < 0x800) || (k == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
            (c >= 0xD800 && c <= 0xDFFF))
                return 0; /* overlong or not a character */
        *ret = c;
        return k;
}

/* What a service logged, for the administrator's terminal: a control character (C0, DEL, C1,
 * as bytes or encoded), an invalid byte would be the service's escape sequence there (a title,
 * the clipboard, text rewritten or hidden): printed as \xNN, as journalctl refuses to print it
 * raw. Tabs stay. */
void print_escaped(const char *text, size_t n) {
        const unsigned char *s = (const unsigned char *) text;

        for (size_t i = 0; i < n;) {
                uint32_t c = 0;
                size_t k = utf8_sequence(s + i, n - i, &c);

                if (k == 0 || (c < 0x20 && c != '\t') || (c >= 0x7F && c < 0xA0)) {
                        for (size_t e = 0; e < (k ?: 1); e++)
                                printf("\\x%02x", s[i + e]);
                        i += k ?: 1;
                        continue;
                }
                fwrite(s + i, 1, k, stdout);
                i += k;
        }
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
        printf("%s ", stamp);
        print_escaped(host, strlen(host));
        putchar(' ');
        print_escaped(ident, strlen(ident));
        printf("%s%s%s: ", *pid ? "[" : "", pid, *pid ? "]" : "");
        print_escaped((const char *) data + 8, len - 8);
        putchar('\n');
}

/* The invocation ID of the newest entry of the unit that has one (the last run's), in ret; 0 if found,
 * -ENOENT if no entry has one. */
static int last_invocation_id(sd_journal *j, char ret[static 33]) {
        int r;

        r = sd_journal_seek_tail(j);
        while (r >= 0 && (r = sd_journal_previous(j)) > 0)
                if (get_field(j, "_SYSTEMD_INVOCATION_ID", ret, 33) >= 0 && strlen(ret) == 32)
                        return 0;
        return r < 0 ? r : -ENOENT;
}

/* The journal of a scope: the last "lines" entries (all if < 0), then new
 * ones as they come if follow. quiet: no error if the journal cannot be read
 * (status shows what it can). */
int show_journal(const char *unit, int lines, bool follow, bool quiet) {
        return show_journal_run(unit, NULL, false, lines, follow, quiet);
}

int show_journal_run(const char *unit, const char *invocation_id, bool last_run, int lines, bool follow, bool quiet) {
        _cleanup_free_ char *match = NULL, *run_match = NULL;
        sd_journal *j = NULL;
        char last[33];
        int r;

        if (asprintf(&match, "_SYSTEMD_UNIT=%s", unit) < 0)
                return log_oom(), EXIT_FAIL;
        /* Not SD_JOURNAL_SYSTEM: a service's lines carry the host UID of its user namespace, and
         * journald puts a UID's lines in a user-UID.journal of their own when the journal is kept
         * in /var/log/journal (Debian's default). */
        r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
        if (r < 0) {
                if (!quiet)
                        log_error_errno(r, "Failed to open the journal: %m");
                return EXIT_FAIL;
        }
        r = sd_journal_add_match(j, match, 0);
        if (r < 0)
                goto finish;
        /* One run: its entries carry the scope's invocation ID (journald reads it from the cgroup). A
         * journal where no entry of the unit has one (journald cannot read it) shows them all. */
        if (last_run) {
                int k = last_invocation_id(j, last);

                if (k == -ENOENT)
                        invocation_id = NULL;
                else if (k >= 0 && !invocation_id)
                        invocation_id = last;
        }
        if (invocation_id) {
                if (asprintf(&run_match, "_SYSTEMD_INVOCATION_ID=%s", invocation_id) < 0) {
                        r = -ENOMEM;
                        goto finish;
                }
                r = sd_journal_add_match(j, run_match, 0);
                if (r < 0)
                        goto finish;
        }
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
        unit = service_name_to_scope(argv[1]);
        if (!unit)
                return log_oom(), EXIT_FAIL;
        return show_journal(unit, arg_lines >= 0 ? arg_lines : arg_follow ? 10 : -1, arg_follow, false);
}
