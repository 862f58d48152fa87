/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <sys/socket.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "description.h"
#include "string-util.h"
#include "strv.h"

static char *joined;

static const char *join(char **l) {
        size_t n = 1;

        joined = mfree(joined);
        for (char **i = l; i && *i; i++)
                n += strlen(*i) + 1;
        joined = calloc(1, n);
        ck_assert_ptr_nonnull(joined);
        for (char **i = l; i && *i; i++) {
                if (i != l)
                        strcat(joined, "|");
                strcat(joined, *i);
        }
        return joined;
}

/* Parses text as demo.service and expects success. */
static Description *ok(const char *text, char ***notices) {
        _cleanup_free_ char *error = NULL;
        Description *d = NULL;

        ck_assert_msg(description_parse("demo", "demo.service", text, &d, notices, &error) == 0, "failed: %s", error);
        ck_assert_ptr_null(error);
        ck_assert_ptr_nonnull(d);
        return d;
}

/* Parses text as demo.service, expects failure with -EINVAL and returns the error text. */
static const char *fails(const char *text) {
        _cleanup_strv_free_ char **notices = NULL;
        Description *d = (Description *) 0x1;
        char *error = NULL;

        ck_assert_int_eq(description_parse("demo", "demo.service", text, &d, &notices, &error), -EINVAL);
        ck_assert_ptr_eq(d, (Description *) 0x1);
        ck_assert_ptr_null(notices); /* only written on success */
        ck_assert_ptr_nonnull(error);
        ck_assert_ptr_null(strchr(error, '\n'));
        joined = mfree(joined);
        joined = error;
        return joined;
}

#define SERVICE "[Service]\nExecStart=/bin/true\n"

START_TEST(test_minimal_defaults) {
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_strv_free_ char **notices = NULL;

        d = ok(SERVICE, &notices);
        ck_assert_ptr_null(notices);
        ck_assert_str_eq(d->name, "demo");
        ck_assert_ptr_null(d->description);
        ck_assert_int_eq(d->type, SERVICE_SIMPLE);
        ck_assert_str_eq(d->exec_start->path, "/bin/true");
        ck_assert_ptr_null(d->environment);
        ck_assert_ptr_null(d->syslog_identifier);
        ck_assert_ptr_null(d->working_directory);
        ck_assert_int_eq(d->kill_signal, SIGTERM);
        ck_assert_uint_eq(d->timeout_stop_usec, 90 * USEC_PER_SEC);
        ck_assert_str_eq(d->slice, "isolated.slice");
        ck_assert(!d->memory_max_set && !d->cpu_quota_set);
        ck_assert(d->tasks_max_set); /* isolated's default, for the scope */
        ck_assert_uint_eq(d->tasks_max, DEFAULT_TASKS_MAX);
        ck_assert_uint_eq(d->tasks_max, 4096);
        ck_assert_ptr_null(d->hostname);
        ck_assert_str_eq(description_hostname(d), "demo");
        ck_assert_str_eq(description_syslog_identifier(d), "demo");
}
END_TEST

START_TEST(test_all_keys) {
        _cleanup_(description_freep) Description *d = NULL;

        d = ok("[Unit]\n"
               "Description=A demo service\n"
               "[Service]\n"
               "Type=exec\n"
               "ExecStart=-/usr/bin/env \"a b\" ${X}\n"
               "Environment=\"A=1 2\" B=3\n"
               "SyslogIdentifier=demo-log\n"
               "WorkingDirectory=//srv/./demo/\n"
               "KillSignal=SIGINT\n"
               "TimeoutStopSec=1min 30s\n"
               "Slice=isolated-web.slice\n"
               "MemoryMax=1.5G\n"
               "TasksMax=64\n"
               "CPUQuota=20%\n"
               "[Isolate]\n"
               "Hostname=web-1.example\n",
               NULL);
        ck_assert_str_eq(d->description, "A demo service");
        ck_assert_int_eq(d->type, SERVICE_EXEC);
        ck_assert(d->exec_start->ignore_failure);
        ck_assert_str_eq(join(d->exec_start->argv), "/usr/bin/env|a b|${X}");
        ck_assert_str_eq(join(d->environment), "A=1 2|B=3");
        ck_assert_str_eq(description_syslog_identifier(d), "demo-log");
        ck_assert_str_eq(d->working_directory, "/srv/demo");
        ck_assert_int_eq(d->kill_signal, SIGINT);
        ck_assert_uint_eq(d->timeout_stop_usec, 90 * USEC_PER_SEC);
        ck_assert_str_eq(d->slice, "isolated-web.slice");
        ck_assert(d->memory_max_set);
        ck_assert_uint_eq(d->memory_max, 1610612736ULL);
        ck_assert(d->tasks_max_set);
        ck_assert_uint_eq(d->tasks_max, 64);
        ck_assert(d->cpu_quota_set);
        ck_assert_uint_eq(d->cpu_quota_per_sec_usec, 200000);
        ck_assert_str_eq(description_hostname(d), "web-1.example");
}
END_TEST

START_TEST(test_values) {
        _cleanup_(description_freep) Description *d = NULL;

        d = ok(SERVICE "MemoryMax=infinity\nTasksMax=infinity\nTimeoutStopSec=0\nKillSignal=9\n", NULL);
        ck_assert(d->memory_max_set && d->tasks_max_set);
        ck_assert_uint_eq(d->memory_max, CGROUP_LIMIT_MAX);
        ck_assert_uint_eq(d->tasks_max, CGROUP_LIMIT_MAX);
        ck_assert_uint_eq(d->timeout_stop_usec, USEC_INFINITY);
        ck_assert_int_eq(d->kill_signal, SIGKILL);
        d = description_free(d);

        d = ok(SERVICE "TimeoutSec=5s\nKillSignal=SIGRTMIN+2\nMemoryMax=10%\n", NULL);
        ck_assert_uint_eq(d->timeout_stop_usec, 5 * USEC_PER_SEC);
        ck_assert_int_eq(d->kill_signal, SIGRTMIN + 2);
        ck_assert(d->memory_max > 0 && d->memory_max < CGROUP_LIMIT_MAX);
        d = description_free(d);

        /* Later assignments win; empty ones reset to the default. */
        d = ok(SERVICE "MemoryMax=1G\nMemoryMax=2G\nTasksMax=5\nTasksMax=\nCPUQuota=50%\nCPUQuota=\n"
               "Slice=a.slice\nSlice=\n[Isolate]\nHostname=h1\nHostname=\n[Unit]\nDescription=x\nDescription=\n"
               "[Service]\nKillSignal=HUP\nKillSignal=\nTimeoutStopSec=3\nTimeoutStopSec=\nWorkingDirectory=/a\nWorkingDirectory=\n",
               NULL);
        ck_assert(d->memory_max_set);
        ck_assert_uint_eq(d->memory_max, 2ULL << 30);
        ck_assert(!d->cpu_quota_set);
        ck_assert(d->tasks_max_set && d->tasks_max == DEFAULT_TASKS_MAX);
        ck_assert_str_eq(d->slice, "isolated.slice");
        ck_assert_ptr_null(d->hostname);
        ck_assert_ptr_null(d->description);
        ck_assert_int_eq(d->kill_signal, SIGTERM);
        ck_assert_uint_eq(d->timeout_stop_usec, DEFAULT_TIMEOUT_STOP_USEC);
        ck_assert_ptr_null(d->working_directory);
}
END_TEST

