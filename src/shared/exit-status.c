/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "description.h"
#include "exit-status.h"
#include "extract-word.h"
#include "parse-util.h"
#include "string-util.h"

int exit_status_set_parse(ExitStatusSet *set, const char *value, char **ret_word) {
        const char *p = value;
        ExitStatusSet n;
        int r;

        if (isempty(value)) {
                *set = (ExitStatusSet) {};
                return 0;
        }
        n = *set;
        for (;;) {
                _cleanup_free_ char *word = NULL;
                uint64_t v;
                int sig;

                r = extract_first_word(&p, &word, EXTRACT_UNQUOTE, NULL);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return -EINVAL;
                if (r == 0)
                        break;
                if (word[0] >= '0' && word[0] <= '9') {
                        if (parse_uint64(word, &v) < 0 || v > 255) {
                                if (ret_word)
                                        *ret_word = TAKE_PTR(word);
                                return -EINVAL;
                        }
                        n.status[v / 64] |= UINT64_C(1) << (v % 64);
                        continue;
                }
                sig = parse_signal(word);
                if (sig < 1 || sig > 64) {
                        if (ret_word)
                                *ret_word = TAKE_PTR(word);
                        return -EINVAL;
                }
                n.signal |= UINT64_C(1) << (sig - 1);
        }
        *set = n;
        return 0;
}

bool exit_status_set_is_empty(const ExitStatusSet *set) {
        return !set || (set->status[0] == 0 && set->status[1] == 0 && set->status[2] == 0 && set->status[3] == 0 &&
                        set->signal == 0);
}

bool exit_status_set_test(const ExitStatusSet *set, int code, int status) {
        if (!set)
                return false;
        if (code == CLD_EXITED)
                return status >= 0 && status <= 255 && (set->status[status / 64] & (UINT64_C(1) << (status % 64)));
        if (code == CLD_KILLED || code == CLD_DUMPED)
                return status >= 1 && status <= 64 && (set->signal & (UINT64_C(1) << (status - 1)));
        return false;
}

bool exit_is_clean(int code, int status, const ExitStatusSet *success) {
        if (code == CLD_EXITED)
                return status == 0 || exit_status_set_test(success, code, status);
        if (code == CLD_KILLED)
                return status == SIGHUP || status == SIGINT || status == SIGTERM || status == SIGPIPE ||
                       exit_status_set_test(success, code, status);
        return false;
}

ExitOutcome exit_outcome_of(int code, int status, const ExitStatusSet *success) {
        if (exit_is_clean(code, status, success))
                return EXIT_OUTCOME_SUCCESS;
        if (code == CLD_EXITED)
                return EXIT_OUTCOME_EXIT_CODE;
        return code == CLD_DUMPED ? EXIT_OUTCOME_CORE_DUMP : EXIT_OUTCOME_SIGNAL;
}

bool exit_restart_wanted(int restart, ExitOutcome outcome, int code, int status, const ExitStatusSet *prevent,
                         const ExitStatusSet *force) {
        if (code != 0 && exit_status_set_test(prevent, code, status))
                return false;
        if (code != 0 && exit_status_set_test(force, code, status))
                return true;
        switch (restart) {
        case SERVICE_RESTART_ALWAYS:
                return true;
        case SERVICE_RESTART_ON_SUCCESS:
                return outcome == EXIT_OUTCOME_SUCCESS;
        case SERVICE_RESTART_ON_FAILURE:
                return outcome != EXIT_OUTCOME_SUCCESS;
        case SERVICE_RESTART_ON_ABNORMAL:
                return outcome != EXIT_OUTCOME_SUCCESS && outcome != EXIT_OUTCOME_EXIT_CODE;
        case SERVICE_RESTART_ON_WATCHDOG:
                return outcome == EXIT_OUTCOME_WATCHDOG;
        case SERVICE_RESTART_ON_ABORT:
                return outcome == EXIT_OUTCOME_SIGNAL || outcome == EXIT_OUTCOME_CORE_DUMP;
        default:
                return false;
        }
}
