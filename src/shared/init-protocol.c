/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "init-protocol.h"
#include "macro.h"
#include "string-util.h"

static const char *const init_message_type_table[_INIT_MESSAGE_TYPE_MAX] = {
        [INIT_MESSAGE_HELLO] = "HELLO",
        [INIT_MESSAGE_MAIN] = "MAIN",
        [INIT_MESSAGE_FAILED] = "FAILED",
        [INIT_MESSAGE_EXITED] = "EXITED",
        [INIT_MESSAGE_RELOADED] = "RELOADED",
};

static const char *const init_state_table[_INIT_STATE_MAX] = {
        [INIT_STATE_STARTING] = "starting",
        [INIT_STATE_RUNNING] = "running",
        [INIT_STATE_RELOADING] = "reloading",
        [INIT_STATE_STOPPING] = "stopping",
};

static const char *const daemon_request_type_table[_DAEMON_REQUEST_TYPE_MAX] = {
        [DAEMON_REQUEST_HELLO] = "HELLO",
        [DAEMON_REQUEST_STOP] = "STOP",
        [DAEMON_REQUEST_RELOAD] = "RELOAD",
        [DAEMON_REQUEST_KILL] = "KILL",
        [DAEMON_REQUEST_RESTART] = "RESTART",
};

const char *init_message_type_to_string(InitMessageType t) {
        return t >= 0 && t < _INIT_MESSAGE_TYPE_MAX ? init_message_type_table[t] : NULL;
}

static const char *const init_end_result_table[_INIT_END_RESULT_MAX] = {
        [INIT_END_NONE] = "",
        [INIT_END_START_LIMIT_HIT] = "start-limit-hit",
        [INIT_END_WATCHDOG] = "watchdog",
        [INIT_END_TIMEOUT] = "timeout",
        [INIT_END_EXEC_CONDITION] = "exec-condition",
};

const char *init_end_result_to_string(InitEndResult r) {
        return r >= 0 && r < _INIT_END_RESULT_MAX ? init_end_result_table[r] : NULL;
}

InitEndResult init_end_result_from_string(const char *s) {
        if (isempty(s))
                return _INIT_END_RESULT_INVALID;
        return (InitEndResult) table_lookup(init_end_result_table, _INIT_END_RESULT_MAX, s);
}

const char *init_state_to_string(InitState s) {
        return s >= 0 && s < _INIT_STATE_MAX ? init_state_table[s] : NULL;
}

InitState init_state_from_string(const char *s) {
        int i = table_lookup(init_state_table, _INIT_STATE_MAX, s);
        return i < 0 ? _INIT_STATE_INVALID : (InitState) i;
}

const char *exit_code_to_string(int code) {
        switch (code) {
        case CLD_EXITED:
                return "exited";
        case CLD_KILLED:
                return "killed";
        case CLD_DUMPED:
                return "dumped";
        default:
                return "";
        }
}

int exit_code_from_string(const char *s) {
        if (!s)
                return -EINVAL;
        if (strcmp(s, "exited") == 0)
                return CLD_EXITED;
        if (strcmp(s, "killed") == 0)
                return CLD_KILLED;
        if (strcmp(s, "dumped") == 0)
                return CLD_DUMPED;
        return -EINVAL;
}

/* A decimal number without sign, leading zeros or junk, at most max. */
static int parse_number(const char *s, uint64_t max, uint64_t *ret) {
        uint64_t v = 0;

        if (!s || !*s || (s[0] == '0' && s[1]))
                return -EBADMSG;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return -EBADMSG;
                if (v > (max - (uint64_t) (*s - '0')) / 10)
                        return -EBADMSG;
                v = v * 10 + (uint64_t) (*s - '0');
        }
        *ret = v;
        return 0;
}

static int parse_int(const char *s, int min, int max, int *ret) {
        uint64_t v;

        if (parse_number(s, (uint64_t) max, &v) < 0 || v < (uint64_t) min)
                return -EBADMSG;
        *ret = (int) v;
        return 0;
}

