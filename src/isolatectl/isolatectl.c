/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "bus-error.h"
#include "config.h"
#include "ctl.h"
#include "log.h"
#include "parse-util.h"

typedef enum VerbFlags {
        VERB_BUS = 1 << 0,   /* talks to the daemon */
        VERB_LOCAL = 1 << 1, /* reads local files or processes: refused under -H */
} VerbFlags;

/* ctl-learn.c */
extern const char *arg_learn_duration;
extern bool arg_learn_apply;
int verb_learn(sd_bus *bus, int argc, char **argv);

static const struct {
        const char *verb;
        int (*func)(sd_bus *bus, int argc, char **argv);
        VerbFlags flags;
} verbs[] = {
        { "start", verb_start, VERB_BUS },
        { "stop", verb_simple, VERB_BUS },
        { "restart", verb_simple, VERB_BUS },
        { "reload", verb_simple, VERB_BUS },
        { "reset-failed", verb_simple, VERB_BUS },
        { "kill", verb_kill, VERB_BUS },
        { "status", verb_status, VERB_BUS },
        { "show", verb_show, VERB_BUS },
        { "is-active", verb_is, VERB_BUS },
        { "is-failed", verb_is, VERB_BUS },
        { "list", verb_list, VERB_BUS },
        { "shell", verb_shell, VERB_BUS | VERB_LOCAL },
        { "logs", verb_logs, VERB_LOCAL },
        { "cat", verb_cat, VERB_LOCAL },
        { "verify", verb_verify, 0 },
        { "edit", verb_edit, VERB_LOCAL },
        { "enable", verb_enable, VERB_LOCAL },
        { "disable", verb_enable, VERB_LOCAL },
        { "is-enabled", verb_enable, 0 },
        { "security", verb_security, VERB_LOCAL },
        { "learn", verb_learn, VERB_BUS },
};

static void help(void) {
        printf("isolatectl [OPTIONS...] COMMAND ...\n\n"
               "Start and manage services isolated by isolated(8).\n\n"
               "Commands:\n"
               "  start NAME [FILE]       Start NAME (from FILE, or from the search path);\n"
               "                          with --wait, until it ends, exiting with its status\n"
               "  stop NAME...            Stop services; returns once they and their scopes are gone\n"
               "  restart NAME...         Stop, then start with the same description\n"
               "  reload NAME...          Run ExecReload=\n"
               "  kill NAME...            Send a signal (--signal=, --kill-whom=main|all)\n"
               "  status NAME...          Show state, PIDs, scope, limits, usage and recent log lines\n"
               "  show NAME...            Show properties (-p PROPERTY, --value)\n"
               "  is-active NAME...       Exit 0 if running\n"
               "  is-failed NAME...       Exit 0 if failed\n"
               "  reset-failed NAME...    Forget an ended service\n"
               "  list                    List services (--all, --output=json)\n"
               "  shell NAME [CMD...]     Run CMD, or a shell, inside the service, confined as it is\n"
               "  logs NAME               Show the service's journal (-f, -n N)\n"
               "  cat NAME                Show the description file and its drop-ins\n"
               "  verify FILE...          Parse description files and report errors\n"
               "  edit NAME               Edit a drop-in (or with --full the file), verified before it is saved\n"
               "  enable NAME...          Start at boot, through isolated@NAME.service (--now: also now)\n"
               "  disable NAME...         Do not start at boot (--now: also stop)\n"
               "  is-enabled NAME...      Whether isolated@NAME.service starts at boot\n"
               "  security NAME|FILE...   Show what the service can still do, and its exposure\n"
               "  learn NAME [FILE]       Run it once, print the drop-in it needs (--duration=, --apply)\n\n"
               "Options:\n"
               "  -h --help               Show this help\n"
               "     --version            Show the version\n"
               "  -H --host=[USER@]HOST   Operate on a remote host (over ssh)\n"
               "     --wait               start: wait until the service ends\n"
               "  -s --signal=SIGNAL      kill: the signal (default SIGTERM)\n"
               "     --kill-whom=WHOM     kill: main or all (default all)\n"
               "  -a --all                list: include services that exited cleanly\n"
               "  -o --output=FORMAT      list, status, show: table or json\n"
               "  -p --property=NAME      show: only this property (repeatable, or NAME,NAME)\n"
               "     --value              show: print values only\n"
               "  -n --lines=N            status, logs: journal lines to show\n"
               "  -f --follow             logs: keep showing new lines\n"
               "     --full               edit: the whole description file, not a drop-in\n"
               "     --runtime            edit, enable, disable: under /run, until the next boot\n"
               "     --now                enable, disable: also start or stop the service\n"
               "  -q --quiet              Print less\n"
               "     --no-legend          Leave out the column headers and the footer\n"
               "     --no-pager           Accepted as systemctl's; isolatectl never pages\n"
               "     --no-ask-password    Do not ask for authentication (polkit) on a terminal\n");
}

static int add_properties(const char *list) {
        _cleanup_free_ char *copy = strdup(list);
        char *saveptr = NULL;

        if (!copy)
                return -ENOMEM;
        for (char *p = strtok_r(copy, ",", &saveptr); p; p = strtok_r(NULL, ",", &saveptr))
                if (strv_extend(&arg_properties, p) < 0)
                        return -ENOMEM;
        return 0;
}

