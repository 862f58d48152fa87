/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "polkit.h"

/* One question to polkit about one method call, asked once: the call is
 * dispatched again when the answer is in, and the handler then consumes it. */
typedef struct PolkitQuery {
        sd_bus_message *call;
        sd_bus_slot *slot;
        bool answered;
        int authorized;            /* 1 yes, 0 no, <0 polkit failed */
        char *error_message;       /* why polkit failed */
        struct PolkitQuery *next;
} PolkitQuery;

struct PolkitRegistry {
        PolkitQuery *queries;
};

static PolkitQuery *polkit_query_free(PolkitQuery *q) {
        if (!q)
                return NULL;
        sd_bus_slot_unref(q->slot);
        sd_bus_message_unref(q->call);
        free(q->error_message);
        return mfree(q);
}

PolkitRegistry *polkit_registry_free(PolkitRegistry *r) {
        if (!r)
                return NULL;
        while (r->queries) {
                PolkitQuery *q = r->queries;
                r->queries = q->next;
                polkit_query_free(q);
        }
        return mfree(r);
}

static void registry_unlink(PolkitRegistry *r, PolkitQuery *q) {
        for (PolkitQuery **p = &r->queries; *p; p = &(*p)->next)
                if (*p == q) {
                        *p = q->next;
                        return;
                }
}

static int on_polkit_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        PolkitQuery *q = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        int authorized = 0, challenge = 0, r;

        q->slot = sd_bus_slot_unref(q->slot);
        q->answered = true;
        if (e) {
                q->authorized = -EACCES;
                q->error_message = strdup(e->message ?: e->name);
        } else if (sd_bus_message_enter_container(reply, 'r', "bba{ss}") >= 0 &&
                   sd_bus_message_read(reply, "bb", &authorized, &challenge) >= 0)
                q->authorized = authorized ? 1 : 0;
        else
                q->authorized = -EBADMSG;

        /* Dispatch the call again, from the start: its handler finds the answer. */
        r = sd_bus_message_rewind(q->call, true);
        if (r >= 0)
                r = sd_bus_enqueue_for_read(sd_bus_message_get_bus(q->call), q->call);
        if (r < 0)
                log_error_errno(r, "Cannot dispatch a call again after polkit's answer: %m");
        return 0;
}

/* The last call asked about, by its sender and cookie (never a reference: a message holds the fds it
 * carries). One call is checked by polkit_check_authorization() and then, in the start path, asked
 * for its caller's UID again: on the system bus each question is a round trip to dbus-daemon. */
static struct {
        sd_bus *bus;
        uint64_t cookie;
        char *sender;
        uid_t euid;
} last_caller;

int bus_caller_euid(sd_bus_message *call, uid_t *ret) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        const char *sender = sd_bus_message_get_sender(call);
        uint64_t cookie = 0;
        uid_t euid;
        int r;

        (void) sd_bus_message_get_cookie(call, &cookie);
        if (sender && cookie != 0 && last_caller.bus == sd_bus_message_get_bus(call) && last_caller.cookie == cookie &&
            strcmp(last_caller.sender ?: "", sender ?: "") == 0) {
                *ret = last_caller.euid;
                return 0;
        }
        r = sd_bus_query_sender_creds(call, SD_BUS_CREDS_EUID, &creds);
        if (r >= 0)
                r = sd_bus_creds_get_euid(creds, &euid);
        if (r < 0)
                return r;
        /* Only calls with a sender: a bus's unique names are never given twice, a direct
         * connection's cookies start again with every connection. */
        bus_caller_cache_clear();
        if (sender && (last_caller.sender = strdup(sender))) {
                last_caller.bus = sd_bus_message_get_bus(call);
                last_caller.cookie = cookie;
                last_caller.euid = euid;
        }
        *ret = euid;
        return 0;
}

void bus_caller_cache_clear(void) {
        last_caller.sender = mfree(last_caller.sender);
        last_caller.bus = NULL;
        last_caller.cookie = 0;
}

static int sender_is_root(sd_bus_message *call, sd_bus_error *error) {
        uid_t euid;
        int r;

        r = bus_caller_euid(call, &euid);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot identify the caller: %m");
        return euid == 0;
}

static int ask_polkit(PolkitRegistry *registry, sd_bus_message *call, const char *action, const char *const *details) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        PolkitQuery *q;
        int r;

        r = sd_bus_message_new_method_call(sd_bus_message_get_bus(call), &m, "org.freedesktop.PolicyKit1",
                                           "/org/freedesktop/PolicyKit1/Authority",
                                           "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "(sa{sv})", "system-bus-name", 1, "name", "s", sd_bus_message_get_sender(call));
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", action);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'a', "{ss}");
        if (r < 0)
                return r;
        for (const char *const *d = details; d && d[0] && d[1]; d += 2) {
                r = sd_bus_message_append(m, "{ss}", d[0], d[1]);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        /* 1: AllowUserInteraction, when the caller said it may be asked. */
        r = sd_bus_message_append(m, "us", (uint32_t) !!sd_bus_message_get_allow_interactive_authorization(call), "");
        if (r < 0)
                return r;

        q = calloc(1, sizeof(PolkitQuery));
        if (!q)
                return -ENOMEM;
        q->call = sd_bus_message_ref(call);
        r = sd_bus_call_async(sd_bus_message_get_bus(call), &q->slot, m, on_polkit_reply, q, 0);
        if (r < 0) {
                polkit_query_free(q);
                return r;
        }
        q->next = registry->queries;
        registry->queries = q;
        return 0;
}

int polkit_check_authorization(PolkitRegistry **registry, sd_bus_message *call, const char *action,
                               const char *const *details, sd_bus_error *error) {
        PolkitQuery *q;
        int r;

        r = sender_is_root(call, error);
        if (r != 0)
                return r;

        if (!*registry) {
                *registry = calloc(1, sizeof(PolkitRegistry));
                if (!*registry)
                        return -ENOMEM;
        }
        for (q = (*registry)->queries; q; q = q->next)
                if (q->call == call)
                        break;
        if (!q) {
                r = ask_polkit(*registry, call, action, details);
                if (r < 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                                                 "Access denied: cannot ask polkit for %s (%s).", action, strerror(-r));
                return 0;
        }
        if (!q->answered)
                return 0; /* dispatched again before the answer: keep waiting */

        registry_unlink(*registry, q);
        _cleanup_free_ char *message = TAKE_PTR(q->error_message);
        int authorized = q->authorized;
        polkit_query_free(q);
        if (authorized > 0)
                return 1;
        if (authorized < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED,
                                         "Access denied: polkit could not be asked for %s (%s); only root may do this.",
                                         action, message ?: strerror(-authorized));
        return sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED, "Access denied: polkit did not authorize %s.",
                                 action);
}
