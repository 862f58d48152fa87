/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "log.h"

static int read_scope_properties(sd_bus *bus, const char *path, const char *iface, char **slice, uint64_t *memory_max,
                                 uint64_t *tasks_max, uint64_t *quota, ServiceInfo *usage) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const struct {
                const char *name;
                uint64_t *value;
        } map[] = {
                { "MemoryMax", memory_max },           { "TasksMax", tasks_max },
                { "CPUQuotaPerSecUSec", quota },       { "MemoryCurrent", &usage->memory_current },
                { "TasksCurrent", &usage->tasks_current }, { "CPUUsageNSec", &usage->cpu_usage_nsec },
        };
        const char *name, *contents;
        int r;

        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", path, "org.freedesktop.DBus.Properties", "GetAll", NULL,
                               &reply, "s", iface);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                bool done = false;

                r = sd_bus_message_read(reply, "s", &name);
                if (r < 0)
                        break;
                if (sd_bus_message_peek_type(reply, NULL, &contents) < 0)
                        break;
                if (strcmp(name, "Slice") == 0 && strcmp(contents, "s") == 0) {
                        const char *v;

                        r = sd_bus_message_read(reply, "v", "s", &v);
                        if (r >= 0 && !(*slice = strdup(v)))
                                r = -ENOMEM;
                        done = true;
                }
                for (size_t k = 0; !done && k < ELEMENTSOF(map); k++)
                        if (strcmp(name, map[k].name) == 0 && strcmp(contents, "t") == 0) {
                                r = sd_bus_message_read(reply, "v", "t", map[k].value);
                                done = true;
                        }
                if (r >= 0 && !done)
                        r = sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        return r;
}

/* The scope's limits, as systemd holds them. */
static void print_scope_limits(sd_bus *bus, const ServiceInfo *info) {
        const char *iface = "org.freedesktop.systemd1.Scope";
        _cleanup_free_ char *path = NULL, *slice = NULL;
        uint64_t memory_max = UINT64_MAX, tasks_max = UINT64_MAX, quota = UINT64_MAX;
        char a[32], b[32];

        if (sd_bus_path_encode("/org/freedesktop/systemd1/unit", info->unit, &path) < 0)
                return;
        /* One GetAll, not a Get per property: each is a round trip to PID 1. Usage as systemd has it
         * right now (the daemon's figures are a cache, refreshed as they are read). */
        ServiceInfo fresh = *info;
        (void) read_scope_properties(bus, path, iface, &slice, &memory_max, &tasks_max, &quota, &fresh);
        info = &fresh;

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
        if (info->tasks_current != UINT64_MAX)
                snprintf(a, sizeof(a), "%" PRIu64, info->tasks_current);
        printf("      Tasks: %s (limit: %s)\n", info->tasks_current != UINT64_MAX ? a : "-",
               tasks_max != UINT64_MAX ? b : "infinity");
        if (quota != UINT64_MAX)
                snprintf(b, sizeof(b), "%" PRIu64 "%%", quota / 10000);
        if (info->cpu_usage_nsec != UINT64_MAX)
                snprintf(a, sizeof(a), "%" PRIu64 "ms", info->cpu_usage_nsec / 1000000);
        printf("        CPU: %s (quota: %s)\n", info->cpu_usage_nsec != UINT64_MAX ? a : "-",
               quota != UINT64_MAX ? b : "none");
}

/* The scope's InvocationID as systemd has it while it runs, in hex; -errno if none. */
static int scope_invocation_id(sd_bus *bus, const char *unit, char ret[static 33]) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *path = NULL;
        const uint8_t *id;
        size_t n;
        int r;

        r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &path);
        if (r < 0)
                return r;
        r = sd_bus_get_property(bus, "org.freedesktop.systemd1", path, "org.freedesktop.systemd1.Unit",
                                "InvocationID", NULL, &reply, "ay");
        if (r < 0)
                return r;
        r = sd_bus_message_read_array(reply, 'y', (const void **) &id, &n);
        if (r < 0)
                return r;
        if (n != 16)
                return -ENOENT;
        for (size_t i = 0; i < n; i++)
                snprintf(ret + 2 * i, 3, "%02x", id[i]);
        return 0;
}

static void print_since(uint64_t usec) {
        char buf[64];
        time_t t;
        struct tm tm;

        if (usec == 0 || usec == UINT64_MAX)
                return;
        t = (time_t) (usec / 1000000);
        if (!localtime_r(&t, &tm) || strftime(buf, sizeof(buf), "%a %Y-%m-%d %H:%M:%S %Z", &tm) == 0)
                return;
        printf("      Since: %s\n", buf);
}

