/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stddef.h>
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
        [KEY_NOTICE_IF_FALSE] = "notice-if-false",
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

/* Shorthands for the rows: a key handled by PARSER on the Description's FIELD; ignored with
 * a notice saying WHY; refused saying WHY (NULL: the section's default text). */
#define HANDLED(sec, k, parser, lt, off) { sec, k, parser, lt, off, KEY_HANDLED, NULL }
#define NOTICE(k, why) { S, k, NULL, 0, 0, KEY_NOTICE, why }
#define REFUSED(k, why) { S, k, NULL, 0, 0, KEY_REFUSED, why }
#define IF_FALSE(k, why) { S, k, parse_notice_if_false, 0, 0, KEY_NOTICE_IF_FALSE, why }
#define ALWAYS_ON(k) { S, k, parse_always_on, 0, 0, KEY_ALWAYS_ON, "isolated applies it to every service" }
#define LOOSEN(sec, k, l, parser) HANDLED(sec, k, parser, l, SB)
#define LIMIT(k, res) HANDLED(S, k, sandbox_parse_limit, res, SB)
#define CGROUP(k) HANDLED(S, k, parse_cgroup_setting, 0, D(cgroup))

/* Notes shared by several rows. */
#define WHY_ACCOUNTING "accounting observes, it does not restrict"
#define WHY_LOGGING "the service's output goes to the journal as its stream"
#define WHY_TTY "an isolated service has no terminal"
#define WHY_LIFECYCLE "it changes when things run, not what they may do"
#define WHY_CREDENTIAL "credentials are not passed yet; the service gets less than asked"

