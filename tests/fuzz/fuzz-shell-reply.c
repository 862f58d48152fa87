/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What an init, which its service may own, sends the daemon about shells
 * (shell_reply_decode()), and the SHELL request the init decodes. A decoded
 * reply formats back to one that decodes the same. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "macro.h"
#include "shell-protocol.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *text = NULL, *term = NULL;
        _cleanup_strv_free_ char **argv = NULL;
        ShellReply r, again;
        char buf[SHELL_TEXT_MAX + 64];
        uint64_t id;
        int n = -1;

        if (size > 65536)
                return 0;
        text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';

        if (shell_reply_decode(text, &r) == 0) {
                switch (r.type) {
                case SHELL_REPLY_EXITED:
                        n = shell_reply_format_exited(r.id, r.code == CLD_EXITED ? W_EXITCODE(r.status, 0)
                                                                                 : r.code == CLD_DUMPED ? r.status | 0x80
                                                                                                        : r.status,
                                                      buf, sizeof(buf));
                        break;
                case SHELL_REPLY_FAILED:
                        n = shell_reply_format_failed(r.id, r.error, r.text, buf, sizeof(buf));
                        break;
                case SHELL_REPLY_PTY:
                        n = shell_reply_format_pty(r.id, r.error, buf, sizeof(buf));
                        break;
                default:
                        abort();
                }
                if (n < 0 || shell_reply_decode(buf, &again) < 0 || again.type != r.type || again.id != r.id ||
                    again.code != r.code || again.status != r.status || again.error != r.error ||
                    strcmp(again.text, r.text) != 0)
                        abort();
        }

        if (shell_request_decode(text, size, &id, &argv, &term) == 0 && (!argv || (term && strchr(term, '/'))))
                abort();
        return 0;
}
