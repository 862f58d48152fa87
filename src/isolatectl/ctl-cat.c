/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "description-loader.h"
#include "log.h"

/* As "systemctl cat": each file that makes up the description, the main one
 * first, then the drop-ins in the order they apply, each under its path. */
int verb_cat(sd_bus *bus, int argc, char **argv) {
        int ret = EXIT_OK;

        if (argc < 2)
                return log_error("Usage: isolatectl cat NAME..."), EXIT_FAIL;
        for (int k = 1; k < argc; k++) {
                _cleanup_(description_sources_freep) DescriptionSources *sources = NULL;
                _cleanup_free_ char *error = NULL;
                int r;

                r = description_sources_load(argv[k], NULL, NULL, &sources, &error);
                if (r == -ENOENT && service_name_is_instance(argv[k])) {
                        log_error("%s; create /etc/isolated/%.*s@.service (the template) or /etc/isolated/%s.service.",
                                  error, (int) service_name_prefix_len(argv[k]), argv[k], argv[k]);
                        ret = EXIT_NO_SUCH;
                        continue;
                }
                if (r == -ENOENT) {
                        log_error("No description %s.service in /etc/isolated, /run/isolated or /usr/lib/isolated; "
                                  "create /etc/isolated/%s.service.", argv[k], argv[k]);
                        ret = EXIT_NO_SUCH;
                        continue;
                }
                if (r < 0) {
                        if (error)
                                log_error("%s", error);
                        else
                                log_error_errno(r, "Failed to load %s.service: %m", argv[k]);
                        if (ret == EXIT_OK)
                                ret = EXIT_FAIL;
                        continue;
                }
                for (size_t i = 0; i < sources->n; i++) {
                        const char *text = sources->items[i].text ?: "";
                        size_t len = strlen(text);

                        if (k > 1 || i > 0)
                                putchar('\n');
                        printf("# %s\n%s", sources->items[i].path, text);
                        if (len > 0 && text[len - 1] != '\n')
                                putchar('\n');
                }
        }
        return ret;
}
