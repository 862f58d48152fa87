/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ShellService(NAME, [CMD], [ENV...], 0, 1, 2) as a client other than
 * isolatectl may call it: prints "CODE STATUS" or the error. For
 * test-shell.sh: shell-call NAME CMD [ENV...] */
#include <stdio.h>
#include <systemd/sd-bus.h>

int main(int argc, char *argv[]) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *m = NULL, *reply = NULL;
        char *cmd[] = { NULL, NULL };
        const char *code;
        sd_bus *bus = NULL;
        int status, r;

        if (argc < 3)
                return 2;
        cmd[0] = argv[2];
        r = sd_bus_open_system(&bus);
        if (r >= 0)
                r = sd_bus_message_new_method_call(bus, &m, "org.isolated1", "/org/isolated1", "org.isolated1.Manager",
                                                   "ShellService");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", argv[1]);
        if (r >= 0)
                r = sd_bus_message_append_strv(m, cmd);
        if (r >= 0)
                r = sd_bus_message_append_strv(m, argv + 3);
        if (r >= 0)
                r = sd_bus_message_append(m, "hhh", 0, 1, 2);
        if (r < 0) {
                fprintf(stderr, "cannot build the call: %d\n", r);
                return 1;
        }
        r = sd_bus_call(bus, m, 0, &error, &reply);
        if (r < 0) {
                printf("%s: %s\n", error.name, error.message);
                return 1;
        }
        if (sd_bus_message_read(reply, "si", &code, &status) < 0)
                return 1;
        printf("%s %d\n", code, status);
        return 0;
}