START_TEST(test_exec_start) {
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_strv_free_ char **notices = NULL;

        /* Empty assignment resets, then a new one is allowed. */
        d = ok("[Service]\nExecStart=/bin/a\nExecStart=\nExecStart=/bin/b x\n", NULL);
        ck_assert_str_eq(join(d->exec_start->argv), "/bin/b|x");
        d = description_free(d);

        /* Continuation lines with a comment in between. */
        d = ok("[Service]\nExecStart=/bin/echo one \\\n# a comment\n   two \\\n three\n", NULL);
        ck_assert_str_eq(join(d->exec_start->argv), "/bin/echo|one|two|three");
        d = description_free(d);

        /* Unknown escape: a notice with file:line. */
        d = ok("[Service]\n\nExecStart=/bin/grep \\d\n", &notices);
        ck_assert_str_eq(join(d->exec_start->argv), "/bin/grep|\\d");
        ck_assert_str_eq(join(notices),
                         "demo.service:3: ExecStart=: Unknown escape sequences in command line kept verbatim: /bin/grep \\d");

        ck_assert_str_eq(fails("[Service]\nExecStart=/bin/a\nExecStart=/bin/b\n"),
                         "demo.service:3: ExecStart= is already set (line 2); only Type=oneshot allows several "
                         "commands (an empty ExecStart= resets the list)");
        ck_assert_str_eq(fails("[Service]\nExecStart=/bin/echo \"x\n"),
                         "demo.service:2: Invalid ExecStart= value: Unbalanced quotes or trailing backslash in command line: /bin/echo \"x");
        ck_assert_str_eq(fails("[Service]\nExecStart=./run\n"),
                         "demo.service:2: Invalid ExecStart= value: Executable path './run' is neither an absolute path nor a plain file name");
}
END_TEST

START_TEST(test_missing_exec_start) {
        ck_assert_str_eq(fails(""), "demo.service: ExecStart= is required");
        ck_assert_str_eq(fails("[Unit]\nDescription=x\n"), "demo.service: ExecStart= is required");
        ck_assert_str_eq(fails("[Service]\nExecStart=/bin/true\nExecStart=\n"), "demo.service: ExecStart= is required");
}
END_TEST

START_TEST(test_environment) {
        _cleanup_(description_freep) Description *d = NULL;

        d = ok(SERVICE "Environment=\"A=1 2\" B=3\nEnvironment='C=x y' D=\"q\\\"uote\"\n", NULL);
        ck_assert_str_eq(join(d->environment), "A=1 2|B=3|C=x y|D=q\"uote");
        d = description_free(d);

        /* An empty assignment resets the list. */
        d = ok(SERVICE "Environment=A=1\nEnvironment=\nEnvironment=B=2\n", NULL);
        ck_assert_str_eq(join(d->environment), "B=2");
        d = description_free(d);

        d = ok(SERVICE "Environment=A=1\nEnvironment=\n", NULL);
        ck_assert_ptr_null(d->environment);
        d = description_free(d);

        /* A later assignment of a name replaces it in place. */
        d = ok(SERVICE "Environment=A=1 B=2\nEnvironment=A=3 AB=4 C=\n", NULL);
        ck_assert_str_eq(join(d->environment), "A=3|B=2|AB=4|C=");
        d = description_free(d);

        /* Escapes are decoded. */
        d = ok(SERVICE "Environment=\"NL=a\\nb\" X=\\x41\n", NULL);
        ck_assert_str_eq(join(d->environment), "NL=a\nb|X=A");

        ck_assert_str_eq(fails(SERVICE "Environment=NOEQUALS\n"),
                         "demo.service:3: Invalid environment assignment 'NOEQUALS' in Environment=");
        ck_assert_str_eq(fails(SERVICE "Environment=1A=x\n"),
                         "demo.service:3: Invalid environment assignment '1A=x' in Environment=");
        ck_assert_str_eq(fails(SERVICE "Environment==x\n"),
                         "demo.service:3: Invalid environment assignment '=x' in Environment=");
        ck_assert_str_eq(fails(SERVICE "Environment=\"A=1\n"), "demo.service:3: Invalid Environment= value '\"A=1'");
        ck_assert_str_eq(fails(SERVICE "Environment=A=\\q\n"), "demo.service:3: Invalid Environment= value 'A=\\q'");
}
END_TEST

START_TEST(test_unset_environment) {
        _cleanup_(description_freep) Description *d = NULL;

        /* Names and exact assignments, quoted as Environment= is, specifiers resolved; in order. */
        d = ok(SERVICE "UnsetEnvironment=A \"B=1 2\"\nUnsetEnvironment=NAME_%N=x C=\n", NULL);
        ck_assert_str_eq(join(d->unset_environment), "A|B=1 2|NAME_demo=x|C=");
        d = description_free(d);

        /* An empty assignment resets the list. */
        d = ok(SERVICE "UnsetEnvironment=A\nUnsetEnvironment=\nUnsetEnvironment=B\n", NULL);
        ck_assert_str_eq(join(d->unset_environment), "B");
        d = description_free(d);

        ck_assert_str_eq(fails(SERVICE "UnsetEnvironment=1A\n"),
                         "demo.service:3: Invalid environment name or assignment '1A' in UnsetEnvironment=");
        ck_assert_str_eq(fails(SERVICE "UnsetEnvironment=A =x\n"),
                         "demo.service:3: Invalid environment name or assignment '=x' in UnsetEnvironment=");
        ck_assert_str_eq(fails(SERVICE "UnsetEnvironment=\"A\n"),
                         "demo.service:3: Invalid UnsetEnvironment= value '\"A'");
}
END_TEST

