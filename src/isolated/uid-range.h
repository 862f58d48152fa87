/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Each service's user namespace maps its 65536 IDs (0..65535 inside: root and
 * the users of /etc/passwd as usual) onto a range of host IDs of its own. The
 * ranges are taken from the top of systemd's container range (UIDS-GIDS.md:
 * 524288..1879048191), away from the bases systemd-nspawn picks first, one
 * slot per service; a slot that holds a host user or group of /etc/passwd or
 * /etc/group is never handed out. A slot is free again once its service has no
 * process left (the daemon releases it when the scope is gone), and a freed
 * slot is handed out again only after every other free slot was: the allocator
 * goes round. Pure: no logging, no system state but what the caller gives. */

#define UID_RANGE_SIZE UINT32_C(65536)
#define UID_RANGE_FIRST UINT32_C(0x60000000) /* 1610612736 */
#define UID_RANGE_SLOTS 4095u                /* up to 0x6FFEFFFF, below the end of the container range */
#define UID_RANGE_NONE ((uid_t) -1)

typedef struct UidRangePool {
        uint8_t used[(UID_RANGE_SLOTS + 7) / 8];
        uint8_t reserved[(UID_RANGE_SLOTS + 7) / 8]; /* host users or groups: never given */
        unsigned next;                               /* where the search starts */
} UidRangePool;

void uid_range_pool_init(UidRangePool *p);

/* Marks the slot holding host ID id as never to be given out (a user or group of the host). */
void uid_range_pool_reserve_id(UidRangePool *p, uint32_t id);
/* Reads NAME:x:ID: lines (passwd and group alike) and reserves the slot of every ID in range.
 * -errno if the file cannot be read (a missing file is fine: 0). */
int uid_range_pool_reserve_file(UidRangePool *p, const char *path);

/* A free base (UID_RANGE_FIRST + k * UID_RANGE_SIZE), now in use; -EBUSY when none is left. */
int uid_range_pool_allocate(UidRangePool *p, uid_t *ret_base);
/* Takes base as in use (a re-adopted service's); -EINVAL if it is no base, -EBUSY if taken. */
int uid_range_pool_claim(UidRangePool *p, uid_t base);
void uid_range_pool_release(UidRangePool *p, uid_t base);
bool uid_range_is_base(uid_t base);
