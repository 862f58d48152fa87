/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <limits.h>
#include <linux/mempolicy.h>
#include <linux/securebits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "extract-word.h"
#include "parse-util.h"
#include "process-options.h"
#include "string-util.h"
#include "strv.h"

void process_options_init(ProcessOptions *o) {
        *o = (ProcessOptions) {
                .cpu_sched_policy = SCHED_OTHER,
                .ioprio_class = 2, /* best-effort */
                .ioprio_level = 4,
                .numa_policy = -1,
                .timer_slack_nsec = UINT64_MAX,
                .std_input = EXEC_INPUT_NULL,
                .std_output = EXEC_OUTPUT_JOURNAL,
                .std_error = EXEC_OUTPUT_INHERIT,
                .syslog_priority = LOG_DAEMON | LOG_INFO,
                .syslog_level_prefix = true,
                .log_level_max = -1,
        };
}

void process_options_done(ProcessOptions *o) {
        free(o->std_input_path);
        free(o->std_output_path);
        free(o->std_error_path);
        strv_free(o->log_extra_fields);
        process_options_init(o);
}

/* A decimal integer in [min, max], with an optional sign. */
static int parse_int_range(const char *s, long min, long max, int *ret) {
        char *end;
        long v;

        if (isempty(s) || isspace((unsigned char) s[0]))
                return -EINVAL;
        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || *end || v < min || v > max)
                return -EINVAL;
        *ret = (int) v;
        return 0;
}

KEY_PARSER(process_parse_oom_score_adjust) {
        ProcessOptions *o = data;
        if (isempty(value)) {
                o->oom_score_adjust_set = false;
                return 0;
        }
        if (parse_int_range(value, -1000, 1000, &o->oom_score_adjust) < 0)
                return error_set(ret_error, -EINVAL, "%s=%s: not an integer in -1000..1000", key, value);
        o->oom_score_adjust_set = true;
        return 0;
}

KEY_PARSER(process_parse_nice) {
        ProcessOptions *o = data;
        if (isempty(value)) {
                o->nice_set = false;
                return 0;
        }
        if (parse_int_range(value, -20, 19, &o->nice) < 0)
                return error_set(ret_error, -EINVAL, "%s=%s: not a nice level in -20..19", key, value);
        o->nice_set = true;
        return 0;
}

static const struct {
        const char *name;
        unsigned bit;
} secure_bits_table[] = {
        { "keep-caps", SECBIT_KEEP_CAPS },
        { "keep-caps-locked", SECBIT_KEEP_CAPS_LOCKED },
        { "no-setuid-fixup", SECBIT_NO_SETUID_FIXUP },
        { "no-setuid-fixup-locked", SECBIT_NO_SETUID_FIXUP_LOCKED },
        { "noroot", SECBIT_NOROOT },
        { "noroot-locked", SECBIT_NOROOT_LOCKED },
};

int secure_bits_from_string(const char *s, unsigned *ret) {
        unsigned bits = 0;
        const char *p = s;
        int r;

        for (;;) {
                _cleanup_free_ char *word = NULL;
                size_t i;

                r = extract_first_word(&p, &word, EXTRACT_UNQUOTE, NULL);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                for (i = 0; i < ELEMENTSOF(secure_bits_table); i++)
                        if (strcmp(word, secure_bits_table[i].name) == 0)
                                break;
                if (i == ELEMENTSOF(secure_bits_table))
                        return -EINVAL;
                bits |= secure_bits_table[i].bit;
        }
        *ret = bits;
        return 0;
}

/* SecureBits=: ORed over the assignments, an empty one resets (systemd ignores a word it does
 * not know; here it is an error, a misspelt noroot must not pass as a weaker process). Applied
 * by the init to every command it starts, with its user switch (sandbox-caps.c). */
