/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

/* Named errors of org.isolated1, shared by the daemon and isolatectl. */
#define BUS_ERROR_NO_SUCH_SERVICE "org.isolated1.Error.NoSuchService"
#define BUS_ERROR_ALREADY_RUNNING "org.isolated1.Error.AlreadyRunning"
#define BUS_ERROR_BAD_DESCRIPTION "org.isolated1.Error.BadDescription"
#define BUS_ERROR_BAD_NAME "org.isolated1.Error.BadName"
#define BUS_ERROR_START_FAILED "org.isolated1.Error.StartFailed"
#define BUS_ERROR_SCOPE_FAILED "org.isolated1.Error.ScopeFailed"
#define BUS_ERROR_NOT_RUNNING "org.isolated1.Error.NotRunning"
/* A Condition*= of [Unit] was not met: nothing was started, no failure (as systemd's start job). */
#define BUS_ERROR_CONDITION_FAILED "org.isolated1.Error.ConditionFailed"
/* An Assert*= of [Unit] failed: the start failed, nothing was made. */
#define BUS_ERROR_ASSERT_FAILED "org.isolated1.Error.AssertFailed"

extern const sd_bus_error_map isolated_bus_error_map[];

/* Registers the map, so sd_bus_error_get_errno() knows our names. */
int bus_error_register_map(void);
