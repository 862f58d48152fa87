/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "extract-word.h"
#include "macro.h"
#include "parse-util.h"
#include "string-util.h"

#define USEC_PER_MINUTE (60ULL * USEC_PER_SEC)
#define USEC_PER_HOUR (60ULL * USEC_PER_MINUTE)
#define USEC_PER_DAY (24ULL * USEC_PER_HOUR)
#define USEC_PER_WEEK (7ULL * USEC_PER_DAY)
#define USEC_PER_MONTH (2629800ULL * USEC_PER_SEC)
#define USEC_PER_YEAR (31557600ULL * USEC_PER_SEC)

int parse_boolean(const char *s) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
        static const char *const no[] = { "0", "no", "n", "false", "f", "off" };

        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (strcasecmp(s, yes[i]) == 0)
                        return 1;
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (strcasecmp(s, no[i]) == 0)
                        return 0;
        return -EINVAL;
}

int parse_uint64(const char *s, uint64_t *ret) {
        uint64_t v = 0;

        if (isempty(s))
                return -EINVAL;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                if (v > (UINT64_MAX - (uint64_t) (*p - '0')) / 10)
                        return -ERANGE;
                v = v * 10 + (uint64_t) (*p - '0');
        }
        *ret = v;
        return 0;
}

/* Reads "DIGITS[.DIGITS]" at *p. The fraction is returned as frac/frac_div,
 * with at most 18 digits kept (more are ignored, rounding down). */
static int parse_decimal(const char **p, uint64_t *ret_int, uint64_t *ret_frac, uint64_t *ret_frac_div) {
        const char *s = *p;
        uint64_t v = 0, frac = 0, div = 1;
        bool digits = false;

        for (; *s >= '0' && *s <= '9'; s++) {
                if (v > (UINT64_MAX - (uint64_t) (*s - '0')) / 10)
                        return -ERANGE;
                v = v * 10 + (uint64_t) (*s - '0');
                digits = true;
        }
        if (*s == '.') {
                bool frac_digits = false;

                for (s++; *s >= '0' && *s <= '9'; s++) {
                        if (div < 1000000000000000000ULL) {
                                frac = frac * 10 + (uint64_t) (*s - '0');
                                div *= 10;
                        }
                        frac_digits = true;
                }
                if (!frac_digits)
                        return -EINVAL;
                digits = true;
        }
        if (!digits)
                return -EINVAL;

        *p = s;
        *ret_int = v;
        *ret_frac = frac;
        *ret_frac_div = div;
        return 0;
}

/* (int + frac/div) * mul, refusing overflow. */
static int scale(uint64_t v, uint64_t frac, uint64_t div, uint64_t mul, uint64_t *ret) {
        unsigned __int128 t;

        if (mul != 0 && v > UINT64_MAX / mul)
                return -ERANGE;
        t = (unsigned __int128) frac * mul / div;
        if (t > UINT64_MAX - v * mul)
                return -ERANGE;
        *ret = v * mul + (uint64_t) t;
        return 0;
}

static bool is_infinity(const char *s) {
        s += strspn(s, WHITESPACE);
        if (!startswith(s, "infinity"))
                return false;
        s += strlen("infinity");
        return s[strspn(s, WHITESPACE)] == '\0';
}

int parse_size(const char *s, uint64_t *ret) {
        static const struct {
                char suffix;
                uint64_t factor;
        } table[] = {
                { 'E', 1ULL << 60 }, { 'P', 1ULL << 50 }, { 'T', 1ULL << 40 },
                { 'G', 1ULL << 30 }, { 'M', 1ULL << 20 }, { 'K', 1ULL << 10 },
                { 'B', 1 },
        };
        uint64_t v, frac, div, mul = 1, result;
        const char *p;
        int r;

        if (!s)
                return -EINVAL;
        if (is_infinity(s)) {
                *ret = UINT64_MAX;
                return 0;
        }

        p = s + strspn(s, WHITESPACE);
        if (*p == '-')
                return -ERANGE;
        r = parse_decimal(&p, &v, &frac, &div);
        if (r < 0)
                return r;
        p += strspn(p, WHITESPACE);
        if (*p != '\0') {
                bool found = false;

                for (size_t i = 0; i < ELEMENTSOF(table); i++)
                        if (*p == table[i].suffix) {
                                mul = table[i].factor;
                                found = true;
                                break;
                        }
                if (!found)
                        return -EINVAL;
                p++;
                p += strspn(p, WHITESPACE);
                if (*p != '\0')
                        return -EINVAL;
        }

        r = scale(v, frac, div, mul, &result);
        if (r < 0)
                return r;
        *ret = result;
        return 0;
}

