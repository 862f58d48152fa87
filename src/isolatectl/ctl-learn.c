/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* isolatectl learn NAME [FILE] [--duration=SEC] [--apply]: one learning run (LearnService,
 * org.isolated1(5)), its findings as a drop-in, written with --apply and verified. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "description-loader.h"
#include "description.h"
#include "log.h"
#include "parse-util.h"
#include "string-util.h"
#include "time-util.h"

#define LEARN_DIR "/etc/isolated"
#define LEARN_DROPIN "50-learned.conf"

const char *arg_learn_duration = NULL;
bool arg_learn_apply = false;

typedef struct Findings {
        char **rw_paths, **syscalls, **caps, **unplaced, **refused, **filtered;
        bool personality, suid_sgid;
} Findings;

static void findings_done(Findings *f) {
        strv_free(f->rw_paths);
        strv_free(f->syscalls);
        strv_free(f->caps);
        strv_free(f->unplaced);
        strv_free(f->refused);
        strv_free(f->filtered);
}

static bool findings_empty(const Findings *f) {
        return !f->rw_paths && !f->syscalls && !f->caps && !f->personality && !f->suid_sgid;
}

static int read_findings(sd_bus_message *reply, Findings *f) {
        const char *kind, *value;
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "(ss)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(reply, "(ss)", &kind, &value)) > 0) {
                char ***l = strcmp(kind, "ReadWritePaths") == 0     ? &f->rw_paths
                            : strcmp(kind, "AllowSystemCalls") == 0  ? &f->syscalls
                            : strcmp(kind, "AllowCapabilities") == 0 ? &f->caps
                            : strcmp(kind, "Unplaced") == 0          ? &f->unplaced
                            : strcmp(kind, "SystemCallFilter") == 0  ? &f->filtered
                            : strcmp(kind, "Refused") == 0           ? &f->refused
                                                                     : NULL;
                if (strcmp(kind, "Personality") == 0)
                        f->personality = true;
                else if (strcmp(kind, "SUIDSGIDFiles") == 0)
                        f->suid_sgid = true;
                else if (l && !strv_contains(*l, value)) {
                        r = strv_extend(l, value);
                        if (r < 0)
                                return r;
                }
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(reply);
}

/* A ReadWritePaths= word: quoted if it holds a space (the init reports only printable paths). */
static int append_words(FILE *out, char **l, bool quote) {
        for (char **i = l; i && *i; i++) {
                bool q = quote && strpbrk(*i, " \t\"'\\");

                fprintf(out, "%s%s", i == l ? "" : " ", q ? "\"" : "");
                for (const char *c = *i; *c; c++) {
                        if (q && (*c == '"' || *c == '\\'))
                                fputc('\\', out);
                        if (*c == '%')
                                fputc('%', out); /* a specifier otherwise */
                        fputc(*c, out);
                }
                if (q)
                        fputc('"', out);
        }
        return 0;
}

