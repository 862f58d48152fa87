/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "host-exec-protocol.h"
#include "parse-util.h"
#include "string-util.h"

static const char *const host_exec_key_table[_HOST_EXEC_KEY_MAX] = {
        [HOST_EXEC_START_PRE] = "ExecStartPre",
        [HOST_EXEC_START_POST] = "ExecStartPost",
        [HOST_EXEC_RELOAD] = "ExecReload",
        [HOST_EXEC_STOP] = "ExecStop",
        [HOST_EXEC_CONDITION] = "ExecCondition",
        [HOST_EXEC_STOP_POST] = "ExecStopPost",
};

const char *host_exec_key_to_string(HostExecKey k) {
        return k >= 0 && k < _HOST_EXEC_KEY_MAX ? host_exec_key_table[k] : NULL;
}

HostExecKey host_exec_key_from_string(const char *s) {
        if (!s)
                return _HOST_EXEC_KEY_INVALID;
        for (HostExecKey k = 0; k < _HOST_EXEC_KEY_MAX; k++)
                if (strcmp(s, host_exec_key_table[k]) == 0)
                        return k;
        return _HOST_EXEC_KEY_INVALID;
}

ExecCommand *const *host_exec_key_list(const Description *d, HostExecKey k) {
        switch (k) {
        case HOST_EXEC_START_PRE:
                return d->exec_start_pre;
        case HOST_EXEC_START_POST:
                return d->exec_start_post;
        case HOST_EXEC_RELOAD:
                return d->exec_reload;
        case HOST_EXEC_STOP:
                return d->exec_stop;
        case HOST_EXEC_CONDITION:
                return d->exec_condition;
        case HOST_EXEC_STOP_POST:
                return d->exec_stop_post;
        default:
                return NULL;
        }
}

int host_exec_message_format(const HostExecMessage *m, char *buf, size_t size) {
        int n;

        switch (m->type) {
        case HOST_EXEC_RUN:
                if (!host_exec_key_to_string(m->key))
                        return -EINVAL;
                n = snprintf(buf, size, "EXEC-HOST %" PRIu64 " %s %u", m->seq, host_exec_key_to_string(m->key), m->index);
                break;
        case HOST_EXEC_KILL:
                n = snprintf(buf, size, "EXEC-HOST-KILL %" PRIu64, m->seq);
                break;
        case HOST_EXEC_DONE:
                n = snprintf(buf, size, "EXEC-HOST-DONE %" PRIu64 " %d %d", m->seq, m->wait_status, m->error);
                break;
        default:
                return -EINVAL;
        }
        if (n < 0 || (size_t) n >= size)
                return -ENOBUFS;
        return n;
}

/* A decimal number of the message: digits only, no sign, no leading zero but "0". */
static const char *parse_number(const char *p, uint64_t max, uint64_t *ret) {
        uint64_t v = 0;
        const char *q = p;

        if (*q < '0' || *q > '9' || (q[0] == '0' && q[1] >= '0' && q[1] <= '9'))
                return NULL;
        for (; *q >= '0' && *q <= '9'; q++) {
                if (v > (max - (uint64_t) (*q - '0')) / 10)
                        return NULL;
                v = v * 10 + (uint64_t) (*q - '0');
        }
        *ret = v;
        return q;
}

int host_exec_message_parse(const char *msg, HostExecMessage *ret) {
        HostExecMessage m = {};
        const char *p;
        uint64_t v;

        if (!msg)
                return -EINVAL;
        if ((p = startswith(msg, "EXEC-HOST "))) {
                char key[32];
                size_t n;

                m.type = HOST_EXEC_RUN;
                p = parse_number(p, UINT64_MAX, &m.seq);
                if (!p || *p++ != ' ')
                        return -EBADMSG;
                n = strcspn(p, " ");
                if (n == 0 || n >= sizeof(key) || p[n] != ' ')
                        return -EBADMSG;
                memcpy(key, p, n);
                key[n] = 0;
                m.key = host_exec_key_from_string(key);
                if (m.key < 0)
                        return -EBADMSG;
                p = parse_number(p + n + 1, 65535, &v);
                if (!p || *p != 0)
                        return -EBADMSG;
                m.index = (unsigned) v;
        } else if ((p = startswith(msg, "EXEC-HOST-KILL "))) {
                m.type = HOST_EXEC_KILL;
                p = parse_number(p, UINT64_MAX, &m.seq);
                if (!p || *p != 0)
                        return -EBADMSG;
        } else if ((p = startswith(msg, "EXEC-HOST-DONE "))) {
                m.type = HOST_EXEC_DONE;
                p = parse_number(p, UINT64_MAX, &m.seq);
                if (!p || *p++ != ' ')
                        return -EBADMSG;
                p = parse_number(p, 0xffff, &v);
                if (!p || *p++ != ' ')
                        return -EBADMSG;
                m.wait_status = (int) v;
                p = parse_number(p, 4095, &v);
                if (!p || *p != 0)
                        return -EBADMSG;
                m.error = (int) v;
        } else
                return -ENOMSG;
        *ret = m;
        return 0;
}
