/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-journal.h>

#include "bus-error.h"
#include "config.h"
#include "description.h"
#include "log.h"
#include "macro.h"
#include "parse-util.h"
#include "strv.h"

#define BUS_NAME "org.isolated1"
#define MANAGER_PATH "/org/isolated1"
#define MANAGER_IFACE "org.isolated1.Manager"
#define SERVICE_IFACE "org.isolated1.Service"

/* Exit codes as systemctl's (LSB). */
enum {
        EXIT_OK = 0,
        EXIT_FAIL = 1,
        EXIT_NOT_RUNNING = 3,
        EXIT_NO_SUCH = 4,
};

static const char *arg_host;
static const char *arg_output = "table";
static const char *arg_signal = "SIGTERM";
static const char *arg_kill_whom = "all";
static int arg_lines = 10;
static int arg_quiet;
static int arg_all;

static int read_file(const char *path, char **ret) {
        _cleanup_free_ char *text = NULL;
        size_t size;
        FILE *f;

        f = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
        if (!f)
                return negative_errno();
        text = malloc(DESCRIPTION_SIZE_MAX + 1);
        if (!text) {
                if (f != stdin)
                        fclose(f);
                return -ENOMEM;
        }
        size = fread(text, 1, DESCRIPTION_SIZE_MAX + 1, f);
        bool failed = ferror(f);
        if (f != stdin)
                fclose(f);
        if (failed)
                return -EIO;
        if (size > DESCRIPTION_SIZE_MAX)
                return -E2BIG;
        text[size] = 0;
        *ret = TAKE_PTR(text);
        return 0;
}

static int connect_bus(sd_bus **ret) {
        int r;

        if (arg_host)
                r = sd_bus_open_system_remote(ret, arg_host);
        else
                r = sd_bus_open_system(ret);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus%s%s: %m", arg_host ? " of " : "",
                                       arg_host ?: "");
        return 0;
}

static int exit_code_for_error(const sd_bus_error *e) {
        if (sd_bus_error_has_name(e, BUS_ERROR_NO_SUCH_SERVICE))
                return EXIT_NO_SUCH;
        return EXIT_FAIL;
}

/* Calls a Manager method; on error prints one line and returns the exit code. */
static int call_manager(sd_bus *bus, const char *method, sd_bus_message **ret_reply, const char *what, const char *types,
                        ...) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, BUS_NAME, MANAGER_PATH, MANAGER_IFACE, method);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m"), EXIT_FAIL;
        va_start(ap, types);
        r = sd_bus_message_appendv(m, types, ap);
        va_end(ap);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m"), EXIT_FAIL;
        r = sd_bus_call(bus, m, UINT64_MAX - 1 /* start and stop may take TimeoutStopSec= */, &error, ret_reply);
        if (r < 0) {
                log_error("Failed to %s: %s", what, error.message ?: strerror(-r));
                return exit_code_for_error(&error);
        }
        return EXIT_OK;
}

static int verb_start(sd_bus *bus, int argc, char **argv) {
        _cleanup_free_ char *text = NULL, *what = NULL;
        int r;

        if (argc < 2 || argc > 3)
                return log_error("Usage: isolatectl start NAME [FILE]"), EXIT_FAIL;
        if (argc == 3) {
                r = read_file(argv[2], &text);
                if (r < 0)
                        return log_error_errno(r, "Failed to read %s: %m", argv[2]), EXIT_FAIL;
        }
        if (asprintf(&what, "start %s", argv[1]) < 0)
                return log_oom(), EXIT_FAIL;
        return call_manager(bus, "StartService", NULL, what, "ss", argv[1], text ?: "");
}

static int verb_simple(sd_bus *bus, int argc, char **argv) {
        static const struct {
                const char *verb, *method;
        } table[] = {
                { "stop", "StopService" },
                { "restart", "RestartService" },
                { "reload", "ReloadService" },
                { "reset-failed", "ResetFailedService" },
        };
        int ret = EXIT_OK;

        if (argc < 2)
                return log_error("Usage: isolatectl %s NAME...", argv[0]), EXIT_FAIL;
        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                if (strcmp(argv[0], table[i].verb) != 0)
                        continue;
                for (int k = 1; k < argc; k++) {
                        _cleanup_free_ char *what = NULL;
                        if (asprintf(&what, "%s %s", argv[0], argv[k]) < 0)
                                return log_oom(), EXIT_FAIL;
                        int r = call_manager(bus, table[i].method, NULL, what, "s", argv[k]);
                        if (r != EXIT_OK)
                                ret = r;
                }
        }
        return ret;
}

