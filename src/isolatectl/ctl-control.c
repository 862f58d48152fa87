/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "bus-error.h"
#include "ctl.h"
#include "description.h"
#include "log.h"
#include "parse-util.h"

typedef struct WaitContext {
        sd_bus *bus;
        const char *name;
        bool ended, stopping, replied;
        char *result, *exit_code;
        int32_t exit_status;
} WaitContext;

static void wait_context_done(WaitContext *w) {
        free(w->result);
        free(w->exit_code);
}

static int set_string(char **s, const char *v) {
        char *c = strdup(v);
        if (!c)
                return -ENOMEM;
        free(*s);
        *s = c;
        return 0;
}

/* PropertiesChanged of the service object: State, Result, ExitCode and
 * ExitStatus travel together, so the end and its status come in one message. */
static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        WaitContext *w = userdata;
        _cleanup_free_ char *state = NULL, *result = NULL, *exit_code = NULL;
        bool have_status = false;
        int32_t exit_status = 0;
        const char *iface, *prop, *s;
        int r;

        r = sd_bus_message_read(m, "s", &iface);
        if (r < 0 || strcmp(iface, SERVICE_IFACE) != 0)
                return 0;
        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                r = sd_bus_message_read(m, "s", &prop);
                if (r < 0)
                        break;
                if (strcmp(prop, "State") == 0 || strcmp(prop, "Result") == 0 || strcmp(prop, "ExitCode") == 0) {
                        r = sd_bus_message_read(m, "v", "s", &s);
                        if (r >= 0)
                                r = set_string(strcmp(prop, "State") == 0    ? &state
                                               : strcmp(prop, "Result") == 0 ? &result
                                                                             : &exit_code,
                                               s);
                } else if (strcmp(prop, "ExitStatus") == 0) {
                        r = sd_bus_message_read(m, "v", "i", &exit_status);
                        have_status = r >= 0;
                } else
                        r = sd_bus_message_skip(m, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
        }
        if (r < 0) {
                log_error_errno(r, "Failed to parse a state change of %s: %m", w->name);
                return sd_event_exit(sd_bus_get_event(w->bus), EXIT_FAIL);
        }
        if (!state || (strcmp(state, "exited") != 0 && strcmp(state, "failed") != 0))
                return 0;

        if (w->ended)
                return 0;
        w->ended = true;
        w->result = TAKE_PTR(result);
        w->exit_code = TAKE_PTR(exit_code);
        w->exit_status = have_status ? exit_status : 0;
        if (!w->result || !w->exit_code || !have_status) {
                /* An older daemon that sends State alone: ask for the rest. */
                _cleanup_free_ char *path = NULL;
                if (service_object_path(w->name, &path) >= 0) {
                        if (!w->result)
                                (void) sd_bus_get_property_string(w->bus, BUS_NAME, path, SERVICE_IFACE, "Result",
                                                                  NULL, &w->result);
                        if (!w->exit_code)
                                (void) sd_bus_get_property_string(w->bus, BUS_NAME, path, SERVICE_IFACE,
                                                                  "ExitCode", NULL, &w->exit_code);
                        if (!have_status)
                                (void) sd_bus_get_property_trivial(w->bus, BUS_NAME, path, SERVICE_IFACE,
                                                                   "ExitStatus", NULL, 'i', &w->exit_status);
                }
        }
        /* An end before StartService's reply (a failed start): the reply says why. */
        return w->replied ? sd_event_exit(sd_bus_get_event(w->bus), EXIT_OK) : 0;
}

static int on_start_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        WaitContext *w = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);
        _cleanup_free_ char *what = NULL;

        w->replied = true;
        /* A Condition*= not met: nothing started and nothing failed, as systemctl start says nothing. */
        if (e && sd_bus_error_has_name(e, BUS_ERROR_CONDITION_FAILED)) {
                if (!arg_quiet)
                        log_notice("%s", e->message ?: "Start skipped: a condition was not met.");
                return sd_event_exit(sd_bus_get_event(w->bus), EXIT_OK);
        }
        if (e) {
                if (asprintf(&what, "start %s", w->name) < 0)
                        return log_oom(), sd_event_exit(sd_bus_get_event(w->bus), EXIT_FAIL);
                log_call_error(what, e, -EIO);
                return sd_event_exit(sd_bus_get_event(w->bus), exit_code_for_error(e));
        }
        _cleanup_free_ char *unit = service_name_to_scope(w->name);
        (void) sd_notifyf(0, "READY=1\nSTATUS=Waiting for %s (%s) to end.", w->name, unit ?: "its scope");
        return w->ended ? sd_event_exit(sd_bus_get_event(w->bus), EXIT_OK) : 0;
}

static int on_stop_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        WaitContext *w = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);

        if (e && !sd_bus_error_has_name(e, "org.isolated1.Error.NotRunning")) {
                log_error("Failed to stop %s: %s", w->name, e->message ?: e->name);
                return sd_event_exit(sd_bus_get_event(w->bus), EXIT_FAIL);
        }
        return 0;
}

/* SIGTERM or SIGINT while waiting: the service goes with us. Its end arrives
 * as a state change, as any other end does. */
static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        WaitContext *w = userdata;
        int r;

        if (w->stopping)
                return sd_event_exit(sd_event_source_get_event(s), 128 + (int) si->ssi_signo);
        w->stopping = true;
        if (!arg_quiet)
                log_info("Got %s, stopping %s.", strsignal((int) si->ssi_signo), w->name);
        (void) sd_notify(0, "STOPPING=1");
        r = sd_bus_call_method_async(w->bus, NULL, BUS_NAME, MANAGER_PATH, MANAGER_IFACE, "StopService",
                                     on_stop_reply, w, "s", w->name);
        if (r < 0) {
                log_error_errno(r, "Failed to stop %s: %m", w->name);
                return sd_event_exit(sd_event_source_get_event(s), EXIT_FAIL);
        }
        return 0;
}