START_TEST(test_bad_values) {
        ck_assert_str_eq(fails(SERVICE "MemoryMax=xyz\n"), "demo.service:3: Invalid MemoryMax= value 'xyz'");
        ck_assert_str_eq(fails(SERVICE "MemoryMax=0\n"), "demo.service:3: Invalid MemoryMax= value '0'");
        ck_assert_str_eq(fails(SERVICE "TasksMax=0\n"), "demo.service:3: Invalid TasksMax= value '0'");
        ck_assert_str_eq(fails(SERVICE "TasksMax=lots\n"), "demo.service:3: Invalid TasksMax= value 'lots'");
        ck_assert_str_eq(fails(SERVICE "CPUQuota=20\n"), "demo.service:3: Invalid CPUQuota= value '20'");
        ck_assert_str_eq(fails(SERVICE "CPUQuota=0%\n"), "demo.service:3: Invalid CPUQuota= value '0%'");
        ck_assert_str_eq(fails(SERVICE "KillSignal=SIGNOPE\n"), "demo.service:3: Invalid KillSignal= value 'SIGNOPE'");
        ck_assert_str_eq(fails(SERVICE "TimeoutStopSec=soon\n"), "demo.service:3: Invalid TimeoutStopSec= value 'soon'");
        ck_assert_str_eq(fails(SERVICE "Slice=foo\n"), "demo.service:3: Invalid Slice= value 'foo'");
        ck_assert_str_eq(fails(SERVICE "Slice=-.slice\n"), "demo.service:3: Invalid Slice= value '-.slice'");
        ck_assert_str_eq(fails(SERVICE "Slice=a--b.slice\n"), "demo.service:3: Invalid Slice= value 'a--b.slice'");
        ck_assert_str_eq(fails(SERVICE "Slice=a-.slice\n"), "demo.service:3: Invalid Slice= value 'a-.slice'");
        ck_assert_str_eq(fails(SERVICE "Slice=a b.slice\n"), "demo.service:3: Invalid Slice= value 'a b.slice'");
        ck_assert_str_eq(fails(SERVICE "Slice=x@y.slice\n"), "demo.service:3: Invalid Slice= value 'x@y.slice'");
        ck_assert_str_eq(fails(SERVICE "Type=sometimes\n"), "demo.service:3: Invalid Type= value 'sometimes'");
        ck_assert_str_eq(fails(SERVICE "WorkingDirectory=srv\n"),
                         "demo.service:3: Invalid WorkingDirectory= value 'srv': not a normalized absolute path");
        ck_assert_str_eq(fails(SERVICE "WorkingDirectory=/srv/../etc\n"),
                         "demo.service:3: Invalid WorkingDirectory= value '/srv/../etc': not a normalized absolute path");
        ck_assert_str_eq(fails(SERVICE "WorkingDirectory=~\n"),
                         "demo.service:3: WorkingDirectory=~: the '~' form is not supported yet");
        ck_assert_str_eq(fails(SERVICE "[Isolate]\nHostname=bad_name\n"), "demo.service:4: Invalid Hostname= value 'bad_name'");
        ck_assert_str_eq(fails(SERVICE "[Isolate]\nHostname=a..b\n"), "demo.service:4: Invalid Hostname= value 'a..b'");
        ck_assert_str_eq(fails(SERVICE "[Isolate]\nHostname=.a\n"), "demo.service:4: Invalid Hostname= value '.a'");
        ck_assert_str_eq(fails(SERVICE "[Isolate]\nHostname=a.\n"), "demo.service:4: Invalid Hostname= value 'a.'");
        ck_assert_str_eq(fails(SERVICE "[Isolate]\nHostname="
                               "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"),
                         "demo.service:4: Invalid Hostname= value "
                         "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'");
}
END_TEST

START_TEST(test_hostname_limit) {
        _cleanup_(description_freep) Description *d = NULL;

        /* 64 characters is the most. */
        d = ok(SERVICE "[Isolate]\nHostname=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", NULL);
        ck_assert_uint_eq(strlen(description_hostname(d)), 64);
}
END_TEST

START_TEST(test_types) {
        _cleanup_(description_freep) Description *d = NULL;

        d = ok(SERVICE "Type=simple\n", NULL);
        ck_assert_int_eq(d->type, SERVICE_SIMPLE);
        d = description_free(d);
        d = ok(SERVICE "Type=forking\nPIDFile=/run/./x.pid\n", NULL);
        ck_assert_int_eq(d->type, SERVICE_FORKING);
        ck_assert_str_eq(d->pid_file, "/run/x.pid");
        ck_assert_int_eq(description_notify_access(d), NOTIFY_ACCESS_NONE);
        d = description_free(d);
        d = ok(SERVICE "Type=notify\n", NULL);
        ck_assert_int_eq(d->type, SERVICE_NOTIFY);
        ck_assert_int_eq(description_notify_access(d), NOTIFY_ACCESS_MAIN);
        ck_assert_str_eq(fails(SERVICE "PIDFile=run/x.pid\n"), "demo.service:3: Invalid PIDFile= value 'run/x.pid': not an absolute path");
        ck_assert_str_eq(fails(SERVICE "Type=notify-reload\n"), "demo.service:3: Type=notify-reload is not supported yet");
        d = description_free(d);

        /* Type=oneshot: several ExecStart=, no start timeout unless given, RemainAfterExit=. */
        d = ok("[Service]\nExecStart=/bin/a 1\nType=oneshot\nExecStart=-/bin/b\nExecStart=/bin/c\n", NULL);
        ck_assert_int_eq(d->type, SERVICE_ONESHOT);
        ck_assert_str_eq(d->exec_start->path, "/bin/a");
        ck_assert_str_eq(d->exec_start_more[0]->path, "/bin/b");
        ck_assert(d->exec_start_more[0]->ignore_failure);
        ck_assert_str_eq(d->exec_start_more[1]->path, "/bin/c");
        ck_assert_ptr_null(d->exec_start_more[2]);
        ck_assert(d->timeout_start_usec == USEC_INFINITY);
        ck_assert(!d->remain_after_exit);
        d = description_free(d);
        d = ok("[Service]\nExecStart=/bin/a\nExecStart=/bin/b\nExecStart=\nExecStart=/bin/c\nType=oneshot\n"
               "RemainAfterExit=yes\nTimeoutStartSec=7\n", NULL);
        ck_assert_str_eq(d->exec_start->path, "/bin/c");
        ck_assert_ptr_null(d->exec_start_more);
        ck_assert(d->remain_after_exit);
        ck_assert(d->timeout_start_usec == 7 * USEC_PER_SEC);
        d = description_free(d);
        d = ok("[Service]\nExecStart=/bin/a\nType=oneshot\nTimeoutSec=3\n", NULL);
        ck_assert(d->timeout_start_usec == 3 * USEC_PER_SEC);
        d = description_free(d);
        d = ok(SERVICE "Type=simple\n", NULL);
        ck_assert(d->timeout_start_usec == DEFAULT_TIMEOUT_START_USEC);
        d = description_free(d);
        ck_assert_str_eq(fails("[Service]\nType=simple\nExecStart=/bin/a\nExecStart=/bin/b\n"),
                         "demo.service:4: ExecStart= is already set (line 3); only Type=oneshot allows several "
                         "commands (an empty ExecStart= resets the list)");
        ck_assert_str_eq(fails(SERVICE "Type=oneshot\nRestart=always\n"),
                         "demo.service: Restart=always is not allowed for Type=oneshot services (as in systemd)");
        ck_assert_str_eq(fails(SERVICE "RemainAfterExit=maybe\n"),
                         "demo.service:3: Invalid RemainAfterExit= value 'maybe'");
        d = ok(SERVICE "Type=oneshot\nRestart=on-failure\n", NULL);
        d = description_free(d);

        /* Type=dbus needs BusName=, as in systemd 252; Type=idle is simple. */
        ck_assert_str_eq(fails(SERVICE "Type=dbus\n"), "demo.service: Type=dbus needs BusName= (as in systemd)");
        d = ok(SERVICE "Type=dbus\nBusName=org.example.Demo1\n", NULL);
        ck_assert_int_eq(d->type, SERVICE_DBUS);
        ck_assert_str_eq(d->bus_name, "org.example.Demo1");
        d = description_free(d);
        ck_assert_str_eq(fails(SERVICE "BusName=org..x\n"), "demo.service:3: Invalid BusName= value 'org..x'");
        ck_assert_str_eq(fails(SERVICE "BusName=:1.5\n"), "demo.service:3: Invalid BusName= value ':1.5'");
        ck_assert_str_eq(fails(SERVICE "BusName=single\n"), "demo.service:3: Invalid BusName= value 'single'");
        ck_assert_str_eq(fails(SERVICE "BusName=org.9x\n"), "demo.service:3: Invalid BusName= value 'org.9x'");
        d = ok(SERVICE "Type=idle\n", NULL);
        ck_assert_int_eq(d->type, SERVICE_IDLE);
        d = description_free(d);

        /* "+" is for the commands around the main process, never the main process itself. */
        ck_assert_str_eq(fails("[Service]\nExecStart=+/bin/true\n"),
                         "demo.service:2: Invalid ExecStart= value: the main process runs inside the sandbox; the '+' "
                         "prefix is for ExecCondition=, ExecStartPre=, ExecStartPost=, ExecReload=, ExecStop= and "
                         "ExecStopPost=");
        d = ok("[Service]\nExecStart=/bin/true\nExecCondition=+/bin/true\nExecStopPost=+/bin/true\n", NULL);
        ck_assert(d->exec_condition[0]->privileged);
        ck_assert(d->exec_stop_post[0]->privileged);
        d = description_free(d);
        d = ok("[Service]\nExecStart=!/bin/true\nExecStartPre=!!/bin/true\n", NULL);
        ck_assert(d->exec_start->no_setuid);
        ck_assert(d->exec_start_pre[0]->ambient_magic);

        ck_assert_str_eq(service_type_to_string(SERVICE_NOTIFY), "notify");
        ck_assert_int_eq(service_type_from_string("forking"), SERVICE_FORKING);
        ck_assert_int_eq(service_type_from_string("Simple"), _SERVICE_TYPE_INVALID);
        ck_assert_ptr_null(service_type_to_string(_SERVICE_TYPE_MAX));
}
END_TEST

