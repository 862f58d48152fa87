/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "macro.h"
#include "time-util.h"

typedef struct Manager Manager;
typedef struct Service Service;

/* isolatectl learn, the daemon's half: LearnService (org.isolated1(5)) starts the service as
 * StartService does, with the START role "learn" (the init's half: src/isolate-init/learn.h),
 * the capabilities its file asks for but the defaults leave out granted for the run, stops it
 * after the duration (sooner if it ends), and answers with what was learned once nothing of it
 * is left: its record is dropped too. */

#define LEARN_DURATION_DEFAULT_USEC (30 * USEC_PER_SEC)
#define LEARN_DURATION_MAX_USEC (600 * USEC_PER_SEC)

typedef struct ServiceLearn {
        sd_bus_message *call; /* LearnService, answered at the end */
        int report_fd;        /* the memfd the init fills */
        uint64_t asked_caps;  /* asked for by the file, left out by the defaults: granted while learning */
        sd_event_source *timer;
        sd_event_source *defer; /* drops the record once answered */
} ServiceLearn;

ServiceLearn *service_learn_free(ServiceLearn *l);
DEFINE_TRIVIAL_CLEANUP_FUNC(ServiceLearn *, service_learn_free);

/* The method: validates, loads NAME.service (or text) without an earlier 50-learned.conf, starts. */
int manager_learn_service(Manager *m, const char *name, const char *text, uint64_t duration_usec, sd_bus_message *call,
                          sd_bus_error *error);

/* The fd to send with the START role "learn" (a dup), or -EBADF when s is not learning. */
int service_learn_start_fd(Service *s);

/* From service_check_stopped(): the init and the scope are gone. Answers the call. */
void service_learn_finish(Service *s);