/* 0 to go on, else 1 + the exit code (help and --version exit 0). */
static int parse_argv(int argc, char *argv[]) {
        enum {
                ARG_VERSION = 0x100,
                ARG_KILL_WHOM,
                ARG_NO_PAGER,
                ARG_NO_ASK_PASSWORD,
                ARG_WAIT,
                ARG_DURATION,
                ARG_APPLY,
                ARG_VALUE,
                ARG_NO_LEGEND,
                ARG_FULL,
                ARG_RUNTIME,
                ARG_NOW,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "host", required_argument, NULL, 'H' },
                { "wait", no_argument, NULL, ARG_WAIT },
                { "duration", required_argument, NULL, ARG_DURATION },
                { "apply", no_argument, NULL, ARG_APPLY },
                { "signal", required_argument, NULL, 's' },
                { "kill-whom", required_argument, NULL, ARG_KILL_WHOM },
                { "all", no_argument, NULL, 'a' },
                { "output", required_argument, NULL, 'o' },
                { "property", required_argument, NULL, 'p' },
                { "value", no_argument, NULL, ARG_VALUE },
                { "lines", required_argument, NULL, 'n' },
                { "follow", no_argument, NULL, 'f' },
                { "quiet", no_argument, NULL, 'q' },
                { "no-pager", no_argument, NULL, ARG_NO_PAGER },
                { "no-ask-password", no_argument, NULL, ARG_NO_ASK_PASSWORD },
                { "no-legend", no_argument, NULL, ARG_NO_LEGEND },
                { "full", no_argument, NULL, ARG_FULL },
                { "runtime", no_argument, NULL, ARG_RUNTIME },
                { "now", no_argument, NULL, ARG_NOW },
                {},
        };
        uint64_t n;
        int c;

        /* "+": options end at the verb's first argument for shell, so that
         * "isolatectl shell NAME ls -l" passes -l on. Options before and
         * between the verb and NAME are still ours, see main(). */
        while ((c = getopt_long(argc, argv, "+hH:s:ao:p:n:fq", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 1 + EXIT_OK;
                case ARG_VERSION:
                        printf("isolatectl %s\n", PACKAGE_VERSION);
                        return 1 + EXIT_OK;
                case 'H':
                        arg_host = optarg;
                        break;
                case ARG_WAIT:
                        arg_wait = true;
                        break;
                case ARG_DURATION: /* learn */
                        arg_learn_duration = optarg;
                        break;
                case ARG_APPLY:
                        arg_learn_apply = true;
                        break;
                case 's':
                        arg_signal = optarg;
                        break;
                case ARG_KILL_WHOM:
                        if (strcmp(optarg, "main") != 0 && strcmp(optarg, "all") != 0)
                                return log_error("--kill-whom= takes main or all."), 1 + EXIT_FAIL;
                        arg_kill_whom = optarg;
                        break;
                case 'a':
                        arg_all = true;
                        break;
                case 'o':
                        if (strcmp(optarg, "table") != 0 && strcmp(optarg, "json") != 0)
                                return log_error("--output= takes table or json."), 1 + EXIT_FAIL;
                        arg_output = optarg;
                        break;
                case 'p':
                        if (add_properties(optarg) < 0)
                                return log_oom(), 1 + EXIT_FAIL;
                        break;
                case ARG_VALUE:
                        arg_value = true;
                        break;
                case 'n':
                        if (parse_uint64(optarg, &n) < 0 || n > 1000000)
                                return log_error("--lines= takes a number of lines, not '%s'.", optarg),
                                       1 + EXIT_FAIL;
                        arg_lines = (int) n;
                        break;
                case 'f':
                        arg_follow = true;
                        break;
                case 'q':
                        arg_quiet = true;
                        break;
                case ARG_NO_PAGER:
                        break;
                case ARG_NO_ASK_PASSWORD:
                        arg_ask_password = false;
                        break;
                case ARG_NO_LEGEND:
                        arg_legend = false;
                        break;
                case ARG_FULL:
                        arg_full = true;
                        break;
                case ARG_RUNTIME:
                        arg_runtime = true;
                        break;
                case ARG_NOW:
                        arg_now = true;
                        break;
                default:
                        return 1 + EXIT_FAIL;
                }
        return 0;
}

int main(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_strv_free_ char **args = NULL;
        int r;

        log_set_prefix(NULL);
        /* Options may come anywhere before the verb's free arguments, as with
         * systemctl: parse, take the non-option words, parse on. The
         * arguments of "shell NAME CMD..." after NAME are never ours. */
        optind = 1;
        for (;;) {
                r = parse_argv(argc, argv);
                if (r > 0)
                        return r - 1;
                if (optind >= argc)
                        break;
                if (strv_extend(&args, argv[optind]) < 0)
                        return log_oom(), EXIT_FAIL;
                optind++;
                if (strcmp(args[0], "shell") == 0 && strv_length(args) == 2) {
                        for (; optind < argc; optind++)
                                if (strv_extend(&args, argv[optind]) < 0)
                                        return log_oom(), EXIT_FAIL;
                        break;
                }
                /* Go on after the word just taken; 0 makes glibc's getopt start afresh. */
                argc -= optind - 1;
                argv += optind - 1;
                optind = 0;
        }
        if (strv_length(args) == 0) {
                help();
                return EXIT_FAIL;
        }
        if (arg_wait && strcmp(args[0], "start") != 0)
                return log_error("--wait is for start only."), EXIT_FAIL;

        (void) bus_error_register_map();
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                if (strcmp(args[0], verbs[i].verb) != 0)
                        continue;
                if (arg_host && (verbs[i].flags & VERB_LOCAL))
                        return refuse_remote(args[0]);
                if ((verbs[i].flags & VERB_BUS) && connect_bus(&bus) < 0)
                        return EXIT_FAIL;
                r = verbs[i].func(bus, (int) strv_length(args), args);
                polkit_agent_close();
                return r;
        }
        log_error("Unknown command '%s'; see isolatectl --help.", args[0]);
        return EXIT_FAIL;
}