static int verb_kill(sd_bus *bus, int argc, char **argv) {
        int signo, ret = EXIT_OK;

        if (argc < 2)
                return log_error("Usage: isolatectl kill [--signal=SIG] [--kill-whom=main|all] NAME..."), EXIT_FAIL;
        signo = parse_signal(arg_signal);
        if (signo < 0)
                return log_error("Invalid signal '%s'.", arg_signal), EXIT_FAIL;
        for (int k = 1; k < argc; k++) {
                _cleanup_free_ char *what = NULL;
                if (asprintf(&what, "kill %s", argv[k]) < 0)
                        return log_oom(), EXIT_FAIL;
                int r = call_manager(bus, "KillService", NULL, what, "ssi", argv[k], arg_kill_whom, signo);
                if (r != EXIT_OK)
                        ret = r;
        }
        return ret;
}

typedef struct ServiceInfo {
        char *name, *description, *state, *result, *unit, *exit_code, *status_text, *hostname;
        uint32_t init_pid, main_pid, n_restarts;
        int32_t exit_status;
        uint64_t start_timestamp, memory_current, tasks_current, cpu_usage_nsec;
} ServiceInfo;

static void service_info_done(ServiceInfo *i) {
        free(i->name);
        free(i->description);
        free(i->state);
        free(i->result);
        free(i->unit);
        free(i->exit_code);
        free(i->status_text);
        free(i->hostname);
}

static int get_service_path(sd_bus *bus, const char *name, char **ret_path) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *what = NULL;
        const char *path;
        int r;

        if (asprintf(&what, "get %s", name) < 0)
                return log_oom(), EXIT_FAIL;
        r = call_manager(bus, "GetService", &reply, what, "s", name);
        if (r != EXIT_OK)
                return r;
        if (sd_bus_message_read(reply, "o", &path) < 0 || !(*ret_path = strdup(path)))
                return log_oom(), EXIT_FAIL;
        return EXIT_OK;
}

static int read_property(sd_bus_message *reply, const char *name, ServiceInfo *i) {
        static const struct {
                const char *name;
                char type;
                size_t offset;
        } map[] = {
                { "Name", 's', offsetof(ServiceInfo, name) },
                { "Description", 's', offsetof(ServiceInfo, description) },
                { "State", 's', offsetof(ServiceInfo, state) },
                { "Result", 's', offsetof(ServiceInfo, result) },
                { "Unit", 's', offsetof(ServiceInfo, unit) },
                { "ExitCode", 's', offsetof(ServiceInfo, exit_code) },
                { "StatusText", 's', offsetof(ServiceInfo, status_text) },
                { "Hostname", 's', offsetof(ServiceInfo, hostname) },
                { "InitPID", 'u', offsetof(ServiceInfo, init_pid) },
                { "MainPID", 'u', offsetof(ServiceInfo, main_pid) },
                { "NRestarts", 'u', offsetof(ServiceInfo, n_restarts) },
                { "ExitStatus", 'i', offsetof(ServiceInfo, exit_status) },
                { "StartTimestamp", 't', offsetof(ServiceInfo, start_timestamp) },
                { "MemoryCurrent", 't', offsetof(ServiceInfo, memory_current) },
                { "TasksCurrent", 't', offsetof(ServiceInfo, tasks_current) },
                { "CPUUsageNSec", 't', offsetof(ServiceInfo, cpu_usage_nsec) },
        };
        char type[2] = {};

        for (size_t k = 0; k < ELEMENTSOF(map); k++) {
                if (strcmp(map[k].name, name) != 0)
                        continue;
                void *p = (uint8_t *) i + map[k].offset;
                type[0] = map[k].type;
                if (map[k].type == 's') {
                        const char *v;
                        int r = sd_bus_message_read(reply, "v", type, &v);
                        if (r < 0)
                                return r;
                        return (*(char **) p = strdup(v)) ? 0 : -ENOMEM;
                }
                return sd_bus_message_read(reply, "v", type, p);
        }
        return sd_bus_message_skip(reply, "v");
}

