/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "description.h"
#include "extract-word.h"
#include "parse-util.h"
#include "service-keys.h"
#include "specifier.h"
#include "string-util.h"
#include "strv.h"
#include "systemd-keys.h"
#include "unit-parser.h"

static const char *const service_type_table[_SERVICE_TYPE_MAX] = {
        [SERVICE_SIMPLE] = "simple",
        [SERVICE_EXEC] = "exec",
        [SERVICE_FORKING] = "forking",
        [SERVICE_NOTIFY] = "notify",
        [SERVICE_ONESHOT] = "oneshot",
        [SERVICE_DBUS] = "dbus",
        [SERVICE_IDLE] = "idle",
};

const char *service_type_to_string(ServiceType t) {
        if (t < 0 || t >= _SERVICE_TYPE_MAX)
                return NULL;
        return service_type_table[t];
}

ServiceType service_type_from_string(const char *s) {
        if (!s)
                return _SERVICE_TYPE_INVALID;
        for (ServiceType t = 0; t < _SERVICE_TYPE_MAX; t++)
                if (strcmp(s, service_type_table[t]) == 0)
                        return t;
        return _SERVICE_TYPE_INVALID;
}

static const char *const notify_access_table[_NOTIFY_ACCESS_MAX] = {
        [NOTIFY_ACCESS_NONE] = "none",
        [NOTIFY_ACCESS_MAIN] = "main",
        [NOTIFY_ACCESS_EXEC] = "exec",
        [NOTIFY_ACCESS_ALL] = "all",
};

const char *notify_access_to_string(NotifyAccess a) {
        return a >= 0 && a < _NOTIFY_ACCESS_MAX ? notify_access_table[a] : NULL;
}

NotifyAccess notify_access_from_string(const char *s) {
        return table_lookup(notify_access_table, _NOTIFY_ACCESS_MAX, s);
}

static const char *const kill_mode_table[_KILL_MODE_MAX] = {
        [KILL_CONTROL_GROUP] = "control-group",
        [KILL_MIXED] = "mixed",
        [KILL_PROCESS] = "process",
};

const char *kill_mode_to_string(KillMode m) {
        return m >= 0 && m < _KILL_MODE_MAX ? kill_mode_table[m] : NULL;
}

KillMode kill_mode_from_string(const char *s) {
        return table_lookup(kill_mode_table, _KILL_MODE_MAX, s);
}

static const char *const service_restart_table[_SERVICE_RESTART_MAX] = {
        [SERVICE_RESTART_NO] = "no",
        [SERVICE_RESTART_ON_SUCCESS] = "on-success",
        [SERVICE_RESTART_ON_FAILURE] = "on-failure",
        [SERVICE_RESTART_ON_ABNORMAL] = "on-abnormal",
        [SERVICE_RESTART_ON_WATCHDOG] = "on-watchdog",
        [SERVICE_RESTART_ON_ABORT] = "on-abort",
        [SERVICE_RESTART_ALWAYS] = "always",
};

const char *service_restart_to_string(ServiceRestart r) {
        return r >= 0 && r < _SERVICE_RESTART_MAX ? service_restart_table[r] : NULL;
}

ServiceRestart service_restart_from_string(const char *s) {
        return table_lookup(service_restart_table, _SERVICE_RESTART_MAX, s);
}

const char *const exec_directory_base[_EXEC_DIRECTORY_TYPE_MAX] = {
        [EXEC_DIRECTORY_RUNTIME] = "/run",
        [EXEC_DIRECTORY_STATE] = "/var/lib",
        [EXEC_DIRECTORY_CACHE] = "/var/cache",
        [EXEC_DIRECTORY_LOGS] = "/var/log",
};

ExecCommand **exec_command_list_free(ExecCommand **l) {
        for (ExecCommand **i = l; i && *i; i++)
                exec_command_free(*i);
        return mfree(l);
}

static int exec_command_list_append(ExecCommand ***l, ExecCommand *c) {
        size_t n = 0;
        ExecCommand **nl;

        while (*l && (*l)[n])
                n++;
        nl = reallocarray(*l, n + 2, sizeof(ExecCommand *));
        if (!nl)
                return -ENOMEM;
        nl[n] = c;
        nl[n + 1] = NULL;
        *l = nl;
        return 0;
}

/* Lives across the files of one description (the main file, then its
 * drop-ins), so a later file continues where the earlier one left off. */
struct ParseState {
        const char *filename; /* the file being parsed */
        unsigned line;        /* of the assignment being parsed */
        Description *description;
        char **notices;
        char **errors;        /* "FILE:LINE: what is wrong", in order */
        char **error_keys;    /* "Section.Key" of each error: a later empty assignment withdraws it */
        bool skip_section;    /* in an unknown section, already named */
        bool cut_short;       /* a syntax error ended a file: what comes after it is unknown */
        SpecifierContext specifiers;
        unsigned exec_start_line;
        char *exec_start_filename;
        unsigned exec_start_more_line; /* the second ExecStart=, for the error unless Type=oneshot */
        char *exec_start_more_filename;
        unsigned address_line;        /* Address=, for the error if Network= is not veth */
        const char *address_filename; /* the caller's filenames[], outlives the parse */
        unsigned health_ready_line;   /* HealthReady=yes, for the error if there is no HealthCheck= */
        const char *health_ready_filename;
};

static void parse_state_done(ParseState *s) {
        s->notices = strv_free(s->notices);
        s->errors = strv_free(s->errors);
        s->error_keys = strv_free(s->error_keys);
        s->exec_start_filename = mfree(s->exec_start_filename);
        s->exec_start_more_filename = mfree(s->exec_start_more_filename);
}

/* Resolves specifiers in a value; the error names the value and the specifier. */
static int expand(ParseState *s, const char *value, char **ret, char **ret_error) {
        int r;

        r = specifier_expand(value, &s->specifiers, ret, ret_error);
        return r == -ENOMEM ? r : r < 0 ? -EINVAL : 0;
}

int parse_state_expand(ParseState *s, const char *value, char **ret, char **ret_error) {
        char *copy;

        if (s)
                return expand(s, value, ret, ret_error);
        copy = strdup(value);
        if (!copy)
                return -ENOMEM;
        *ret = copy;
        return 0;
}

static int free_and_expand(ParseState *s, char **p, const char *value, char **ret_error) {
        char *copy = NULL;
        int r;

        if (!isempty(value)) {
                r = expand(s, value, &copy, ret_error);
                if (r < 0)
                        return r;
        }
        free(*p);
        *p = copy;
        return 0;
}