START_TEST(test_unknown) {
        ck_assert_str_eq(fails(SERVICE "Foo=bar\n"), "demo.service:3: Unknown key Foo= in section [Service]");
        ck_assert_str_eq(fails(SERVICE "execstart=/bin/true\n"), "demo.service:3: Unknown key execstart= in section [Service]");
        ck_assert_str_eq(fails("[Unit]\nDescriptoin=typo\n" SERVICE), "demo.service:2: Unknown key Descriptoin= in section [Unit]");
        ck_assert_str_eq(fails(SERVICE "[Install]\nWantedBy=a.target\nWanted=b\n"),
                         "demo.service:5: Unknown key Wanted= in section [Install]");
        ck_assert_str_eq(fails(SERVICE "[Isolate]\nHostnmae=x\n"), "demo.service:4: Unknown key Hostnmae= in section [Isolate]");
        /* A key of another section. */
        ck_assert_str_eq(fails(SERVICE "[Unit]\nExecStart=/bin/true\n"), "demo.service:4: Unknown key ExecStart= in section [Unit]");
        ck_assert_str_eq(fails(SERVICE "[Foo]\nA=1\n"), "demo.service:3: Unknown section [Foo]");
        /* Even empty. */
        ck_assert_str_eq(fails(SERVICE "[Socket]\n"), "demo.service:3: Unknown section [Socket]");
        ck_assert_str_eq(fails("ExecStart=/bin/true\n" SERVICE), "demo.service:1: Assignment outside of any section");
}
END_TEST

/* The keys behind the secure defaults are accepted; they only tighten. */
START_TEST(test_default_keys_accepted) {
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_strv_free_ char **notices = NULL;

        d = ok(SERVICE "RestrictAddressFamilies=AF_UNIX\nProtectKernelLogs=yes\nRestrictSUIDSGID=yes\n"
                       "LockPersonality=yes\nTasksMax=infinity\n[Isolate]\nHostRoot=yes\nKernelTunables=yes\n",
               &notices);
        ck_assert_ptr_null(notices);
        ck_assert_uint_eq(d->sandbox.address_families, UINT64_C(1) << AF_UNIX);
        ck_assert(d->sandbox.protect_kernel_logs && d->sandbox.restrict_suid_sgid && d->sandbox.lock_personality);
        ck_assert(d->sandbox.host_root && !d->sandbox.protect_kernel_tunables);
        ck_assert(d->tasks_max_set && d->tasks_max == CGROUP_LIMIT_MAX); /* a limit the file gives is honoured */
        ck_assert_str_eq(fails(SERVICE "[Isolate]\nNoSuchOptOut=yes\n"),
                         "demo.service:4: Unknown key NoSuchOptOut= in section [Isolate]");
        ck_assert_str_eq(fails(SERVICE "[Isolate]\nHideHome=maybe\n"), "demo.service:4: Invalid HideHome= value 'maybe'");
}
END_TEST

START_TEST(test_refused_sandbox_keys) {
        static const char *const lines[] = {
                /* Resource-control keys not handed to the scope (yet): refused, not dropped. */
                "SocketBindDeny=any",
                "IPIngressFilterPath=/sys/fs/bpf/filter",
                "RestrictNetworkInterfaces=lo",
        };

        for (size_t i = 0; i < ELEMENTSOF(lines); i++) {
                _cleanup_free_ char *text = NULL, *expected = NULL;
                size_t k = strcspn(lines[i], "=");

                ck_assert_int_ge(asprintf(&text, SERVICE "\n%s\n", lines[i]), 0);
                ck_assert_int_ge(asprintf(&expected,
                                          "demo.service:4: %.*s= is not supported yet; refusing to run with a weaker sandbox than asked",
                                          (int) k, lines[i]), 0);
                ck_assert_str_eq(fails(text), expected);
        }
        /* The others say why, from the key table. */
        ck_assert_str_eq(fails(SERVICE "CoredumpFilter=10\n"), "demo.service:3: CoredumpFilter= is not supported yet; refusing to run the "
                         "process with other scheduling or attributes than asked");
        ck_assert_str_eq(fails(SERVICE "PAMName=login\n"),
                         "demo.service:3: PAMName= is not supported yet; refusing to run without the PAM session asked");
}
END_TEST

