/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

typedef struct Service Service;
typedef struct BusNameWatch BusNameWatch;

/* Type=dbus, as systemd: the start is complete once the init reported the main process running
 * and BusName= has an owner on the system bus, and that owner is a process of the service's scope
 * (another owner does not count, as a name taken by someone else must not start the service);
 * once started, the name's loss stops the service. The daemon watches NameOwnerChanged from the
 * start on. -errno. */
int bus_name_watch(Service *s);
void bus_name_unwatch(Service *s);

/* The init reported the start done: true while the name is not the service's yet (then
 * bus_name_watch() completes the start when it is). */
bool bus_name_holds_start(Service *s);

BusNameWatch *bus_name_watch_free(BusNameWatch *w);
