/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault.h"
#include "log.h"
#include "macro.h"

/* Every point, in the order an operation reaches them. The operation says
 * how a test gets there (tests/integration/test-faults.sh): start, stop,
 * restart and reload of a service; adopt: a daemon restarted while a service
 * runs; adopt-cut: ... while a start was under way; adopt-ended: ... after a
 * service ended while no daemon ran. */
static const struct {
        const char *name;
        const char *operation;
        const char *description;
} fault_points[] = {
        { "start-begin", "start", "the start was asked for, nothing made yet" },
        { "start-ids-claimed", "start", "the user namespace's ID range is claimed" },
        { "start-forked", "start", "the held child exists" },
        { "start-state-written", "start", "NAME.state (starting) is written" },
        { "start-released", "start", "the held child is released to exec the init (before the scope)" },
        { "start-init-started", "start", "the init has its START (NAME.sock, NAME.exit made) and builds the sandbox" },
        { "start-scope-requested", "start", "StartTransientUnit is sent" },
        { "start-scope-job-done", "start", "the scope's job is done" },
        { "start-network-up", "start", "the network (veth, Port=) is set up, GO not yet sent" },
        { "start-main-received", "start", "the init reported the start done (MAIN)" },
        { "start-running", "start", "NAME.state (running) is written, the caller not yet answered" },
        { "stop-requested", "stop", "the stop was asked for" },
        { "stop-signal-sent", "stop", "STOP is sent to the init" },
        { "stop-init-ended", "stop", "the init is gone" },
        { "stop-scope-requested", "stop", "StopUnit of the scope is sent" },
        { "stop-scope-gone", "stop", "the scope is gone (its stop job done, or none was left to stop)" },
        { "stop-state-removed", "stop", "NAME.state and the rest are removed, the caller not yet answered" },
        { "restart-stopped", "restart", "the old run is gone, the new one not started" },
        { "reload-requested", "reload", "the reload was asked for" },
        { "reload-sent", "reload", "RELOAD is sent to the init" },
        { "reload-done", "reload", "the init reported the reload done" },
        { "adopt-listed", "adopt", "the running scopes are listed" },
        { "adopt-state-read", "adopt", "a service's NAME.state is read" },
        { "adopt-init-connected", "adopt", "connected to the init on NAME.sock" },
        { "adopt-ids-claimed", "adopt", "its ID range is claimed again" },
        { "adopt-added", "adopt", "its record is on the bus" },
        { "adopt-network", "adopt", "its Port= listeners are made again" },
        { "adopt-cut-killed", "adopt-cut", "a service that cannot be taken over is killed, its files not yet removed" },
        { "adopt-cut-removed", "adopt-cut", "... and its files removed" },
        { "adopt-ended-recorded", "adopt-ended", "an end recorded while no daemon ran is shown, its files not yet removed" },
        { "adopt-ended-removed", "adopt-ended", "... and its files removed" },
};

static bool fault_known(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(fault_points); i++)
                if (strcmp(fault_points[i].name, name) == 0)
                        return true;
        return false;
}

static bool fault_armed(const char *name) {
        static char *list = NULL;
        static bool read = false;
        size_t n = strlen(name);

        if (!read) {
                const char *e = getenv("ISOLATED_FAULT");
                read = true;
                list = e && *e ? strdup(e) : NULL;
                if (list)
                        log_notice("Fault injection armed at: %s", list);
        }
        for (const char *p = list; p && *p; p += strcspn(p, ",")) {
                p += strspn(p, ",");
                if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == 0))
                        return true;
        }
        return false;
}

void fault_point(const char *name) {
        char path[256];
        int fd;

        if (!fault_known(name)) {
                log_error("Fault point %s is not in the table of fault.c.", name);
                abort();
        }
        if (!fault_armed(name))
                return;
        /* Once: the daemon systemd restarts goes past it. */
        (void) mkdir("/run/isolated", 0755);
        (void) mkdir(FAULT_FIRED_DIR, 0700);
        snprintf(path, sizeof(path), "%s/%s", FAULT_FIRED_DIR, name);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
                return;
        /* Which daemon died there: a test waits for another one. */
        dprintf(fd, "%d\n", (int) getpid());
        close(fd);
        log_notice("Fault injection: killed at %s.", name);
        (void) raise(SIGKILL);
}

void fault_list_points(FILE *f) {
        for (size_t i = 0; i < ELEMENTSOF(fault_points); i++)
                fprintf(f, "%s %s %s\n", fault_points[i].name, fault_points[i].operation,
                        fault_points[i].description);
}
