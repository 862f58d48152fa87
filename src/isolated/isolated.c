/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include "bus-error.h"
#include "config.h"
#include "fault.h"
#include "log.h"
#include "manager.h"

static int make_state_dir(void) {
        /* Not RuntimeDirectory=: systemd would delete it when the daemon stops,
         * and the services (and their state) outlive the daemon. */
        if (mkdir("/run/isolated", 0755) < 0 && errno != EEXIST)
                return negative_errno();
        if (mkdir(ISOLATED_STATE_DIR, 0700) < 0 && errno != EEXIST)
                return negative_errno();
        return 0;
}

static int run(int argc, char *argv[]) {
        _cleanup_(manager_freep) Manager *m = NULL;
        sigset_t mask;
        int r;

        if (argc > 1 && strcmp(argv[1], "--version") == 0) {
                printf("isolated %s\n", PACKAGE_VERSION);
                return 0;
        }
#if ENABLE_FAULT_INJECTION
        if (argc > 1 && strcmp(argv[1], "--list-fault-points") == 0) {
                fault_list_points(stdout);
                return 0;
        }
#endif
        if (argc > 1)
                return log_error_errno(EINVAL, "%s takes no arguments.", argv[0]);

        if (getenv("JOURNAL_STREAM"))
                log_set_kernel_style(1);
        if (getenv("ISOLATED_DEBUG"))
                log_set_max_level(LOG_DEBUG);

        /* Children are watched through pidfds: SIGCHLD must be blocked first. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(errno, "Failed to block signals: %m");

        r = bus_error_register_map();
        if (r < 0)
                return log_error_errno(r, "Failed to register the bus errors: %m");
        r = make_state_dir();
        if (r < 0)
                return log_error_errno(r, "Failed to create " ISOLATED_STATE_DIR ": %m");
        r = manager_new(&m);
        if (r < 0)
                return log_error_errno(r, "Failed to set up: %m");
        r = sd_event_set_signal_exit(m->event, true);
        if (r < 0)
                return log_error_errno(r, "Failed to handle SIGTERM/SIGINT: %m");
        r = manager_connect_bus(m);
        if (r < 0)
                return r;
        /* Scopes outlive the daemon: take over what runs before answering anyone. */
        r = manager_adopt_services(m);
        if (r < 0)
                log_warning_errno(r, "Failed to take over the running services; continuing without: %m");

        r = manager_warm_up(m);
        if (r < 0)
                log_debug_errno(r, "Cannot plan the warm-up: %m");
        (void) sd_notify(false, "READY=1\nSTATUS=Processing requests...");
        log_info("isolated %s running, init %s.", PACKAGE_VERSION, m->init_path);
        r = sd_event_loop(m->event);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m");
        (void) sd_notify(false, "STOPPING=1");
        /* Not a signal's exit (0): the bus went away (a dbus-daemon restart). A failure, so that
         * systemd starts us again (Restart=on-failure) and we take over the services anew. */
        if (r > 0)
                return log_error_errno(ECONNRESET, "Lost the connection to the bus, exiting to be restarted.");
        return 0;
}

int main(int argc, char *argv[]) {
        return run(argc, argv) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
