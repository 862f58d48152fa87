/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "macro.h"

/* One command line of ExecStart= and its kin, as systemd.service(5) reads it. */
typedef struct ExecCommand {
        char *path;           /* the executable: absolute, or a bare name looked up in PATH by the init */
        char **argv;          /* argv[0] included; NULL-terminated */
        bool ignore_failure;  /* "-" prefix */
        bool argv0_given;     /* "@" prefix: argv[0] is the second word */
        bool no_env_expand;   /* ":" prefix: no $VAR expansion */
        bool no_setuid;       /* "!" prefix: User=, Group=, SupplementaryGroups= are not applied (the
                               * rest of the sandbox is) */
        bool ambient_magic;   /* "!!" prefix: as "!" only without ambient capabilities, which every
                               * kernel isolated runs on has: no effect, the command runs as User= */
        bool privileged;      /* "+" prefix: run by the daemon on the host, with full privileges, in
                               * the service's scope, outside the sandbox */
} ExecCommand;

ExecCommand *exec_command_free(ExecCommand *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(ExecCommand *, exec_command_free);

/* Split one command line: prefixes (-, @, :, +, ! or !!, in any order, as systemd 252 reads them:
 * "+" excludes "!" and "!!"), words separated by
 * whitespace, "..." and '...' quoting, C escapes (\n \t \\ \" \' \x41 \101 \u..),
 * a word starting with quotes ending at its closing quote. An unknown escape is
 * kept verbatim and *ret_notice (if not NULL) gets a text describing it.
 * Returns -EINVAL with *ret_error set ("unbalanced quotes", "empty command line", ...). */
int exec_command_parse(const char *line, ExecCommand **ret, char **ret_notice, char **ret_error);

/* Expands the environment in c->argv at exec time, as systemd does: a word
 * that is exactly "$VAR" becomes the value split at whitespace (quotes in it
 * group), or disappears if VAR is unset; "${VAR}" anywhere in a word becomes
 * the value as is (empty if unset); "$$" becomes "$". With c->no_env_expand
 * (":" prefix) argv is copied unchanged. env is KEY=VALUE strings, the last
 * match wins. */
int exec_command_expand(const ExecCommand *c, char *const *env, char ***ret_argv);