static int add_notice(ParseState *s, unsigned line, const char *fmt, ...) _printf_(3, 4);
static int add_notice(ParseState *s, unsigned line, const char *fmt, ...) {
        _cleanup_free_ char *text = NULL;
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = vasprintf(&text, fmt, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;

        return strv_consume(&s->notices, strprintf("%s:%u: %s", s->filename, line, text));
}

/* A parser's notice, without file:line (the dispatcher adds them). */
/* "KEY=: notice", for a notice of a helper that does not know the key. */
static int notice_prefix_key(char **notice, const char *key) {
        if (!*notice)
                return 0;
        return key_notice(notice, "%s=: %s", key, *notice);
}

static int free_and_strdup(char **p, const char *s) {
        char *copy = NULL;

        if (!isempty(s)) {
                copy = strdup(s);
                if (!copy)
                        return -ENOMEM;
        }
        free(*p);
        *p = copy;
        return 0;
}

static bool hostname_is_valid(const char *s) {
        bool dot = true;
        size_t n = 0;

        if (isempty(s))
                return false;
        for (const char *p = s; *p; p++, n++) {
                if (*p == '.') {
                        if (dot) /* leading or double dot */
                                return false;
                        dot = true;
                } else {
                        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-", *p))
                                return false;
                        dot = false;
                }
        }
        return !dot && n <= 64; /* HOST_NAME_MAX */
}

/* A plain unit name "a-b.slice": systemd's slice_name_is_valid() except the
 * root slice, which may hold nothing but slices and init.scope. */
static bool slice_name_is_valid(const char *s) {
        const char *e;
        bool dash = false;

        if (isempty(s) || strlen(s) >= 256)
                return false;
        e = endswith(s, ".slice");
        if (!e || e == s)
                return false;
        for (const char *p = s; p < e; p++) {
                if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:_.\\-", *p))
                        return false;
                if (*p == '-') {
                        if (p == s || dash)
                                return false;
                        dash = true;
                } else
                        dash = false;
        }
        return !dash;
}

static bool env_name_is_valid_n(const char *s, size_t n) {
        if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_", s[i]))
                        return false;
        return true;
}

static int invalid_value(char **ret_error, const char *key, const char *value) {
        return error_set(ret_error, -EINVAL, "Invalid %s= value '%s'", key, value);
}

/* A cgroup limit handed to the scope: empty resets it to unset (infinity). */
static int parse_cgroup_limit(const char *key, const char *value, int (*parse)(const char *s, uint64_t *ret),
                              bool *ret_set, uint64_t *ret_value, char **ret_error) {
        uint64_t v;
        int r;

        if (isempty(value)) {
                *ret_set = false;
                *ret_value = CGROUP_LIMIT_MAX;
                return 0;
        }
        r = parse(value, &v);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return invalid_value(ret_error, key, value);
        *ret_set = true;
        *ret_value = v;
        return 0;
}

/* The next word of an Environment=-like value: unquoted, unescaped, specifiers resolved. 1 with
 * *ret, 0 at the end, -errno (with the error text for a malformed value). */
static int next_expanded_word(ParseState *s, const char **p, const char *key, const char *value, char **ret,
                              char **ret_error) {
        _cleanup_free_ char *word = NULL;
        int r;

        r = extract_first_word(p, &word, EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE, NULL);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return invalid_value(ret_error, key, value);
        if (r == 0)
                return 0;
        r = expand(s, word, ret, ret_error);
        return r < 0 ? r : 1;
}

/* Environment=: KEY=VALUE words; a later assignment of a name replaces the earlier one, "" resets. */
KEY_PARSER(parse_environment) {
        Description *d = s->description;
        const char *p = value;
        int r;

        if (isempty(value)) {
                d->environment = strv_free(d->environment);
                return 0;
        }

        for (;;) {
                _cleanup_free_ char *word = NULL;
                const char *eq;
                size_t n;
                bool replaced = false;

                r = next_expanded_word(s, &p, key, value, &word, ret_error);
                if (r <= 0)
                        return r;
                eq = strchr(word, '=');
                if (!eq || !env_name_is_valid_n(word, (size_t) (eq - word)))
                        return error_set(ret_error, -EINVAL, "Invalid environment assignment '%s' in Environment=", word);

                n = (size_t) (eq - word) + 1;
                for (char **i = d->environment; i && *i; i++)
                        if (strncmp(*i, word, n) == 0) {
                                free(*i);
                                *i = TAKE_PTR(word);
                                replaced = true;
                                break;
                        }
                if (!replaced) {
                        r = strv_consume(&d->environment, TAKE_PTR(word));
                        if (r < 0)
                                return r;
                }
        }
}

/* UnsetEnvironment=: names, or exact assignments, each removed from the service's environment as
 * the last step of making it (environment_unset()), whatever set it. "" resets the list. */
KEY_PARSER(parse_unset_environment) {
        Description *d = s->description;
        const char *p = value;
        int r;

        if (isempty(value)) {
                d->unset_environment = strv_free(d->unset_environment);
                return 0;
        }
        for (;;) {
                _cleanup_free_ char *word = NULL;
                const char *eq;

                r = next_expanded_word(s, &p, key, value, &word, ret_error);
                if (r <= 0)
                        return r;
                eq = strchr(word, '=');
                if (!env_name_is_valid_n(word, eq ? (size_t) (eq - word) : strlen(word)))
                        return error_set(ret_error, -EINVAL,
                                         "Invalid environment name or assignment '%s' in UnsetEnvironment=", word);
                r = strv_consume(&d->unset_environment, TAKE_PTR(word));
                if (r < 0)
                        return r;
        }
}

/* EnvironmentFile=: one path per assignment, "-" for a file that may be
 * missing; kept as systemd keeps it ("-/path"), read by the init at start. */
KEY_PARSER(parse_environment_file) {
        Description *d = s->description;
        _cleanup_free_ char *resolved = NULL, *path = NULL;
        bool optional;
        int r;

        if (isempty(value)) {
                d->environment_files = strv_free(d->environment_files);
                return 0;
        }

        r = expand(s, value, &resolved, ret_error);
        if (r < 0)
                return r;
        optional = resolved[0] == '-';
        r = path_normalize_absolute(resolved + optional, &path);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return error_set(ret_error, -EINVAL, "Invalid EnvironmentFile= value '%s': not an absolute path", resolved);

        return strv_consume(&d->environment_files, optional ? strprintf("-%s", path) : strdup(path));
}

/* Specifiers in ExecStart= are resolved in each word after unquoting, as systemd does. */
static int exec_command_resolve_specifiers(ParseState *s, ExecCommand *c, char **ret_error) {
        char *resolved;
        int r;

        r = expand(s, c->path, &resolved, ret_error);
        if (r < 0)
                return r;
        free(c->path);
        c->path = resolved;
        if (isempty(c->path) || (c->path[0] != '/' && strchr(c->path, '/')))
                return error_set(ret_error, -EINVAL,
                                 "Executable path '%s' is neither an absolute path nor a plain file name", c->path);

        for (char **i = c->argv; i && *i; i++) {
                r = expand(s, *i, &resolved, ret_error);
                if (r < 0)
                        return r;
                free(*i);
                *i = resolved;
        }
        return 0;
}

/* Description=, SyslogIdentifier=: a string with specifiers; "" unsets it. */
KEY_PARSER(parse_description_string) {
        return free_and_expand(s, data, value, ret_error);
}

/* StartLimitIntervalSec=/StartLimitBurst= of [Unit], also the old [Service] spelling. */
KEY_PARSER(parse_start_limit_interval) {
        Description *d = s->description;
        usec_t u;

        if (isempty(value)) {
                d->start_limit_interval_usec = DEFAULT_START_LIMIT_INTERVAL_USEC;
                return 0;
        }
        if (parse_sec(value, &u) < 0)
                return invalid_value(ret_error, key, value);
        d->start_limit_interval_usec = u; /* 0: no limit */
        return 0;
}

KEY_PARSER(parse_start_limit_burst) {
        Description *d = s->description;
        uint64_t v;

        if (isempty(value)) {
                d->start_limit_burst = DEFAULT_START_LIMIT_BURST;
                return 0;
        }
        if (parse_uint64(value, &v) < 0 || v > UINT32_MAX)
                return invalid_value(ret_error, key, value);
        d->start_limit_burst = (unsigned) v;
        return 0;
}

KEY_PARSER(parse_service_type) {
        static const char *const later[] = { "notify-reload" };
        ServiceType t;

        if (isempty(value)) {
                s->description->type = SERVICE_SIMPLE;
                return 0;
        }
        t = service_type_from_string(value);
        if (t < 0) {
                for (size_t i = 0; i < ELEMENTSOF(later); i++)
                        if (strcmp(value, later[i]) == 0)
                                return error_set(ret_error, -EINVAL, "Type=%s is not supported yet", value);
                return invalid_value(ret_error, "Type", value);
        }
        s->description->type = t;
        return 0;
}

/* ExecStart=: one command, several for Type=oneshot (checked once Type= is known), "" resets. */
KEY_PARSER(parse_exec_start) {
        Description *d = s->description;
        _cleanup_free_ char *error = NULL;
        ExecCommand *c;
        int r;

        if (isempty(value)) {
                d->exec_start = exec_command_free(d->exec_start);
                d->exec_start_more = exec_command_list_free(d->exec_start_more);
                s->exec_start_more_filename = mfree(s->exec_start_more_filename);
                return 0;
        }

        r = exec_command_parse(value, &c, ret_notice, &error);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return error_set(ret_error, r, "Invalid ExecStart= value: %s", error ?: strerror(-r));
        if (c->privileged) {
                exec_command_free(c);
                return error_set(ret_error, -EINVAL,
                                 "Invalid ExecStart= value: the main process runs inside the sandbox; the '+' prefix "
                                 "is for ExecCondition=, ExecStartPre=, ExecStartPost=, ExecReload=, ExecStop= and "
                                 "ExecStopPost=");
        }
        r = exec_command_resolve_specifiers(s, c, ret_error);
        if (r >= 0 && !d->exec_start)
                r = free_and_strdup(&s->exec_start_filename, s->filename);
        else if (r >= 0) {
                if (!s->exec_start_more_filename) {
                        r = free_and_strdup(&s->exec_start_more_filename, s->filename);
                        s->exec_start_more_line = s->line;
                }
                if (r >= 0)
                        r = exec_command_list_append(&d->exec_start_more, c);
                if (r >= 0)
                        c = NULL;
        }
        if (r < 0) {
                exec_command_free(c);
                return r;
        }
        if (c) {
                d->exec_start = c;
                s->exec_start_line = s->line;
        }
        return notice_prefix_key(ret_notice, key);
}

KEY_PARSER(parse_remain_after_exit) {
        int r = isempty(value) ? 0 : parse_boolean(value);

        if (r < 0)
                return invalid_value(ret_error, key, value);
        s->description->remain_after_exit = r > 0;
        return 0;
}

/* A well-known D-Bus name, as sd_bus_service_name_is_valid() has it (no unique ":1.2" names). */
static bool bus_name_is_valid(const char *p) {
        bool dot = false, start = true;
        size_t n = strlen(p);

        if (n == 0 || n > 255 || p[0] == '.')
                return false;
        for (; *p; p++) {
                if (*p == '.') {
                        if (start)
                                return false;
                        dot = true;
                        start = true;
                        continue;
                }
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' || *p == '-' ||
                      (!start && *p >= '0' && *p <= '9')))
                        return false;
                start = false;
        }
        return dot && !start;
}