START_TEST(test_log_ratelimit) {
        _cleanup_(description_freep) Description *d = NULL;

        d = ok(SERVICE "LogRateLimitIntervalSec=5s 500ms\nLogRateLimitBurst=7\n", NULL);
        ck_assert_uint_eq(d->sandbox.process.log_ratelimit_interval_usec, 5500 * USEC_PER_MSEC);
        ck_assert_uint_eq(d->sandbox.process.log_ratelimit_burst, 7);
        d = description_free(d);
        /* Empty and 0: journald's own, as systemd exports nothing then. */
        d = ok(SERVICE "LogRateLimitIntervalSec=5s\nLogRateLimitIntervalSec=\nLogRateLimitBurst=0\n", NULL);
        ck_assert_uint_eq(d->sandbox.process.log_ratelimit_interval_usec, 0);
        ck_assert_uint_eq(d->sandbox.process.log_ratelimit_burst, 0);
        ck_assert_str_eq(fails(SERVICE "LogRateLimitIntervalSec=soon\n"),
                         "demo.service:3: Invalid LogRateLimitIntervalSec= value 'soon'");
        ck_assert_str_eq(fails(SERVICE "LogRateLimitBurst=-1\n"), "demo.service:3: Invalid LogRateLimitBurst= value '-1'");
        ck_assert_str_eq(fails(SERVICE "LogRateLimitBurst=4294967296\n"),
                         "demo.service:3: Invalid LogRateLimitBurst= value '4294967296'");
}
END_TEST

START_TEST(test_notices) {
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_strv_free_ char **notices = NULL;

        ck_assert_int_eq(strv_extend(&notices, "earlier"), 0);
        d = ok("[Unit]\n"
               "Description=x\n"
               "After=network.target\n"
               "Wants=network.target\n"
               "Documentation=man:demo(8)\n"
               "StartLimitIntervalSec=10\n"
               "StartLimitBurst=5\n"
               "[Service]\n"
               "ExecStart=/bin/true\n"
               "Restart=on-failure\n"
               "PIDFile=/run/demo.pid\n"
               "PrivateTmp=yes\n"
               "PrivateNetwork=no\n"
               "ProtectSystem=no\n"
               "ProtectHome=false\n"
               "DefaultMemoryLow=1G\n"
               "[Install]\n"
               "WantedBy=multi-user.target\n",
               &notices);
        ck_assert_str_eq(join(notices),
                         "earlier|"
                         "demo.service:3: Ignoring After= in section [Unit]: not used by isolated|"
                         "demo.service:4: Ignoring Wants= in section [Unit]: not used by isolated|"
                         "demo.service:5: Ignoring Documentation= in section [Unit]: not used by isolated|"
                         "demo.service:13: Ignoring PrivateNetwork=no: isolated applies it to every service|"
                         "demo.service:14: ProtectSystem=no asks for less than isolated's default; the default stays "
                         "unless [Isolate] ReadOnlyHost=no|"
                         "demo.service:15: ProtectHome=false asks for less than isolated's default; the default stays "
                         "unless [Isolate] HideHome=no|"
                         "demo.service:16: Ignoring DefaultMemoryLow=: not supported by isolated yet|"
                         "demo.service:18: Ignoring WantedBy= in section [Install]: isolated services are not enabled");

        /* Bad booleans in always-on keys are still bad values. */
        ck_assert_str_eq(fails(SERVICE "PrivateTmp=maybe\n"), "demo.service:3: Invalid PrivateTmp= value 'maybe'");

        /* NULL notices is fine. */
        description_free(ok("[Unit]\nAfter=x\n" SERVICE, NULL));
}
END_TEST

START_TEST(test_lifecycle_keys) {
        _cleanup_(description_freep) Description *d = NULL;

        d = ok("[Unit]\nStartLimitIntervalSec=20\nStartLimitBurst=3\n"
               "[Service]\nType=notify\nExecStart=/bin/true\n"
               "ExecStartPre=-/bin/echo pre %n\nExecStartPre=/bin/true\nExecStartPost=/bin/true\n"
               "ExecReload=/bin/kill -HUP $MAINPID\nExecStop=/bin/true\n"
               "NotifyAccess=all\nKillMode=mixed\nRestart=on-failure\nRestartSec=2\nTimeoutStartSec=5\n"
               "RuntimeDirectory=demo demo/sub\nStateDirectory=demo\nStateDirectoryMode=0700\n"
               "LogsDirectory=demo\nCacheDirectory=demo\n",
               NULL);
        ck_assert_int_eq(d->start_limit_interval_usec, 20 * USEC_PER_SEC);
        ck_assert_uint_eq(d->start_limit_burst, 3);
        ck_assert(d->exec_start_pre[0]->ignore_failure);
        ck_assert_str_eq(d->exec_start_pre[0]->argv[2], "demo.service");
        ck_assert_ptr_nonnull(d->exec_start_pre[1]);
        ck_assert_ptr_null(d->exec_start_pre[2]);
        ck_assert_str_eq(d->exec_reload[0]->argv[2], "$MAINPID");
        ck_assert_int_eq(d->notify_access, NOTIFY_ACCESS_ALL);
        ck_assert_int_eq(d->kill_mode, KILL_MIXED);
        ck_assert_int_eq(d->restart, SERVICE_RESTART_ON_FAILURE);
        ck_assert_int_eq(d->restart_usec, 2 * USEC_PER_SEC);
        ck_assert_int_eq(d->timeout_start_usec, 5 * USEC_PER_SEC);
        ck_assert_str_eq(d->directories[EXEC_DIRECTORY_RUNTIME].paths[1], "demo/sub");
        ck_assert_int_eq(d->directories[EXEC_DIRECTORY_STATE].mode, 0700);
        ck_assert_int_eq(d->directories[EXEC_DIRECTORY_LOGS].mode, 0755);
        d = description_free(d);

        /* TimeoutSec= sets both; 0 disables; "" resets a list. */
        d = ok(SERVICE "TimeoutSec=0\nExecStop=/bin/true\nExecStop=\n", NULL);
        ck_assert(d->timeout_start_usec == USEC_INFINITY && d->timeout_stop_usec == USEC_INFINITY);
        ck_assert_ptr_null(d->exec_stop);

        ck_assert_str_eq(fails(SERVICE "KillMode=none\n"), "demo.service:3: Invalid KillMode= value 'none'");
        ck_assert_str_eq(fails(SERVICE "Restart=sometimes\n"), "demo.service:3: Invalid Restart= value 'sometimes'");
        ck_assert_str_eq(fails(SERVICE "NotifyAccess=some\n"), "demo.service:3: Invalid NotifyAccess= value 'some'");
        ck_assert_str_eq(fails(SERVICE "RuntimeDirectory=/abs\n"),
                         "demo.service:3: Invalid RuntimeDirectory= value '/abs': not a relative path");
        ck_assert_str_eq(fails(SERVICE "StateDirectory=../x\n"), "demo.service:3: Invalid StateDirectory= value '../x'");
        ck_assert_str_eq(fails(SERVICE "ExecStop=\"x\n"), "demo.service:3: Invalid ExecStop= value: Invalid executable path (bad quoting or escape): \"x");
}
END_TEST