static char *format_dropin(const char *name, const Findings *f, const char *result, time_t when, usec_t asked,
                           usec_t took) {
        char stamp[64];
        struct tm tm;
        char *text = NULL;
        size_t size = 0;
        FILE *out;

        out = open_memstream(&text, &size);
        if (!out)
                return NULL;
        if (!gmtime_r(&when, &tm) || strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
                strcpy(stamp, "?");
        fprintf(out, "# Learned by \"isolatectl learn %s\" on %s, for %llu s of at most %llu s (result: %s).\n", name,
                stamp, (unsigned long long) (took / USEC_PER_SEC), (unsigned long long) (asked / USEC_PER_SEC), result);
        fprintf(out, "# Each line loosens a default for this service only: review it.\n");
        if (findings_empty(f))
                fprintf(out, "# Nothing was learned: the service ran under the defaults as they are.\n");
        if (f->rw_paths) {
                fprintf(out, "[Service]\nReadWritePaths=");
                append_words(out, f->rw_paths, true);
                fprintf(out, "\n");
        }
        if (f->syscalls || f->caps || f->personality || f->suid_sgid) {
                fprintf(out, "%s[Isolate]\n", f->rw_paths ? "\n" : "");
                if (f->syscalls) {
                        fprintf(out, "AllowSystemCalls=");
                        append_words(out, f->syscalls, false);
                        fprintf(out, "\n");
                }
                if (f->personality)
                        fprintf(out, "Personality=yes\n");
                if (f->suid_sgid)
                        fprintf(out, "SUIDSGIDFiles=yes\n");
                if (f->caps) {
                        fprintf(out, "# Asked for by the unit and left out by the defaults: whether the service used\n"
                                     "# them cannot be observed here (no audit, no tracing), so all are proposed.\n"
                                     "AllowCapabilities=");
                        append_words(out, f->caps, false);
                        fprintf(out, "\n");
                }
        }
        if (f->unplaced) {
                fprintf(out, "# Written straight below / (not proposed): ");
                append_words(out, f->unplaced, false);
                fprintf(out, "\n");
        }
        if (f->refused) {
                fprintf(out, "# Refused by an argument check that has no opt-out: ");
                append_words(out, f->refused, false);
                fprintf(out, "\n");
        }
        if (f->filtered) {
                fprintf(out, "# Refused by the unit's own SystemCallFilter= (not proposed): ");
                append_words(out, f->filtered, false);
                fprintf(out, "\n");
        }
        if (fclose(out) != 0) {
                free(text);
                return NULL;
        }
        return text;
}

static int mkdir_one(const char *path) {
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

/* /etc/isolated/NAME.service.d/50-learned.conf, 0644, whole or not at all. */
static int write_dropin(const char *name, const char *text, char **ret_path) {
        _cleanup_free_ char *dir = strprintf(LEARN_DIR "/%s.service.d", name), *path = NULL, *tmp = NULL;
        size_t n = strlen(text);
        int fd, r;

        if (!dir)
                return -ENOMEM;
        path = strprintf("%s/" LEARN_DROPIN, dir);
        tmp = strprintf("%s/." LEARN_DROPIN ".%d", dir, (int) getpid());
        if (!path || !tmp)
                return -ENOMEM;
        r = mkdir_one(LEARN_DIR);
        if (r >= 0)
                r = mkdir_one(dir);
        if (r < 0)
                return r;
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return -errno;
        if (fchmod(fd, 0644) < 0 || write(fd, text, n) != (ssize_t) n || fsync(fd) < 0) {
                r = errno > 0 ? -errno : -EIO;
                (void) close(fd);
                (void) unlink(tmp);
                return r;
        }
        if (close(fd) < 0 || rename(tmp, path) < 0) {
                r = -errno;
                (void) unlink(tmp);
                return r;
        }
        *ret_path = TAKE_PTR(path);
        return 0;
}

/* The description as the next start reads it, the new drop-in included. */
static int verify_applied(const char *name, const char *main_text) {
        _cleanup_(description_sources_freep) DescriptionSources *sources = NULL;
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_free_ char *error = NULL;
        int r;

        r = description_sources_load(name, main_text, NULL, &sources, &error);
        if (r >= 0)
                r = description_parse_sources(name, sources, &d, NULL, &error);
        if (r < 0) {
                log_error("The learned drop-in does not verify: %s", error ?: strerror(-r));
                return EXIT_FAIL;
        }
        return EXIT_OK;
}

int verb_learn(sd_bus *bus, int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *text = NULL, *what = NULL, *dropin = NULL, *path = NULL;
        _cleanup_(findings_done) Findings f = {};
        usec_t duration = 0, began;
        const char *result;
        time_t when;
        int r;

        if (argc < 2 || argc > 3)
                return log_error("Usage: isolatectl learn NAME [FILE] [--duration=SEC] [--apply]"), EXIT_FAIL;
        if (arg_learn_duration) {
                r = parse_sec(arg_learn_duration, &duration);
                if (r < 0 || duration == 0 || duration > 600 * USEC_PER_SEC)
                        return log_error("--duration= takes a time from 1 s to 600 s, not '%s'.", arg_learn_duration),
                               EXIT_FAIL;
        }
        if (arg_learn_apply && arg_host)
                return log_error("learn --apply writes a local file: not with -H."), EXIT_FAIL;
        if (argc == 3) {
                r = read_text_file(argv[2], DESCRIPTION_SIZE_MAX, &text);
                if (r < 0)
                        return log_error_errno(r, "Failed to read %s: %m", argv[2]), EXIT_FAIL;
        }
        what = strprintf("learn %s", argv[1]);
        if (!what)
                return log_oom(), EXIT_FAIL;
        if (!arg_quiet)
                fprintf(stderr, "Learning what %s needs, for at most %llu s...\n", argv[1],
                        (unsigned long long) ((duration ?: 30 * USEC_PER_SEC) / USEC_PER_SEC));

        when = time(NULL);
        began = now_usec(CLOCK_MONOTONIC);
        r = call_manager(bus, "LearnService", &reply, what, "sst", argv[1], text ?: "", (uint64_t) duration);
        if (r != EXIT_OK)
                return r;
        if (sd_bus_message_read(reply, "s", &result) < 0 || read_findings(reply, &f) < 0)
                return log_error("Failed to read what was learned."), EXIT_FAIL;

        dropin = format_dropin(argv[1], &f, result, when, duration ?: 30 * USEC_PER_SEC,
                               now_usec(CLOCK_MONOTONIC) - began);
        if (!dropin)
                return log_oom(), EXIT_FAIL;
        fputs(dropin, stdout);
        fflush(stdout);
        if (!arg_learn_apply)
                return EXIT_OK;
        if (findings_empty(&f)) {
                if (!arg_quiet)
                        fprintf(stderr, "Nothing learned, nothing written.\n");
                return EXIT_OK;
        }
        r = write_dropin(argv[1], dropin, &path);
        if (r < 0)
                return log_error_errno(r, "Failed to write " LEARN_DIR "/%s.service.d/" LEARN_DROPIN ": %m", argv[1]),
                       EXIT_FAIL;
        r = verify_applied(argv[1], text);
        if (r != EXIT_OK)
                return r;
        if (!arg_quiet)
                fprintf(stderr, "Wrote %s.\n", path);
        return EXIT_OK;
}
