/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctl.h"
#include "description-loader.h"
#include "log.h"

/* Runs systemctl with argv, as a child of ours with our stdio; its exit status, as systemctl's. */
static int run_systemctl(char **argv) {
        pid_t pid;
        int status;

        (void) fflush(stdout);
        (void) fflush(stderr);
        pid = fork();
        if (pid < 0)
                return log_error_errno(errno, "Failed to fork systemctl: %m"), EXIT_FAIL;
        if (pid == 0) {
                execvp("systemctl", argv);
                log_error_errno(errno, "Failed to run systemctl: %m");
                _exit(EXIT_FAIL);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return log_error_errno(errno, "Failed to wait for systemctl: %m"), EXIT_FAIL;
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return EXIT_FAIL;
}

/* Boot-time start is systemd's: isolated@NAME.service (units/isolated@.service.in, WantedBy=
 * multi-user.target) runs "isolatectl start --wait NAME". Enabling it is systemctl's own
 * work, so the symlink lands where systemctl puts it and "systemctl is-enabled" agrees. */
int verb_enable(sd_bus *bus, int argc, char **argv) {
        bool enable = strcmp(argv[0], "enable") == 0, is_enabled = strcmp(argv[0], "is-enabled") == 0;
        _cleanup_strv_free_ char **cmd = NULL;

        if (argc < 2)
                return log_error("Usage: isolatectl %s%s NAME...", argv[0], is_enabled ? "" : " [--now] [--runtime]"),
                       EXIT_FAIL;
        if (strv_extend(&cmd, "systemctl") < 0)
                return log_oom(), EXIT_FAIL;
        if (arg_host && (strv_extend(&cmd, "-H") < 0 || strv_extend(&cmd, arg_host) < 0))
                return log_oom(), EXIT_FAIL;
        if (arg_quiet && strv_extend(&cmd, "--quiet") < 0)
                return log_oom(), EXIT_FAIL;
        if (!arg_ask_password && strv_extend(&cmd, "--no-ask-password") < 0)
                return log_oom(), EXIT_FAIL;
        if (!is_enabled && arg_now && strv_extend(&cmd, "--now") < 0)
                return log_oom(), EXIT_FAIL;
        if (!is_enabled && arg_runtime && strv_extend(&cmd, "--runtime") < 0)
                return log_oom(), EXIT_FAIL;
        if (strv_extend(&cmd, argv[0]) < 0)
                return log_oom(), EXIT_FAIL;

        for (int k = 1; k < argc; k++) {
                _cleanup_free_ char *unit = NULL;

                if (service_name_is_template(argv[k]))
                        return log_error("%s is a template: enable an instance, %sINSTANCE.", argv[k], argv[k]),
                               EXIT_FAIL;
                if (!service_name_is_valid(argv[k]))
                        return log_error("Invalid service name '%s': " SERVICE_NAME_RULE ".",
                                         argv[k]),
                               EXIT_FAIL;
                if (enable) {
                        _cleanup_(description_sources_freep) DescriptionSources *sources = NULL;
                        _cleanup_free_ char *error = NULL;
                        int r = description_sources_load(argv[k], NULL, NULL, &sources, &error);

                        if (r == -ENOENT && service_name_is_instance(argv[k]))
                                return log_error("%s: nothing to start at boot.", error), EXIT_NO_SUCH;
                        if (r == -ENOENT)
                                return log_error("No description %s.service in /etc/isolated, /run/isolated or "
                                                 "/usr/lib/isolated: nothing to start at boot; create "
                                                 "/etc/isolated/%s.service first.",
                                                 argv[k], argv[k]),
                                       EXIT_NO_SUCH;
                        if (r == -ERFKILL)
                                return log_error("%s.service is masked: it cannot be enabled.", argv[k]), EXIT_FAIL;
                        if (r < 0)
                                return log_error("%s", error ?: strerror(-r)), EXIT_FAIL;
                }
                if (asprintf(&unit, "isolated@%s.service", argv[k]) < 0 || strv_extend(&cmd, unit) < 0)
                        return log_oom(), EXIT_FAIL;
        }
        return run_systemctl(cmd);
}