KEY_PARSER(parse_bus_name) {
        _cleanup_free_ char *resolved = NULL;
        int r;

        if (isempty(value)) {
                s->description->bus_name = mfree(s->description->bus_name);
                return 0;
        }
        r = expand(s, value, &resolved, ret_error);
        if (r < 0)
                return r;
        if (!bus_name_is_valid(resolved))
                return invalid_value(ret_error, key, resolved);
        return free_and_strdup(&s->description->bus_name, resolved);
}

/* ExecStartPre=, ExecStartPost=, ExecReload=, ExecStop=, ExecCondition=, ExecStopPost=: each
 * assignment adds a command, "" resets. */
KEY_PARSER(parse_exec_list) {
        ExecCommand ***list = data;
        _cleanup_free_ char *error = NULL;
        ExecCommand *c;
        int r;

        if (isempty(value)) {
                *list = exec_command_list_free(*list);
                return 0;
        }
        r = exec_command_parse(value, &c, ret_notice, &error);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return error_set(ret_error, r, "Invalid %s= value: %s", key, error ?: strerror(-r));
        r = exec_command_resolve_specifiers(s, c, ret_error);
        if (r >= 0)
                r = exec_command_list_append(list, c);
        if (r < 0) {
                exec_command_free(c);
                return r;
        }
        return notice_prefix_key(ret_notice, key);
}

static int parse_timeout(const char *key, const char *value, usec_t dflt, usec_t *ret, char **ret_error) {
        usec_t u;

        if (isempty(value)) {
                *ret = dflt;
                return 0;
        }
        if (parse_sec(value, &u) < 0)
                return invalid_value(ret_error, key, value);
        *ret = u == 0 ? USEC_INFINITY : u; /* 0 disables the timeout, as in systemd */
        return 0;
}

/* SuccessExitStatus= and the Restart*ExitStatus= keys (data: the ExitStatusSet): exit statuses and
 * signal names; "" resets. */
KEY_PARSER(parse_exit_status) {
        _cleanup_free_ char *word = NULL;
        int r;

        r = exit_status_set_parse(data, value, &word);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return error_set(ret_error, -EINVAL, "Invalid %s= value '%s': not an exit status (0..255) nor a signal name",
                                 key, word ?: value);
        return 0;
}

