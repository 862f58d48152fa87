/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "bus-error.h"

const sd_bus_error_map isolated_bus_error_map[] = {
        SD_BUS_ERROR_MAP(BUS_ERROR_NO_SUCH_SERVICE, ENOENT),
        SD_BUS_ERROR_MAP(BUS_ERROR_ALREADY_RUNNING, EEXIST),
        SD_BUS_ERROR_MAP(BUS_ERROR_BAD_DESCRIPTION, EINVAL),
        SD_BUS_ERROR_MAP(BUS_ERROR_BAD_NAME, EINVAL),
        SD_BUS_ERROR_MAP(BUS_ERROR_START_FAILED, EIO),
        SD_BUS_ERROR_MAP(BUS_ERROR_SCOPE_FAILED, EIO),
        SD_BUS_ERROR_MAP(BUS_ERROR_NOT_RUNNING, ESRCH),
        SD_BUS_ERROR_MAP(BUS_ERROR_CONDITION_FAILED, ECANCELED),
        SD_BUS_ERROR_MAP(BUS_ERROR_ASSERT_FAILED, EIO),
        SD_BUS_ERROR_MAP_END,
};

int bus_error_register_map(void) {
        return sd_bus_error_add_map(isolated_bus_error_map);
}
