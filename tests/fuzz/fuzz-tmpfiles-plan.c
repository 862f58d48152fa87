/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tmpfiles-plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The init's reading of the daemon's plan (tmpfiles_plan_next()): every entry it accepts is one the
 * writer would write, so what the init replays stays within the grammar. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static TmpfilesPlanEntry e;
        TmpfilesPlanWriter w = {};
        TmpfilesPlanReader r;
        int k;

        if (size > TMPFILES_PLAN_SIZE_MAX || tmpfiles_plan_reader_init(&r, (const char *) data, size) < 0)
                return 0;
        if (tmpfiles_plan_write_header(&w, r.status, r.messages, r.messages_size) < 0)
                abort();
        while ((k = tmpfiles_plan_next(&r, &e)) > 0) {
                if (strlen(e.path) == 0 || e.path[0] == '/' || strstr(e.path, "//"))
                        abort();
                if (tmpfiles_plan_write_entry(&w, e.type, e.mode, e.uid, e.gid, e.path, e.data, e.data_size) < 0)
                        abort();
        }
        /* All of it valid: the writer gives back the same bytes. */
        if (k == 0 && (w.size != size || memcmp(w.buf, data, size) != 0))
                abort();
        tmpfiles_plan_writer_done(&w);
        return 0;
}
