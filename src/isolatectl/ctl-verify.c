/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "description.h"
#include "log.h"

/* Parses each file as the daemon would, without asking it: errors and
 * notices name file:line. */
int verb_verify(sd_bus *bus, int argc, char **argv) {
        int ret = EXIT_OK;

        if (argc < 2)
                return log_error("Usage: isolatectl verify FILE..."), EXIT_FAIL;
        for (int k = 1; k < argc; k++) {
                _cleanup_free_ char *text = NULL, *error = NULL, *name = NULL;
                _cleanup_strv_free_ char **notices = NULL;
                _cleanup_(description_freep) Description *d = NULL;
                int r;

                r = service_name_from_file(argv[k], &name); /* PREFIX@.service as PREFIX@i */
                if (r < 0)
                        return log_oom(), EXIT_FAIL;
                r = read_text_file(argv[k], DESCRIPTION_SIZE_MAX, &text);
                if (r < 0) {
                        log_error_errno(r, "Failed to read %s: %m", argv[k]);
                        ret = EXIT_FAIL;
                        continue;
                }
                r = description_parse(name, argv[k], text, &d, &notices, &error);
                if (r >= 0) /* what this host's cgroups cannot enforce, as start refuses it */
                        r = cgroup_settings_check_host(&d->cgroup, cgroup_host_mode(), &error);
                if (!arg_quiet)
                        for (char **n = notices; n && *n; n++)
                                fprintf(stderr, "%s\n", *n);
                if (r >= 0 && !arg_quiet) {
                        /* A user its package makes when it is installed: the file is right, this host
                         * lacks the user, and a start says so. */
                        _cleanup_free_ char *missing = NULL;

                        if (sandbox_options_check_users(&d->sandbox, &missing) == -ESRCH)
                                fprintf(stderr, "%s: %s on this host: a start fails until it does.\n", argv[k],
                                        missing);
                }
                if (r < 0) {
                        fprintf(stderr, "%s\n", error ?: strerror(-r));
                        ret = EXIT_FAIL;
                }
        }
        return ret;
}