static int get_service_info(sd_bus *bus, const char *path, ServiceInfo *info) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *name;
        int r;

        r = sd_bus_call_method(bus, BUS_NAME, path, "org.freedesktop.DBus.Properties", "GetAll", &error, &reply, "s",
                               SERVICE_IFACE);
        if (r < 0)
                return log_error("Failed to read %s: %s", path, error.message ?: strerror(-r)), EXIT_FAIL;
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                r = sd_bus_message_read(reply, "s", &name);
                if (r >= 0)
                        r = read_property(reply, name, info);
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        if (r < 0)
                return log_error_errno(r, "Failed to parse the properties of %s: %m", path), EXIT_FAIL;
        /* Strings the daemon did not send stay empty, never NULL. */
        char **strings[] = { &info->name, &info->description, &info->state, &info->result,
                             &info->unit, &info->exit_code, &info->status_text, &info->hostname };
        for (size_t k = 0; k < ELEMENTSOF(strings); k++)
                if (!*strings[k] && !(*strings[k] = strdup("")))
                        return log_oom(), EXIT_FAIL;
        return EXIT_OK;
}

static void format_bytes(char *buf, size_t size, uint64_t v) {
        static const char suffix[] = "BKMGTPE";
        double d = (double) v;
        size_t i = 0;

        while (d >= 1024 && i < sizeof(suffix) - 2) {
                d /= 1024;
                i++;
        }
        if (i == 0)
                snprintf(buf, size, "%" PRIu64 "B", v);
        else
                snprintf(buf, size, "%.1f%c", d, suffix[i]);
}

/* The scope's limits, as systemd holds them. */
static void print_scope_limits(sd_bus *bus, const ServiceInfo *info) {
        const char *iface = "org.freedesktop.systemd1.Scope";
        _cleanup_free_ char *path = NULL, *slice = NULL;
        uint64_t memory_max = UINT64_MAX, tasks_max = UINT64_MAX, quota = UINT64_MAX;
        char a[32], b[32];

        if (sd_bus_path_encode("/org/freedesktop/systemd1/unit", info->unit, &path) < 0)
                return;
        (void) sd_bus_get_property_string(bus, "org.freedesktop.systemd1", path, iface, "Slice", NULL, &slice);
        (void) sd_bus_get_property_trivial(bus, "org.freedesktop.systemd1", path, iface, "MemoryMax", NULL, 't',
                                           &memory_max);
        (void) sd_bus_get_property_trivial(bus, "org.freedesktop.systemd1", path, iface, "TasksMax", NULL, 't',
                                           &tasks_max);
        (void) sd_bus_get_property_trivial(bus, "org.freedesktop.systemd1", path, iface, "CPUQuotaPerSecUSec", NULL,
                                           't', &quota);

        printf("       Unit: %s%s%s%s\n", info->unit, slice && *slice ? " (in " : "", slice && *slice ? slice : "",
               slice && *slice ? ")" : "");
        if (info->memory_current != UINT64_MAX || memory_max != UINT64_MAX) {
                format_bytes(a, sizeof(a), info->memory_current);
                format_bytes(b, sizeof(b), memory_max);
                printf("     Memory: %s (max: %s)\n", info->memory_current != UINT64_MAX ? a : "-",
                       memory_max != UINT64_MAX ? b : "infinity");
        }
        if (tasks_max != UINT64_MAX)
                snprintf(b, sizeof(b), "%" PRIu64, tasks_max);
        printf("      Tasks: %s (limit: %s)\n",
               info->tasks_current != UINT64_MAX ? (snprintf(a, sizeof(a), "%" PRIu64, info->tasks_current), a) : "-",
               tasks_max != UINT64_MAX ? b : "infinity");
        if (quota != UINT64_MAX)
                snprintf(b, sizeof(b), "%" PRIu64 "%%", quota / 10000);
        printf("        CPU: %s (quota: %s)\n",
               info->cpu_usage_nsec != UINT64_MAX
                       ? (snprintf(a, sizeof(a), "%" PRIu64 "ms", info->cpu_usage_nsec / 1000000), a)
                       : "-",
               quota != UINT64_MAX ? b : "none");
}

static void print_journal(const ServiceInfo *info) {
        _cleanup_free_ char *match = NULL;
        sd_journal *j = NULL;
        int n = 0;

        if (arg_lines <= 0 || asprintf(&match, "_SYSTEMD_UNIT=%s", info->unit) < 0)
                return;
        if (sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM) < 0)
                return;
        /* The last arg_lines entries, oldest first, as systemctl status shows them. */
        if (sd_journal_add_match(j, match, 0) >= 0 && sd_journal_seek_tail(j) >= 0 &&
            (n = sd_journal_previous_skip(j, arg_lines)) > 0) {
                putchar('\n');
                do {
                        const void *data;
                        size_t len;
                        if (sd_journal_get_data(j, "MESSAGE", &data, &len) >= 0 && len >= 8)
                                printf("%.*s\n", (int) len - 8, (const char *) data + 8);
                } while (sd_journal_next(j) > 0);
        }
        sd_journal_close(j);
}

