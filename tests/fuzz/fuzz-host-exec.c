/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What an init, which its service may own, asks the daemon to run on the host ("+" commands,
 * host_exec_message_parse()), and the daemon's answer the init reads. A decoded message formats
 * back to the same text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host-exec-protocol.h"
#include "macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *text = NULL;
        char buf[HOST_EXEC_MESSAGE_MAX];
        HostExecMessage m, again;
        int r;

        if (size > 4096)
                return 0;
        text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';

        r = host_exec_message_parse(text, &m);
        if (r == -ENOMSG || r == -EBADMSG)
                return 0;
        if (r < 0)
                abort();
        if (m.type == HOST_EXEC_RUN && (m.key < 0 || m.key >= _HOST_EXEC_KEY_MAX || m.index > 65535))
                abort();
        if (host_exec_message_format(&m, buf, sizeof(buf)) < 0 || strcmp(buf, text) != 0)
                abort();
        if (host_exec_message_parse(buf, &again) < 0 || again.type != m.type || again.seq != m.seq)
                abort();
        return 0;
}