/* WatchdogSec=: 0 or "" turns the watchdog off, as in systemd. */
KEY_PARSER(parse_watchdog_sec) {
        usec_t *ret = data, u;

        if (isempty(value)) {
                *ret = 0;
                return 0;
        }
        if (parse_sec(value, &u) < 0)
                return invalid_value(ret_error, key, value);
        *ret = u == USEC_INFINITY ? 0 : u;
        return 0;
}

KEY_PARSER(parse_watchdog_signal) {
        int *ret = data, sig;

        if (isempty(value)) {
                *ret = SIGABRT;
                return 0;
        }
        sig = parse_signal(value);
        if (sig < 0 || sig == SIGSTOP)
                return invalid_value(ret_error, key, value);
        *ret = sig;
        return 0;
}

/* RuntimeMaxSec=: 0, infinity and "" turn it off. */
KEY_PARSER(parse_runtime_max) {
        return parse_timeout(key, value, USEC_INFINITY, data, ret_error);
}

/* PermissionsStartOnly=: deprecated in systemd; the commands but ExecStart= skip the User=/Group=
 * switch, as with the '!' prefix (still inside the sandbox). */
KEY_PARSER(parse_permissions_start_only) {
        int r = isempty(value) ? 0 : parse_boolean(value);

        if (r < 0)
                return invalid_value(ret_error, key, value);
        s->description->permissions_start_only = r > 0;
        if (r > 0)
                return key_notice(ret_notice, "PermissionsStartOnly= is deprecated: the commands but ExecStart= skip "
                                              "User=/Group= as with '!', still inside the sandbox");
        return 0;
}

/* [Unit] Condition*=, Assert*= (condition.h); "" resets every one of them, as in systemd. */
KEY_PARSER(parse_condition) {
        _cleanup_free_ char *where = strprintf("%s:%u", s->filename, s->line), *resolved = NULL;
        int r;

        if (!where)
                return -ENOMEM;
        if (!isempty(value)) {
                r = expand(s, value, &resolved, ret_error);
                if (r < 0)
                        return r;
        }
        return condition_list_add(&s->description->conditions, &s->description->n_conditions, key, resolved, where,
                                  ret_notice, ret_error);
}

KEY_PARSER(parse_timeout_start) {
        s->description->timeout_start_set = !isempty(value);
        return parse_timeout(key, value, DEFAULT_TIMEOUT_START_USEC, &s->description->timeout_start_usec, ret_error);
}

/* TimeoutStopSec=; TimeoutSec= (ltype 1) sets both, as in systemd. */
KEY_PARSER(parse_timeout_stop) {
        Description *d = s->description;
        int r;

        r = parse_timeout(key, value, DEFAULT_TIMEOUT_STOP_USEC, &d->timeout_stop_usec, ret_error);
        if (r < 0 || ltype == 0)
                return r;
        d->timeout_start_usec = isempty(value) ? DEFAULT_TIMEOUT_START_USEC : d->timeout_stop_usec;
        d->timeout_start_set = !isempty(value);
        return 0;
}

/* RuntimeDirectory= and kin: relative paths below their base, space-separated; "" resets. */
KEY_PARSER(parse_exec_directory) {
        ExecDirectory *dir = data;
        const char *p = value;
        int r;

        if (isempty(value)) {
                dir->paths = strv_free(dir->paths);
                return 0;
        }
        for (;;) {
                _cleanup_free_ char *word = NULL, *resolved = NULL, *abs = NULL, *path = NULL;

                r = extract_first_word(&p, &word, EXTRACT_UNQUOTE, NULL);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return invalid_value(ret_error, key, value);
                if (r == 0)
                        return 0;
                if (strchr(word, ':'))
                        return error_set(ret_error, -EINVAL, "%s=%s: the SOURCE:DESTINATION form is not supported yet",
                                         key, word);
                r = expand(s, word, &resolved, ret_error);
                if (r < 0)
                        return r;
                if (resolved[0] == '/')
                        return error_set(ret_error, -EINVAL, "Invalid %s= value '%s': not a relative path", key, resolved);
                abs = strprintf("/%s", resolved);
                if (!abs)
                        return -ENOMEM;
                r = path_normalize_absolute(abs, &path);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 || strcmp(path, "/") == 0)
                        return error_set(ret_error, -EINVAL, "Invalid %s= value '%s'", key, resolved);
                if (!strv_contains(dir->paths, path + 1)) {
                        r = strv_extend(&dir->paths, path + 1);
                        if (r < 0)
                                return r;
                }
        }
}

KEY_PARSER(parse_exec_directory_mode) {
        ExecDirectory *dir = data;
        char *end;
        unsigned long m;

        if (isempty(value)) {
                dir->mode = 0755;
                return 0;
        }
        errno = 0;
        m = strtoul(value, &end, 8);
        if (errno != 0 || *end != 0 || m > 07777)
                return invalid_value(ret_error, key, value);
        dir->mode = (mode_t) m;
        return 0;
}

KEY_PARSER(parse_pid_file) {
        Description *d = s->description;
        _cleanup_free_ char *resolved = NULL;
        char *path;
        int r;

        if (isempty(value)) {
                d->pid_file = mfree(d->pid_file);
                return 0;
        }
        r = expand(s, value, &resolved, ret_error);
        if (r < 0)
                return r;
        r = path_normalize_absolute(resolved, &path);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return error_set(ret_error, -EINVAL, "Invalid PIDFile= value '%s': not an absolute path", resolved);
        free(d->pid_file);
        d->pid_file = path;
        return 0;
}

KEY_PARSER(parse_notify_access) {
        Description *d = s->description;
        NotifyAccess a;

        if (isempty(value)) {
                d->notify_access_set = false;
                return 0;
        }
        a = notify_access_from_string(value);
        if (a < 0)
                return invalid_value(ret_error, key, value);
        d->notify_access = a;
        d->notify_access_set = true;
        return 0;
}

KEY_PARSER(parse_kill_mode) {
        KillMode m = isempty(value) ? KILL_CONTROL_GROUP : kill_mode_from_string(value);

        if (m < 0)
                return invalid_value(ret_error, key, value);
        s->description->kill_mode = m;
        return 0;
}

KEY_PARSER(parse_restart) {
        ServiceRestart m = isempty(value) ? SERVICE_RESTART_NO : service_restart_from_string(value);

        if (m < 0)
                return invalid_value(ret_error, key, value);
        s->description->restart = m;
        return 0;
}

KEY_PARSER(parse_restart_sec) {
        usec_t u;

        if (isempty(value)) {
                s->description->restart_usec = DEFAULT_RESTART_USEC;
                return 0;
        }
        if (parse_sec(value, &u) < 0 || u == USEC_INFINITY)
                return invalid_value(ret_error, key, value);
        s->description->restart_usec = u;
        return 0;
}