KEY_PARSER(process_parse_secure_bits) {
        ProcessOptions *o = data;
        unsigned bits;
        int r;

        if (isempty(value)) {
                o->secure_bits = 0;
                return 0;
        }
        r = secure_bits_from_string(value, &bits);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return error_set(ret_error, -EINVAL,
                                 "%s=%s: not a list of keep-caps, keep-caps-locked, no-setuid-fixup, "
                                 "no-setuid-fixup-locked, noroot, noroot-locked", key, value);
        o->secure_bits |= bits;
        return 0;
}

static const char *const sched_policy_table[] = {
        [SCHED_OTHER] = "other", [SCHED_FIFO] = "fifo", [SCHED_RR] = "rr",
        [SCHED_BATCH] = "batch", [SCHED_IDLE] = "idle",
};

const char *cpu_sched_policy_to_string(int policy) {
        return policy >= 0 && policy < (int) ELEMENTSOF(sched_policy_table) ? sched_policy_table[policy] : NULL;
}

KEY_PARSER(process_parse_cpu_sched_policy) {
        ProcessOptions *o = data;
        int p;

        if (isempty(value)) {
                o->cpu_sched_policy = SCHED_OTHER;
                o->cpu_sched_set = o->cpu_sched_priority != 0 || o->cpu_sched_reset_on_fork;
                return 0;
        }
        p = table_lookup(sched_policy_table, ELEMENTSOF(sched_policy_table), value);
        if (p < 0)
                return key_value_invalid(ret_error, key, value);
        o->cpu_sched_policy = p;
        o->cpu_sched_set = true;
        return 0;
}

KEY_PARSER(process_parse_cpu_sched_priority) {
        ProcessOptions *o = data;
        if (isempty(value)) {
                o->cpu_sched_priority = 0;
                return 0;
        }
        /* systemd: the range of all policies, 0..99; the policy's own is checked when applied. */
        if (parse_int_range(value, 0, 99, &o->cpu_sched_priority) < 0)
                return error_set(ret_error, -EINVAL, "%s=%s: not a priority in 0..99", key, value);
        o->cpu_sched_set = true;
        return 0;
}

KEY_PARSER(process_parse_cpu_sched_reset_on_fork) {
        ProcessOptions *o = data;
        int b;

        if (isempty(value)) {
                o->cpu_sched_reset_on_fork = false;
                return 0;
        }
        b = parse_boolean(value);
        if (b < 0)
                return key_value_invalid(ret_error, key, value);
        o->cpu_sched_reset_on_fork = b;
        if (b)
                o->cpu_sched_set = true;
        return 0;
}

static const char *const ioprio_class_table[] = {
        [0] = "none", [1] = "realtime", [2] = "best-effort", [3] = "idle",
};

const char *ioprio_class_to_string(int c) {
        return c >= 0 && c < (int) ELEMENTSOF(ioprio_class_table) ? ioprio_class_table[c] : NULL;
}

KEY_PARSER(process_parse_io_class) {
        ProcessOptions *o = data;
        int c;

        if (isempty(value)) {
                o->ioprio_class = 2;
                o->ioprio_set = o->ioprio_level != 4;
                return 0;
        }
        c = table_lookup(ioprio_class_table, ELEMENTSOF(ioprio_class_table), value);
        if (c < 0 && parse_int_range(value, 0, 3, &c) < 0)
                return key_value_invalid(ret_error, key, value);
        /* "none" is best-effort at the level the CPU's nice gives: as the kernel treats class 0. */
        o->ioprio_class = c;
        o->ioprio_set = true;
        return 0;
}

KEY_PARSER(process_parse_io_priority) {
        ProcessOptions *o = data;
        if (isempty(value)) {
                o->ioprio_level = 4;
                o->ioprio_set = o->ioprio_class != 2;
                return 0;
        }
        if (parse_int_range(value, 0, 7, &o->ioprio_level) < 0)
                return error_set(ret_error, -EINVAL, "%s=%s: not a priority in 0..7", key, value);
        o->ioprio_set = true;
        return 0;
}