static int verb_status(sd_bus *bus, int argc, char **argv) {
        int ret = EXIT_OK;

        if (argc < 2)
                return log_error("Usage: isolatectl status NAME..."), EXIT_FAIL;
        for (int k = 1; k < argc; k++) {
                _cleanup_(service_info_done) ServiceInfo info = {};
                _cleanup_free_ char *path = NULL;
                int r;

                r = get_service_path(bus, argv[k], &path);
                if (r == EXIT_OK)
                        r = get_service_info(bus, path, &info);
                if (r != EXIT_OK) {
                        ret = r;
                        continue;
                }
                bool active = strcmp(info.state, "running") == 0 || strcmp(info.state, "starting") == 0 ||
                              strcmp(info.state, "stopping") == 0 || strcmp(info.state, "reloading") == 0;
                printf("%s %s%s%s\n", active ? "●" : "○", info.name, *info.description ? " - " : "",
                       info.description);
                printf("      State: %s (Result: %s)\n", info.state, info.result);
                if (*info.exit_code)
                        printf("       Exit: %s, status %d\n", info.exit_code, info.exit_status);
                if (*info.status_text)
                        printf("     Status: \"%s\"\n", info.status_text);
                printf("   Init PID: %" PRIu32 "\n", info.init_pid);
                printf("   Main PID: %" PRIu32 "\n", info.main_pid);
                printf("   Hostname: %s\n", info.hostname);
                if (active)
                        print_scope_limits(bus, &info);
                else
                        printf("       Unit: %s\n", info.unit);
                if (!arg_host)
                        print_journal(&info);
                if (!active && ret == EXIT_OK)
                        ret = EXIT_NOT_RUNNING;
                if (k + 1 < argc)
                        putchar('\n');
        }
        return ret;
}

static int get_state(sd_bus *bus, const char *name, char **ret_state) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *path = NULL;
        int r;

        r = sd_bus_path_encode("/org/isolated1/service", name, &path);
        if (r < 0)
                return r;
        r = sd_bus_get_property_string(bus, BUS_NAME, path, SERVICE_IFACE, "State", &error, ret_state);
        if (r < 0 && sd_bus_error_has_names(&error, SD_BUS_ERROR_UNKNOWN_OBJECT, SD_BUS_ERROR_UNKNOWN_METHOD,
                                            SD_BUS_ERROR_UNKNOWN_INTERFACE, SD_BUS_ERROR_UNKNOWN_PROPERTY))
                return -ENOENT;
        return r;
}

static int verb_is(sd_bus *bus, int argc, char **argv) {
        bool want_failed = strcmp(argv[0], "is-failed") == 0;
        int ret = want_failed ? EXIT_FAIL : EXIT_NOT_RUNNING;

        if (argc < 2)
                return log_error("Usage: isolatectl %s NAME...", argv[0]), EXIT_FAIL;
        for (int k = 1; k < argc; k++) {
                _cleanup_free_ char *state = NULL;
                int r = get_state(bus, argv[k], &state);
                const char *shown = r == -ENOENT ? "inactive" : r < 0 ? "unknown" : state;
                if (r < 0 && r != -ENOENT)
                        return log_error_errno(r, "Failed to get the state of %s: %m", argv[k]), EXIT_FAIL;
                if (!arg_quiet)
                        printf("%s\n", strcmp(shown, "running") == 0 ? "active" : shown);
                if (want_failed ? strcmp(shown, "failed") == 0 : strcmp(shown, "running") == 0)
                        ret = EXIT_OK;
        }
        return ret;
}

static void json_string(const char *s) {
        putchar('"');
        for (; *s; s++) {
                if (*s == '"' || *s == '\\')
                        printf("\\%c", *s);
                else if ((unsigned char) *s < 0x20)
                        printf("\\u%04x", *s);
                else
                        putchar(*s);
        }
        putchar('"');
}