START_TEST(test_extensions) {
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_strv_free_ char **notices = NULL;

        /* "X-" sections and keys belong to other programs, as in systemd. */
        d = ok("[X-Vendor]\nAnything=goes\n[Unit]\nX-Foo=1\n" SERVICE "X-Bar=2\n[Isolate]\nNetwork=private\n", &notices);
        ck_assert_ptr_null(notices);

        ck_assert_str_eq(fails(SERVICE "[Isolate]\nNetwork=bridge\n"), "demo.service:4: Invalid Network= value 'bridge'");
        ck_assert_str_eq(fails(SERVICE "[Isolate]\nListenStream=80x\n"),
                         "demo.service:4: Invalid ListenStream= value '80x': expected PORT, IPV4:PORT, [IPV6]:PORT, /PATH or @NAME");
}
END_TEST

START_TEST(test_file_level) {
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_free_ char *error = NULL;

        /* BOM and CRLF. */
        d = ok("\xef\xbb\xbf[Service]\r\nExecStart=/bin/echo hi\r\n", NULL);
        ck_assert_str_eq(join(d->exec_start->argv), "/bin/echo|hi");
        d = description_free(d);

        /* The file name is used as given. */
        ck_assert_int_eq(description_parse("demo", "/etc/isolated/demo.service", "[Service]\nFoo=1\n", &d, NULL, &error), -EINVAL);
        ck_assert_str_eq(error, "/etc/isolated/demo.service:2: Unknown key Foo= in section [Service]\n"
                                "/etc/isolated/demo.service: ExecStart= is required");
        ck_assert_ptr_null(d);
        error = mfree(error);

        ck_assert_int_eq(description_parse("bad/name", "x.service", SERVICE, &d, NULL, &error), -EINVAL);
        ck_assert_str_eq(error, "x.service: Invalid service name 'bad/name'");
}
END_TEST