/* "0 2-3,5": CPU or node numbers and ranges, whitespace or comma separated, into bits[] of n bits. */
static int parse_index_list(const char *value, uint64_t *bits, size_t n) {
        _cleanup_free_ char *copy = strdup(value);
        const char *p = copy;
        int r;

        if (!copy)
                return -ENOMEM;
        for (char *c = copy; *c; c++)
                if (*c == ',')
                        *c = ' ';

        for (;;) {
                _cleanup_free_ char *word = NULL;
                unsigned long a, b;
                char *end;

                r = extract_first_word(&p, &word, 0, NULL);
                if (r < 0)
                        return r;
                if (r == 0)
                        return 0;
                if (!isdigit((unsigned char) word[0]))
                        return -EINVAL;
                errno = 0;
                a = strtoul(word, &end, 10);
                b = a;
                if (!errno && *end == '-') {
                        if (!isdigit((unsigned char) end[1]))
                                return -EINVAL;
                        b = strtoul(end + 1, &end, 10);
                }
                if (errno || *end || a > b || b >= n)
                        return -ERANGE;
                for (unsigned long i = a; i <= b; i++)
                        bits[i / 64] |= UINT64_C(1) << (i % 64);
        }
}

KEY_PARSER(process_parse_cpu_affinity) {
        ProcessOptions *o = data;
        uint64_t bits[PROCESS_CPUS_MAX / 64] = {};
        int r;

        if (isempty(value)) {
                o->cpu_affinity_set = o->cpu_affinity_numa = false;
                CPU_ZERO(&o->cpu_affinity);
                return 0;
        }
        if (strcmp(value, "numa") == 0) {
                o->cpu_affinity_set = o->cpu_affinity_numa = true;
                CPU_ZERO(&o->cpu_affinity);
                return 0;
        }
        r = parse_index_list(value, bits, PROCESS_CPUS_MAX);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return key_value_invalid(ret_error, key, value);
        /* As systemd: assignments merge. */
        for (size_t i = 0; i < PROCESS_CPUS_MAX; i++)
                if (bits[i / 64] & (UINT64_C(1) << (i % 64)))
                        CPU_SET(i, &o->cpu_affinity);
        o->cpu_affinity_set = true;
        o->cpu_affinity_numa = false;
        return 0;
}

static const char *const numa_policy_table[] = {
        [MPOL_DEFAULT] = "default", [MPOL_PREFERRED] = "preferred", [MPOL_BIND] = "bind",
        [MPOL_INTERLEAVE] = "interleave", [MPOL_LOCAL] = "local",
};

KEY_PARSER(process_parse_numa_policy) {
        ProcessOptions *o = data;
        int p;

        if (isempty(value)) {
                o->numa_policy = -1;
                return 0;
        }
        p = table_lookup(numa_policy_table, ELEMENTSOF(numa_policy_table), value);
        if (p < 0)
                return key_value_invalid(ret_error, key, value);
        o->numa_policy = p;
        return 0;
}

KEY_PARSER(process_parse_numa_mask) {
        ProcessOptions *o = data;
        int r;

        memset(o->numa_mask, 0, sizeof(o->numa_mask));
        o->numa_mask_set = false;
        if (isempty(value))
                return 0;
        if (strcmp(value, "all") == 0) {
                memset(o->numa_mask, 0xff, sizeof(o->numa_mask));
                o->numa_mask_set = true;
                return 0;
        }
        r = parse_index_list(value, o->numa_mask, sizeof(o->numa_mask) * 8);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return key_value_invalid(ret_error, key, value);
        o->numa_mask_set = true;
        return 0;
}

/* systemd's parse_nsec(): a bare number is nanoseconds. */
static int parse_nsec(const char *s, uint64_t *ret) {
        const char *n;
        usec_t u;
        uint64_t v;

        if (strcmp(s, "infinity") == 0) {
                *ret = UINT64_MAX - 1;
                return 0;
        }
        if (parse_uint64(s, &v) >= 0) {
                *ret = v;
                return 0;
        }
        n = endswith(s, "nsec") ?: endswith(s, "ns");
        if (n) {
                _cleanup_free_ char *digits = strndup(s, (size_t) (n - s));

                if (!digits)
                        return -ENOMEM;
                strstrip(digits);
                return parse_uint64(digits, ret);
        }
        if (parse_sec(s, &u) < 0 || u == USEC_INFINITY || u > UINT64_MAX / 1000)
                return -EINVAL;
        *ret = u * 1000;
        return 0;
}

