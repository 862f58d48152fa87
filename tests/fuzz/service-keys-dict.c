/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Prints the fuzz dictionary of fuzz-description (libFuzzer's -dict= format) from the key
 * table, so that it never lags behind a new key: every section header, every key as "Key=",
 * and the prefixes and words the parsers treat specially. With --list, the table itself as
 * SECTION TAB KEY TAB POLICY TAB NOTE lines (what isolated.service(5)'s key list is made from). */
#include <stdio.h>
#include <string.h>

#include "service-keys.h"

static const char *const words[] = {
        "\\x0a", "=", " ", "\\\\\\x0a", "#", ";", "\\x22", "'", "%n", "%H", "%%", "%i", "-", "@", ":", "+", "!", "!!", "~",
        "yes", "no", "infinity", "strict", "full", "read-only", "tmpfs", "veth", "private", "X-",
        "AF_UNIX", "AF_INET", "AF_NETLINK", "CAP_SYS_ADMIN", "CAP_NET_BIND_SERVICE", "@system-service", "@mount",
};

int main(int argc, char **argv) {
        if (argc > 1 && strcmp(argv[1], "--list") == 0) {
                for (size_t i = 0; i < service_keys_count; i++) {
                        const ServiceKey *k = &service_keys[i];

                        printf("%s\t%s\t%s\t%s\n", key_section_to_string(k->section), k->key,
                               key_policy_to_string(k->policy), k->policy == KEY_HANDLED ? "" : service_key_note(k));
                }
                return 0;
        }

        for (KeySection s = 0; s < _KEY_SECTION_MAX; s++)
                printf("\"[%s]\"\n", key_section_to_string(s));
        for (size_t i = 0; i < service_keys_count; i++)
                printf("\"%s=\"\n", service_keys[i].key);
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
                printf("\"%s\"\n", words[i]);
        return 0;
}
