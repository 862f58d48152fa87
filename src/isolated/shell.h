/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-bus.h>

typedef struct Service Service;

/* isolatectl shell: the calls of one service waiting for its init (SHELL and
 * PTY of init-protocol.h). The init starts the command inside, with the
 * service's confinement; the daemon only forwards the caller's three fds and
 * answers when the init reports the end. */
typedef struct ShellCalls ShellCalls;

/* Every call still waiting gets an error. */
ShellCalls *shell_calls_free(ShellCalls *c);

/* The init is gone: a shell it did not report died with the namespace
 * (killed, SIGKILL); a PTY call gets an error. */
void shell_calls_abort(Service *s);

/* A message of the init: SHELL-EXITED, SHELL-FAILED, PTY. Returns true if it
 * was one (fds taken over and closed or handed on), false otherwise (fds
 * untouched). */
bool shell_handle_message(Service *s, const char *msg, int *fds, size_t n_fds);

/* org.isolated1.Service.Shell(as argv, as environment, h stdin, h stdout, h stderr) -> (s code, i status),
 * org.isolated1.Service.OpenPTY() -> (h master, h peer): the rest of the call's arguments are read here. */
int shell_bus_shell(Service *s, sd_bus_message *m, sd_bus_error *error);
int shell_bus_open_pty(Service *s, sd_bus_message *m, sd_bus_error *error);

/* The Manager's ShellService(s name, ...) and OpenServicePTY(s name); userdata is the Manager. */
int shell_method_shell_service(sd_bus_message *m, void *userdata, sd_bus_error *error);
int shell_method_open_service_pty(sd_bus_message *m, void *userdata, sd_bus_error *error);