KEY_PARSER(process_parse_timer_slack) {
        ProcessOptions *o = data;
        uint64_t v;
        int r;

        if (isempty(value)) {
                o->timer_slack_nsec = UINT64_MAX;
                return 0;
        }
        r = parse_nsec(value, &v);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return key_value_invalid(ret_error, key, value);
        o->timer_slack_nsec = v;
        return 0;
}

/* Standard*='s paths and LogExtraFields= take specifiers (file:%S/x.log, UNIT=%n), as systemd's:
 * *value becomes the expanded copy kept in *resolved. */
static int expand_value(ParseState *s, const char **value, char **resolved, char **ret_error) {
        int r;

        r = parse_state_expand(s, *value, resolved, ret_error);
        if (r < 0)
                return r;
        *value = *resolved;
        return 0;
}

/* file:PATH and its kin: an absolute, normalized path. */
static int parse_output_path(const char *key, const char *value, const char *path, char **ret, char **ret_error) {
        int r;

        r = path_normalize_absolute(path, ret);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return error_set(ret_error, -EINVAL, "%s=%s: not an absolute path", key, value);
        return 0;
}

KEY_PARSER(process_parse_standard_input) {
        static const char *const to_null[] = { "tty", "tty-force", "tty-fail", "socket", "data", "fd" };
        ProcessOptions *o = data;
        _cleanup_free_ char *resolved = NULL;
        const char *path;
        int r;

        r = expand_value(s, &value, &resolved, ret_error);
        if (r < 0)
                return r;
        o->std_input_path = mfree(o->std_input_path);
        o->std_input = EXEC_INPUT_NULL;
        if (isempty(value) || strcmp(value, "null") == 0)
                return 0;
        path = startswith(value, "file:");
        if (path) {
                r = parse_output_path(key, value, path, &o->std_input_path, ret_error);
                if (r < 0)
                        return r;
                o->std_input = EXEC_INPUT_FILE;
                return 0;
        }
        for (size_t i = 0; i < ELEMENTSOF(to_null); i++)
                if (strcmp(value, to_null[i]) == 0 || (strcmp(to_null[i], "fd") == 0 && startswith(value, "fd:")))
                        /* No terminal, no socket unit, no StandardInputData= in a sandbox: less than asked. */
                        return key_notice(ret_notice, "%s=%s: not available in the sandbox, standard input is /dev/null",
                                      key, value);
        return key_value_invalid(ret_error, key, value);
}

static const char *const exec_output_table[_EXEC_OUTPUT_MAX] = {
        [EXEC_OUTPUT_INHERIT] = "inherit", [EXEC_OUTPUT_NULL] = "null", [EXEC_OUTPUT_JOURNAL] = "journal",
        [EXEC_OUTPUT_FILE] = "file", [EXEC_OUTPUT_APPEND] = "append", [EXEC_OUTPUT_TRUNCATE] = "truncate",
};

const char *exec_output_to_string(ExecOutput o) {
        return o >= 0 && o < _EXEC_OUTPUT_MAX ? exec_output_table[o] : NULL;
}