KEY_PARSER(parse_working_directory) {
        Description *d = s->description;
        _cleanup_free_ char *resolved = NULL;
        char *path;
        int r;

        if (isempty(value)) {
                d->working_directory = mfree(d->working_directory);
                return 0;
        }
        if (value[0] == '-' || value[0] == '~')
                return error_set(ret_error, -EINVAL, "WorkingDirectory=%s: the '%c' form is not supported yet",
                                 value, value[0]);
        r = expand(s, value, &resolved, ret_error);
        if (r < 0)
                return r;
        r = path_normalize_absolute(resolved, &path);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return error_set(ret_error, -EINVAL, "Invalid WorkingDirectory= value '%s': not a normalized absolute path",
                                 resolved);
        free(d->working_directory);
        d->working_directory = path;
        return 0;
}

KEY_PARSER(parse_kill_signal) {
        int sig;

        if (isempty(value)) {
                s->description->kill_signal = SIGTERM;
                return 0;
        }
        sig = parse_signal(value);
        if (sig < 0 || sig == SIGSTOP)
                return invalid_value(ret_error, key, value);
        s->description->kill_signal = sig;
        return 0;
}

KEY_PARSER(parse_slice) {
        Description *d = s->description;
        _cleanup_free_ char *resolved = NULL;
        int r;

        if (isempty(value))
                return free_and_strdup(&d->slice, DEFAULT_SLICE);
        r = expand(s, value, &resolved, ret_error);
        if (r < 0)
                return r;
        if (!slice_name_is_valid(resolved))
                return invalid_value(ret_error, key, resolved);
        return free_and_strdup(&d->slice, resolved);
}

KEY_PARSER(parse_memory_max) {
        Description *d = s->description;

        return parse_cgroup_limit(key, value, parse_memory_limit, &d->memory_max_set, &d->memory_max, ret_error);
}

KEY_PARSER(parse_tasks_max_key) {
        Description *d = s->description;

        if (isempty(value)) {
                d->tasks_max_set = true;
                d->tasks_max = DEFAULT_TASKS_MAX;
                return 0;
        }
        return parse_cgroup_limit(key, value, parse_tasks_max, &d->tasks_max_set, &d->tasks_max, ret_error);
}

KEY_PARSER(parse_cpu_quota_key) {
        Description *d = s->description;
        usec_t u;

        if (isempty(value)) {
                d->cpu_quota_set = false;
                d->cpu_quota_per_sec_usec = USEC_INFINITY;
                return 0;
        }
        if (parse_cpu_quota(value, &u) < 0)
                return invalid_value(ret_error, key, value);
        d->cpu_quota_set = true;
        d->cpu_quota_per_sec_usec = u;
        return 0;
}

/* The resource-control keys handed to the scope as they are (cgroup-settings.c). */
KEY_PARSER(parse_cgroup_setting) {
        _cleanup_free_ char *where = strprintf("%s:%u", s->filename, s->line);
        int r;

        if (!where)
                return -ENOMEM;
        r = cgroup_settings_parse(data, key, value, where, ret_error);
        if (r == -ENOENT) /* a row cgroup-settings.c does not know: a bug, said as such */
                return error_set(ret_error, -EINVAL, "%s= has no resource-control parser", key);
        return r;
}

/* A boolean switch every isolated service has on anyway. */
KEY_PARSER(parse_always_on) {
        int r;

        if (isempty(value))
                return 0;
        r = parse_boolean(value);
        if (r < 0)
                return invalid_value(ret_error, key, value);
        if (r > 0)
                return key_notice(ret_notice, "%s=%s: isolated always applies this", key, value);
        return key_notice(ret_notice, "Ignoring %s=%s: isolated applies it to every service", key, value);
}

/* A boolean key ignored with a notice (InitVerbose=): a bad value is still an error. */
KEY_PARSER(parse_boolean_notice) {
        if (!isempty(value) && parse_boolean(value) < 0)
                return invalid_value(ret_error, key, value);
        return key_notice(ret_notice, "Ignoring %s=: not supported by isolated yet", key);
}

KEY_PARSER(parse_port) {
        Description *d = s->description;
        char a[PORT_SPEC_STRING_MAX], b[PORT_SPEC_STRING_MAX];
        PortSpec p, *l;
        int r;

        if (isempty(value)) {
                d->ports = mfree(d->ports);
                d->n_ports = 0;
                return 0;
        }
        r = port_spec_parse(value, &p);
        if (r == -ERANGE)
                return error_set(ret_error, -EINVAL, "Invalid Port= value '%s': ports are 1..65535", value);
        if (r < 0)
                return error_set(ret_error, -EINVAL,
                                 "Invalid Port= value '%s': expected [ADDRESS:]HOSTPORT:SERVICEPORT[/tcp|/udp]", value);
        for (size_t i = 0; i < d->n_ports; i++)
                if (port_spec_conflict(&d->ports[i], &p))
                        return error_set(ret_error, -EINVAL, "Port=%s clashes with Port=%s published already",
                                         port_spec_to_string(&p, a), port_spec_to_string(&d->ports[i], b));
        l = reallocarray(d->ports, d->n_ports + 1, sizeof(PortSpec));
        if (!l)
                return -ENOMEM;
        d->ports = l;
        d->ports[d->n_ports++] = p;
        return 0;
}

/* ListenStream=, ListenDatagram= (ltype: the SocketKind): one list in file order, as
 * LISTEN_FDS numbers them; "" resets it. */
KEY_PARSER(parse_listen) {
        Description *d = s->description;
        SocketKind kind = (SocketKind) ltype;
        char a[SOCKET_SPEC_STRING_MAX], b[SOCKET_SPEC_STRING_MAX];
        _cleanup_free_ char *resolved = NULL;
        SocketSpec spec, *l;
        int r;

        if (isempty(value)) {
                d->listen = mfree(d->listen);
                d->n_listen = 0;
                return 0;
        }
        r = expand(s, value, &resolved, ret_error);
        if (r < 0)
                return r;
        if (resolved[0] == '/') {
                char *normalized = NULL;

                if (path_normalize_absolute(resolved, &normalized) < 0)
                        return error_set(ret_error, -EINVAL, "Invalid %s= value '%s': a socket path may not "
                                         "contain \"..\"", key, resolved);
                free(resolved);
                resolved = normalized;
        }
        r = socket_spec_parse(kind, resolved, &spec);
        if (r == -ERANGE)
                return error_set(ret_error, -EINVAL, "Invalid %s= value '%s': ports are 1..65535", key, resolved);
        if (r == -ENAMETOOLONG)
                return error_set(ret_error, -EINVAL, "Invalid %s= value '%s': the path is too long for a socket",
                                 key, resolved);
        if (r < 0)
                return error_set(ret_error, -EINVAL,
                                 "Invalid %s= value '%s': expected PORT, IPV4:PORT, [IPV6]:PORT, /PATH or @NAME",
                                 key, resolved);
        for (size_t i = 0; i < d->n_listen; i++)
                if (socket_spec_clash(&d->listen[i], &spec))
                        return error_set(ret_error, -EINVAL, "%s=%s clashes with %s=%s above", key,
                                         socket_spec_to_string(&spec, a), socket_kind_to_key(d->listen[i].kind),
                                         socket_spec_to_string(&d->listen[i], b));
        if (d->n_listen >= SOCKET_SPECS_MAX)
                return error_set(ret_error, -EINVAL, "%s=%s: at most %d listening sockets per service", key,
                                 resolved, SOCKET_SPECS_MAX);
        l = reallocarray(d->listen, d->n_listen + 1, sizeof(SocketSpec));
        if (!l)
                return -ENOMEM;
        d->listen = l;
        d->listen[d->n_listen++] = spec;
        return 0;
}

