/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sends StartService(NAME, a description of SIZE bytes) and prints the error
 * name (or the path). For the bad-input tests: busctl cannot pass 10 MiB. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

int main(int argc, char *argv[]) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        sd_bus *bus = NULL;
        const char *path;
        size_t size;
        char *text;
        int r;

        if (argc != 3)
                return 2;
        size = strtoul(argv[2], NULL, 10);
        text = malloc(size + 1);
        if (!text)
                return 2;
        /* A valid-looking file, then comment lines up to the size. */
        snprintf(text, size + 1, "[Service]\nExecStart=/bin/true\n");
        for (size_t i = strlen(text); i < size; i++)
                text[i] = (i % 64 == 63) ? '\n' : '#';
        text[size] = 0;
        r = sd_bus_open_system(&bus);
        if (r < 0)
                return 2;
        r = sd_bus_call_method(bus, "org.isolated1", "/org/isolated1", "org.isolated1.Manager", "StartService", &error,
                               &reply, "ss", argv[1], text);
        if (r < 0)
                printf("%s: %s\n", error.name ?: "?", error.message ?: "");
        else if (sd_bus_message_read(reply, "o", &path) >= 0)
                printf("%s\n", path);
        sd_bus_error_free(&error);
        sd_bus_message_unref(reply);
        sd_bus_flush_close_unref(bus);
        free(text);
        return r < 0 ? 1 : 0;
}