START_TEST(test_service_name) {
        ck_assert(service_name_is_valid("demo"));
        ck_assert(service_name_is_valid("a.b-c_D9"));
        ck_assert(service_name_is_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
        ck_assert(!service_name_is_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
        ck_assert(!service_name_is_valid(""));
        ck_assert(!service_name_is_valid(NULL));
        ck_assert(!service_name_is_valid(".hidden"));
        ck_assert(!service_name_is_valid("a b"));
        ck_assert(!service_name_is_valid("a/b"));
        ck_assert(!service_name_is_valid("a:b")); /* ":" and "\\" only in an instance */
        ck_assert(!service_name_is_valid("a\\x2db"));

        /* Instances and templates, as systemd 252's unit_name_is_valid(). */
        ck_assert(service_name_is_valid("a@b"));
        ck_assert(service_name_is_instance("a@b"));
        ck_assert(service_name_is_valid("postgresql@15-main"));
        ck_assert(service_name_is_valid("a@b@")); /* further "@" belong to the instance */
        ck_assert(service_name_is_valid("a@b@c:d\\x2de.f_g"));
        ck_assert(service_name_is_valid("a@-"));
        ck_assert(service_name_is_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@b"));
        ck_assert(!service_name_is_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@b"));
        ck_assert(!service_name_is_valid("a@"));
        ck_assert(service_name_is_template("a@"));
        ck_assert(!service_name_is_instance("a@"));
        ck_assert(!service_name_is_template("a@b"));
        ck_assert(!service_name_is_template("a"));
        ck_assert(!service_name_is_valid("@b"));
        ck_assert(!service_name_is_template("@"));
        ck_assert(!service_name_is_valid(".a@b"));
        ck_assert(!service_name_is_valid("a:c@b")); /* the prefix is a plain name */
        ck_assert(!service_name_is_valid("a@b c"));
        ck_assert(!service_name_is_valid("a@b/c"));
        ck_assert_str_eq(service_name_instance("a@b@"), "b@");
        ck_assert_ptr_null(service_name_instance("a"));
        ck_assert_ptr_null(service_name_instance("a@"));
        ck_assert_int_eq(service_name_prefix_len("postgresql@15-main"), 10);
        ck_assert_int_eq(service_name_prefix_len("demo"), 4);
        {
                _cleanup_free_ char *t = NULL;

                ck_assert_int_eq(service_name_template("postgresql@15-main", &t), 0);
                ck_assert_str_eq(t, "postgresql@");
                ck_assert_int_eq(service_name_template("demo", &t), -EINVAL);
                ck_assert_int_eq(service_name_template("demo@", &t), -EINVAL);
        }

        /* Scopes: systemd allows no instance of one, so "@" (and "\\") are escaped there. */
        {
                _cleanup_free_ char *u = NULL, *back = NULL;

                ck_assert_str_eq((u = service_name_to_scope("demo")), "isolated-demo.scope");
                ck_assert_int_eq(service_name_from_scope(u, &back), 0);
                ck_assert_str_eq(back, "demo");
                u = mfree(u);
                back = mfree(back);
                ck_assert_str_eq((u = service_name_to_scope("pg@15-main\\x2d@")), "isolated-pg\\x4015-main\\x5cx2d\\x40.scope");
                ck_assert_int_eq(service_name_from_scope(u, &back), 0);
                ck_assert_str_eq(back, "pg@15-main\\x2d@");
                back = mfree(back);
                ck_assert_int_eq(service_name_from_scope("isolated-pg@x.scope", &back), -EINVAL);
                ck_assert_int_eq(service_name_from_scope("isolated-pg\\x40.scope", &back), -EINVAL); /* a template */
                ck_assert_int_eq(service_name_from_scope("isolated-a\\x41.scope", &back), -EINVAL);
                ck_assert_int_eq(service_name_from_scope("isolated-.scope", &back), -EINVAL);
                ck_assert_int_eq(service_name_from_scope("other-a.scope", &back), -EINVAL);
                ck_assert_int_eq(service_name_from_scope("isolated-a.service", &back), -EINVAL);
                ck_assert_ptr_null(back);
        }
}
END_TEST

/* An instance's default hostname has no "@"; its templates cannot be parsed by themselves. */
START_TEST(test_instance_names) {
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_free_ char *error = NULL;

        ck_assert_int_eq(description_parse("postgresql@15-main", "postgresql@.service", SERVICE, &d, NULL, &error), 0);
        ck_assert_str_eq(d->name, "postgresql@15-main");
        ck_assert_str_eq(description_hostname(d), "postgresql-15-main");
        d = description_free(d);
        ck_assert_int_eq(description_parse("a@b:c\\x2d", "a@.service", SERVICE, &d, NULL, &error), 0);
        ck_assert_str_eq(description_hostname(d), "a-b-c-x2d");
        d = description_free(d);
        ck_assert_int_eq(description_parse("demo_1", "demo_1.service", SERVICE, &d, NULL, &error), 0);
        ck_assert_str_eq(description_hostname(d), "demo_1");
        d = description_free(d);
        ck_assert_int_eq(description_parse("postgresql@", "postgresql@.service", SERVICE, &d, NULL, &error), -EINVAL);
        ck_assert_str_eq(error, "postgresql@.service: postgresql@ is a template: start an instance, postgresql@INSTANCE");
}
END_TEST

/* [Isolate] HealthCheck= and kin: defaults, values, resets, and each bad value named at its line. */
START_TEST(test_health_keys) {
        _cleanup_(description_freep) Description *d = NULL, *e = NULL, *f = NULL;

        d = ok(SERVICE, NULL);
        ck_assert_ptr_null(d->health.check);
        ck_assert_uint_eq(d->health.interval_usec, 30 * USEC_PER_SEC);
        ck_assert_uint_eq(d->health.timeout_usec, 30 * USEC_PER_SEC);
        ck_assert_uint_eq(d->health.retries, 3);
        ck_assert_uint_eq(d->health.start_period_usec, 0);
        ck_assert_int_eq(d->health.on_failure, HEALTH_ON_FAILURE_NONE);
        ck_assert(!d->health.ready);

        e = ok(SERVICE "[Isolate]\nHealthCheck=/bin/false\nHealthCheck=:/usr/bin/curl -f \"http://%H:80/\"\n"
                       "HealthInterval=200ms\nHealthTimeout=2s\nHealthRetries=5\nHealthStartPeriod=1min\n"
                       "HealthOnFailure=restart\nHealthReady=yes\n", NULL);
        ck_assert_ptr_nonnull(e->health.check);
        ck_assert_str_eq(e->health.check->argv[0], "/usr/bin/curl");
        ck_assert_str_eq(e->health.check->argv[1], "-f");
        ck_assert_ptr_nonnull(strstr(e->health.check->argv[2], ":80/"));
        ck_assert_ptr_null(strstr(e->health.check->argv[2], "%H"));
        ck_assert_ptr_null(e->health.check->argv[3]);
        ck_assert_uint_eq(e->health.interval_usec, 200 * USEC_PER_MSEC);
        ck_assert_uint_eq(e->health.timeout_usec, 2 * USEC_PER_SEC);
        ck_assert_uint_eq(e->health.retries, 5);
        ck_assert_uint_eq(e->health.start_period_usec, 60 * USEC_PER_SEC);
        ck_assert_int_eq(e->health.on_failure, HEALTH_ON_FAILURE_RESTART);
        ck_assert(e->health.ready);

        /* Empty resets each to its default. */
        f = ok(SERVICE "[Isolate]\nHealthCheck=/bin/true\nHealthCheck=\nHealthInterval=1s\nHealthInterval=\n"
                       "HealthRetries=9\nHealthRetries=\nHealthOnFailure=kill\nHealthOnFailure=\n", NULL);
        ck_assert_ptr_null(f->health.check);
        ck_assert_uint_eq(f->health.interval_usec, 30 * USEC_PER_SEC);
        ck_assert_uint_eq(f->health.retries, 3);
        ck_assert_int_eq(f->health.on_failure, HEALTH_ON_FAILURE_NONE);

        ck_assert_str_eq(fails(SERVICE "[Isolate]\nHealthInterval=0\n"),
                         "demo.service:4: Invalid HealthInterval= value '0': must be longer than 0");
        ck_assert_str_eq(fails(SERVICE "[Isolate]\nHealthTimeout=infinity\n"),
                         "demo.service:4: Invalid HealthTimeout= value 'infinity': expected a finite time span");
        ck_assert_str_eq(fails(SERVICE "[Isolate]\nHealthRetries=0\n"),
                         "demo.service:4: Invalid HealthRetries= value '0': expected a number 1..1000");
        ck_assert_str_eq(fails(SERVICE "[Isolate]\nHealthRetries=1001\n"),
                         "demo.service:4: Invalid HealthRetries= value '1001': expected a number 1..1000");
        ck_assert_str_eq(fails(SERVICE "[Isolate]\nHealthOnFailure=stop\n"),
                         "demo.service:4: Invalid HealthOnFailure= value 'stop': expected none, kill or restart");
        ck_assert_str_eq(fails(SERVICE "[Isolate]\nHealthReady=maybe\n"),
                         "demo.service:4: Invalid HealthReady= value 'maybe': expected a boolean");
        ck_assert_str_eq(fails(SERVICE "[Isolate]\nHealthCheck=-/bin/true\n"),
                         "demo.service:4: Invalid HealthCheck= value '-/bin/true': the prefixes '-' and '@' do not "
                         "apply to a health check");
        ck_assert_str_eq(fails(SERVICE "[Isolate]\nHealthCheck=@/bin/true x\n"),
                         "demo.service:4: Invalid HealthCheck= value '@/bin/true x': the prefixes '-' and '@' do not "
                         "apply to a health check");
        ck_assert_str_eq(fails(SERVICE "[Isolate]\nHealthReady=yes\n"),
                         "demo.service:4: HealthReady=yes needs HealthCheck=");
        ck_assert_str_eq(fails(SERVICE "[Isolate]\nHealthCheck=/bin/true\nHealthReady=yes\nHealthCheck=\n"),
                         "demo.service:5: HealthReady=yes needs HealthCheck=");
}
END_TEST

/* Every error of a description at once, in file order, each with its file:line. */
START_TEST(test_all_errors_at_once) {
        const char *names[] = { "redis.service", "redis.service.d/a.conf" };
        const char *texts[2];
        _cleanup_(description_freep) Description *d = NULL;
        _cleanup_strv_free_ char **notices = NULL;
        _cleanup_free_ char *error = NULL, *many = NULL;

        /* Refused keys, a bad value, a misspelling, an unknown section and a whole-file check. */
        texts[0] = "[Unit]\nDescription=x\nAfter=a.target\n"
                   "[Service]\n"
                   "SocketBindDeny=any\n" /* 5 */
                   "Type=bogus\n"
                   "RestrictFileSystems=ext4\n"
                   "ExecStrat=/bin/true\n"
                   "[Socket]\nListenStream=80\n" /* 9, 10: skipped */
                   "[Service]\nCoredumpFilter=5\n"; /* 12 */
        ck_assert_int_eq(description_parse_files("redis", 1, names, texts, NULL, &d, &notices, &error), -EINVAL);
        ck_assert_str_eq(error, "redis.service:5: SocketBindDeny= is not supported yet; refusing to run with a weaker sandbox than asked\n"
                                "redis.service:6: Invalid Type= value 'bogus'\n"
                                "redis.service:7: RestrictFileSystems= is not supported yet; refusing to run with a weaker sandbox than asked\n"
                                "redis.service:8: Unknown key ExecStrat= in section [Service]\n"
                                "redis.service:9: Unknown section [Socket]\n"
                                "redis.service:12: CoredumpFilter= is not supported yet; refusing to run the process with other scheduling or attributes than asked\n"
                                "redis.service: ExecStart= is required");
        ck_assert_ptr_null(d);
        ck_assert_ptr_null(notices);
        error = mfree(error);

        /* A drop-in's empty assignments withdraw the errors of those keys, whichever file they are in. */
        texts[0] = "[Service]\nExecStart=/bin/true\nSocketBindDeny=any\nType=bogus\nRestrictFileSystems=ext4\n"
                   "LockPersonality=yes\n";
        texts[1] = "[Service]\nSocketBindDeny=\nType=\n";
        ck_assert_int_eq(description_parse_files("redis", 2, names, texts, NULL, &d, NULL, &error), -EINVAL);
        ck_assert_str_eq(error, "redis.service:5: RestrictFileSystems= is not supported yet; refusing to run with a weaker sandbox than asked");
        error = mfree(error);
        texts[1] = "[Service]\nSocketBindDeny=\nType=\nRestrictFileSystems=\n";
        ck_assert_msg(description_parse_files("redis", 2, names, texts, NULL, &d, NULL, &error) == 0, "%s", error);
        ck_assert_int_eq(d->type, SERVICE_SIMPLE);
        d = description_free(d);
        /* The reset is of what came before: a refused line after it still counts. */
        texts[1] = "[Service]\nSocketBindDeny=\nType=\nRestrictFileSystems=\nCoredumpFilter=1\n";
        ck_assert_int_eq(description_parse_files("redis", 2, names, texts, NULL, &d, NULL, &error), -EINVAL);
        ck_assert_str_eq(error, "redis.service.d/a.conf:5: CoredumpFilter= is not supported yet; refusing to run the process with other scheduling or attributes than asked");
        error = mfree(error);
        /* A misspelling cannot be reset. */
        texts[0] = "[Service]\nExecStart=/bin/true\nNcie=1\n";
        texts[1] = "[Service]\nNcie=\n";
        ck_assert_int_eq(description_parse_files("redis", 2, names, texts, NULL, &d, NULL, &error), -EINVAL);
        ck_assert_str_eq(error, "redis.service:3: Unknown key Ncie= in section [Service]\n"
                                "redis.service.d/a.conf:2: Unknown key Ncie= in section [Service]");
        error = mfree(error);

        /* A syntax error is one more line: the parse goes on after it, and after a bad section
         * header up to the next good one. */
        texts[0] = "[Service]\nCoredumpFilter=1\nbroken line\nExecStart=/bin/true\n[Bad\nCoredumpFilter=2\n[Service]\nCoredumpFilter=3\n";
        texts[1] = "Outside=1\n[Service]\nSecureBits=5\n";
        ck_assert_int_eq(description_parse_files("redis", 2, names, texts, NULL, &d, NULL, &error), -EINVAL);
        ck_assert_str_eq(error, "redis.service:2: CoredumpFilter= is not supported yet; refusing to run the process with other scheduling or attributes than asked\n"
                                "redis.service:3: Missing '=' in line 'broken line'\n"
                                "redis.service:5: Invalid section header '[Bad'\n"
                                "redis.service:8: CoredumpFilter= is not supported yet; refusing to run the process with other scheduling or attributes than asked\n"
                                "redis.service.d/a.conf:1: Assignment outside of any section\n"
                                "redis.service.d/a.conf:3: SecureBits=5: not a list of keep-caps, keep-caps-locked, no-setuid-fixup, "
                                "no-setuid-fixup-locked, noroot, noroot-locked");
        error = mfree(error);
        /* A file too large still ends its own parse, and then nothing is said of ExecStart=. */
        {
                _cleanup_free_ char *big = malloc(DESCRIPTION_SIZE_MAX + 2);

                ck_assert_ptr_nonnull(big);
                memset(big, '#', DESCRIPTION_SIZE_MAX + 1);
                big[DESCRIPTION_SIZE_MAX + 1] = 0;
                texts[0] = big;
                texts[1] = "[Service]\nCoredumpFilter=1\n";
                ck_assert_int_eq(description_parse_files("redis", 2, names, texts, NULL, &d, NULL, &error), -EINVAL);
                ck_assert_str_eq(error, "redis.service: File is larger than 1048576 bytes\n"
                                        "redis.service.d/a.conf:2: CoredumpFilter= is not supported yet; refusing to run the process with other scheduling or attributes than asked");
                error = mfree(error);
        }

        /* At most DESCRIPTION_ERRORS_MAX lines, and a count of the rest. */
        many = strdup("[Service]\nExecStart=/bin/true\n");
        for (unsigned i = 0; i < DESCRIPTION_ERRORS_MAX + 10; i++) {
                char *m = strprintf("%sCoredumpFilter=%u\n", many, i);

                ck_assert_ptr_nonnull(m);
                free(many);
                many = m;
        }
        ck_assert_int_eq(description_parse("redis", "redis.service", many, &d, NULL, &error), -EINVAL);
        {
                size_t lines = 1;

                for (const char *p = error; *p; p++)
                        lines += *p == '\n';
                ck_assert_uint_eq(lines, DESCRIPTION_ERRORS_MAX + 1);
                ck_assert(endswith(error, "\n... and 10 more errors"));
        }
}
END_TEST

static Suite *description_suite(void) {
        Suite *s = suite_create("description");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_minimal_defaults);
        tcase_add_test(tc, test_all_keys);
        tcase_add_test(tc, test_values);
        tcase_add_test(tc, test_exec_start);
        tcase_add_test(tc, test_missing_exec_start);
        tcase_add_test(tc, test_environment);
        tcase_add_test(tc, test_unset_environment);
        tcase_add_test(tc, test_bad_values);
        tcase_add_test(tc, test_hostname_limit);
        tcase_add_test(tc, test_types);
        tcase_add_test(tc, test_unknown);
        tcase_add_test(tc, test_refused_sandbox_keys);
        tcase_add_test(tc, test_log_ratelimit);
        tcase_add_test(tc, test_default_keys_accepted);
        tcase_add_test(tc, test_notices);
        tcase_add_test(tc, test_lifecycle_keys);
        tcase_add_test(tc, test_extensions);
        tcase_add_test(tc, test_file_level);
        tcase_add_test(tc, test_service_name);
        tcase_add_test(tc, test_instance_names);
        tcase_add_test(tc, test_health_keys);
        tcase_add_test(tc, test_all_errors_at_once);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(description_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        free(joined);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