static int parse_standard_output_to(const char *key, const char *value, ExecOutput *output, char **path,
                                    char **ret_notice, char **ret_error) {
        static const char *const to_journal[] = { "journal+console", "kmsg", "kmsg+console", "syslog",
                                                  "syslog+console", "tty", "socket" };
        static const char *const prefixes[] = { [EXEC_OUTPUT_FILE] = "file:", [EXEC_OUTPUT_APPEND] = "append:",
                                                [EXEC_OUTPUT_TRUNCATE] = "truncate:" };
        int r;

        *path = mfree(*path);
        if (isempty(value)) {
                *output = strcmp(key, "StandardError") == 0 ? EXEC_OUTPUT_INHERIT : EXEC_OUTPUT_JOURNAL;
                return 0;
        }
        for (ExecOutput t = EXEC_OUTPUT_FILE; t <= EXEC_OUTPUT_TRUNCATE; t++) {
                const char *p = startswith(value, prefixes[t]);

                if (!p)
                        continue;
                r = parse_output_path(key, value, p, path, ret_error);
                if (r < 0)
                        return r;
                *output = t;
                return 0;
        }
        for (ExecOutput t = EXEC_OUTPUT_INHERIT; t <= EXEC_OUTPUT_JOURNAL; t++)
                if (strcmp(value, exec_output_table[t]) == 0) {
                        *output = t;
                        return 0;
                }
        for (size_t i = 0; i < ELEMENTSOF(to_journal); i++)
                if (strcmp(value, to_journal[i]) == 0 || (strcmp(to_journal[i], "socket") == 0 && startswith(value, "fd:"))) {
                        /* The sandbox has no console, no kmsg and no socket unit: the journal alone. */
                        *output = EXEC_OUTPUT_JOURNAL;
                        return key_notice(ret_notice, "%s=%s: the sandbox has no console, kernel log or socket unit, "
                                      "writing to the journal alone", key, value);
                }
        if (startswith(value, "fd:")) {
                *output = EXEC_OUTPUT_JOURNAL;
                return key_notice(ret_notice, "%s=%s: no socket unit in the sandbox, writing to the journal", key, value);
        }
        return key_value_invalid(ret_error, key, value);
}

KEY_PARSER(process_parse_standard_output) {
        ProcessOptions *o = data;
        _cleanup_free_ char *resolved = NULL;
        int r;

        r = expand_value(s, &value, &resolved, ret_error);
        if (r < 0)
                return r;
        return parse_standard_output_to(key, value, &o->std_output, &o->std_output_path, ret_notice, ret_error);
}

KEY_PARSER(process_parse_standard_error) {
        ProcessOptions *o = data;
        _cleanup_free_ char *resolved = NULL;
        int r;

        r = expand_value(s, &value, &resolved, ret_error);
        if (r < 0)
                return r;
        return parse_standard_output_to(key, value, &o->std_error, &o->std_error_path, ret_notice, ret_error);
}

static const char *const facility_table[] = {
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
        NULL, NULL, NULL, NULL, "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
};

