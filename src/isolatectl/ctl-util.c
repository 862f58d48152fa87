/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "log.h"

const char *arg_host;
const char *arg_output = "table";
const char *arg_signal = "SIGTERM";
const char *arg_kill_whom = "all";
int arg_lines = -1;
bool arg_quiet;
bool arg_all;
bool arg_wait;
bool arg_follow;
bool arg_value;
char **arg_properties;
bool arg_ask_password = true;
bool arg_legend = true;
bool arg_full;
bool arg_runtime;
bool arg_now;

int read_text_file(const char *path, size_t max, char **ret) {
        _cleanup_free_ char *text = NULL;
        size_t size;
        bool failed;
        FILE *f;

        f = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
        if (!f)
                return negative_errno();
        text = malloc(max + 1);
        if (!text) {
                if (f != stdin)
                        fclose(f);
                return -ENOMEM;
        }
        size = fread(text, 1, max + 1, f);
        failed = ferror(f);
        if (f != stdin)
                fclose(f);
        if (failed)
                return -EIO;
        if (size > max)
                return -E2BIG;
        text[size] = 0;
        *ret = TAKE_PTR(text);
        return 0;
}

void format_bytes(char *buf, size_t size, uint64_t v) {
        static const char suffix[] = "BKMGTPE";
        double d = (double) v;
        size_t i = 0;

        while (d >= 1024 && i < sizeof(suffix) - 2) {
                d /= 1024;
                i++;
        }
        if (i == 0)
                snprintf(buf, size, "%" PRIu64 "B", v);
        else
                snprintf(buf, size, "%.1f%c", d, suffix[i]);
}

void json_string(const char *s) {
        putchar('"');
        for (; *s; s++) {
                if (*s == '"' || *s == '\\')
                        printf("\\%c", *s);
                else if ((unsigned char) *s < 0x20)
                        printf("\\u%04x", *s);
                else
                        putchar(*s);
        }
        putchar('"');
}

/* How "start --wait" and "shell" exit: the status of what they waited for, as
 * a shell reports it. A service that ended as asked (Result=success: stopped,
 * or killed by a clean signal) is success, so that "systemctl stop" of a unit
 * whose ExecStart= is "isolatectl start --wait" leaves it inactive, not failed. */
int exit_status_to_code(const char *exit_code, int32_t exit_status, const char *result) {
        /* ExecCondition= skipped the start: no failure, as systemd's. */
        if (result && (strcmp(result, "success") == 0 || strcmp(result, "exec-condition") == 0))
                return EXIT_OK;
        if (exit_code && strcmp(exit_code, "exited") == 0)
                return exit_status == 0 && result && *result ? EXIT_FAIL : exit_status & 0xff;
        if (exit_code && (strcmp(exit_code, "killed") == 0 || strcmp(exit_code, "dumped") == 0))
                return 128 + (exit_status & 0x7f);
        return EXIT_FAIL;
}

int refuse_remote(const char *verb) {
        log_error("%s needs local access to the host; run it there (ssh %s isolatectl %s ...).", verb, arg_host,
                  verb);
        return EXIT_FAIL;
}
