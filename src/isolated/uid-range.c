/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "uid-range.h"

static bool bit_get(const uint8_t *bits, unsigned i) {
        return bits[i / 8] & (1u << (i % 8));
}

static void bit_set(uint8_t *bits, unsigned i, bool on) {
        if (on)
                bits[i / 8] |= (uint8_t) (1u << (i % 8));
        else
                bits[i / 8] &= (uint8_t) ~(1u << (i % 8));
}

void uid_range_pool_init(UidRangePool *p) {
        *p = (UidRangePool) {};
}

void uid_range_pool_reserve_id(UidRangePool *p, uint32_t id) {
        if (id < UID_RANGE_FIRST || id - UID_RANGE_FIRST >= UID_RANGE_SLOTS * UID_RANGE_SIZE)
                return;
        bit_set(p->reserved, (id - UID_RANGE_FIRST) / UID_RANGE_SIZE, true);
}

int uid_range_pool_reserve_file(UidRangePool *p, const char *path) {
        char line[4096];
        FILE *f;
        int r;

        f = fopen(path, "re");
        if (!f)
                return errno == ENOENT ? 0 : negative_errno();
        while (fgets(line, sizeof(line), f)) {
                /* NAME:PASSWORD:ID:... */
                char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL, *end;
                unsigned long id;

                if (!b)
                        continue;
                errno = 0;
                id = strtoul(b + 1, &end, 10);
                if (errno == 0 && end != b + 1 && *end == ':' && id <= UINT32_MAX)
                        uid_range_pool_reserve_id(p, (uint32_t) id);
        }
        r = ferror(f) ? -EIO : 0;
        fclose(f);
        return r;
}

bool uid_range_is_base(uid_t base) {
        return base >= UID_RANGE_FIRST && (base - UID_RANGE_FIRST) % UID_RANGE_SIZE == 0 &&
               (base - UID_RANGE_FIRST) / UID_RANGE_SIZE < UID_RANGE_SLOTS;
}

int uid_range_pool_allocate(UidRangePool *p, uid_t *ret_base) {
        assert(ret_base);

        for (unsigned n = 0; n < UID_RANGE_SLOTS; n++) {
                unsigned i = (p->next + n) % UID_RANGE_SLOTS;

                if (bit_get(p->used, i) || bit_get(p->reserved, i))
                        continue;
                bit_set(p->used, i, true);
                p->next = (i + 1) % UID_RANGE_SLOTS;
                *ret_base = (uid_t) (UID_RANGE_FIRST + i * UID_RANGE_SIZE);
                return 0;
        }
        return -EBUSY;
}

int uid_range_pool_claim(UidRangePool *p, uid_t base) {
        unsigned i;

        if (!uid_range_is_base(base))
                return -EINVAL;
        i = (base - UID_RANGE_FIRST) / UID_RANGE_SIZE;
        if (bit_get(p->used, i))
                return -EBUSY;
        bit_set(p->used, i, true);
        return 0;
}

void uid_range_pool_release(UidRangePool *p, uid_t base) {
        if (!uid_range_is_base(base))
                return;
        bit_set(p->used, (base - UID_RANGE_FIRST) / UID_RANGE_SIZE, false);
}