/* HealthCheck=: one command line in ExecStart= syntax; the last one wins, "" removes it. */

/* HealthCheck=: one command line in ExecStart= syntax; the last one wins, "" removes it. */
KEY_PARSER(parse_health_check) {
        _cleanup_(exec_command_freep) ExecCommand *c = NULL;
        _cleanup_free_ char *notice = NULL, *error = NULL;
        HealthOptions *h = &s->description->health;
        int r;

        if (isempty(value)) {
                h->check = exec_command_free(h->check);
                return 0;
        }
        r = exec_command_parse(value, &c, &notice, &error);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return error_set(ret_error, r, "Invalid HealthCheck= value: %s", error ?: strerror(-r));
        /* Its exit is the verdict, and it is started as its argv says. */
        if (c->ignore_failure || c->argv0_given)
                return error_set(ret_error, -EINVAL, "Invalid HealthCheck= value '%s': the prefixes '-' and '@' "
                                 "do not apply to a health check", value);
        r = exec_command_resolve_specifiers(s, c, ret_error);
        if (r < 0)
                return r;
        exec_command_free(h->check);
        h->check = TAKE_PTR(c);
        *ret_notice = TAKE_PTR(notice);
        return notice_prefix_key(ret_notice, key);
}

/* HealthInterval= and kin (health-options.c). */
KEY_PARSER(parse_health_option) {
        int r;

        r = health_options_parse(data, key, value, ret_error);
        if (r >= 0 && strcmp(key, "HealthReady") == 0) {
                s->health_ready_line = s->line;
                s->health_ready_filename = s->filename;
        }
        return r == -ENOENT ? -EINVAL : r;
}

KEY_PARSER(parse_hostname) {
        _cleanup_free_ char *resolved = NULL;
        int r;

        if (isempty(value))
                return free_and_strdup(&s->description->hostname, NULL);
        r = expand(s, value, &resolved, ret_error);
        if (r < 0)
                return r;
        if (!hostname_is_valid(resolved))
                return invalid_value(ret_error, key, resolved);
        return free_and_strdup(&s->description->hostname, resolved);
}

KEY_PARSER(parse_network) {
        NetworkMode m = isempty(value) ? NETWORK_PRIVATE : network_mode_from_string(value);

        if (m < 0)
                return invalid_value(ret_error, key, value);
        s->description->network = m;
        return 0;
}

KEY_PARSER(parse_address) {
        Ipv4Prefix p;

        if (isempty(value)) {
                s->description->address_set = false;
                return 0;
        }
        if (ipv4_prefix_parse(value, &p) < 0)
                return error_set(ret_error, -EINVAL,
                                 "Invalid Address= value '%s': expected an IPv4 host address with a "
                                 "prefix length 8..31, e.g. 10.231.5.2/30", value);
        s->description->address = p;
        s->description->address_set = true;
        s->address_line = s->line;
        s->address_filename = s->filename;
        return 0;
}

static bool section_is_extension(const char *section) {
        /* systemd ignores "X-" sections and keys: they are for other programs. */
        return startswith(section, "X-");
}

/* Records one error of the file ("FILE:LINE: ..."), and the key it belongs to (NULL: none),
 * and goes on: every error of a description is reported at once. */
static int add_error(ParseState *s, const char *section, const char *key, unsigned line, const char *text) {
        int r;

        r = strv_consume(&s->errors, line > 0 ? strprintf("%s:%u: %s", s->filename, line, text)
                                              : strprintf("%s: %s", s->filename, text));
        if (r < 0)
                return r;
        return strv_consume(&s->error_keys, key ? strprintf("%s.%s", section, key) : strdup(""));
}

/* An empty assignment resets a key to its default, as in systemd: whatever an earlier line
 * of it did wrong (a refused key, a bad value) no longer counts. */
static void withdraw_errors(ParseState *s, const char *section, const char *key) {
        size_t j = 0, n = strv_length(s->errors);

        for (size_t i = 0; i < n; i++) {
                const char *k = s->error_keys[i];
                size_t m = strlen(section);

                if (strncmp(k, section, m) == 0 && k[m] == '.' && strcmp(k + m + 1, key) == 0) {
                        free(s->errors[i]);
                        free(s->error_keys[i]);
                        continue;
                }
                s->errors[j] = s->errors[i];
                s->error_keys[j] = s->error_keys[i];
                j++;
        }
        if (s->errors) {
                s->errors[j] = NULL;
                s->error_keys[j] = NULL;
        }
}

static int on_section(const char *section, unsigned line, void *userdata, char **ret_error) {
        ParseState *s = userdata;
        _cleanup_free_ char *text = NULL;

        s->skip_section = false;
        if (section_is_extension(section) || key_section_from_string(section) >= 0)
                return 0;
        /* Its assignments are not looked at: the section is the error. */
        s->skip_section = true;
        text = strprintf("Unknown section [%s]", section);
        if (!text)
                return -ENOMEM;
        return add_error(s, section, NULL, line, text);
}

/* A line the syntax layer could not read ("FILE:LINE: ..." already). */
static int on_bad_line(const char *error, unsigned line, void *userdata) {
        ParseState *s = userdata;
        int r;

        r = strv_extend(&s->errors, error);
        if (r < 0)
                return r;
        return strv_extend(&s->error_keys, "");
}