static int verb_list(sd_bus *bus, int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *name, *state, *unit, *path;
        uint32_t init_pid, main_pid;
        bool json = strcmp(arg_output, "json") == 0;
        size_t n = 0;
        int r;

        r = call_manager(bus, "ListServices", &reply, "list services", "");
        if (r != EXIT_OK)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "(sssuuo)");
        if (r < 0)
                return log_error_errno(r, "Bad reply: %m"), EXIT_FAIL;
        if (json)
                putchar('[');
        else
                printf("%-24s %-9s %-36s %8s %8s\n", "NAME", "STATE", "UNIT", "INIT", "MAIN");
        while ((r = sd_bus_message_read(reply, "(sssuuo)", &name, &state, &unit, &init_pid, &main_pid, &path)) > 0) {
                bool ended = strcmp(state, "exited") == 0 || strcmp(state, "failed") == 0;
                if (ended && !arg_all && strcmp(state, "failed") != 0)
                        continue;
                if (json) {
                        printf("%s{\"name\":", n ? "," : "");
                        json_string(name);
                        printf(",\"state\":");
                        json_string(state);
                        printf(",\"unit\":");
                        json_string(unit);
                        printf(",\"init_pid\":%" PRIu32 ",\"main_pid\":%" PRIu32 ",\"path\":", init_pid, main_pid);
                        json_string(path);
                        putchar('}');
                } else
                        printf("%-24s %-9s %-36s %8" PRIu32 " %8" PRIu32 "\n", name, state, unit, init_pid, main_pid);
                n++;
        }
        if (r < 0)
                return log_error_errno(r, "Bad reply: %m"), EXIT_FAIL;
        if (json)
                printf("]\n");
        else if (!arg_quiet)
                printf("\n%zu service%s listed.\n", n, n == 1 ? "" : "s");
        return EXIT_OK;
}

static int verb_show(sd_bus *bus, int argc, char **argv) {
        int ret = EXIT_OK;

        if (argc < 2)
                return log_error("Usage: isolatectl show NAME..."), EXIT_FAIL;
        for (int k = 1; k < argc; k++) {
                _cleanup_(service_info_done) ServiceInfo i = {};
                _cleanup_free_ char *path = NULL;
                int r = get_service_path(bus, argv[k], &path);
                if (r == EXIT_OK)
                        r = get_service_info(bus, path, &i);
                if (r != EXIT_OK) {
                        ret = r;
                        continue;
                }
                printf("Name=%s\nDescription=%s\nState=%s\nResult=%s\nUnit=%s\nInitPID=%" PRIu32
                       "\nMainPID=%" PRIu32 "\nExitCode=%s\nExitStatus=%d\nNRestarts=%" PRIu32
                       "\nStatusText=%s\nStartTimestamp=%" PRIu64 "\nMemoryCurrent=%" PRIu64 "\nTasksCurrent=%" PRIu64
                       "\nCPUUsageNSec=%" PRIu64 "\nHostname=%s\n",
                       i.name, i.description, i.state, i.result, i.unit, i.init_pid, i.main_pid, i.exit_code,
                       i.exit_status, i.n_restarts, i.status_text, i.start_timestamp, i.memory_current,
                       i.tasks_current, i.cpu_usage_nsec, i.hostname);
                if (k + 1 < argc)
                        putchar('\n');
        }
        return ret;
}

static int verb_verify(int argc, char **argv) {
        int ret = EXIT_OK;

        if (argc < 2)
                return log_error("Usage: isolatectl verify FILE..."), EXIT_FAIL;
        for (int k = 1; k < argc; k++) {
                _cleanup_free_ char *text = NULL, *error = NULL, *name = NULL;
                _cleanup_strv_free_ char **notices = NULL;
                _cleanup_(description_freep) Description *d = NULL;
                const char *base = strrchr(argv[k], '/');
                int r;

                base = base ? base + 1 : argv[k];
                name = strndup(base, strcspn(base, "."));
                if (!name)
                        return log_oom(), EXIT_FAIL;
                r = read_file(argv[k], &text);
                if (r < 0) {
                        log_error_errno(r, "Failed to read %s: %m", argv[k]);
                        ret = EXIT_FAIL;
                        continue;
                }
                r = description_parse(name, argv[k], text, &d, &notices, &error);
                for (char **n = notices; n && *n; n++)
                        fprintf(stderr, "%s\n", *n);
                if (r < 0) {
                        fprintf(stderr, "%s\n", error ?: strerror(-r));
                        ret = EXIT_FAIL;
                }
        }
        return ret;
}