static bool output_is_json(void) {
        return strcmp(arg_output, "json") == 0;
}

static void json_key(bool *first, const char *key) {
        printf("%s", *first ? "{" : ",");
        *first = false;
        json_string(key);
        putchar(':');
}

static void json_u64(bool *first, const char *key, uint64_t v) {
        json_key(first, key);
        if (v == UINT64_MAX)
                fputs("null", stdout);
        else
                printf("%" PRIu64, v);
}

static void json_str(bool *first, const char *key, const char *v) {
        json_key(first, key);
        json_string(v);
}

/* status --output=json: one object per service, on one line; a figure that is
 * not known or unlimited (infinity) is null. */
static void print_status_json(sd_bus *bus, const ServiceInfo *info, bool active) {
        const char *systemd = "org.freedesktop.systemd1", *iface = "org.freedesktop.systemd1.Scope";
        uint64_t memory_max = UINT64_MAX, tasks_max = UINT64_MAX, quota = UINT64_MAX;
        uint64_t memory = info->memory_current, tasks = info->tasks_current, cpu = info->cpu_usage_nsec;
        _cleanup_free_ char *path = NULL, *slice = NULL;
        bool first = true;

        if (active && sd_bus_path_encode("/org/freedesktop/systemd1/unit", info->unit, &path) >= 0) {
                (void) sd_bus_get_property_string(bus, systemd, path, iface, "Slice", NULL, &slice);
                (void) sd_bus_get_property_trivial(bus, systemd, path, iface, "MemoryMax", NULL, 't', &memory_max);
                (void) sd_bus_get_property_trivial(bus, systemd, path, iface, "TasksMax", NULL, 't', &tasks_max);
                (void) sd_bus_get_property_trivial(bus, systemd, path, iface, "CPUQuotaPerSecUSec", NULL, 't',
                                                   &quota);
                (void) sd_bus_get_property_trivial(bus, systemd, path, iface, "MemoryCurrent", NULL, 't', &memory);
                (void) sd_bus_get_property_trivial(bus, systemd, path, iface, "TasksCurrent", NULL, 't', &tasks);
                (void) sd_bus_get_property_trivial(bus, systemd, path, iface, "CPUUsageNSec", NULL, 't', &cpu);
        }
        json_str(&first, "name", info->name);
        json_str(&first, "description", info->description);
        json_str(&first, "state", info->state);
        json_key(&first, "active");
        fputs(active ? "true" : "false", stdout);
        json_str(&first, "result", info->result);
        json_str(&first, "exit_code", info->exit_code);
        json_key(&first, "exit_status");
        printf("%" PRIi32, info->exit_status);
        json_str(&first, "status_text", info->status_text);
        json_u64(&first, "start_timestamp", info->start_timestamp);
        json_u64(&first, "init_pid", info->init_pid);
        json_u64(&first, "main_pid", info->main_pid);
        json_u64(&first, "n_restarts", info->n_restarts);
        json_str(&first, "hostname", info->hostname);
        json_str(&first, "unit", info->unit);
        json_str(&first, "slice", slice ?: "");
        json_key(&first, "namespaces");
        putchar('{');
        for (size_t n = 0; n < info->n_namespaces; n++) {
                printf("%s", n ? "," : "");
                json_string(info->namespaces[n].type);
                printf(":%" PRIu64, info->namespaces[n].inode);
        }
        putchar('}');
        json_u64(&first, "memory_current", memory);
        json_u64(&first, "memory_max", memory_max);
        json_u64(&first, "tasks_current", tasks);
        json_u64(&first, "tasks_max", tasks_max);
        json_u64(&first, "cpu_usage_nsec", cpu);
        json_u64(&first, "cpu_quota_per_sec_usec", quota);
        printf("}\n");
}