/* Splits off the next field up to sep (replaced by NUL); NULL if sep is not there. */
static char *split(char **p, char sep) {
        char *start = *p, *e = strchr(start, sep);

        if (!e)
                return NULL;
        *e = 0;
        *p = e + 1;
        return start;
}

static bool text_is_valid(const char *t) {
        if (strlen(t) > INIT_TEXT_MAX || !utf8_is_valid(t))
                return false;
        /* What clean_text() lets through: no control character, DEL included. */
        for (const char *c = t; *c; c++)
                if (((unsigned char) *c < ' ' && *c != '\t') || *c == 0x7f)
                        return false;
        return true;
}

static int parse_end(const char *code_word, const char *status_word, int *ret_code, int *ret_status) {
        int code = exit_code_from_string(code_word);

        if (code < 0)
                return -EBADMSG;
        /* An exit status is a byte; a signal one the kernel knows. */
        if (parse_int(status_word, code == CLD_EXITED ? 0 : 1, code == CLD_EXITED ? 255 : _NSIG - 1, ret_status) < 0)
                return -EBADMSG;
        *ret_code = code;
        return 0;
}

static int parse_errno_text(char *rest, bool zero_ok, InitMessage *m) {
        char *nl = strchr(rest, '\n');

        if (nl)
                *nl++ = 0;
        if (parse_int(rest, zero_ok ? 0 : 1, 4095, &m->error) < 0)
                return -EBADMSG;
        /* An error comes with its line of text (which may be empty), success with none. */
        if (m->error == 0 ? nl != NULL : nl == NULL)
                return -EBADMSG;
        m->text = nl ?: "";
        return text_is_valid(m->text) ? 0 : -EBADMSG;
}

int init_message_parse(char *buf, size_t size, InitMessage *ret) {
        InitMessage m = { .text = "" };
        char *p = buf, *verb;
        uint64_t v;

        assert(buf);
        assert(ret);

        if (strlen(buf) != size) /* an embedded NUL */
                return -EBADMSG;
        verb = split(&p, ' ');
        if (!verb)
                return -EBADMSG;
        m.type = (InitMessageType) table_lookup(init_message_type_table, _INIT_MESSAGE_TYPE_MAX, verb);

        switch (m.type) {
        case INIT_MESSAGE_HELLO:
                if (parse_number(p, 65535, &v) < 0)
                        return -EBADMSG;
                m.version = (unsigned) v;
                break;

        case INIT_MESSAGE_MAIN: {
                char *pid = split(&p, '\n'), *state = split(&p, '\n'), *restarts = split(&p, '\n');
                const char *s, *n;

                if (!pid || !state || !restarts || parse_int(pid, 0, INT_MAX, &m.pid) < 0)
                        return -EBADMSG;
                s = startswith(state, "STATE=");
                n = startswith(restarts, "NRESTARTS=");
                m.state = s ? init_state_from_string(s) : _INIT_STATE_INVALID;
                if (m.state < 0 || !n || parse_number(n, UINT_MAX, &v) < 0)
                        return -EBADMSG;
                m.n_restarts = (unsigned) v;
                m.text = startswith(p, "STATUS=");
                if (!m.text || !text_is_valid(m.text))
                        return -EBADMSG;
                break;
        }

        case INIT_MESSAGE_FAILED:
                if (parse_errno_text(p, false, &m) < 0)
                        return -EBADMSG;
                break;

        case INIT_MESSAGE_EXITED: {
                char *code = split(&p, ' '), *nl = strchr(p, '\n');

                if (nl) {
                        *nl++ = 0;
                        if (strncmp(nl, "RESULT=", 7) != 0)
                                return -EBADMSG;
                        m.end_result = init_end_result_from_string(nl + 7);
                        if (m.end_result <= INIT_END_NONE)
                                return -EBADMSG;
                        m.start_limit_hit = m.end_result == INIT_END_START_LIMIT_HIT;
                }
                if (!code || parse_end(code, p, &m.code, &m.status) < 0)
                        return -EBADMSG;
                break;
        }

        case INIT_MESSAGE_RELOADED:
                if (parse_errno_text(p, true, &m) < 0)
                        return -EBADMSG;
                break;

        default:
                return -EBADMSG;
        }

        *ret = m;
        return 0;
}