const ServiceKey service_keys[] = {
        /* [Unit] */
        HANDLED(U, "Description", parse_description_string, 0, D(description)),
        HANDLED(U, "StartLimitIntervalSec", parse_start_limit_interval, 0, 0),
        HANDLED(U, "StartLimitBurst", parse_start_limit_burst, 0, 0),

        /* [Service]: the process and its lifecycle. */
        HANDLED(S, "Type", parse_service_type, 0, 0),
        HANDLED(S, "ExecStart", parse_exec_start, 0, 0),
        HANDLED(S, "ExecStartPre", parse_exec_list, 0, D(exec_start_pre)),
        HANDLED(S, "ExecStartPost", parse_exec_list, 0, D(exec_start_post)),
        HANDLED(S, "ExecReload", parse_exec_list, 0, D(exec_reload)),
        HANDLED(S, "ExecStop", parse_exec_list, 0, D(exec_stop)),
        HANDLED(S, "PIDFile", parse_pid_file, 0, 0),
        HANDLED(S, "NotifyAccess", parse_notify_access, 0, 0),
        HANDLED(S, "KillMode", parse_kill_mode, 0, 0),
        HANDLED(S, "KillSignal", parse_kill_signal, 0, 0),
        HANDLED(S, "Restart", parse_restart, 0, 0),
        HANDLED(S, "RestartSec", parse_restart_sec, 0, 0),
        HANDLED(S, "TimeoutStartSec", parse_timeout_start, 0, 0),
        HANDLED(S, "TimeoutStopSec", parse_timeout_stop, 0, 0),
        HANDLED(S, "TimeoutSec", parse_timeout_stop, 1, 0), /* both, as in systemd */
        HANDLED(S, "StartLimitInterval", parse_start_limit_interval, 0, 0),
        HANDLED(S, "StartLimitBurst", parse_start_limit_burst, 0, 0),
        HANDLED(S, "RuntimeDirectory", parse_exec_directory, EXEC_DIRECTORY_RUNTIME, D(directories[EXEC_DIRECTORY_RUNTIME])),
        HANDLED(S, "StateDirectory", parse_exec_directory, EXEC_DIRECTORY_STATE, D(directories[EXEC_DIRECTORY_STATE])),
        HANDLED(S, "CacheDirectory", parse_exec_directory, EXEC_DIRECTORY_CACHE, D(directories[EXEC_DIRECTORY_CACHE])),
        HANDLED(S, "LogsDirectory", parse_exec_directory, EXEC_DIRECTORY_LOGS, D(directories[EXEC_DIRECTORY_LOGS])),
        HANDLED(S, "RuntimeDirectoryMode", parse_exec_directory_mode, 0, D(directories[EXEC_DIRECTORY_RUNTIME])),
        HANDLED(S, "StateDirectoryMode", parse_exec_directory_mode, 0, D(directories[EXEC_DIRECTORY_STATE])),
        HANDLED(S, "CacheDirectoryMode", parse_exec_directory_mode, 0, D(directories[EXEC_DIRECTORY_CACHE])),
        HANDLED(S, "LogsDirectoryMode", parse_exec_directory_mode, 0, D(directories[EXEC_DIRECTORY_LOGS])),
        HANDLED(S, "Environment", parse_environment, 0, 0),
        HANDLED(S, "EnvironmentFile", parse_environment_file, 0, 0),
        HANDLED(S, "SyslogIdentifier", parse_description_string, 0, D(syslog_identifier)),
        HANDLED(S, "WorkingDirectory", parse_working_directory, 0, 0),

        /* [Service]: resources, handed to the scope. */
        HANDLED(S, "Slice", parse_slice, 0, 0),
        HANDLED(S, "MemoryMax", parse_memory_max, 0, 0),
        HANDLED(S, "TasksMax", parse_tasks_max_key, 0, 0),
        HANDLED(S, "CPUQuota", parse_cpu_quota_key, 0, 0),
        CGROUP("MemoryHigh"),
        CGROUP("MemoryLow"),
        CGROUP("MemoryMin"),
        CGROUP("MemorySwapMax"),
        CGROUP("MemoryLimit"),
        CGROUP("CPUWeight"),
        CGROUP("StartupCPUWeight"),
        CGROUP("CPUShares"),
        CGROUP("StartupCPUShares"),
        CGROUP("CPUQuotaPeriodSec"),
        CGROUP("AllowedCPUs"),
        CGROUP("StartupAllowedCPUs"),
        CGROUP("AllowedMemoryNodes"),
        CGROUP("StartupAllowedMemoryNodes"),
        CGROUP("IOWeight"),
        CGROUP("StartupIOWeight"),
        CGROUP("IODeviceWeight"),
        CGROUP("IOReadBandwidthMax"),
        CGROUP("IOWriteBandwidthMax"),
        CGROUP("IOReadIOPSMax"),
        CGROUP("IOWriteIOPSMax"),
        CGROUP("IODeviceLatencyTargetSec"),
        CGROUP("BlockIOWeight"),
        CGROUP("StartupBlockIOWeight"),
        CGROUP("BlockIODeviceWeight"),
        CGROUP("BlockIOReadBandwidth"),
        CGROUP("BlockIOWriteBandwidth"),
        CGROUP("DeviceAllow"),
        CGROUP("DevicePolicy"),
        CGROUP("IPAddressAllow"),
        CGROUP("IPAddressDeny"),
        CGROUP("ManagedOOMSwap"),
        CGROUP("ManagedOOMMemoryPressure"),
        CGROUP("ManagedOOMMemoryPressureLimit"),
        CGROUP("ManagedOOMPreference"),
        CGROUP("OOMPolicy"),

        /* [Service]: the sandbox and credentials (sandbox-options.c). The keys behind a secure
         * default only tighten it, unless its [Isolate] opt-out is given. */
        LOOSEN(S, "ProtectSystem", SANDBOX_LOOSEN_READ_ONLY_HOST, sandbox_parse_loosen),
        LOOSEN(S, "ProtectHome", SANDBOX_LOOSEN_HIDE_HOME, sandbox_parse_loosen),
        LOOSEN(S, "PrivateTmp", SANDBOX_LOOSEN_PRIVATE_TMP, sandbox_parse_loosen),
        LOOSEN(S, "PrivateDevices", SANDBOX_LOOSEN_PRIVATE_DEVICES, sandbox_parse_loosen),
        LOOSEN(S, "ProtectKernelTunables", SANDBOX_LOOSEN_KERNEL_TUNABLES, sandbox_parse_loosen),
        LOOSEN(S, "ProtectControlGroups", SANDBOX_LOOSEN_CONTROL_GROUPS, sandbox_parse_loosen),
        LOOSEN(S, "NoNewPrivileges", SANDBOX_LOOSEN_NEW_PRIVILEGES, sandbox_parse_loosen),
        LOOSEN(S, "ProtectKernelLogs", SANDBOX_LOOSEN_KERNEL_LOGS, sandbox_parse_loosen),
        LOOSEN(S, "RestrictSUIDSGID", SANDBOX_LOOSEN_SUID_SGID, sandbox_parse_loosen),
        LOOSEN(S, "LockPersonality", SANDBOX_LOOSEN_PERSONALITY, sandbox_parse_loosen),
        HANDLED(S, "ProtectKernelModules", sandbox_parse_protect_kernel_modules, 0, SB),
        HANDLED(S, "RestrictAddressFamilies", sandbox_parse_restrict_address_families, 0, SB),
        HANDLED(S, "ReadOnlyPaths", sandbox_parse_path_list, 0, D(sandbox.read_only_paths)),
        HANDLED(S, "ReadOnlyDirectories", sandbox_parse_path_list, 0, D(sandbox.read_only_paths)),
        HANDLED(S, "ReadWritePaths", sandbox_parse_path_list, 0, D(sandbox.read_write_paths)),
        HANDLED(S, "ReadWriteDirectories", sandbox_parse_path_list, 0, D(sandbox.read_write_paths)),
        HANDLED(S, "InaccessiblePaths", sandbox_parse_path_list, 0, D(sandbox.inaccessible_paths)),
        HANDLED(S, "InaccessibleDirectories", sandbox_parse_path_list, 0, D(sandbox.inaccessible_paths)),
        HANDLED(S, "BindPaths", sandbox_parse_bind_paths, false, SB),
        HANDLED(S, "BindReadOnlyPaths", sandbox_parse_bind_paths, true, SB),
        HANDLED(S, "TemporaryFileSystem", sandbox_parse_temporary_filesystem, 0, SB),
        HANDLED(S, "RootDirectory", sandbox_parse_root_directory, 0, SB),
        HANDLED(S, "CapabilityBoundingSet", sandbox_parse_capability_bounding_set, 0, SB),
        HANDLED(S, "AmbientCapabilities", sandbox_parse_ambient_capabilities, 0, SB),
        HANDLED(S, "SystemCallFilter", sandbox_parse_system_call_filter, 0, SB),
        HANDLED(S, "SystemCallErrorNumber", sandbox_parse_system_call_error_number, 0, SB),
        HANDLED(S, "SystemCallArchitectures", sandbox_parse_system_call_architectures, 0, SB),
        HANDLED(S, "User", sandbox_parse_user_group, 0, D(sandbox.user)),
        HANDLED(S, "Group", sandbox_parse_user_group, 0, D(sandbox.group)),
        HANDLED(S, "SupplementaryGroups", sandbox_parse_supplementary_groups, 0, SB),
        HANDLED(S, "UMask", sandbox_parse_umask, 0, SB),
        LIMIT("LimitCPU", RLIMIT_CPU),
        LIMIT("LimitFSIZE", RLIMIT_FSIZE),
        LIMIT("LimitDATA", RLIMIT_DATA),
        LIMIT("LimitSTACK", RLIMIT_STACK),
        LIMIT("LimitCORE", RLIMIT_CORE),
        LIMIT("LimitRSS", RLIMIT_RSS),
        LIMIT("LimitNOFILE", RLIMIT_NOFILE),
        LIMIT("LimitAS", RLIMIT_AS),
        LIMIT("LimitNPROC", RLIMIT_NPROC),
        LIMIT("LimitMEMLOCK", RLIMIT_MEMLOCK),
        LIMIT("LimitLOCKS", RLIMIT_LOCKS),
        LIMIT("LimitSIGPENDING", RLIMIT_SIGPENDING),
        LIMIT("LimitMSGQUEUE", RLIMIT_MSGQUEUE),
        LIMIT("LimitNICE", RLIMIT_NICE),
        LIMIT("LimitRTPRIO", RLIMIT_RTPRIO),
        LIMIT("LimitRTTIME", RLIMIT_RTTIME),

        /* [Service]: already true of every isolated service (its own namespaces). */
        ALWAYS_ON("PrivateNetwork"),
        ALWAYS_ON("PrivateIPC"),
        ALWAYS_ON("PrivateMounts"),
        ALWAYS_ON("ProtectHostname"),

        /* [Service]: hardening switches not applied yet: "no" is fine, anything else refused. */
        IF_FALSE("PrivateUsers", NULL),
        IF_FALSE("ProtectClock", NULL),
        IF_FALSE("MemoryDenyWriteExecute", NULL),
        IF_FALSE("RestrictRealtime", NULL),
        IF_FALSE("DynamicUser", NULL),

        /* [Service]: ignored with a notice. Each is a decision that ignoring the key cannot leave
         * the service less confined or less limited than the file asks. */
        NOTICE("ExecCondition", WHY_LIFECYCLE),
        NOTICE("ExecStopPost", WHY_LIFECYCLE),
        NOTICE("TimeoutAbortSec", WHY_LIFECYCLE),
        NOTICE("TimeoutStartFailureMode", WHY_LIFECYCLE),
        NOTICE("TimeoutStopFailureMode", WHY_LIFECYCLE),
        NOTICE("RuntimeRandomizedExtraSec", WHY_LIFECYCLE),
        NOTICE("StartLimitAction", "isolated never acts on the host for a service"),
        NOTICE("FailureAction", "isolated never acts on the host for a service"),
        NOTICE("RebootArgument", "isolated never reboots the host for a service"),
        NOTICE("ExitType", WHY_LIFECYCLE),
        NOTICE("PermissionsStartOnly", WHY_LIFECYCLE),
        NOTICE("RootDirectoryStartOnly", WHY_LIFECYCLE),
        NOTICE("RemainAfterExit", WHY_LIFECYCLE),
        NOTICE("GuessMainPID", WHY_LIFECYCLE),
        NOTICE("RestartPreventExitStatus", WHY_LIFECYCLE),
        NOTICE("RestartForceExitStatus", WHY_LIFECYCLE),
        NOTICE("SuccessExitStatus", WHY_LIFECYCLE),
        NOTICE("NonBlocking", "no sockets are passed from systemd"),
        NOTICE("BusName", WHY_LIFECYCLE),
        NOTICE("FileDescriptorStoreMax", "the service keeps no fds with its supervisor"),
        NOTICE("Sockets", "no sockets are passed from systemd; ListenStream= in [Isolate] does it"),
        NOTICE("USBFunctionDescriptors", "an isolated service has no USB gadget"),
        NOTICE("USBFunctionStrings", "an isolated service has no USB gadget"),
        NOTICE("SendSIGKILL", "the scope is always killed at the end of a stop"),
        NOTICE("SendSIGHUP", WHY_LIFECYCLE),
        NOTICE("RestartKillSignal", WHY_LIFECYCLE),
        NOTICE("FinalKillSignal", "the scope is always killed with SIGKILL at the end of a stop"),
        NOTICE("WatchdogSignal", WHY_LIFECYCLE),
        NOTICE("TimeoutCleanSec", WHY_LIFECYCLE),
        NOTICE("IgnoreSIGPIPE", WHY_LIFECYCLE),
        NOTICE("TimerSlackNSec", "it only delays the service's own timers"),
        NOTICE("PassEnvironment", "the service gets less environment than asked"),
        NOTICE("ExecPaths", "the host tree stays as executable as it is; nothing is made executable"),
        NOTICE("ExecSearchPath", "commands are searched in the default $PATH"),
        NOTICE("NetworkNamespacePath", "the service keeps its own empty network namespace"),
        NOTICE("IPCNamespacePath", "the service keeps its own IPC namespace"),
        NOTICE("MountFlags", "mounts stay private to the service"),
        NOTICE("MountAPIVFS", "/proc and /dev are always mounted"),
        NOTICE("RemoveIPC", "the IPC namespace dies with the service"),
        NOTICE("Delegate", "the service gets no cgroup tree of its own to manage"),
        NOTICE("DisableControllers", "it only concerns the scope's children"),
        NOTICE("DefaultMemoryMin", "it only concerns the scope's children"),
        NOTICE("DefaultMemoryLow", NULL),
        NOTICE("RuntimeDirectoryPreserve", "the private /run goes with the service"),
        NOTICE("ConfigurationDirectory", "the host's /etc is visible read-only"),
        NOTICE("ConfigurationDirectoryMode", "the host's /etc is visible read-only"),
        NOTICE("SetCredential", WHY_CREDENTIAL),
        NOTICE("SetCredentialEncrypted", WHY_CREDENTIAL),
        NOTICE("LoadCredential", WHY_CREDENTIAL),
        NOTICE("LoadCredentialEncrypted", WHY_CREDENTIAL),
        NOTICE("CPUAccounting", WHY_ACCOUNTING),
        NOTICE("MemoryAccounting", WHY_ACCOUNTING),
        NOTICE("IOAccounting", WHY_ACCOUNTING),
        NOTICE("BlockIOAccounting", WHY_ACCOUNTING),
        NOTICE("TasksAccounting", WHY_ACCOUNTING),
        NOTICE("IPAccounting", WHY_ACCOUNTING),
        NOTICE("StandardInput", "the service's input is /dev/null"),
        NOTICE("StandardOutput", WHY_LOGGING),
        NOTICE("StandardError", WHY_LOGGING),
        NOTICE("StandardInputText", "the service's input is /dev/null"),
        NOTICE("StandardInputData", "the service's input is /dev/null"),
        NOTICE("TTYPath", WHY_TTY),
        NOTICE("TTYReset", WHY_TTY),
        NOTICE("TTYVHangup", WHY_TTY),
        NOTICE("TTYVTDisallocate", WHY_TTY),
        NOTICE("TTYRows", WHY_TTY),
        NOTICE("TTYColumns", WHY_TTY),
        NOTICE("SyslogFacility", WHY_LOGGING),
        NOTICE("SyslogLevel", WHY_LOGGING),
        NOTICE("SyslogLevelPrefix", WHY_LOGGING),
        NOTICE("LogLevelMax", WHY_LOGGING),
        NOTICE("LogExtraFields", WHY_LOGGING),
        NOTICE("LogNamespace", WHY_LOGGING),
        NOTICE("SystemCallLog", "denied calls are refused, not logged"),
        NOTICE("UtmpIdentifier", "an isolated service writes no utmp record of the host"),
        NOTICE("UtmpMode", "an isolated service writes no utmp record of the host"),

        /* [Service]: refused. What systemd 252 knows beyond the rows above, a new sandboxing or
         * limit key among them, is never dropped silently. */
        REFUSED("AppArmorProfile", NULL),
        REFUSED("BPFProgram", NULL),
        REFUSED("CPUAffinity", NULL),
        REFUSED("CPUSchedulingPolicy", NULL),
        REFUSED("CPUSchedulingPriority", NULL),
        REFUSED("CPUSchedulingResetOnFork", NULL),
        REFUSED("CoredumpFilter", NULL),
        REFUSED("ExtensionDirectories", NULL),
        REFUSED("ExtensionImages", NULL),
        REFUSED("IOSchedulingClass", NULL),
        REFUSED("IOSchedulingPriority", NULL),
        REFUSED("IPEgressFilterPath", NULL),
        REFUSED("IPIngressFilterPath", NULL),
        REFUSED("KeyringMode", NULL),
        REFUSED("LogRateLimitBurst", NULL),
        REFUSED("LogRateLimitIntervalSec", NULL),
        REFUSED("MountImages", NULL),
        REFUSED("NUMAMask", NULL),
        REFUSED("NUMAPolicy", NULL),
        REFUSED("Nice", NULL),
        REFUSED("NoExecPaths", NULL),
        REFUSED("OOMScoreAdjust", NULL),
        REFUSED("PAMName", NULL),
        REFUSED("Personality", NULL),
        REFUSED("ProcSubset", NULL),
        REFUSED("ProtectProc", NULL),
        REFUSED("RestrictFileSystems", NULL),
        REFUSED("RestrictNamespaces", NULL),
        REFUSED("RestrictNetworkInterfaces", NULL),
        REFUSED("RootHash", NULL),
        REFUSED("RootHashSignature", NULL),
        REFUSED("RootImage", NULL),
        REFUSED("RootImageOptions", NULL),
        REFUSED("RootVerity", NULL),
        REFUSED("RuntimeMaxSec", NULL),
        REFUSED("SELinuxContext", NULL),
        REFUSED("SecureBits", NULL),
        REFUSED("SmackProcessLabel", NULL),
        REFUSED("SocketBindAllow", NULL),
        REFUSED("SocketBindDeny", NULL),
        REFUSED("UnsetEnvironment", NULL),
        REFUSED("WatchdogSec", NULL),

        /* [Isolate]: what systemd has no word for. */
        HANDLED(I, "Hostname", parse_hostname, 0, 0),
        HANDLED(I, "Network", parse_network, 0, 0),
        HANDLED(I, "Port", parse_port, 0, 0),
        HANDLED(I, "Address", parse_address, 0, 0),
        HANDLED(I, "ListenStream", parse_listen, SOCKET_KIND_STREAM, 0),
        HANDLED(I, "ListenDatagram", parse_listen, SOCKET_KIND_DATAGRAM, 0),
        { I, "InitVerbose", parse_boolean_notice, 0, 0, KEY_NOTICE, NULL },
        HANDLED(I, "HealthCheck", parse_health_check, 0, 0),
        HANDLED(I, "HealthInterval", parse_health_option, 0, D(health)),
        HANDLED(I, "HealthTimeout", parse_health_option, 0, D(health)),
        HANDLED(I, "HealthStartPeriod", parse_health_option, 0, D(health)),
        HANDLED(I, "HealthRetries", parse_health_option, 0, D(health)),
        HANDLED(I, "HealthOnFailure", parse_health_option, 0, D(health)),
        HANDLED(I, "HealthReady", parse_health_option, 0, D(health)),
        /* [Isolate]: the opt-outs of the secure defaults, one per default (sandbox-options.c). */
        LOOSEN(I, "ReadOnlyHost", SANDBOX_LOOSEN_READ_ONLY_HOST, sandbox_parse_isolate_loosen),
        LOOSEN(I, "HideHome", SANDBOX_LOOSEN_HIDE_HOME, sandbox_parse_isolate_loosen),
        LOOSEN(I, "HostTmp", SANDBOX_LOOSEN_PRIVATE_TMP, sandbox_parse_isolate_loosen),
        LOOSEN(I, "HostDevices", SANDBOX_LOOSEN_PRIVATE_DEVICES, sandbox_parse_isolate_loosen),
        LOOSEN(I, "KernelTunables", SANDBOX_LOOSEN_KERNEL_TUNABLES, sandbox_parse_isolate_loosen),
        LOOSEN(I, "ControlGroups", SANDBOX_LOOSEN_CONTROL_GROUPS, sandbox_parse_isolate_loosen),
        LOOSEN(I, "NewPrivileges", SANDBOX_LOOSEN_NEW_PRIVILEGES, sandbox_parse_isolate_loosen),
        LOOSEN(I, "KernelLogs", SANDBOX_LOOSEN_KERNEL_LOGS, sandbox_parse_isolate_loosen),
        LOOSEN(I, "SUIDSGIDFiles", SANDBOX_LOOSEN_SUID_SGID, sandbox_parse_isolate_loosen),
        LOOSEN(I, "Personality", SANDBOX_LOOSEN_PERSONALITY, sandbox_parse_isolate_loosen),
        HANDLED(I, "HostRoot", sandbox_parse_isolate_bool, 0, D(sandbox.host_root)),
        HANDLED(I, "PasswordHashes", sandbox_parse_isolate_bool, 0, D(sandbox.password_hashes)),
        HANDLED(I, "AllowCapabilities", sandbox_parse_allow_capabilities, 0, SB),
        HANDLED(I, "AllowAddressFamilies", sandbox_parse_allow_address_families, 0, SB),
        HANDLED(I, "AllowSystemCalls", sandbox_parse_allow_system_calls, 0, SB),
        HANDLED(I, "AllowNetlink", sandbox_parse_allow_netlink, 0, SB),
        HANDLED(I, "TmpfsSize", sandbox_parse_tmpfs_size, 0, SB),
};

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
        if (k->policy == KEY_NOTICE || k->policy == KEY_NOTICE_IF_FALSE)
                return "not supported by isolated yet";
        return service_key_default_note(k->section);
}
