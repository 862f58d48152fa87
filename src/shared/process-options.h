/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

#include "macro.h"
#include "service-keys.h"
#include "time-util.h"

/* The process attributes and logging keys of [Service] (systemd.exec(5), "Scheduling",
 * "Logging and Standard Input/Output"), with systemd 252's meanings. Pure: parsed here (their
 * rows in service-keys-rows.h), applied by isolate-init to every command it starts (spawn.c),
 * the journal stream's header written from them (process_options_journal_header()). Never logs. */

typedef enum ExecInput {
        EXEC_INPUT_NULL, /* the default */
        EXEC_INPUT_FILE, /* file:PATH */
        _EXEC_INPUT_MAX,
} ExecInput;

typedef enum ExecOutput {
        EXEC_OUTPUT_INHERIT, /* stdout: stdin's file (file:), else /dev/null; stderr: stdout's */
        EXEC_OUTPUT_NULL,
        EXEC_OUTPUT_JOURNAL,  /* also kmsg, syslog, tty, socket, fd: (with a notice) */
        EXEC_OUTPUT_FILE,     /* file:PATH, written from its start, not truncated */
        EXEC_OUTPUT_APPEND,   /* append:PATH */
        EXEC_OUTPUT_TRUNCATE, /* truncate:PATH */
        _EXEC_OUTPUT_MAX,
} ExecOutput;

/* The number of CPUs CPUAffinity= may name. */
#define PROCESS_CPUS_MAX CPU_SETSIZE

typedef struct ProcessOptions {
        bool oom_score_adjust_set;
        int oom_score_adjust; /* -1000..1000 */
        bool nice_set;
        int nice;               /* -20..19 */
        bool cpu_sched_set;     /* CPUSchedulingPolicy= or CPUSchedulingPriority= */
        int cpu_sched_policy;   /* SCHED_OTHER, ... (default SCHED_OTHER) */
        int cpu_sched_priority; /* 0..99, for fifo and rr */
        bool cpu_sched_reset_on_fork;
        bool ioprio_set;
        int ioprio_class; /* IOPRIO_CLASS_* (1 realtime, 2 best-effort, 3 idle) */
        int ioprio_level; /* 0..7, default 4 */
        bool cpu_affinity_set;
        bool cpu_affinity_numa; /* "numa": the CPUs of NUMAMask='s nodes */
        cpu_set_t cpu_affinity;
        int numa_policy;        /* -1: unset; else MPOL_DEFAULT, MPOL_PREFERRED, ... */
        uint64_t numa_mask[16]; /* node bits, 1024 nodes */
        bool numa_mask_set;
        uint64_t timer_slack_nsec; /* UINT64_MAX: unset */
        unsigned secure_bits;      /* SecureBits=: SECBIT_* of <linux/securebits.h>, ORed */

        ExecInput std_input;
        char *std_input_path;
        ExecOutput std_output, std_error;
        char *std_output_path, *std_error_path;

        int syslog_priority;      /* facility | level, default LOG_DAEMON | LOG_INFO */
        bool syslog_level_prefix; /* default true */
        int log_level_max;        /* -1: unset */
        char **log_extra_fields;  /* FIELD=VALUE */
        usec_t log_ratelimit_interval_usec; /* LogRateLimitIntervalSec=, 0: journald's default */
        unsigned log_ratelimit_burst;       /* LogRateLimitBurst=, 0: journald's default */
} ProcessOptions;

void process_options_init(ProcessOptions *o);
void process_options_done(ProcessOptions *o);

/* The keys' parsers are KEY_PARSER()s (service-keys.h) named by their rows in
 * service-keys-rows.h, data the ProcessOptions: process_parse_nice for Nice=, and so on.
 * Standard{Input,Output,Error}='s paths and LogExtraFields= take specifiers. */

/* SecureBits='s words (keep-caps, keep-caps-locked, no-setuid-fixup, no-setuid-fixup-locked,
 * noroot, noroot-locked) as SECBIT_* bits; -EINVAL for any other word. */
int secure_bits_from_string(const char *s, unsigned *ret);

/* True if stdout or stderr goes to the journal stream ($JOURNAL_STREAM is set then). */
bool process_options_uses_journal(const ProcessOptions *o);

/* journald's stdout stream header: identifier, unit, priority, level prefix, and the three
 * forwarding switches. NULL on ENOMEM. */
char *process_options_journal_header(const ProcessOptions *o, const char *identifier, const char *unit);

/* The nice level -20..19 of RLIMIT_NICE's raw value (0..40), as the kernel counts it. */
static inline int rlimit_to_nice(uint64_t limit) {
        return limit >= 40 ? -20 : limit == 0 ? 19 : 20 - (int) limit;
}

/* systemd's clamps, pure, for the init (spawn.c) and the tests. */
/* setrlimit_closest(): both limits lowered to max (what the caller may set) if above. true if
 * either was lowered. */
bool process_rlimit_clamp(uint64_t *soft, uint64_t *hard, uint64_t max);
/* setpriority_closest(): the nice level closest to want that a process at level cur with
 * RLIMIT_NICE rlimit_nice may set without CAP_SYS_NICE. */
int process_nice_closest(int want, int cur, uint64_t rlimit_nice);
/* The policy and priority a process with RLIMIT_RTPRIO rlimit_rtprio may set without
 * CAP_SYS_NICE: realtime needs the priority within the limit, else SCHED_OTHER; the
 * priority is within the policy's range (1..99 realtime, 0 otherwise). true if downgraded. */
bool process_sched_closest(int *policy, int *priority, uint64_t rlimit_rtprio);

const char *exec_output_to_string(ExecOutput o);
const char *cpu_sched_policy_to_string(int policy);
const char *ioprio_class_to_string(int c);