/* The text as the grammar allows it, into buf (INIT_TEXT_MAX + 1 bytes): one line of at most
 * INIT_TEXT_MAX bytes, cut at a character boundary, a control character or a byte of invalid UTF-8
 * as '?'. The init says what a service said (STATUS=): it must not break the protocol for it. */
static const char *clean_text(const char *t, char *buf) {
        size_t n = strcspn(t ?: "", "\n");
        bool valid;

        if (n > INIT_TEXT_MAX) {
                n = INIT_TEXT_MAX;
                while (n > 0 && ((unsigned char) t[n] & 0xc0) == 0x80)
                        n--;
        }
        memcpy(buf, t ?: "", n);
        buf[n] = 0;
        valid = utf8_is_valid(buf);
        for (char *c = buf; *c; c++)
                if (((unsigned char) *c < ' ' && *c != '\t') || *c == 0x7f || (!valid && (unsigned char) *c >= 0x80))
                        *c = '?';
        return buf;
}

/* What snprintf() returned, as the length written or -ENOBUFS/-EINVAL. */
static int written(int n, size_t size) {
        if (n < 0)
                return -EINVAL;
        return (size_t) n >= size ? -ENOBUFS : n;
}

int init_message_format(const InitMessage *m, char *buf, size_t size) {
        char text[INIT_TEXT_MAX + 1];
        const char *t = clean_text(m->text, text);
        int n;

        switch (m->type) {
        case INIT_MESSAGE_HELLO:
                n = snprintf(buf, size, "HELLO %u", m->version);
                break;
        case INIT_MESSAGE_MAIN:
                if (!init_state_to_string(m->state) || m->pid < 0)
                        return -EINVAL;
                n = snprintf(buf, size, "MAIN %d\nSTATE=%s\nNRESTARTS=%u\nSTATUS=%.*s", (int) m->pid,
                             init_state_to_string(m->state), m->n_restarts, (int) strlen(t), t);
                break;
        case INIT_MESSAGE_FAILED:
                n = snprintf(buf, size, "FAILED %d\n%.*s", m->error, (int) strlen(t), t);
                break;
        case INIT_MESSAGE_EXITED: {
                InitEndResult er = m->end_result != INIT_END_NONE ? m->end_result
                                   : m->start_limit_hit           ? INIT_END_START_LIMIT_HIT
                                                                  : INIT_END_NONE;

                if (!init_end_result_to_string(er))
                        return -EINVAL;
                n = snprintf(buf, size, "EXITED %s %d%s%s", exit_code_to_string(m->code), m->status,
                             er != INIT_END_NONE ? "\nRESULT=" : "", er != INIT_END_NONE ? init_end_result_to_string(er) : "");
                break;
        }
        case INIT_MESSAGE_RELOADED:
                n = m->error == 0 ? snprintf(buf, size, "RELOADED 0")
                                  : snprintf(buf, size, "RELOADED %d\n%.*s", m->error, (int) strlen(t), t);
                break;
        default:
                return -EINVAL;
        }
        return written(n, size);
}

int init_message_exited(int wait_status, InitMessage *ret) {
        if (WIFEXITED(wait_status))
                *ret = (InitMessage) { .type = INIT_MESSAGE_EXITED, .code = CLD_EXITED, .status = WEXITSTATUS(wait_status) };
        else if (WIFSIGNALED(wait_status))
                *ret = (InitMessage) { .type = INIT_MESSAGE_EXITED,
                                       .code = WCOREDUMP(wait_status) ? CLD_DUMPED : CLD_KILLED,
                                       .status = WTERMSIG(wait_status) };
        else
                return -EINVAL;
        return 0;
}

