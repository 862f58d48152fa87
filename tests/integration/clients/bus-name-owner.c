/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-exec-types.sh's Type=dbus service: connects to the system bus (as a service does, through
 * /run/dbus/system_bus_socket), waits DELAY seconds (so a start that does not wait for the name
 * shows), takes NAME, and serves until SIGTERM. With "release SEC" it gives the name up after SEC
 * seconds and keeps running.
 *   bus-name-owner NAME DELAY [release SEC] */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
        sd_bus *bus = NULL;
        uint64_t release_at = 0;
        int r;

        if (argc != 3 && !(argc == 5 && strcmp(argv[3], "release") == 0)) {
                fprintf(stderr, "usage: %s NAME DELAY [release SEC]\n", argv[0]);
                return 2;
        }
        r = sd_bus_open_system(&bus);
        if (r < 0) {
                fprintf(stderr, "bus-name-owner: cannot connect to the system bus: %s\n", strerror(-r));
                return 1;
        }
        usleep((useconds_t) (atof(argv[2]) * 1e6));
        r = sd_bus_request_name(bus, argv[1], 0);
        if (r < 0) {
                fprintf(stderr, "bus-name-owner: cannot own %s: %s\n", argv[1], strerror(-r));
                return 1;
        }
        printf("bus-name-owner: owns %s\n", argv[1]);
        fflush(stdout);
        if (argc == 5)
                release_at = now_ms() + (uint64_t) (atof(argv[4]) * 1000);
        for (;;) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return 1;
                if (r > 0)
                        continue;
                if (release_at && now_ms() >= release_at) {
                        (void) sd_bus_release_name(bus, argv[1]);
                        printf("bus-name-owner: released %s\n", argv[1]);
                        fflush(stdout);
                        release_at = 0;
                }
                r = sd_bus_wait(bus, release_at ? 100000 : UINT64_MAX);
                if (r < 0)
                        return 1;
        }
}