static int start_and_wait(sd_bus *bus, const char *name, const char *text) {
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL, *call_slot = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        _cleanup_(wait_context_done) WaitContext w = { .bus = bus, .name = name };
        _cleanup_free_ char *path = NULL;
        sigset_t mask;
        int r, ret;

        /* Blocked before anything else: a SIGTERM during the start is handled
         * once the loop runs, by stopping what was started. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        (void) sigprocmask(SIG_BLOCK, &mask, NULL);

        r = sd_event_new(&event);
        if (r >= 0)
                r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
        for (int sig = SIGHUP; r >= 0 && sig <= SIGTERM; sig++)
                if (sigismember(&mask, sig))
                        r = sd_event_add_signal(event, NULL, sig, on_signal, &w);
        if (r >= 0)
                r = sd_bus_set_exit_on_disconnect(bus, true);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the event loop: %m"), EXIT_FAIL;

        /* Subscribed before StartService, so that even an end right after the start is seen: the
         * match and the call go out in one write, without waiting for the match's reply (the bus
         * handles a connection's messages in order, so the match is in place before the daemon
         * sees the call). The sender is not matched: the path is the daemon's. */
        r = service_object_path(name, &path);
        if (r >= 0)
                r = sd_bus_match_signal_async(bus, &slot, NULL, path, "org.freedesktop.DBus.Properties",
                                              "PropertiesChanged", on_properties_changed, NULL, &w);
        if (r < 0)
                return log_error_errno(r, "Failed to subscribe to the state of %s: %m", name), EXIT_FAIL;

        /* Start may take TimeoutStartSec=: no client-side timeout. */
        r = sd_bus_message_new_method_call(bus, &call, BUS_NAME, MANAGER_PATH, MANAGER_IFACE, "StartService");
        if (r >= 0)
                r = sd_bus_message_append(call, "ss", name, text ?: "");
        if (r >= 0)
                polkit_agent_open_if_enabled();
        if (r >= 0)
                r = sd_bus_call_async(bus, &call_slot, call, on_start_reply, &w, UINT64_MAX - 1);
        if (r < 0)
                return log_error_errno(r, "Failed to start %s: %m", name), EXIT_FAIL;

        r = sd_event_loop(event);
        if (r < 0)
                return log_error_errno(r, "Failed to wait for %s: %m", name), EXIT_FAIL;
        if (r != EXIT_OK || !w.ended)
                return r;
        ret = exit_status_to_code(w.exit_code, w.exit_status, w.result);
        if (ret != EXIT_OK && !arg_quiet)
                log_error("%s ended: %s (%s, status %d).", name, w.result ?: "?", w.exit_code ?: "?",
                          (int) w.exit_status);
        return ret;
}

int verb_start(sd_bus *bus, int argc, char **argv) {
        _cleanup_free_ char *text = NULL, *what = NULL;
        int r;

        if (argc < 2 || argc > 3)
                return log_error("Usage: isolatectl start [--wait] NAME [FILE]"), EXIT_FAIL;
        if (argc == 3) {
                r = read_text_file(argv[2], DESCRIPTION_SIZE_MAX, &text);
                if (r < 0)
                        return log_error_errno(r, "Failed to read %s: %m", argv[2]), EXIT_FAIL;
        }
        if (arg_wait)
                return start_and_wait(bus, argv[1], text);
        if (asprintf(&what, "start %s", argv[1]) < 0)
                return log_oom(), EXIT_FAIL;
        return call_manager(bus, "StartService", NULL, what, "ss", argv[1], text ?: "");
}

int verb_simple(sd_bus *bus, int argc, char **argv) {
        static const struct {
                const char *verb, *method;
        } table[] = {
                { "stop", "StopService" },
                { "restart", "RestartService" },
                { "reload", "ReloadService" },
                { "reset-failed", "ResetFailedService" },
        };
        const char *method = NULL;
        int ret = EXIT_OK;

        if (argc < 2)
                return log_error("Usage: isolatectl %s NAME...", argv[0]), EXIT_FAIL;
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (strcmp(argv[0], table[i].verb) == 0)
                        method = table[i].method;
        if (!method)
                return log_error("Unknown command '%s'.", argv[0]), EXIT_FAIL;
        for (int k = 1; k < argc; k++) {
                _cleanup_free_ char *what = NULL;
                if (asprintf(&what, "%s %s", argv[0], argv[k]) < 0)
                        return log_oom(), EXIT_FAIL;
                int r = call_manager(bus, method, NULL, what, "s", argv[k]);
                if (r != EXIT_OK && ret == EXIT_OK)
                        ret = r;
        }
        return ret;
}

int verb_kill(sd_bus *bus, int argc, char **argv) {
        int signo, ret = EXIT_OK;

        if (argc < 2)
                return log_error("Usage: isolatectl kill [--signal=SIG] [--kill-whom=main|all] NAME..."), EXIT_FAIL;
        signo = parse_signal(arg_signal);
        if (signo < 0)
                return log_error("Invalid signal '%s'; use a name such as SIGHUP or HUP, or a number.", arg_signal),
                       EXIT_FAIL;
        for (int k = 1; k < argc; k++) {
                _cleanup_free_ char *what = NULL;
                if (asprintf(&what, "kill %s", argv[k]) < 0)
                        return log_oom(), EXIT_FAIL;
                int r = call_manager(bus, "KillService", NULL, what, "ssi", argv[k], arg_kill_whom, signo);
                if (r != EXIT_OK && ret == EXIT_OK)
                        ret = r;
        }
        return ret;
}