int verb_status(sd_bus *bus, int argc, char **argv) {
        int ret = EXIT_OK;

        if (argc < 2)
                return log_error("Usage: isolatectl status NAME..."), EXIT_FAIL;
        for (int k = 1; k < argc; k++) {
                _cleanup_(service_info_done) ServiceInfo info = {};
                _cleanup_free_ char *path = NULL;
                bool active;
                int r;

                r = get_service_path(bus, argv[k], &path);
                if (r == EXIT_OK)
                        r = get_service_info(bus, path, &info);
                if (r != EXIT_OK) {
                        if (ret == EXIT_OK)
                                ret = r;
                        continue;
                }
                active = state_is_active(info.state);
                if (output_is_json()) {
                        print_status_json(bus, &info, active);
                        if (!active && ret == EXIT_OK)
                                ret = EXIT_NOT_RUNNING;
                        continue;
                }
                printf("%s %s%s%s\n", active ? "●" : "○", info.name, *info.description ? " - " : "",
                       info.description);
                printf("      State: %s (Result: %s)\n", info.state, info.result);
                _cleanup_free_ char *health = NULL; /* HealthCheck=: starting, healthy, unhealthy */
                if (sd_bus_get_property_string(bus, "org.isolated1", path, "org.isolated1.Service", "Health", NULL,
                                               &health) >= 0 && *health)
                        printf("     Health: %s\n", health);
                if (active)
                        print_since(info.start_timestamp);
                if (!active && *info.exit_code)
                        printf("       Exit: %s, status %d\n", info.exit_code, info.exit_status);
                if (*info.status_text) {
                        fputs("     Status: \"", stdout);
                        print_escaped(info.status_text, strlen(info.status_text));
                        fputs("\"\n", stdout);
                }
                printf("   Init PID: %" PRIu32 "\n", info.init_pid);
                printf("   Main PID: %" PRIu32 "\n", info.main_pid);
                printf("   Hostname: %s\n", info.hostname);
                if (info.n_namespaces > 0) {
                        printf(" Namespaces:");
                        for (size_t n = 0; n < info.n_namespaces; n++)
                                printf(" %s:[%" PRIu64 "]", info.namespaces[n].type, info.namespaces[n].inode);
                        putchar('\n');
                }
                if (active)
                        print_scope_limits(bus, &info);
                else
                        printf("       Unit: %s\n", info.unit);
                if (!arg_host && arg_lines != 0) {
                        putchar('\n');
                        char id[33];

                        /* Only the current run's lines (the last run's when it does not run). */
                        (void) show_journal_run(info.unit,
                                                active && scope_invocation_id(bus, info.unit, id) >= 0 ? id : NULL,
                                                true, arg_lines < 0 ? 10 : arg_lines, false, true);
                }
                if (!active && ret == EXIT_OK)
                        ret = EXIT_NOT_RUNNING;
                if (k + 1 < argc)
                        putchar('\n');
        }
        return ret;
}

int verb_is(sd_bus *bus, int argc, char **argv) {
        bool want_failed = strcmp(argv[0], "is-failed") == 0;
        int ret = want_failed ? EXIT_FAIL : EXIT_NOT_RUNNING;

        if (argc < 2)
                return log_error("Usage: isolatectl %s NAME...", argv[0]), EXIT_FAIL;
        for (int k = 1; k < argc; k++) {
                _cleanup_free_ char *state = NULL;
                const char *shown;
                int r;

                r = get_state(bus, argv[k], &state);
                if (r < 0 && r != -ENOENT)
                        return log_error_errno(r, "Failed to get the state of %s: %m", argv[k]), EXIT_FAIL;
                shown = r == -ENOENT ? "inactive" : state;
                if (!arg_quiet)
                        printf("%s\n", strcmp(shown, "running") == 0 || strcmp(shown, "active-exited") == 0 ? "active" : shown);
                /* As systemctl: a reload in progress is active; a start or a stop under way is not. */
                if (want_failed ? strcmp(shown, "failed") == 0
                                : strcmp(shown, "running") == 0 || strcmp(shown, "reloading") == 0 ||
                                          strcmp(shown, "active-exited") == 0)
                        ret = EXIT_OK;
        }
        return ret;
}

int verb_list(sd_bus *bus, int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *name, *state, *unit, *path;
        uint32_t init_pid, main_pid;
        bool json = strcmp(arg_output, "json") == 0;
        size_t n = 0;
        int r;

        if (argc > 1)
                return log_error("Usage: isolatectl list [--all] [--output=table|json]"), EXIT_FAIL;
        r = call_manager(bus, "ListServices", &reply, "list services", "");
        if (r != EXIT_OK)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "(sssuuo)");
        if (r < 0)
                return log_error_errno(r, "Bad reply from isolated: %m"), EXIT_FAIL;
        if (json)
                putchar('[');
        else if (!arg_quiet && arg_legend)
                printf("%-24s %-13s %-36s %8s %8s\n", "NAME", "STATE", "UNIT", "INIT", "MAIN");
        while ((r = sd_bus_message_read(reply, "(sssuuo)", &name, &state, &unit, &init_pid, &main_pid, &path)) > 0) {
                /* As systemctl list-units: ended services only with --all, failed ones always. */
                if (!arg_all && strcmp(state, "exited") == 0)
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
                        printf("%-24s %-13s %-36s %8" PRIu32 " %8" PRIu32 "\n", name, state, unit, init_pid, main_pid);
                n++;
        }
        if (r < 0)
                return log_error_errno(r, "Bad reply from isolated: %m"), EXIT_FAIL;
        if (json)
                printf("]\n");
        else if (!arg_quiet && arg_legend)
                printf("\n%zu service%s listed.\n", n, n == 1 ? "" : "s");
        return EXIT_OK;
}