int parse_permyriad_unbounded(const char *s) {
        uint64_t v, frac, div, result;
        const char *p, *e;
        uint64_t mul;
        int r;

        if (isempty(s))
                return -EINVAL;
        if ((e = endswith(s, "%")))
                mul = 100;
        else if ((e = endswith(s, "\u2030")))
                mul = 10;
        else if ((e = endswith(s, "\u2031")))
                mul = 1;
        else
                return -EINVAL;

        p = s;
        r = parse_decimal(&p, &v, &frac, &div);
        if (r < 0)
                return r;
        if (p != e)
                return -EINVAL;
        /* Only as many decimals as make a whole per-myriad. */
        if (div > mul)
                return -EINVAL;
        r = scale(v, frac, div, mul, &result);
        if (r < 0)
                return r;
        if (result > INT32_MAX)
                return -ERANGE;
        return (int) result;
}

int parse_percent(const char *s) {
        const char *e;
        uint64_t v;
        char *digits;
        int r;

        if (isempty(s))
                return -EINVAL;
        e = endswith(s, "%");
        if (!e)
                return -EINVAL;
        digits = strndup(s, (size_t) (e - s));
        if (!digits)
                return -ENOMEM;
        r = parse_uint64(digits, &v);
        free(digits);
        if (r < 0)
                return -EINVAL;
        if (v > 100)
                return -ERANGE;
        return (int) v;
}

int parse_cpu_quota(const char *s, usec_t *ret) {
        int r;

        r = parse_permyriad_unbounded(s);
        if (r < 0)
                return r;
        if (r == 0)
                return -ERANGE;
        *ret = (usec_t) r * USEC_PER_SEC / 10000U;
        return 0;
}

int parse_sec(const char *s, usec_t *ret) {
        /* Longest suffix first where one is a prefix of another, as systemd's table. */
        static const struct {
                const char *suffix;
                usec_t usec;
        } table[] = {
                { "seconds", USEC_PER_SEC },
                { "second", USEC_PER_SEC },
                { "sec", USEC_PER_SEC },
                { "s", USEC_PER_SEC },
                { "minutes", USEC_PER_MINUTE },
                { "minute", USEC_PER_MINUTE },
                { "min", USEC_PER_MINUTE },
                { "months", USEC_PER_MONTH },
                { "month", USEC_PER_MONTH },
                { "M", USEC_PER_MONTH },
                { "msec", USEC_PER_MSEC },
                { "ms", USEC_PER_MSEC },
                { "m", USEC_PER_MINUTE },
                { "hours", USEC_PER_HOUR },
                { "hour", USEC_PER_HOUR },
                { "hr", USEC_PER_HOUR },
                { "h", USEC_PER_HOUR },
                { "days", USEC_PER_DAY },
                { "day", USEC_PER_DAY },
                { "d", USEC_PER_DAY },
                { "weeks", USEC_PER_WEEK },
                { "week", USEC_PER_WEEK },
                { "w", USEC_PER_WEEK },
                { "years", USEC_PER_YEAR },
                { "year", USEC_PER_YEAR },
                { "y", USEC_PER_YEAR },
                { "usec", 1 },
                { "us", 1 },
                { "\xc2\xb5s", 1 }, /* µs, MICRO SIGN */
                { "\xce\xbcs", 1 }, /* μs, GREEK SMALL LETTER MU */
        };
        const char *p;
        usec_t total = 0;
        bool something = false;

        if (!s)
                return -EINVAL;
        if (is_infinity(s)) {
                *ret = USEC_INFINITY;
                return 0;
        }

        p = s;
        for (;;) {
                uint64_t v, frac, div;
                usec_t mul = USEC_PER_SEC, k;
                int r;

                p += strspn(p, WHITESPACE);
                if (*p == '\0') {
                        if (!something)
                                return -EINVAL;
                        break;
                }
                if (*p == '-')
                        return -ERANGE;

                r = parse_decimal(&p, &v, &frac, &div);
                if (r < 0)
                        return r;
                p += strspn(p, WHITESPACE);

                for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                        const char *e = startswith(p, table[i].suffix);

                        if (e) {
                                mul = table[i].usec;
                                p = e;
                                break;
                        }
                }
                /* A unit must not run on into letters: "5sx" is not 5s. */
                if (isalpha((unsigned char) *p))
                        return -EINVAL;

                r = scale(v, frac, div, mul, &k);
                if (r < 0)
                        return r;
                if (k > USEC_INFINITY - 1 - total)
                        return -ERANGE;
                total += k;
                something = true;
        }

        *ret = total;
        return 0;
}