static void help(void) {
        printf("isolatectl [OPTIONS...] COMMAND ...\n\n"
               "Start and manage services isolated by isolated(8).\n\n"
               "Commands:\n"
               "  start NAME [FILE]     Start NAME (from FILE, or from the search path)\n"
               "  stop NAME...          Stop services; returns once they and their scopes are gone\n"
               "  restart NAME...       Stop, then start with the same description\n"
               "  reload NAME...        Run ExecReload=\n"
               "  kill NAME...          Send a signal (--signal=, --kill-whom=main|all)\n"
               "  status NAME...        Show state, PIDs, scope, limits, usage and recent log lines\n"
               "  show NAME...          Show properties\n"
               "  is-active NAME...     Exit 0 if running\n"
               "  is-failed NAME...     Exit 0 if failed\n"
               "  reset-failed NAME...  Forget an ended service\n"
               "  list                  List services (--all, --output=json)\n"
               "  verify FILE...        Parse description files and report errors\n\n"
               "Options:\n"
               "  -h --help             Show this help\n"
               "     --version          Show the version\n"
               "  -H --host=[USER@]HOST Operate on a remote host (over ssh)\n"
               "  -s --signal=SIGNAL    Signal for kill (default SIGTERM)\n"
               "     --kill-whom=WHOM   main or all (default all)\n"
               "  -a --all              list: include ended services\n"
               "  -o --output=FORMAT    list: table or json\n"
               "  -n --lines=N          status: journal lines to show (default 10)\n"
               "  -q --quiet            Print less\n"
               "     --no-pager         Accepted for systemctl habits; isolatectl does not page\n");
}

int main(int argc, char *argv[]) {
        enum { ARG_VERSION = 0x100, ARG_KILL_WHOM, ARG_NO_PAGER, ARG_NO_ASK_PASSWORD };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "host", required_argument, NULL, 'H' },
                { "signal", required_argument, NULL, 's' },
                { "kill-whom", required_argument, NULL, ARG_KILL_WHOM },
                { "all", no_argument, NULL, 'a' },
                { "output", required_argument, NULL, 'o' },
                { "lines", required_argument, NULL, 'n' },
                { "quiet", no_argument, NULL, 'q' },
                { "no-pager", no_argument, NULL, ARG_NO_PAGER },
                { "no-ask-password", no_argument, NULL, ARG_NO_ASK_PASSWORD },
                {},
        };
        static const struct {
                const char *verb;
                int (*func)(sd_bus *bus, int argc, char **argv);
        } verbs[] = {
                { "start", verb_start },      { "stop", verb_simple },     { "restart", verb_simple },
                { "reload", verb_simple },    { "reset-failed", verb_simple }, { "kill", verb_kill },
                { "status", verb_status },    { "show", verb_show },       { "is-active", verb_is },
                { "is-failed", verb_is },     { "list", verb_list },
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int c;

        log_set_prefix(NULL);
        while ((c = getopt_long(argc, argv, "hH:s:ao:n:q", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return EXIT_OK;
                case ARG_VERSION:
                        printf("isolatectl %s\n", PACKAGE_VERSION);
                        return EXIT_OK;
                case 'H':
                        arg_host = optarg;
                        break;
                case 's':
                        arg_signal = optarg;
                        break;
                case ARG_KILL_WHOM:
                        if (strcmp(optarg, "main") != 0 && strcmp(optarg, "all") != 0)
                                return log_error("--kill-whom= takes main or all."), EXIT_FAIL;
                        arg_kill_whom = optarg;
                        break;
                case 'a':
                        arg_all = 1;
                        break;
                case 'o':
                        if (strcmp(optarg, "table") != 0 && strcmp(optarg, "json") != 0)
                                return log_error("--output= takes table or json."), EXIT_FAIL;
                        arg_output = optarg;
                        break;
                case 'n':
                        arg_lines = atoi(optarg);
                        break;
                case 'q':
                        arg_quiet = 1;
                        break;
                case ARG_NO_PAGER:
                case ARG_NO_ASK_PASSWORD:
                        break;
                default:
                        return EXIT_FAIL;
                }

        argc -= optind;
        argv += optind;
        if (argc == 0) {
                help();
                return EXIT_FAIL;
        }
        (void) bus_error_register_map();
        if (strcmp(argv[0], "verify") == 0)
                return verb_verify(argc, argv);
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                if (strcmp(argv[0], verbs[i].verb) != 0)
                        continue;
                if (connect_bus(&bus) < 0)
                        return EXIT_FAIL;
                return verbs[i].func(bus, argc, argv);
        }
        log_error("Unknown command '%s'; see isolatectl --help.", argv[0]);
        return EXIT_FAIL;
}