/* What a key without a parser, or without a row of its own, gets: its row's policy or its section's default. */
static int apply_policy(ParseState *s, KeySection section, const ServiceKey *k, const char *key, const char *value,
                        char **ret_notice, char **ret_error) {
        const char *sec = key_section_to_string(section);
        KeyPolicy p;
        const char *note;

        if (k) {
                p = k->policy;
                note = service_key_note(k);
        } else {
                if (section == KEY_SECTION_ISOLATE || !systemd_key_is_known(sec, key))
                        return error_set(ret_error, -EINVAL, "Unknown key %s= in section [%s]", key, sec);
                p = service_key_default_policy(section);
                note = service_key_default_note(section);
        }

        if (p == KEY_NOTICE) {
                if (section == KEY_SECTION_SERVICE)
                        return key_notice(ret_notice, "Ignoring %s=: %s", key, note);
                return key_notice(ret_notice, "Ignoring %s= in section [%s]: %s", key, sec, note);
        }
        /* An empty assignment asks for nothing: it resets the key. */
        if (isempty(value))
                return 0;
        return error_set(ret_error, -EINVAL, "%s= is not supported yet; %s", key, note);
}

static int on_assignment(
                const char *section, const char *key, const char *value, unsigned line, void *userdata, char **ret_error) {

        ParseState *s = userdata;
        _cleanup_free_ char *notice = NULL, *error = NULL;
        const ServiceKey *k;
        KeySection sec;
        int r;

        if (s->skip_section || section_is_extension(section) || startswith(key, "X-"))
                return 0;
        sec = key_section_from_string(section);
        if (sec < 0)
                return 0; /* named by on_section() */

        s->line = line;
        k = service_key_lookup(sec, key);
        if (k && k->parse)
                r = k->parse(s, key, k->ltype, (uint8_t *) s->description + k->offset, value, &notice, &error);
        else
                r = apply_policy(s, sec, k, key, value, &notice, &error);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                if (!error) /* a parser without words for it: still this line's error */
                        error = strprintf("Invalid %s= value '%s': %s", key, value, strerror(-r));
                if (!error)
                        return -ENOMEM;
                r = add_error(s, section, k ? key : NULL, line, error);
                return r < 0 ? r : 0;
        }
        if (isempty(value) && k)
                withdraw_errors(s, section, key);
        if (notice)
                return add_notice(s, line, "%s", notice);
        return 0;
}

Description *description_free(Description *d) {
        if (!d)
                return NULL;
        free(d->name);
        free(d->description);
        exec_command_free(d->exec_start);
        exec_command_list_free(d->exec_start_more);
        free(d->bus_name);
        exec_command_list_free(d->exec_start_pre);
        exec_command_list_free(d->exec_start_post);
        exec_command_list_free(d->exec_reload);
        exec_command_list_free(d->exec_stop);
        exec_command_list_free(d->exec_condition);
        exec_command_list_free(d->exec_stop_post);
        condition_list_free(d->conditions, d->n_conditions);
        free(d->pid_file);
        for (ExecDirectoryType t = 0; t < _EXEC_DIRECTORY_TYPE_MAX; t++)
                strv_free(d->directories[t].paths);
        strv_free(d->environment);
        strv_free(d->environment_files);
        strv_free(d->unset_environment);
        free(d->syslog_identifier);
        free(d->working_directory);
        free(d->slice);
        free(d->hostname);
        free(d->default_hostname);
        free(d->ports);
        free(d->listen);
        sandbox_options_done(&d->sandbox);
        health_options_done(&d->health);
        cgroup_settings_done(&d->cgroup);
        return mfree(d);
}

static int description_new(const char *name, Description **ret) {
        _cleanup_(description_freep) Description *d = NULL;

        d = calloc(1, sizeof(Description));
        if (!d)
                return -ENOMEM;
        *d = (Description) {
                .type = SERVICE_SIMPLE,
                .kill_signal = SIGTERM,
                .timeout_stop_usec = DEFAULT_TIMEOUT_STOP_USEC,
                .timeout_start_usec = DEFAULT_TIMEOUT_START_USEC,
                .restart_usec = DEFAULT_RESTART_USEC,
                .start_limit_interval_usec = DEFAULT_START_LIMIT_INTERVAL_USEC,
                .start_limit_burst = DEFAULT_START_LIMIT_BURST,
                .watchdog_signal = SIGABRT,
                .runtime_max_usec = USEC_INFINITY,
                .health = HEALTH_OPTIONS_DEFAULT,
                .directories = {
                        [EXEC_DIRECTORY_RUNTIME] = { .mode = 0755 },
                        [EXEC_DIRECTORY_STATE] = { .mode = 0755 },
                        [EXEC_DIRECTORY_CACHE] = { .mode = 0755 },
                        [EXEC_DIRECTORY_LOGS] = { .mode = 0755 },
                },
                .memory_max = CGROUP_LIMIT_MAX,
                .tasks_max_set = true, /* a default of isolated's: a fork bomb stays in its scope */
                .tasks_max = DEFAULT_TASKS_MAX,
                .cpu_quota_per_sec_usec = USEC_INFINITY,
        };
        sandbox_options_init(&d->sandbox);
        d->name = strdup(name);
        d->slice = strdup(DEFAULT_SLICE);
        /* A hostname has no "@", ":" or "\\": postgresql@15-main is postgresql-15-main. */
        d->default_hostname = strdup(name);
        if (!d->name || !d->slice || !d->default_hostname)
                return -ENOMEM;
        for (char *p = d->default_hostname; *p; p++)
                if (strchr("@:\\", *p))
                        *p = '-';

        *ret = TAKE_PTR(d);
        return 0;
}

/* The whole-description checks, after the last file: each failure is one more error. */
/* What systemd 252's service_verify() refuses of Type= and its companions; Type=dbus binds the
 * host's system bus socket in, and nothing else of /run/dbus (DESIGN.md); a oneshot service has
 * no start timeout unless it names one. */
static int verify_type(Description *d, ParseState *s, const char *main_file) {
        _cleanup_free_ char *text = NULL, *notice = NULL, *error = NULL;
        int r;

        if (d->exec_start_more && d->type != SERVICE_ONESHOT) {
                if (strcmp(s->exec_start_more_filename, s->exec_start_filename) == 0)
                        text = strprintf("ExecStart= is already set (line %u); only Type=oneshot allows several "
                                         "commands (an empty ExecStart= resets the list)",
                                         s->exec_start_line);
                else
                        text = strprintf("ExecStart= is already set (%s:%u); only Type=oneshot allows several "
                                         "commands (an empty ExecStart= resets the list)",
                                         s->exec_start_filename, s->exec_start_line);
                if (!text)
                        return -ENOMEM;
                s->filename = s->exec_start_more_filename;
                r = add_error(s, NULL, NULL, s->exec_start_more_line, text);
                if (r < 0)
                        return r;
        }
        s->filename = main_file;
        if (d->type == SERVICE_ONESHOT && (d->restart == SERVICE_RESTART_ALWAYS || d->restart == SERVICE_RESTART_ON_SUCCESS)) {
                text = mfree(text);
                text = strprintf("Restart=%s is not allowed for Type=oneshot services (as in systemd)",
                                 service_restart_to_string(d->restart));
                if (!text)
                        return -ENOMEM;
                r = add_error(s, NULL, NULL, 0, text);
                if (r < 0)
                        return r;
        }
        if (d->type == SERVICE_DBUS && !d->bus_name) {
                r = add_error(s, NULL, NULL, 0, "Type=dbus needs BusName= (as in systemd)");
                if (r < 0)
                        return r;
        }
        if (d->type == SERVICE_DBUS) {
                r = sandbox_options_parse(&d->sandbox, "BindReadOnlyPaths", DBUS_SYSTEM_BUS_SOCKET, &notice, &error);
                if (r == -ENOMEM || (r < 0 && !error))
                        return r;
                if (r < 0)
                        return add_error(s, NULL, NULL, 0, error);
        }
        if (d->type == SERVICE_ONESHOT && !d->timeout_start_set)
                d->timeout_start_usec = USEC_INFINITY;
        return 0;
}

