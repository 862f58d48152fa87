/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cost of parsing a typical description: median and spread per parse,
 * over batches, so one slow batch does not move the answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "description.h"

static const char typical[] =
        "[Unit]\n"
        "Description=memcached, isolated\n"
        "Documentation=man:memcached(1)\n"
        "After=network.target\n"
        "\n"
        "[Service]\n"
        "Type=simple\n"
        "ExecStart=/usr/bin/memcached -u nobody -l 127.0.0.1 -p 11211 -m \"64\" -c 1024\n"
        "Environment=LANG=C \"OPTS=-v -v\"\n"
        "WorkingDirectory=/\n"
        "MemoryMax=64M\n"
        "TasksMax=16\n"
        "CPUQuota=20%\n"
        "TimeoutStopSec=10s\n"
        "KillSignal=SIGTERM\n"
        "ProtectSystem=strict\n"
        "ProtectHome=yes\n"
        "ReadWritePaths=/var/tmp\n"
        "CapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_SETUID CAP_SETGID\n"
        "SystemCallFilter=@system-service\n"
        "LimitNOFILE=4096\n"
        "\n"
        "[Isolate]\n"
        "Hostname=cache\n"
        "\n"
        "[Install]\n"
        "WantedBy=multi-user.target\n";

static double now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

int main(int argc, char *argv[]) {
        int batches = argc > 1 ? atoi(argv[1]) : 200, per_batch = 100;
        double *t = calloc(batches, sizeof(double));

        if (!t || batches < 1)
                return 1;
        for (int b = 0; b < batches; b++) {
                double t0 = now_ns();
                for (int i = 0; i < per_batch; i++) {
                        Description *d = NULL;
                        char *error = NULL;
                        char **notices = NULL;
                        if (description_parse("cache", "cache.service", typical, &d, &notices, &error) < 0) {
                                fprintf(stderr, "parse failed: %s\n", error ? error : "?");
                                return 1;
                        }
                        description_free(d);
                        for (char **n = notices; n && *n; n++)
                                free(*n);
                        free(notices);
                }
                t[b] = (now_ns() - t0) / per_batch / 1000.0;
        }
        qsort(t, batches, sizeof(double), cmp);
        printf("{\"bench\":\"parse\",\"bytes\":%zu,\"parses\":%d,\"median_us\":%.2f,\"p10_us\":%.2f,\"p90_us\":%.2f}\n",
               strlen(typical), batches * per_batch, t[batches / 2], t[batches / 10], t[batches * 9 / 10]);
        free(t);
        return 0;
}
