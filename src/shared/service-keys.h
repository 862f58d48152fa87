/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

/* The one table of the keys of a description file (service-keys.c), in the habit of systemd's
 * load-fragment-gperf.gperf: one row per section and key, naming its parser, what the parser
 * works on, and the policy isolated gives the key. description.c dispatches every assignment
 * through it; verify's notices, isolated.service(5)'s check and the fuzz dictionary are made
 * from it. A new key is one row here (and its parser, declared below). Pure: no logging.
 *
 * Adding a key: write its parser as KEY_PARSER(parse_foo) { ... } in the module whose data it
 * fills (description.c: s is the ParseState, s->description the Description, s->line the line;
 * sandbox-options.c: data is the SandboxOptions, s is NULL) and add its row to
 * service-keys-rows.h: HANDLED(S, "Foo", parse_foo, LTYPE, OFFSET), which declares it too. What used to be a dispatch line
 * "if (strcmp(key, "Foo") == 0) return parse_foo(s, value, ret_error);" becomes that row (and its
 * static function a KEY_PARSER); an
 * entry { "Foo", KEY_NOTICE } of the old policy array becomes NOTICE("Foo", "why"); a key that
 * was refused by default and is now handled replaces its REFUSED("Foo", ...) row. */

typedef enum KeySection {
        KEY_SECTION_UNIT,
        KEY_SECTION_SERVICE,
        KEY_SECTION_INSTALL,
        KEY_SECTION_ISOLATE,
        _KEY_SECTION_MAX,
        _KEY_SECTION_INVALID = -EINVAL,
} KeySection;

const char *key_section_to_string(KeySection s);
KeySection key_section_from_string(const char *s);

typedef enum KeyPolicy {
        KEY_HANDLED,         /* parsed: systemd's meaning, or a documented one never weaker */
        KEY_NOTICE,          /* accepted, ignored with a notice; the note says why that is never weaker */
        KEY_ALWAYS_ON,       /* a switch every isolated service has on anyway: a notice either way */
        KEY_REFUSED,         /* refused; the note says why */
        _KEY_POLICY_MAX,
        _KEY_POLICY_INVALID = -EINVAL,
} KeyPolicy;

const char *key_policy_to_string(KeyPolicy p);

/* The state of one parse (description.c); parsers of other modules get NULL or pass it on. */
typedef struct ParseState ParseState;

/* One assignment KEY=VALUE of the row's key. data is the row's field: the Description plus
 * the row's offset (sandbox-options.c's parsers get the SandboxOptions). An empty value resets
 * the key to its default. Returns 0, or -EINVAL with *ret_error (what is wrong, without
 * file:line), or -ENOMEM; a notice (without file:line) may be left in *ret_notice. */
typedef int (*KeyParser)(ParseState *s, const char *key, int ltype, void *data, const char *value,
                         char **ret_notice, char **ret_error);

/* A parser's specifier expansion (%n, %i, %S, ...) into *ret, as description.c's own parsers do;
 * with s NULL (sandbox_options_parse()) a plain copy. -EINVAL with *ret_error, or -ENOMEM. */
int parse_state_expand(ParseState *s, const char *value, char **ret, char **ret_error);

#define KEY_PARSER(name)                                                                            \
        int name(ParseState *s, const char *key, int ltype, void *data, const char *value, char **ret_notice, \
                 char **ret_error)

typedef struct ServiceKey {
        KeySection section;
        const char *key;
        KeyParser parse; /* NULL for KEY_NOTICE and KEY_REFUSED rows without one */
        int ltype;       /* the parser's variant (an enum of its module) */
        size_t offset;   /* of the parser's data in Description */
        KeyPolicy policy;
        const char *note; /* why a notice or a refusal: the text verify prints; NULL: the section's default */
} ServiceKey;

extern const ServiceKey service_keys[];
extern const size_t service_keys_count;

/* The row of KEY in SECTION, or NULL. */
const ServiceKey *service_key_lookup(KeySection section, const char *key);

/* What a key systemd knows in SECTION gets when it has no row of its own: [Unit] and
 * [Install] (ordering, dependencies, enablement) are ignored with a notice, [Service] is
 * refused (a new sandboxing or limit key must never be dropped silently), [Isolate] has no
 * systemd keys. */
KeyPolicy service_key_default_policy(KeySection section);
const char *service_key_default_note(KeySection section);

/* The note a row's notice or refusal gives: its own or its section's default. */
const char *service_key_note(const ServiceKey *k);

/* For the parsers: "Invalid KEY= value 'VALUE'" in *ret_error, -EINVAL. */
int key_value_invalid(char **ret_error, const char *key, const char *value);
/* For the parsers: a notice (without file:line) in *ret_notice, replacing one there; ret_notice
 * may be NULL. 0 or -ENOMEM. */
int key_notice(char **ret_notice, const char *fmt, ...) _printf_(2, 3);
