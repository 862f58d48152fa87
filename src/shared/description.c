/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "description.h"
#include "extract-word.h"
#include "parse-util.h"
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

static const char *const exec_directory_key[_EXEC_DIRECTORY_TYPE_MAX] = {
        [EXEC_DIRECTORY_RUNTIME] = "RuntimeDirectory",
        [EXEC_DIRECTORY_STATE] = "StateDirectory",
        [EXEC_DIRECTORY_CACHE] = "CacheDirectory",
        [EXEC_DIRECTORY_LOGS] = "LogsDirectory",
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

/* What to do with a [Service] key that systemd knows and isolated does not
 * implement yet. Keys not listed here are refused: a new sandboxing or limit
 * key must never be dropped silently, so refusing is the default and each
 * entry below is a decision that ignoring the key cannot leave the service less
 * confined or less limited than the file asks. */
typedef enum KeyPolicy {
        KEY_NOTICE,          /* ignored with a notice */
        KEY_NOTICE_IF_FALSE, /* a boolean hardening switch: "no" asks for nothing, "yes" is refused */
        KEY_ALWAYS_ON,       /* a boolean switch isolated applies to every service anyway */
} KeyPolicy;

static const struct {
        const char *key;
        KeyPolicy policy;
} service_key_policy[] = {
        /* Process management: affects what runs when, not what it may do. */
        { "ExecCondition", KEY_NOTICE },
        { "ExecStopPost", KEY_NOTICE },
        { "TimeoutAbortSec", KEY_NOTICE },
        { "TimeoutStartFailureMode", KEY_NOTICE },
        { "TimeoutStopFailureMode", KEY_NOTICE },
        { "RuntimeRandomizedExtraSec", KEY_NOTICE },
        { "StartLimitAction", KEY_NOTICE },
        { "FailureAction", KEY_NOTICE },
        { "RebootArgument", KEY_NOTICE },
        { "ExitType", KEY_NOTICE },
        { "PermissionsStartOnly", KEY_NOTICE },
        { "RootDirectoryStartOnly", KEY_NOTICE },
        { "GuessMainPID", KEY_NOTICE },
        { "RestartPreventExitStatus", KEY_NOTICE },
        { "RestartForceExitStatus", KEY_NOTICE },
        { "SuccessExitStatus", KEY_NOTICE },
        { "NonBlocking", KEY_NOTICE },
        { "FileDescriptorStoreMax", KEY_NOTICE },
        { "Sockets", KEY_NOTICE },
        { "USBFunctionDescriptors", KEY_NOTICE },
        { "USBFunctionStrings", KEY_NOTICE },
        { "SendSIGKILL", KEY_NOTICE },
        { "SendSIGHUP", KEY_NOTICE },
        { "RestartKillSignal", KEY_NOTICE },
        { "FinalKillSignal", KEY_NOTICE },
        { "WatchdogSignal", KEY_NOTICE },
        { "TimeoutCleanSec", KEY_NOTICE },
        { "IgnoreSIGPIPE", KEY_NOTICE },
        { "TimerSlackNSec", KEY_NOTICE },

        /* Ignoring these grants less than asked, never more. */
        { "PassEnvironment", KEY_NOTICE },
        { "ExecPaths", KEY_NOTICE },
        { "ExecSearchPath", KEY_NOTICE },
        { "NetworkNamespacePath", KEY_NOTICE }, /* the service keeps its own empty network namespace */
        { "IPCNamespacePath", KEY_NOTICE },
        { "MountFlags", KEY_NOTICE },           /* mounts stay private to the service */
        { "MountAPIVFS", KEY_NOTICE },          /* /proc and /dev are always mounted */
        { "RemoveIPC", KEY_NOTICE },            /* the IPC namespace dies with the service */
        { "Delegate", KEY_NOTICE },
        { "DisableControllers", KEY_NOTICE },
        { "DefaultMemoryMin", KEY_NOTICE },
        { "DefaultMemoryLow", KEY_NOTICE },
        { "RuntimeDirectoryPreserve", KEY_NOTICE },
        { "ConfigurationDirectory", KEY_NOTICE },
        { "ConfigurationDirectoryMode", KEY_NOTICE },
        { "SetCredential", KEY_NOTICE },
        { "SetCredentialEncrypted", KEY_NOTICE },
        { "LoadCredential", KEY_NOTICE },
        { "LoadCredentialEncrypted", KEY_NOTICE },

        /* Accounting and logging: observe, do not restrict. */
        { "CPUAccounting", KEY_NOTICE },
        { "MemoryAccounting", KEY_NOTICE },
        { "IOAccounting", KEY_NOTICE },
        { "BlockIOAccounting", KEY_NOTICE },
        { "TasksAccounting", KEY_NOTICE },
        { "IPAccounting", KEY_NOTICE },
        { "StandardInput", KEY_NOTICE },
        { "StandardOutput", KEY_NOTICE },
        { "StandardError", KEY_NOTICE },
        { "StandardInputText", KEY_NOTICE },
        { "StandardInputData", KEY_NOTICE },
        { "TTYPath", KEY_NOTICE },
        { "TTYReset", KEY_NOTICE },
        { "TTYVHangup", KEY_NOTICE },
        { "TTYVTDisallocate", KEY_NOTICE },
        { "TTYRows", KEY_NOTICE },
        { "TTYColumns", KEY_NOTICE },
        { "SyslogFacility", KEY_NOTICE },
        { "SyslogLevel", KEY_NOTICE },
        { "SyslogLevelPrefix", KEY_NOTICE },
        { "LogLevelMax", KEY_NOTICE },
        { "LogExtraFields", KEY_NOTICE },
        { "LogNamespace", KEY_NOTICE },
        { "SystemCallLog", KEY_NOTICE },
        { "UtmpIdentifier", KEY_NOTICE },
        { "UtmpMode", KEY_NOTICE },

        /* Already true of every isolated service (private namespaces, no_new_privs). */
        { "PrivateNetwork", KEY_ALWAYS_ON },
        { "PrivateIPC", KEY_ALWAYS_ON },
        { "PrivateMounts", KEY_ALWAYS_ON },
        { "ProtectHostname", KEY_ALWAYS_ON },

        /* Hardening switches isolated does not apply yet: "no" is fine, "yes" is refused. */
        { "PrivateUsers", KEY_NOTICE_IF_FALSE },
        { "ProtectClock", KEY_NOTICE_IF_FALSE },
        { "MemoryDenyWriteExecute", KEY_NOTICE_IF_FALSE },
        { "RestrictRealtime", KEY_NOTICE_IF_FALSE },
        { "DynamicUser", KEY_NOTICE_IF_FALSE },
};

static int service_key_policy_lookup(const char *key) {
        for (size_t i = 0; i < ELEMENTSOF(service_key_policy); i++)
                if (strcmp(service_key_policy[i].key, key) == 0)
                        return (int) service_key_policy[i].policy;
        return -ENOENT;
}

/* Lives across the files of one description (the main file, then its
 * drop-ins), so a later file continues where the earlier one left off. */
typedef struct ParseState {
        const char *filename; /* the file being parsed */
        Description *description;
        char **notices;
        SpecifierContext specifiers;
        unsigned exec_start_line;
        char *exec_start_filename;
        unsigned exec_start_more_line; /* the second ExecStart=, for the error unless Type=oneshot */
        char *exec_start_more_filename;
        unsigned address_line;        /* Address=, for the error if Network= is not veth */
        const char *address_filename; /* the caller's filenames[], outlives the parse */
        unsigned health_ready_line;   /* HealthReady=yes, for the error if there is no HealthCheck= */
        const char *health_ready_filename;
} ParseState;

static void parse_state_done(ParseState *s) {
        s->notices = strv_free(s->notices);
        s->exec_start_filename = mfree(s->exec_start_filename);
        s->exec_start_more_filename = mfree(s->exec_start_more_filename);
}

/* Resolves specifiers in a value; the error names the value and the specifier. */
static int expand(ParseState *s, const char *value, char **ret, char **ret_error) {
        int r;

        r = specifier_expand(value, &s->specifiers, ret, ret_error);
        return r == -ENOMEM ? r : r < 0 ? -EINVAL : 0;
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

bool service_name_is_valid(const char *name) {
        size_t n;

        if (isempty(name) || name[0] == '.')
                return false;
        n = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-");
        return name[n] == '\0' && n <= 64;
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

static int refuse_weaker(char **ret_error, const char *key) {
        return error_set(ret_error, -EINVAL,
                         "%s= is not supported yet; refusing to run with a weaker sandbox than asked", key);
}

static int parse_environment(ParseState *s, const char *value, char **ret_error) {
        Description *d = s->description;
        const char *p = value;
        int r;

        if (isempty(value)) {
                d->environment = strv_free(d->environment);
                return 0;
        }

        for (;;) {
                _cleanup_free_ char *word = NULL, *resolved = NULL;
                const char *eq;
                size_t n;
                bool replaced = false;

                r = extract_first_word(&p, &word, EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE, NULL);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return invalid_value(ret_error, "Environment", value);
                if (r == 0)
                        return 0;

                r = expand(s, word, &resolved, ret_error);
                if (r < 0)
                        return r;
                free(word);
                word = TAKE_PTR(resolved);

                eq = strchr(word, '=');
                if (!eq || !env_name_is_valid_n(word, (size_t) (eq - word)))
                        return error_set(ret_error, -EINVAL, "Invalid environment assignment '%s' in Environment=", word);

                /* A later assignment of the same name replaces the earlier one. */
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

/* EnvironmentFile=: one path per assignment, "-" for a file that may be
 * missing; kept as systemd keeps it ("-/path"), read by the init at start. */
static int parse_environment_file(ParseState *s, const char *value, char **ret_error) {
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

static int parse_start_limit_key(ParseState *s, const char *key, const char *value, char **ret_error);

static int parse_unit_key(ParseState *s, const char *key, const char *value, unsigned line, char **ret_error) {
        int r;

        if (strcmp(key, "Description") == 0)
                return free_and_expand(s, &s->description->description, value, ret_error);
        r = parse_start_limit_key(s, key, value, ret_error);
        if (r != -ENOENT)
                return r;

        if (!systemd_key_is_known("Unit", key))
                return error_set(ret_error, -EINVAL, "Unknown key %s= in section [Unit]", key);
        return add_notice(s, line, "Ignoring %s= in section [Unit]: not used by isolated", key);
}

static int parse_install_key(ParseState *s, const char *key, const char *value, unsigned line, char **ret_error) {
        if (!systemd_key_is_known("Install", key))
                return error_set(ret_error, -EINVAL, "Unknown key %s= in section [Install]", key);
        return add_notice(s, line, "Ignoring %s= in section [Install]: isolated services are not enabled", key);
}

static int parse_service_type(ParseState *s, const char *value, char **ret_error) {
        static const char *const later[] = { "notify-reload" };
        ServiceType t;

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

/* The sandboxing and credential keys live in sandbox-options.c. */
static int parse_sandbox_key(ParseState *s, const char *key, const char *value, unsigned line, char **ret_error) {
        _cleanup_free_ char *notice = NULL;
        int r;

        r = sandbox_options_parse(&s->description->sandbox, key, value, &notice, ret_error);
        if (r < 0)
                return r;
        if (notice)
                return add_notice(s, line, "%s", notice);
        return 0;
}

/* ExecStart=: one command, several for Type=oneshot (checked once Type= is known), "" resets. */
static int parse_exec_start(ParseState *s, const char *value, unsigned line, char **ret_error) {
        _cleanup_free_ char *notice = NULL, *error = NULL;
        Description *d = s->description;
        ExecCommand *c;
        int r;

        if (isempty(value)) {
                d->exec_start = exec_command_free(d->exec_start);
                d->exec_start_more = exec_command_list_free(d->exec_start_more);
                s->exec_start_more_filename = mfree(s->exec_start_more_filename);
                return 0;
        }

        r = exec_command_parse(value, &c, &notice, &error);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return error_set(ret_error, r, "Invalid ExecStart= value: %s", error ?: strerror(-r));
        if (c->privileged) {
                exec_command_free(c);
                return error_set(ret_error, -EINVAL,
                                 "Invalid ExecStart= value: the main process runs inside the sandbox; the '+' prefix "
                                 "is for ExecStartPre=, ExecStartPost=, ExecReload= and ExecStop=");
        }
        r = exec_command_resolve_specifiers(s, c, ret_error);
        if (r >= 0 && !d->exec_start)
                r = free_and_strdup(&s->exec_start_filename, s->filename);
        else if (r >= 0) {
                if (!s->exec_start_more_filename) {
                        r = free_and_strdup(&s->exec_start_more_filename, s->filename);
                        s->exec_start_more_line = line;
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
                s->exec_start_line = line;
        }
        if (notice)
                return add_notice(s, line, "ExecStart=: %s", notice);
        return 0;
}

static int parse_remain_after_exit(ParseState *s, const char *value, char **ret_error) {
        int r = isempty(value) ? 0 : parse_boolean(value);

        if (r < 0)
                return invalid_value(ret_error, "RemainAfterExit", value);
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

static int parse_bus_name(ParseState *s, const char *value, char **ret_error) {
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
                return invalid_value(ret_error, "BusName", resolved);
        return free_and_strdup(&s->description->bus_name, resolved);
}

/* What systemd 252's service_verify() refuses of Type= and its companions. */
static int verify_type(const Description *d, const ParseState *s, const char *filename, char **ret_error) {
        if (d->exec_start_more && d->type != SERVICE_ONESHOT && strcmp(s->exec_start_more_filename, s->exec_start_filename) == 0)
                return error_set(ret_error, -EINVAL,
                                 "%s:%u: ExecStart= is already set (line %u); only Type=oneshot allows several commands "
                                 "(an empty ExecStart= resets the list)",
                                 s->exec_start_more_filename, s->exec_start_more_line, s->exec_start_line);
        if (d->exec_start_more && d->type != SERVICE_ONESHOT)
                return error_set(ret_error, -EINVAL,
                                 "%s:%u: ExecStart= is already set (%s:%u); only Type=oneshot allows several commands "
                                 "(an empty ExecStart= resets the list)",
                                 s->exec_start_more_filename, s->exec_start_more_line, s->exec_start_filename,
                                 s->exec_start_line);
        if (d->type == SERVICE_ONESHOT && (d->restart == SERVICE_RESTART_ALWAYS || d->restart == SERVICE_RESTART_ON_SUCCESS))
                return error_set(ret_error, -EINVAL,
                                 "%s: Restart=%s is not allowed for Type=oneshot services (as in systemd)", filename,
                                 service_restart_to_string(d->restart));
        if (d->type == SERVICE_DBUS && !d->bus_name)
                return error_set(ret_error, -EINVAL, "%s: Type=dbus needs BusName= (as in systemd)", filename);
        return 0;
}

/* ExecStartPre=, ExecStartPost=, ExecReload=, ExecStop=: each assignment adds a command, "" resets. */
static int parse_exec_list(ParseState *s, const char *key, ExecCommand ***list, const char *value,
                           unsigned line, char **ret_error) {
        _cleanup_free_ char *notice = NULL, *error = NULL;
        ExecCommand *c;
        int r;

        if (isempty(value)) {
                *list = exec_command_list_free(*list);
                return 0;
        }
        r = exec_command_parse(value, &c, &notice, &error);
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
        if (notice)
                return add_notice(s, line, "%s=: %s", key, notice);
        return 0;
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

/* RuntimeDirectory= and kin: relative paths below their base, space-separated; "" resets. */
static int parse_exec_directory(ParseState *s, ExecDirectory *dir, const char *key, const char *value,
                                char **ret_error) {
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

static int parse_mode(const char *key, const char *value, mode_t *ret, char **ret_error) {
        char *end;
        unsigned long m;

        errno = 0;
        m = strtoul(value, &end, 8);
        if (isempty(value) || errno != 0 || *end != 0 || m > 07777)
                return invalid_value(ret_error, key, value);
        *ret = (mode_t) m;
        return 0;
}

static int parse_lifecycle_key(ParseState *s, const char *key, const char *value, unsigned line, char **ret_error) {
        Description *d = s->description;
        int r;

        if (strcmp(key, "ExecStartPre") == 0)
                return parse_exec_list(s, key, &d->exec_start_pre, value, line, ret_error);
        if (strcmp(key, "ExecStartPost") == 0)
                return parse_exec_list(s, key, &d->exec_start_post, value, line, ret_error);
        if (strcmp(key, "ExecReload") == 0)
                return parse_exec_list(s, key, &d->exec_reload, value, line, ret_error);
        if (strcmp(key, "ExecStop") == 0)
                return parse_exec_list(s, key, &d->exec_stop, value, line, ret_error);

        if (strcmp(key, "PIDFile") == 0) {
                _cleanup_free_ char *resolved = NULL;
                char *path;

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

        if (strcmp(key, "NotifyAccess") == 0) {
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

        if (strcmp(key, "KillMode") == 0) {
                KillMode m = isempty(value) ? KILL_CONTROL_GROUP : kill_mode_from_string(value);

                if (m < 0)
                        return invalid_value(ret_error, key, value);
                d->kill_mode = m;
                return 0;
        }

        if (strcmp(key, "Restart") == 0) {
                ServiceRestart m = isempty(value) ? SERVICE_RESTART_NO : service_restart_from_string(value);

                if (m < 0)
                        return invalid_value(ret_error, key, value);
                if (m == SERVICE_RESTART_ON_WATCHDOG)
                        return add_notice(s, line, "Restart=on-watchdog: isolated has no watchdog; never restarts");
                d->restart = m;
                return 0;
        }

        if (strcmp(key, "RestartSec") == 0) {
                usec_t u;

                if (isempty(value)) {
                        d->restart_usec = DEFAULT_RESTART_USEC;
                        return 0;
                }
                if (parse_sec(value, &u) < 0 || u == USEC_INFINITY)
                        return invalid_value(ret_error, key, value);
                d->restart_usec = u;
                return 0;
        }

        if (strcmp(key, "TimeoutStartSec") == 0)
        {
                d->timeout_start_set = !isempty(value);
                return parse_timeout(key, value, DEFAULT_TIMEOUT_START_USEC, &d->timeout_start_usec, ret_error);
        }

        for (ExecDirectoryType t = 0; t < _EXEC_DIRECTORY_TYPE_MAX; t++) {
                const char *k = exec_directory_key[t];
                size_t n = strlen(k);

                if (strcmp(key, k) == 0)
                        return parse_exec_directory(s, &d->directories[t], key, value, ret_error);
                if (strncmp(key, k, n) == 0 && strcmp(key + n, "Mode") == 0) {
                        if (isempty(value)) {
                                d->directories[t].mode = 0755;
                                return 0;
                        }
                        return parse_mode(key, value, &d->directories[t].mode, ret_error);
                }
        }

        return -ENOENT;
}

/* [Unit] StartLimitIntervalSec=/StartLimitBurst=, also the old [Service] spellings. */
static int parse_start_limit_key(ParseState *s, const char *key, const char *value, char **ret_error) {
        Description *d = s->description;

        if (strcmp(key, "StartLimitIntervalSec") == 0 || strcmp(key, "StartLimitInterval") == 0) {
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
        if (strcmp(key, "StartLimitBurst") == 0) {
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
        return -ENOENT;
}

/* The resource-control keys handed to the scope as they are (cgroup-settings.c). */
static int parse_cgroup_key(ParseState *s, const char *key, const char *value, unsigned line, char **ret_error) {
        _cleanup_free_ char *where = strprintf("%s:%u", s->filename, line);

        if (!where)
                return -ENOMEM;
        return cgroup_settings_parse(&s->description->cgroup, key, value, where, ret_error);
}

static int parse_service_key(ParseState *s, const char *key, const char *value, unsigned line, char **ret_error) {
        Description *d = s->description;
        int r;

        r = parse_sandbox_key(s, key, value, line, ret_error);
        if (r != -ENOENT)
                return r;
        r = parse_lifecycle_key(s, key, value, line, ret_error);
        if (r != -ENOENT)
                return r;
        r = parse_cgroup_key(s, key, value, line, ret_error);
        if (r != -ENOENT)
                return r;
        r = parse_start_limit_key(s, key, value, ret_error);
        if (r != -ENOENT)
                return r;

        if (strcmp(key, "Type") == 0)
                return parse_service_type(s, value, ret_error);

        if (strcmp(key, "ExecStart") == 0)
                return parse_exec_start(s, value, line, ret_error);
        if (strcmp(key, "RemainAfterExit") == 0)
                return parse_remain_after_exit(s, value, ret_error);
        if (strcmp(key, "BusName") == 0)
                return parse_bus_name(s, value, ret_error);

        if (strcmp(key, "Environment") == 0)
                return parse_environment(s, value, ret_error);

        if (strcmp(key, "EnvironmentFile") == 0)
                return parse_environment_file(s, value, ret_error);

        if (strcmp(key, "SyslogIdentifier") == 0)
                return free_and_expand(s, &d->syslog_identifier, value, ret_error);

        if (strcmp(key, "WorkingDirectory") == 0) {
                _cleanup_free_ char *resolved = NULL;
                char *path;

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

        if (strcmp(key, "KillSignal") == 0) {
                int sig;

                if (isempty(value)) {
                        d->kill_signal = SIGTERM;
                        return 0;
                }
                sig = parse_signal(value);
                if (sig < 0 || sig == SIGSTOP)
                        return invalid_value(ret_error, key, value);
                d->kill_signal = sig;
                return 0;
        }

        if (strcmp(key, "TimeoutStopSec") == 0 || strcmp(key, "TimeoutSec") == 0) {
                usec_t u;

                if (isempty(value)) {
                        d->timeout_stop_usec = DEFAULT_TIMEOUT_STOP_USEC;
                        if (strcmp(key, "TimeoutSec") == 0) {
                                d->timeout_start_usec = DEFAULT_TIMEOUT_START_USEC;
                                d->timeout_start_set = false;
                        }
                        return 0;
                }
                if (parse_sec(value, &u) < 0)
                        return invalid_value(ret_error, key, value);
                d->timeout_stop_usec = u == 0 ? USEC_INFINITY : u; /* 0 disables the timeout, as in systemd */
                if (strcmp(key, "TimeoutSec") == 0) { /* sets both, as in systemd */
                        d->timeout_start_usec = d->timeout_stop_usec;
                        d->timeout_start_set = true;
                }
                return 0;
        }

        if (strcmp(key, "Slice") == 0) {
                _cleanup_free_ char *resolved = NULL;

                if (isempty(value))
                        return free_and_strdup(&d->slice, DEFAULT_SLICE);
                r = expand(s, value, &resolved, ret_error);
                if (r < 0)
                        return r;
                if (!slice_name_is_valid(resolved))
                        return invalid_value(ret_error, key, resolved);
                return free_and_strdup(&d->slice, resolved);
        }

        if (strcmp(key, "MemoryMax") == 0)
                return parse_cgroup_limit(key, value, parse_memory_limit, &d->memory_max_set, &d->memory_max,
                                          ret_error);
        if (strcmp(key, "TasksMax") == 0) {
                if (isempty(value)) {
                        d->tasks_max_set = true;
                        d->tasks_max = DEFAULT_TASKS_MAX;
                        return 0;
                }
                return parse_cgroup_limit(key, value, parse_tasks_max, &d->tasks_max_set, &d->tasks_max, ret_error);
        }

        if (strcmp(key, "CPUQuota") == 0) {
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

        if (!systemd_key_is_known("Service", key))
                return error_set(ret_error, -EINVAL, "Unknown key %s= in section [Service]", key);

        switch (service_key_policy_lookup(key)) {

        case KEY_NOTICE:
                return add_notice(s, line, "Ignoring %s=: not supported by isolated yet", key);

        case KEY_ALWAYS_ON:
                r = parse_boolean(value);
                if (r < 0)
                        return invalid_value(ret_error, key, value);
                if (r > 0)
                        return add_notice(s, line, "%s=%s: isolated always applies this", key, value);
                return add_notice(s, line, "Ignoring %s=%s: isolated applies it to every service", key, value);

        case KEY_NOTICE_IF_FALSE:
                /* Anything but a plain "no" (ProtectSystem=strict, ProtectHome=read-only, ...) asks for more. */
                if (isempty(value) || parse_boolean(value) == 0)
                        return add_notice(s, line, "Ignoring %s=%s: not supported by isolated yet", key, value);
                return refuse_weaker(ret_error, key);

        default:
                return refuse_weaker(ret_error, key);
        }
}

static int parse_port(ParseState *s, const char *value, char **ret_error) {
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

/* ListenStream=, ListenDatagram=: one list in file order, as LISTEN_FDS numbers them; "" resets it. */
static int parse_listen(ParseState *s, SocketKind kind, const char *value, char **ret_error) {
        Description *d = s->description;
        const char *key = socket_kind_to_key(kind);
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
static int parse_health_check(ParseState *s, const char *value, unsigned line, char **ret_error) {
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
        if (notice)
                return add_notice(s, line, "HealthCheck=: %s", notice);
        return 0;
}

static int parse_isolate_key(ParseState *s, const char *key, const char *value, unsigned line, char **ret_error) {
        _cleanup_free_ char *notice = NULL;
        int k;

        if (strcmp(key, "HealthCheck") == 0)
                return parse_health_check(s, value, line, ret_error);
        k = health_options_parse(&s->description->health, key, value, ret_error);
        if (k != -ENOENT) {
                if (k >= 0 && strcmp(key, "HealthReady") == 0) {
                        s->health_ready_line = line;
                        s->health_ready_filename = s->filename;
                }
                return k;
        }

        /* The opt-outs of the secure defaults live in sandbox-options.c. */
        k = sandbox_options_parse_isolate(&s->description->sandbox, key, value, &notice, ret_error);
        if (k != -ENOENT) {
                if (k >= 0 && notice)
                        return add_notice(s, line, "%s", notice);
                return k;
        }

        if (strcmp(key, "Hostname") == 0) {
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

        if (strcmp(key, "Network") == 0) {
                NetworkMode m = isempty(value) ? NETWORK_PRIVATE : network_mode_from_string(value);

                if (m < 0)
                        return invalid_value(ret_error, key, value);
                s->description->network = m;
                return 0;
        }

        if (strcmp(key, "Port") == 0)
                return parse_port(s, value, ret_error);

        if (strcmp(key, "Address") == 0) {
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
                s->address_line = line;
                s->address_filename = s->filename;
                return 0;
        }

        if (strcmp(key, "InitVerbose") == 0) {
                if (!isempty(value) && parse_boolean(value) < 0)
                        return invalid_value(ret_error, key, value);
                return add_notice(s, line, "Ignoring %s=: not supported by isolated yet", key);
        }

        if (strcmp(key, "ListenStream") == 0)
                return parse_listen(s, SOCKET_KIND_STREAM, value, ret_error);
        if (strcmp(key, "ListenDatagram") == 0)
                return parse_listen(s, SOCKET_KIND_DATAGRAM, value, ret_error);

        return error_set(ret_error, -EINVAL, "Unknown key %s= in section [Isolate]", key);
}

static bool section_is_extension(const char *section) {
        /* systemd ignores "X-" sections and keys: they are for other programs. */
        return startswith(section, "X-");
}

static int on_section(const char *section, unsigned line, void *userdata, char **ret_error) {
        static const char *const known[] = { "Unit", "Service", "Install", "Isolate" };

        if (section_is_extension(section))
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(known); i++)
                if (strcmp(section, known[i]) == 0)
                        return 0;
        return error_set(ret_error, -EINVAL, "Unknown section [%s]", section);
}

static int on_assignment(
                const char *section, const char *key, const char *value, unsigned line, void *userdata, char **ret_error) {

        ParseState *s = userdata;

        if (section_is_extension(section) || startswith(key, "X-"))
                return 0;

        if (strcmp(section, "Unit") == 0)
                return parse_unit_key(s, key, value, line, ret_error);
        if (strcmp(section, "Service") == 0)
                return parse_service_key(s, key, value, line, ret_error);
        if (strcmp(section, "Install") == 0)
                return parse_install_key(s, key, value, line, ret_error);
        if (strcmp(section, "Isolate") == 0)
                return parse_isolate_key(s, key, value, line, ret_error);

        return error_set(ret_error, -EINVAL, "Unknown section [%s]", section);
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
        free(d->pid_file);
        for (ExecDirectoryType t = 0; t < _EXEC_DIRECTORY_TYPE_MAX; t++)
                strv_free(d->directories[t].paths);
        strv_free(d->environment);
        strv_free(d->environment_files);
        free(d->syslog_identifier);
        free(d->working_directory);
        free(d->slice);
        free(d->hostname);
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
        if (!d->name || !d->slice)
                return -ENOMEM;

        *ret = TAKE_PTR(d);
        return 0;
}

static int verify_sandbox(const Description *d, const char *filename, char **ret_error) {
        _cleanup_free_ char *error = NULL;
        int r;

        r = sandbox_options_verify(&d->sandbox, &error);
        if (r < 0)
                return error ? error_set(ret_error, r, "%s: %s", filename, error) : r;
        return 0;
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

        /* Each file continues the same description: scalars last-wins, lists append, "" resets. */
        for (size_t i = 0; i < n_files; i++) {
                _cleanup_free_ char *error = NULL;

                state.filename = filenames[i];
                r = unit_file_parse_full(filenames[i], texts[i], on_section, on_assignment, &state, &error);
                if (r < 0) {
                        if (ret_error && error) {
                                free(*ret_error);
                                *ret_error = TAKE_PTR(error);
                        }
                        return r;
                }
        }

        if (!d->exec_start)
                return error_set(ret_error, -EINVAL, "%s: ExecStart= is required", filenames[0]);

        r = verify_type(d, &state, filenames[0], ret_error);
        if (r < 0)
                return r;
        /* Type=dbus: the host's system bus socket, and nothing else of /run/dbus (DESIGN.md). */
        if (d->type == SERVICE_DBUS) {
                _cleanup_free_ char *notice = NULL;

                r = sandbox_options_parse(&d->sandbox, "BindReadOnlyPaths", DBUS_SYSTEM_BUS_SOCKET, &notice, ret_error);
                if (r < 0)
                        return r;
        }
        /* systemd: a oneshot service has no start timeout unless it names one. */
        if (d->type == SERVICE_ONESHOT && !d->timeout_start_set)
                d->timeout_start_usec = USEC_INFINITY;

        if (d->address_set && d->network != NETWORK_VETH)
                return error_set(ret_error, -EINVAL, "%s:%u: Address= needs Network=veth", state.address_filename,
                                 state.address_line);

        if (d->health.ready && !d->health.check)
                return error_set(ret_error, -EINVAL, "%s:%u: HealthReady=yes needs HealthCheck=",
                                 state.health_ready_filename, state.health_ready_line);

        r = sandbox_options_finalize(&d->sandbox);
        if (r < 0)
                return r;
        r = verify_sandbox(d, filenames[0], ret_error);
        if (r < 0)
                return r;

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
        return d->hostname ?: d->name;
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
        return d->type == SERVICE_NOTIFY ? NOTIFY_ACCESS_MAIN : NOTIFY_ACCESS_NONE;
}
