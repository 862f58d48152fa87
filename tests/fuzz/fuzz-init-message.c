/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a service that took its init over can send the daemon: every datagram
 * goes through init_message_parse(), and what it accepts must encode back to
 * the same message. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "init-protocol.h"
#include "string-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char buf[4096], again[4096 + 128];
        InitMessage m, m2;
        int n;

        if (size >= sizeof(buf))
                return 0;
        memcpy(buf, data, size);
        buf[size] = 0;
        if (init_message_parse(buf, size, &m) < 0)
                return 0;
        if (m.type < 0 || m.type >= _INIT_MESSAGE_TYPE_MAX || !utf8_is_valid(m.text) || strchr(m.text, '\n'))
                abort();
        n = init_message_format(&m, again, sizeof(again));
        if (n < 0 || init_message_parse(again, (size_t) n, &m2) < 0 || m2.type != m.type || m2.pid != m.pid ||
            m2.error != m.error || m2.code != m.code || m2.status != m.status || m2.end_result != m.end_result ||
            strcmp(m2.text, m.text) != 0)
                abort();

        /* The exit record and the daemon's requests share the grammar's helpers. */
        {
                int code, status;
                (void) init_exit_record_parse((const char *) buf, &code, &status, NULL);
        }
        {
                DaemonRequest r;
                (void) daemon_request_parse(buf, strlen(buf), &r);
        }
        return 0;
}