static int check_description(Description *d, ParseState *s, const char *main_file) {
        _cleanup_free_ char *error = NULL;
        int r;

        /* Not when an ExecStart= line was wrong, or a file was not read to its end: named already. */
        if (!d->exec_start && !s->cut_short && !strv_contains(s->error_keys, "Service.ExecStart")) {
                s->filename = main_file;
                r = add_error(s, NULL, NULL, 0, "ExecStart= is required");
                if (r < 0)
                        return r;
        }
        r = verify_type(d, s, main_file);
        if (r < 0)
                return r;
        if (d->address_set && d->network != NETWORK_VETH) {
                s->filename = s->address_filename;
                r = add_error(s, NULL, NULL, s->address_line, "Address= needs Network=veth");
                if (r < 0)
                        return r;
        }
        if (d->health.ready && !d->health.check) {
                s->filename = s->health_ready_filename;
                r = add_error(s, NULL, NULL, s->health_ready_line, "HealthReady=yes needs HealthCheck=");
                if (r < 0)
                        return r;
        }

        r = sandbox_options_finalize(&d->sandbox);
        if (r < 0)
                return r;
        r = sandbox_options_verify(&d->sandbox, &error);
        if (r == -ENOMEM || (r < 0 && !error))
                return r;
        if (r < 0) {
                s->filename = main_file;
                return add_error(s, NULL, NULL, 0, error);
        }
        return 0;
}

/* All errors as one text, a line each ("FILE:LINE: ..."): what verify prints and start sends. */
static int errors_set(char **ret_error, char **errors) {
        _cleanup_free_ char *text = NULL;
        size_t n = 0, shown = 0;

        for (char **e = errors; e && *e; e++) {
                char *j;

                n++;
                if (shown >= DESCRIPTION_ERRORS_MAX)
                        continue;
                j = strprintf("%s%s%s", text ?: "", text ? "\n" : "", *e);
                if (!j)
                        return -ENOMEM;
                free(text);
                text = j;
                shown++;
        }
        if (n > shown) {
                char *j = strprintf("%s\n... and %zu more errors", text, n - shown);

                if (!j)
                        return -ENOMEM;
                free(text);
                text = j;
        }
        if (ret_error) {
                free(*ret_error);
                *ret_error = TAKE_PTR(text);
        }
        return -EINVAL;
}

int description_parse_files(
                const char *name,
                size_t n_files,
                const char *const *filenames,
                const char *const *texts,
                const SpecifierContext *host,
                Description **ret,
                char ***ret_notices,
                char **ret_error) {

        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_(parse_state_done) ParseState state = {};
        int r;

        if (!name || n_files == 0 || !filenames || !texts || !ret)
                return -EINVAL;
        for (size_t i = 0; i < n_files; i++)
                if (!filenames[i] || !texts[i])
                        return -EINVAL;
        if (service_name_is_template(name))
                return error_set(ret_error, -EINVAL, "%s: %s is a template: start an instance, %sINSTANCE", filenames[0],
                                 name, name);
        if (!service_name_is_valid(name))
                return error_set(ret_error, -EINVAL, "%s: Invalid service name '%s'", filenames[0], name);

        r = description_new(name, &d);
        if (r < 0)
                return r;

        state.description = d;
        if (host)
                state.specifiers = *host;
        state.specifiers.name = name;
        state.specifiers.user = NULL; /* User= is not supported yet: services run as root */

        /* Each file continues the same description: scalars last-wins, lists append, "" resets.
         * Every error is collected; only a file too large ends its own parse. */
        for (size_t i = 0; i < n_files; i++) {
                _cleanup_free_ char *error = NULL;

                state.filename = filenames[i];
                state.skip_section = false;
                r = unit_file_parse_each(filenames[i], texts[i], on_section, on_assignment, on_bad_line, &state,
                                         &error);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        if (!error)
                                return r;
                        state.cut_short = true;
                        r = strv_consume(&state.errors, TAKE_PTR(error));
                        if (r >= 0)
                                r = strv_extend(&state.error_keys, "");
                        if (r < 0)
                                return r;
                }
        }

        r = check_description(d, &state, filenames[0]);
        if (r < 0)
                return r;
        if (state.errors && state.errors[0])
                return errors_set(ret_error, state.errors);

        if (ret_notices)
                for (char **i = state.notices; i && *i; i++) {
                        r = strv_extend(ret_notices, *i);
                        if (r < 0)
                                return r;
                }

        *ret = TAKE_PTR(d);
        return 0;
}

int description_parse(
                const char *name,
                const char *filename,
                const char *text,
                Description **ret,
                char ***ret_notices,
                char **ret_error) {

        if (!filename || !text)
                return -EINVAL;
        return description_parse_files(name, 1, &filename, &text, NULL, ret, ret_notices, ret_error);
}

const char *description_hostname(const Description *d) {
        return d->hostname ?: d->default_hostname;
}

const char *description_syslog_identifier(const Description *d) {
        return d->syslog_identifier ?: d->name;
}

OOMPolicy description_oom_policy(const Description *d) {
        const CgroupSetting *s = cgroup_settings_get(&d->cgroup, "OOMPolicy");
        OOMPolicy p = s ? oom_policy_from_string(s->string) : _OOM_POLICY_INVALID;

        return p >= 0 ? p : OOM_POLICY_STOP; /* systemd's DefaultOOMPolicy= */
}

NotifyAccess description_notify_access(const Description *d) {
        if (d->notify_access_set)
                return d->notify_access;
        /* As systemd: WatchdogSec= needs WATCHDOG=1 from the main process. */
        return d->type == SERVICE_NOTIFY || d->watchdog_usec > 0 ? NOTIFY_ACCESS_MAIN : NOTIFY_ACCESS_NONE;
}