/* One property value, as "systemctl show" prints it, or as JSON (--output=json). */
static int print_value(sd_bus_message *m, bool json) {
        const char *contents;
        char type;
        int r;

        r = sd_bus_message_peek_type(m, NULL, &contents);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(m, 'v', contents);
        if (r < 0)
                return r;
        type = contents[0];
        switch (type) {
        case 's':
        case 'o': {
                const char *s;
                r = sd_bus_message_read_basic(m, type, &s);
                if (r >= 0 && json)
                        json_string(s);
                else if (r >= 0)
                        fputs(s, stdout);
                break;
        }
        case 'u': {
                uint32_t u;
                r = sd_bus_message_read_basic(m, type, &u);
                if (r >= 0)
                        printf("%" PRIu32, u);
                break;
        }
        case 'i': {
                int32_t i;
                r = sd_bus_message_read_basic(m, type, &i);
                if (r >= 0)
                        printf("%" PRIi32, i);
                break;
        }
        case 't': {
                uint64_t t;
                r = sd_bus_message_read_basic(m, type, &t);
                if (r >= 0)
                        printf("%" PRIu64, t);
                break;
        }
        case 'b': {
                int b;
                r = sd_bus_message_read_basic(m, type, &b);
                if (r >= 0)
                        fputs(json ? (b ? "true" : "false") : b ? "yes" : "no", stdout);
                break;
        }
        default:
                if (strcmp(contents, "a{st}") == 0) {
                        const char *k;
                        uint64_t v;
                        bool first = true;
                        if (json)
                                putchar('{');
                        r = sd_bus_message_enter_container(m, 'a', "{st}");
                        while (r >= 0 && (r = sd_bus_message_read(m, "{st}", &k, &v)) > 0) {
                                if (json) {
                                        printf("%s", first ? "" : ",");
                                        json_string(k);
                                        printf(":%" PRIu64, v);
                                } else
                                        printf("%s%s=%" PRIu64, first ? "" : " ", k, v);
                                first = false;
                        }
                        if (json)
                                putchar('}');
                        if (r >= 0)
                                r = sd_bus_message_exit_container(m);
                } else {
                        if (json)
                                fputs("null", stdout);
                        r = sd_bus_message_skip(m, contents);
                }
                break;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static bool property_wanted(const char *name) {
        return !arg_properties || strv_contains(arg_properties, name);
}

static int show_one(sd_bus *bus, const char *path) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        bool json = output_is_json(), first = true;
        const char *name;
        int r;

        r = sd_bus_call_method(bus, BUS_NAME, path, "org.freedesktop.DBus.Properties", "GetAll", &error, &reply, "s",
                               SERVICE_IFACE);
        if (r < 0)
                return log_error("Failed to read %s: %s", path, error.message ?: strerror(-r)), EXIT_FAIL;
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                r = sd_bus_message_read(reply, "s", &name);
                if (r < 0)
                        break;
                if (property_wanted(name) && json) {
                        /* One object per service, on one line: {"Name":"x","MainPID":42,...} */
                        json_key(&first, name);
                        r = print_value(reply, true);
                } else if (property_wanted(name)) {
                        if (!arg_value)
                                printf("%s=", name);
                        r = print_value(reply, false);
                        putchar('\n');
                } else
                        r = sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        if (r < 0)
                return log_error_errno(r, "Failed to parse the properties of %s: %m", path), EXIT_FAIL;
        if (json)
                printf("%s}\n", first ? "{" : "");
        return EXIT_OK;
}

int verb_show(sd_bus *bus, int argc, char **argv) {
        int ret = EXIT_OK;

        if (argc < 2)
                return log_error("Usage: isolatectl show [-p PROPERTY] [--value] NAME..."), EXIT_FAIL;
        for (int k = 1; k < argc; k++) {
                _cleanup_free_ char *path = NULL;
                int r = get_service_path(bus, argv[k], &path);
                if (r == EXIT_OK)
                        r = show_one(bus, path);
                if (r != EXIT_OK && ret == EXIT_OK)
                        ret = r;
                if (k + 1 < argc && !arg_value && !output_is_json())
                        putchar('\n');
        }
        return ret;
}
