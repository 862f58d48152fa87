/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "description.h"
#include "macro.h"
#include "service-keys.h"
#include "string-util.h"

static const char *const key_section_table[_KEY_SECTION_MAX] = {
        [KEY_SECTION_UNIT] = "Unit",
        [KEY_SECTION_SERVICE] = "Service",
        [KEY_SECTION_INSTALL] = "Install",
        [KEY_SECTION_ISOLATE] = "Isolate",
};

const char *key_section_to_string(KeySection s) {
        return s >= 0 && s < _KEY_SECTION_MAX ? key_section_table[s] : NULL;
}

KeySection key_section_from_string(const char *s) {
        return table_lookup(key_section_table, _KEY_SECTION_MAX, s);
}

static const char *const key_policy_table[_KEY_POLICY_MAX] = {
        [KEY_HANDLED] = "handled",
        [KEY_NOTICE] = "notice",
        [KEY_ALWAYS_ON] = "always-on",
        [KEY_REFUSED] = "refused",
};

const char *key_policy_to_string(KeyPolicy p) {
        return p >= 0 && p < _KEY_POLICY_MAX ? key_policy_table[p] : NULL;
}

#define D(field) offsetof(Description, field)
#define SB D(sandbox)
#define U KEY_SECTION_UNIT
#define S KEY_SECTION_SERVICE
#define I KEY_SECTION_ISOLATE

/* The rows' shorthands, over ROW(section, key, parser, ltype, offset, policy, note) and
 * ROW_NO_PARSER(section, key, policy, note). */
#define HANDLED(sec, k, parser, lt, off) ROW(sec, k, parser, lt, off, KEY_HANDLED, NULL)
#define NOTICE(k, why) ROW_NO_PARSER(S, k, KEY_NOTICE, why)
#define NOTICE_PARSED(sec, k, parser, why) ROW(sec, k, parser, 0, 0, KEY_NOTICE, why)
#define REFUSED(k, why) ROW_NO_PARSER(S, k, KEY_REFUSED, why)
#define ALWAYS_ON(k) ROW(S, k, parse_always_on, 0, 0, KEY_ALWAYS_ON, "isolated applies it to every service")
#define LOOSEN(sec, k, l, parser) HANDLED(sec, k, parser, l, SB)
#define LIMIT(k, res) HANDLED(S, k, sandbox_parse_limit, res, SB)
#define CGROUP(k) HANDLED(S, k, parse_cgroup_setting, 0, D(cgroup))
#define PROCESS(k, parser) HANDLED(S, k, parser, 0, D(sandbox.process))

/* Notes shared by several rows. */
#define WHY_ACCOUNTING "accounting observes, it does not restrict"
#define WHY_LOGGING "the service's output goes to the journal as its stream"
#define WHY_TTY "an isolated service has no terminal"
#define WHY_LIFECYCLE "it changes when things run, not what they may do"
#define WHY_PROCESS "refusing to run the process with other scheduling or attributes than asked"
#define WHY_IMAGE "refusing to run the service on another tree than asked"
#define WHY_CREDENTIAL "credentials are not passed yet; the service gets less than asked"

/* First pass: each parser a row names, declared from the row. */
#define ROW(sec, k, parser, lt, off, pol, why) KEY_PARSER(parser);
#define ROW_NO_PARSER(sec, k, pol, why)
#include "service-keys-rows.h"
#undef ROW
#undef ROW_NO_PARSER

/* Second pass: the table. */
#define ROW(sec, k, parser, lt, off, pol, why) { sec, k, parser, lt, off, pol, why },
#define ROW_NO_PARSER(sec, k, pol, why) { sec, k, NULL, 0, 0, pol, why },
const ServiceKey service_keys[] = {
#include "service-keys-rows.h"
};
#undef ROW
#undef ROW_NO_PARSER

const size_t service_keys_count = ELEMENTSOF(service_keys);

const ServiceKey *service_key_lookup(KeySection section, const char *key) {
        if (!key)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(service_keys); i++)
                if (service_keys[i].section == section && strcmp(service_keys[i].key, key) == 0)
                        return &service_keys[i];
        return NULL;
}

KeyPolicy service_key_default_policy(KeySection section) {
        switch (section) {
        case KEY_SECTION_UNIT:
        case KEY_SECTION_INSTALL:
                return KEY_NOTICE;
        case KEY_SECTION_SERVICE:
                return KEY_REFUSED;
        default:
                return _KEY_POLICY_INVALID;
        }
}

const char *service_key_default_note(KeySection section) {
        switch (section) {
        case KEY_SECTION_UNIT:
                return "not used by isolated";
        case KEY_SECTION_INSTALL:
                return "isolated services are not enabled";
        case KEY_SECTION_SERVICE:
                return "refusing to run with a weaker sandbox than asked";
        default:
                return NULL;
        }
}

const char *service_key_note(const ServiceKey *k) {
        if (k->note)
                return k->note;
        if (k->policy == KEY_NOTICE)
                return "not supported by isolated yet";
        return service_key_default_note(k->section);
}

int key_value_invalid(char **ret_error, const char *key, const char *value) {
        return error_set(ret_error, -EINVAL, "Invalid %s= value '%s'", key, value);
}

int key_notice(char **ret_notice, const char *fmt, ...) {
        va_list ap;
        char *text;
        int k;

        if (!ret_notice)
                return 0;
        va_start(ap, fmt);
        k = vasprintf(&text, fmt, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        free(*ret_notice);
        *ret_notice = text;
        return 0;
}