static const char *const level_table[] = {
        "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

static int parse_level(const char *value) {
        int l = table_lookup(level_table, ELEMENTSOF(level_table), value);

        if (l < 0 && parse_int_range(value, 0, 7, &l) < 0)
                return -EINVAL;
        return l;
}

KEY_PARSER(process_parse_syslog_facility) {
        ProcessOptions *o = data;
        int f;

        if (isempty(value)) {
                o->syslog_priority = LOG_DAEMON | LOG_PRI(o->syslog_priority);
                return 0;
        }
        f = table_lookup(facility_table, ELEMENTSOF(facility_table), value);
        if (f < 0 && parse_int_range(value, 0, 23, &f) < 0)
                return key_value_invalid(ret_error, key, value);
        o->syslog_priority = (f << 3) | LOG_PRI(o->syslog_priority);
        return 0;
}

KEY_PARSER(process_parse_syslog_level) {
        ProcessOptions *o = data;
        int l = isempty(value) ? LOG_INFO : parse_level(value);

        if (l < 0)
                return key_value_invalid(ret_error, key, value);
        o->syslog_priority = LOG_FAC(o->syslog_priority) << 3 | l;
        return 0;
}

KEY_PARSER(process_parse_syslog_level_prefix) {
        ProcessOptions *o = data;
        int b = isempty(value) ? 1 : parse_boolean(value);

        if (b < 0)
                return key_value_invalid(ret_error, key, value);
        o->syslog_level_prefix = b;
        return 0;
}

KEY_PARSER(process_parse_log_level_max) {
        ProcessOptions *o = data;
        int l = isempty(value) ? -1 : parse_level(value);

        if (l < 0 && !isempty(value))
                return key_value_invalid(ret_error, key, value);
        o->log_level_max = l;
        return 0;
}

/* systemd's journal_field_valid() for a field a unit may set: A-Z, 0-9 and _, not leading with a
 * digit or _, at most 64 characters. */
static bool journal_field_valid(const char *p, size_t n) {
        if (n == 0 || n > 64 || p[0] == '_' || isdigit((unsigned char) p[0]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((p[i] >= 'A' && p[i] <= 'Z') || isdigit((unsigned char) p[i]) || p[i] == '_'))
                        return false;
        return true;
}

KEY_PARSER(process_parse_log_extra_fields) {
        ProcessOptions *o = data;
        _cleanup_free_ char *resolved = NULL;
        const char *p;
        int r;

        r = expand_value(s, &value, &resolved, ret_error);
        if (r < 0)
                return r;
        p = value;
        if (isempty(value)) {
                o->log_extra_fields = strv_free(o->log_extra_fields);
                return 0;
        }
        for (;;) {
                _cleanup_free_ char *word = NULL;
                const char *eq;

                r = extract_first_word(&p, &word, EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE, NULL);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return key_value_invalid(ret_error, key, value);
                if (r == 0)
                        return 0;
                eq = strchr(word, '=');
                if (!eq || !journal_field_valid(word, (size_t) (eq - word)))
                        return error_set(ret_error, -EINVAL, "%s=: '%s' is not FIELD=VALUE with a valid journal field name",
                                         key, word);
                r = strv_consume(&o->log_extra_fields, TAKE_PTR(word));
                if (r < 0)
                        return r;
        }
}

/* LogRateLimitIntervalSec=, LogRateLimitBurst=: 0 (and empty) leave journald's own, as systemd
 * exports neither then. */
KEY_PARSER(process_parse_log_ratelimit_interval) {
        ProcessOptions *o = data;
        usec_t t = 0;

        if (!isempty(value) && parse_sec(value, &t) < 0)
                return key_value_invalid(ret_error, key, value);
        o->log_ratelimit_interval_usec = t;
        return 0;
}

KEY_PARSER(process_parse_log_ratelimit_burst) {
        ProcessOptions *o = data;
        uint64_t n = 0;

        if (!isempty(value) && (parse_uint64(value, &n) < 0 || n > UINT_MAX))
                return key_value_invalid(ret_error, key, value);
        o->log_ratelimit_burst = (unsigned) n;
        return 0;
}

bool process_options_uses_journal(const ProcessOptions *o) {
        return o->std_output == EXEC_OUTPUT_JOURNAL ||
               (o->std_error == EXEC_OUTPUT_JOURNAL);
}

char *process_options_journal_header(const ProcessOptions *o, const char *identifier, const char *unit) {
        /* identifier, unit id, priority (facility and level), level prefix, syslog, kmsg, console: as
         * systemd's connect_logger_as() writes it. */
        return strprintf("%s\n%s\n%i\n%i\n0\n0\n0\n", identifier ?: "", unit ?: "", o->syslog_priority,
                         o->syslog_level_prefix ? 1 : 0);
}

bool process_rlimit_clamp(uint64_t *soft, uint64_t *hard, uint64_t max) {
        bool lowered = *soft > max || *hard > max;

        if (*soft > max)
                *soft = max;
        if (*hard > max)
                *hard = max;
        return lowered;
}

int process_nice_closest(int want, int cur, uint64_t rlimit_nice) {
        int floor = rlimit_to_nice(rlimit_nice);

        /* The kernel: a level at or above the current one always; lower only down to RLIMIT_NICE's. */
        if (cur < floor)
                floor = cur;
        return want < floor ? floor : want;
}

bool process_sched_closest(int *policy, int *priority, uint64_t rlimit_rtprio) {
        bool rt = *policy == SCHED_FIFO || *policy == SCHED_RR;

        if (!rt) {
                *priority = 0;
                return false;
        }
        if (*priority < 1)
                *priority = 1;
        if ((uint64_t) *priority <= rlimit_rtprio)
                return false;
        *policy = SCHED_OTHER;
        *priority = 0;
        return true;
}