static int read_pid_max(uint64_t *ret) {
        char buf[32];
        ssize_t n;
        int fd;

        fd = open("/proc/sys/kernel/pid_max", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        n = read(fd, buf, sizeof(buf) - 1);
        if (n < 0) {
                int r = negative_errno();
                safe_close(fd);
                return r;
        }
        safe_close(fd);
        buf[n] = '\0';
        return parse_uint64(strstrip(buf), ret);
}

int parse_tasks_max(const char *s, uint64_t *ret) {
        uint64_t v;
        int r;

        if (isempty(s))
                return -EINVAL;
        if (is_infinity(s)) {
                *ret = UINT64_MAX;
                return 0;
        }

        if (endswith(s, "%") || endswith(s, "\u2030") || endswith(s, "\u2031")) {
                uint64_t pid_max;
                int p;

                p = parse_permyriad_unbounded(s);
                if (p < 0)
                        return p;
                if (p == 0 || p > 10000)
                        return -ERANGE;
                r = read_pid_max(&pid_max);
                if (r < 0)
                        return r;
                v = pid_max * (uint64_t) p / 10000U;
                *ret = v > 0 ? v : 1;
                return 0;
        }

        r = parse_uint64(s, &v);
        if (r < 0)
                return r;
        if (v == 0 || v == UINT64_MAX)
                return -ERANGE;
        *ret = v;
        return 0;
}

int parse_memory_limit(const char *s, uint64_t *ret) {
        uint64_t v;
        int r;

        if (isempty(s))
                return -EINVAL;

        if (endswith(s, "%") || endswith(s, "\u2030") || endswith(s, "\u2031")) {
                long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
                unsigned __int128 t;
                int p;

                p = parse_permyriad_unbounded(s);
                if (p < 0)
                        return p;
                if (p == 0 || p > 10000)
                        return -ERANGE;
                if (pages <= 0 || page_size <= 0)
                        return -EOPNOTSUPP;
                t = (unsigned __int128) pages * (unsigned long) page_size * (unsigned) p / 10000U;
                if (t == 0 || t >= UINT64_MAX)
                        return -ERANGE;
                *ret = (uint64_t) t;
                return 0;
        }

        r = parse_size(s, &v);
        if (r < 0)
                return r;
        if (v == 0)
                return -ERANGE;
        *ret = v;
        return 0;
}

static const char *const signal_names[] = {
        [SIGHUP] = "HUP",       [SIGINT] = "INT",       [SIGQUIT] = "QUIT",     [SIGILL] = "ILL",
        [SIGTRAP] = "TRAP",     [SIGABRT] = "ABRT",     [SIGBUS] = "BUS",       [SIGFPE] = "FPE",
        [SIGKILL] = "KILL",     [SIGUSR1] = "USR1",     [SIGSEGV] = "SEGV",     [SIGUSR2] = "USR2",
        [SIGPIPE] = "PIPE",     [SIGALRM] = "ALRM",     [SIGTERM] = "TERM",     [SIGSTKFLT] = "STKFLT",
        [SIGCHLD] = "CHLD",     [SIGCONT] = "CONT",     [SIGSTOP] = "STOP",     [SIGTSTP] = "TSTP",
        [SIGTTIN] = "TTIN",     [SIGTTOU] = "TTOU",     [SIGURG] = "URG",       [SIGXCPU] = "XCPU",
        [SIGXFSZ] = "XFSZ",     [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF",     [SIGWINCH] = "WINCH",
        [SIGIO] = "IO",         [SIGPWR] = "PWR",       [SIGSYS] = "SYS",
};

const char *signal_to_string(int sig) {
        static __thread char buf[sizeof("RTMIN+") + 12];

        if (sig > 0 && (size_t) sig < ELEMENTSOF(signal_names) && signal_names[sig])
                return signal_names[sig];
        if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
                if (sig == SIGRTMIN)
                        return "RTMIN";
                (void) snprintf(buf, sizeof(buf), "RTMIN+%d", sig - SIGRTMIN);
                return buf;
        }
        return NULL;
}

static int parse_signal_offset(const char *s) {
        uint64_t v;

        if (parse_uint64(s, &v) < 0 || v > (uint64_t) (SIGRTMAX - SIGRTMIN))
                return -EINVAL;
        return (int) v;
}

int parse_signal(const char *s) {
        const char *n, *e;
        uint64_t v;
        int k;

        if (isempty(s))
                return -EINVAL;

        if (s[0] >= '0' && s[0] <= '9') {
                if (parse_uint64(s, &v) < 0 || v < 1 || v > (uint64_t) SIGRTMAX)
                        return -EINVAL;
                return (int) v;
        }

        n = startswith(s, "SIG") ?: s;
        for (size_t i = 1; i < ELEMENTSOF(signal_names); i++)
                if (signal_names[i] && strcmp(n, signal_names[i]) == 0)
                        return (int) i;
        /* Aliases systemd accepts. */
        if (strcmp(n, "IOT") == 0)
                return SIGABRT;
        if (strcmp(n, "POLL") == 0)
                return SIGIO;
        if (strcmp(n, "CLD") == 0)
                return SIGCHLD;

        if (strcmp(n, "RTMIN") == 0)
                return SIGRTMIN;
        if (strcmp(n, "RTMAX") == 0)
                return SIGRTMAX;
        if ((e = startswith(n, "RTMIN+"))) {
                k = parse_signal_offset(e);
                return k < 0 ? k : SIGRTMIN + k;
        }
        if ((e = startswith(n, "RTMAX-"))) {
                k = parse_signal_offset(e);
                return k < 0 ? k : SIGRTMAX - k;
        }
        return -EINVAL;
}