int init_exit_record_format(int wait_status, InitEndResult result, char *buf, size_t size) {
        InitMessage m;
        int n;

        if (init_message_exited(wait_status, &m) < 0 || !init_end_result_to_string(result))
                return -EINVAL;
        m.end_result = result;
        n = init_message_format(&m, buf, size);
        if (n < 0)
                return n;
        if ((size_t) n + 1 >= size)
                return -ENOBUFS;
        buf[n++] = '\n';
        buf[n] = 0;
        return n;
}

int init_exit_record_parse(const char *text, int *ret_code, int *ret_status, InitEndResult *ret_result) {
        char buf[64];
        size_t n = strlen(text);
        InitMessage m;

        if (n == 0)
                return -ENOENT;
        if (n >= sizeof(buf) || text[n - 1] != '\n')
                return -EBADMSG;
        memcpy(buf, text, n - 1);
        buf[n - 1] = 0;
        if (init_message_parse(buf, n - 1, &m) < 0 || m.type != INIT_MESSAGE_EXITED)
                return -EBADMSG;
        *ret_code = m.code;
        *ret_status = m.status;
        if (ret_result)
                *ret_result = m.end_result;
        return 0;
}

int daemon_request_parse(const char *buf, size_t size, DaemonRequest *ret) {
        DaemonRequest r = {};
        const char *arg;
        char copy[64];
        uint64_t v;

        if (strlen(buf) != size || size >= sizeof(copy))
                return -EBADMSG;
        memcpy(copy, buf, size + 1);
        arg = strchr(copy, ' ');
        if (arg)
                *(char *) arg++ = 0;
        r.type = (DaemonRequestType) table_lookup(daemon_request_type_table, _DAEMON_REQUEST_TYPE_MAX, copy);

        switch (r.type) {
        case DAEMON_REQUEST_STOP:
        case DAEMON_REQUEST_RELOAD:
        case DAEMON_REQUEST_RESTART:
                if (arg)
                        return -EBADMSG;
                break;
        case DAEMON_REQUEST_HELLO:
                if (!arg || parse_number(arg, 65535, &v) < 0)
                        return -EBADMSG;
                r.version = (unsigned) v;
                break;
        case DAEMON_REQUEST_KILL: {
                const char *sig;

                if (!arg || !(sig = strchr(arg, ' ')))
                        return -EBADMSG;
                if (strncmp(arg, "main ", 5) == 0)
                        r.kill_all = false;
                else if (strncmp(arg, "all ", 4) == 0)
                        r.kill_all = true;
                else
                        return -EBADMSG;
                if (parse_int(sig + 1, 1, _NSIG - 1, &r.signal) < 0)
                        return -EBADMSG;
                break;
        }
        default:
                return -EBADMSG;
        }
        *ret = r;
        return 0;
}

int daemon_request_format(const DaemonRequest *r, char *buf, size_t size) {
        int n;

        switch (r->type) {
        case DAEMON_REQUEST_HELLO:
                n = snprintf(buf, size, "HELLO %u", r->version);
                break;
        case DAEMON_REQUEST_STOP:
        case DAEMON_REQUEST_RELOAD:
        case DAEMON_REQUEST_RESTART:
                n = snprintf(buf, size, "%s", daemon_request_type_table[r->type]);
                break;
        case DAEMON_REQUEST_KILL:
                if (r->signal <= 0 || r->signal >= _NSIG)
                        return -EINVAL;
                n = snprintf(buf, size, "KILL %s %d", r->kill_all ? "all" : "main", r->signal);
                break;
        default:
                return -EINVAL;
        }
        return written(n, size);
}
