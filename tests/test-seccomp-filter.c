/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <linux/seccomp.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/timex.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hardening-options.h"
#include "macro.h"
#include "sandbox-options.h"
#include "seccomp-cache.h"
#include "seccomp-filter.h"
#include "strv.h"
#include "syscall-groups.h"

#define FOREACH_NAME(x, ...)                                                                       \
        for (const char *const *x##_l = (const char *const[]) { __VA_ARGS__, NULL }, *x; (x = *x##_l); x##_l++)

static void options(SandboxOptions *o, const char *key, const char *value) {
        char *notice = NULL, *error = NULL;

        sandbox_options_init(o);
        if (key)
                ck_assert_msg(sandbox_options_parse(o, key, value, &notice, &error) >= 0, "%s", error ?: "?");
        free(notice);
        free(error);
}

START_TEST(test_memfd_roundtrip) {
        _cleanup_free_ struct sock_fprog *prog = NULL, *back = NULL;
        SandboxOptions o;
        int fd;

        options(&o, NULL, NULL);
        ck_assert_int_eq(seccomp_filter_build(&o, &prog), 0);
        ck_assert_uint_gt(prog->len, 6);
        ck_assert_int_eq(seccomp_filter_to_memfd(prog, &fd), 0);
        ck_assert_int_eq(seccomp_filter_from_fd(fd, &back), 0);
        ck_assert_uint_eq(back->len, prog->len);
        ck_assert_mem_eq(back->filter, prog->filter, prog->len * sizeof(struct sock_filter));

        /* Sealed: no init can be handed a program someone changed afterwards. */
        ck_assert_int_eq(write(fd, "x", 1), -1);
        ck_assert_int_eq(errno, EPERM);
        ck_assert_int_eq(ftruncate(fd, 0), -1);
        close(fd);
        sandbox_options_done(&o);
}
END_TEST

/* How many of prog's instructions return ret. */
static size_t count_returns(const struct sock_fprog *prog, uint32_t ret) {
        size_t n = 0;

        for (size_t i = 0; i < prog->len; i++)
                if (prog->filter[i].code == (BPF_RET | BPF_K) && prog->filter[i].k == ret)
                        n++;
        return n;
}

/* isolatectl learn: the same filter, every refusal (the deny list's, the personality change's)
 * a notification instead; the ENOSYS answers (unknown calls, clone3) stay. */
START_TEST(test_learn_notifies) {
        _cleanup_free_ struct sock_fprog *plain = NULL, *learn = NULL;
        SandboxOptions o;

        options(&o, NULL, NULL);
        ck_assert_int_eq(seccomp_filter_build(&o, &plain), 0);
        ck_assert_int_eq(seccomp_filter_build_learn(&o, &learn), 0);
        ck_assert_uint_gt(count_returns(plain, SECCOMP_RET_ERRNO | EPERM), 0);
        ck_assert_uint_eq(count_returns(plain, SECCOMP_RET_USER_NOTIF), 0);
        ck_assert_uint_eq(count_returns(learn, SECCOMP_RET_ERRNO | EPERM), 0);
        ck_assert_uint_gt(count_returns(learn, SECCOMP_RET_USER_NOTIF), 1);
        ck_assert_uint_gt(count_returns(learn, SECCOMP_RET_ERRNO | ENOSYS), 0);
        sandbox_options_done(&o);
}
END_TEST

START_TEST(test_from_fd_rejects) {
        struct sock_fprog *prog = (struct sock_fprog *) 0x1;
        int fd = memfd_create("t", MFD_CLOEXEC);

        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(seccomp_filter_from_fd(fd, &prog), -EBADMSG); /* empty */
        ck_assert_int_eq(write(fd, "12345", 5), 5);
        ck_assert_int_eq(seccomp_filter_from_fd(fd, &prog), -EBADMSG); /* not whole instructions */
        ck_assert_int_eq(ftruncate(fd, (off_t) (BPF_MAXINSNS + 1) * sizeof(struct sock_filter)), 0);
        ck_assert_int_eq(seccomp_filter_from_fd(fd, &prog), -EBADMSG); /* longer than the kernel takes */
        ck_assert_ptr_eq(prog, (struct sock_fprog *) 0x1);
        close(fd);
}
END_TEST

START_TEST(test_cache) {
        _cleanup_(seccomp_cache_freep) SeccompCache *c = seccomp_cache_new();
        SandboxOptions a, b, a2;
        int fa, fb, fa2;

        ck_assert_ptr_nonnull(c);
        options(&a, NULL, NULL);
        options(&a2, NULL, NULL);
        options(&b, "SystemCallFilter", "~uname");
        ck_assert_int_eq(seccomp_cache_get(c, &a, &fa), 0);
        ck_assert_int_eq(seccomp_cache_get(c, &b, &fb), 0);
        ck_assert_int_eq(seccomp_cache_get(c, &a2, &fa2), 0);
        ck_assert_int_eq(fa, fa2); /* the same filter: built once */
        ck_assert_int_ne(fa, fb);

        /* More distinct filters than it keeps: the least recently used goes, a is kept in use. */
        for (int i = 0; i < (int) SECCOMP_CACHE_MAX + 2; i++) {
                SandboxOptions x;
                char errno_value[16];
                int fx;

                snprintf(errno_value, sizeof(errno_value), "%d", 1 + i);
                options(&x, "SystemCallErrorNumber", errno_value);
                ck_assert_int_eq(seccomp_cache_get(c, &x, &fx), 0);
                ck_assert_int_eq(fcntl(fx, F_GETFD), FD_CLOEXEC);
                ck_assert_int_eq(seccomp_cache_get(c, &a, &fa2), 0);
                sandbox_options_done(&x);
        }
        ck_assert_int_eq(fa2, fa);
        sandbox_options_done(&a);
        sandbox_options_done(&a2);
        sandbox_options_done(&b);
}
END_TEST

/* In a child: loads the filter of o, runs the checks; each failing one is printed. */
#define EXPECT(cond)                                                                               \
        do {                                                                                       \
                if (!(cond)) {                                                                     \
                        fprintf(stderr, "%s:%d: %s (errno %d)\n", __FILE__, __LINE__, #cond, errno); \
                        bad++;                                                                     \
                }                                                                                  \
        } while (0)

static int errno_of(long r) {
        int e = r < 0 ? errno : 0;

        if (r >= 0 && r < 1024)
                (void) r; /* a descriptor or a value: success */
        return e;
}

static int sock(int family, int type, int protocol) {
        long fd = syscall(SYS_socket, (unsigned long) family, type, protocol);
        int e = errno_of(fd);

        if (fd >= 0)
                close((int) fd);
        return e;
}

static bool mptcp_kernel; /* socket(IPPROTO_MPTCP) works without a filter */

static int default_checks(bool opt_outs) {
        char dir[] = "/tmp/test-seccomp-XXXXXX", path[64];
        int bad = 0, fd;

        EXPECT(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/f", dir);

        /* LockPersonality=: the query and PER_LINUX work, a change is EPERM. */
        EXPECT(errno_of(syscall(SYS_personality, 0xffffffffUL)) == 0);
        EXPECT(errno_of(syscall(SYS_personality, (unsigned long) PER_LINUX)) == 0);
        if (!opt_outs) {
                EXPECT(errno_of(syscall(SYS_personality, (unsigned long) (PER_LINUX | READ_IMPLIES_EXEC))) == EPERM);
                EXPECT(errno_of(syscall(SYS_personality, (unsigned long) PER_LINUX32)) == EPERM);
                EXPECT(errno_of(syscall(SYS_personality, 0xfffffffeUL)) == EPERM);
                EXPECT(errno_of(syscall(SYS_personality, 0x100000000UL | ADDR_NO_RANDOMIZE)) == EPERM);
        } else {
                EXPECT(errno_of(syscall(SYS_personality, (unsigned long) PER_LINUX32)) == 0);
                EXPECT(errno_of(syscall(SYS_personality, (unsigned long) PER_LINUX)) == 0);
                /* Unlocked, the weakening flags stay refused. */
                EXPECT(errno_of(syscall(SYS_personality, (unsigned long) (PER_LINUX | READ_IMPLIES_EXEC))) == EPERM);
                EXPECT(errno_of(syscall(SYS_personality, (unsigned long) ADDR_NO_RANDOMIZE)) == EPERM);
        }

        /* RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK. */
        EXPECT(sock(AF_UNIX, SOCK_STREAM, 0) == 0);
        EXPECT(sock(AF_INET, SOCK_DGRAM, 0) == 0);
        EXPECT(sock(AF_VSOCK, SOCK_STREAM, 0) == EAFNOSUPPORT);
        EXPECT(sock(44 /* AF_XDP */, SOCK_RAW, 0) == EAFNOSUPPORT);
        EXPECT(sock(AF_BLUETOOTH, SOCK_RAW, 0) == EAFNOSUPPORT);
        EXPECT(sock(AF_UNIX | (1 << 20), SOCK_STREAM, 0) == EAFNOSUPPORT);
        {
                long fd2 = syscall(SYS_socket, 0x100000000UL | AF_PACKET, SOCK_RAW, 0);

                EXPECT(fd2 < 0 && errno == EAFNOSUPPORT);
        }
        if (opt_outs)
                EXPECT(sock(AF_PACKET, SOCK_RAW, 0) != EAFNOSUPPORT); /* EPERM without CAP_NET_RAW */
        else
                EXPECT(sock(AF_PACKET, SOCK_RAW, 0) == EAFNOSUPPORT);
        EXPECT(sock(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE) == 0);
        EXPECT(sock(AF_NETLINK, SOCK_DGRAM, NETLINK_GENERIC) == 0);
        EXPECT(sock(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG) == 0);
        EXPECT(sock(AF_NETLINK, SOCK_RAW, NETLINK_KOBJECT_UEVENT) == EPROTONOSUPPORT);
        EXPECT(sock(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER) == EPROTONOSUPPORT);
        EXPECT(sock(AF_NETLINK, SOCK_RAW, NETLINK_XFRM) == EPROTONOSUPPORT);
        EXPECT(sock(AF_NETLINK, SOCK_RAW, NETLINK_CONNECTOR) == EPROTONOSUPPORT);
        EXPECT(sock(AF_NETLINK, SOCK_RAW, 40) == EPROTONOSUPPORT);
        if (opt_outs)
                EXPECT(sock(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT) != EPROTONOSUPPORT);
        else
                EXPECT(sock(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT) == EPROTONOSUPPORT);

        /* IP protocols: TCP, UDP, UDP-Lite, ICMP; SOCK_RAW any (the kernel then asks for
         * CAP_NET_RAW); SCTP, DCCP, L2TP, MPTCP only opted in. MPTCP is built into this kernel
         * (mptcp_kernel): what the filter says is seen there; SCTP's module is absent here. */
        EXPECT(sock(AF_INET, SOCK_STREAM, IPPROTO_TCP) == 0);
        EXPECT(sock(AF_INET6, SOCK_DGRAM, IPPROTO_UDP) == 0);
        EXPECT(sock(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE) == 0);
        EXPECT(sock(AF_INET, SOCK_RAW, IPPROTO_SCTP) != EPROTONOSUPPORT);
        EXPECT(sock(AF_INET, SOCK_RAW | SOCK_CLOEXEC, 200) != EPROTONOSUPPORT);
        {
                long fd2 = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0x100000000UL | IPPROTO_TCP);

                EXPECT(fd2 < 0 && errno == EPROTONOSUPPORT);
        }
        if (!opt_outs) {
                EXPECT(sock(AF_INET, SOCK_STREAM, IPPROTO_SCTP) == EPROTONOSUPPORT);
                EXPECT(sock(AF_INET6, SOCK_SEQPACKET, IPPROTO_SCTP) == EPROTONOSUPPORT);
                EXPECT(sock(AF_INET, 6 /* SOCK_DCCP */, 33) == EPROTONOSUPPORT);
                EXPECT(sock(AF_INET, SOCK_STREAM, 200) == EPROTONOSUPPORT);
                EXPECT(sock(AF_INET6, SOCK_STREAM, 262) == EPROTONOSUPPORT);
                EXPECT(sock(AF_INET, SOCK_STREAM, 262) == EPROTONOSUPPORT);
        } else if (mptcp_kernel)
                EXPECT(sock(AF_INET, SOCK_STREAM, 262) == 0);

        /* io_uring; opted out: the kernel answers (EFAULT for a NULL params). */
        if (opt_outs)
                EXPECT(errno_of(syscall(SYS_io_uring_setup, 1, NULL)) != EPERM);
        else
                EXPECT(errno_of(syscall(SYS_io_uring_setup, 1, NULL)) == EPERM);

        /* RestrictSUIDSGID=. */
        fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        EXPECT(fd >= 0);
        EXPECT(chmod(path, 0755) == 0);
        EXPECT(chmod(path, 04755) < 0 && errno == EPERM);
        EXPECT(chmod(path, 02755) < 0 && errno == EPERM);
        EXPECT(fchmod(fd, 06755) < 0 && errno == EPERM);
        EXPECT(fchmodat(AT_FDCWD, path, 04755, 0) < 0 && errno == EPERM);
        EXPECT(fchmod(fd, 0600) == 0);
        if (fd >= 0)
                close(fd);
        unlink(path);
        EXPECT(errno_of(syscall(SYS_open, path, O_CREAT | O_WRONLY | O_CLOEXEC, 04755)) == EPERM);
        EXPECT(errno_of(syscall(SYS_openat, AT_FDCWD, path, O_CREAT | O_WRONLY | O_CLOEXEC, 02700)) == EPERM);
        EXPECT(errno_of(syscall(SYS_creat, path, 04700)) == EPERM);
        EXPECT(errno_of(syscall(SYS_openat, AT_FDCWD, dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 04700)) == EPERM);
        EXPECT(errno_of(syscall(SYS_openat2, AT_FDCWD, path, NULL, 0)) == ENOSYS);
        /* Opening with such a mode but without creating is no threat. */
        EXPECT(errno_of(syscall(SYS_openat, AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 04700)) == 0 || errno == EMFILE);
        snprintf(path, sizeof(path), "%s/d", dir);
        EXPECT(mkdir(path, 02755) < 0 && errno == EPERM);
        EXPECT(mkdir(path, 0755) == 0);
        rmdir(path);
        snprintf(path, sizeof(path), "%s/f", dir);
        unlink(path);
        rmdir(dir);
        return bad;
}

static void run_checks(const SandboxOptions *o, bool opt_outs) {
        _cleanup_free_ struct sock_fprog *prog = NULL;
        int status;
        pid_t pid;

        ck_assert_int_eq(seccomp_filter_build(o, &prog), 0);
        mptcp_kernel = sock(AF_INET, SOCK_STREAM, 262) == 0;
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_filter_load(prog, true) < 0)
                        _exit(100);
                _exit(default_checks(opt_outs) == 0 ? 0 : 1);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "checks failed under the filter: status %d", status);
}

static void parse_isolate(SandboxOptions *o, const char *key, const char *value) {
        char *notice = NULL, *error = NULL;

        ck_assert_msg(sandbox_options_parse_isolate(o, key, value, &notice, &error) >= 0, "%s", error ?: "?");
        free(notice);
        free(error);
}

/* The defaults, applied by the filter: a deny list and, with the same argument checks, an allow list. */
START_TEST(test_default_kernel_surface) {
        SandboxOptions o;

        options(&o, NULL, NULL);
        ck_assert_int_eq(sandbox_options_finalize(&o), 0);
        run_checks(&o, false);
        sandbox_options_done(&o);

        options(&o, "SystemCallFilter", "@system-service");
        ck_assert_int_eq(sandbox_options_finalize(&o), 0);
        run_checks(&o, false);
        sandbox_options_done(&o);

        /* An allow list of a stock unit that names a call the defaults deny: still denied. */
        options(&o, "SystemCallFilter", "@system-service io_uring_setup");
        ck_assert_int_eq(sandbox_options_finalize(&o), 0);
        run_checks(&o, false);
        sandbox_options_done(&o);
}
END_TEST

START_TEST(test_opt_outs_loosen) {
        SandboxOptions o;

        options(&o, NULL, NULL);
        parse_isolate(&o, "AllowAddressFamilies", "AF_PACKET");
        parse_isolate(&o, "AllowNetlink", "audit");
        parse_isolate(&o, "AllowIPProtocols", "sctp mptcp");
        parse_isolate(&o, "AllowSystemCalls", "io_uring_setup");
        parse_isolate(&o, "Personality", "yes");
        ck_assert_int_eq(sandbox_options_finalize(&o), 0);
        run_checks(&o, true);
        sandbox_options_done(&o);

        options(&o, "SystemCallFilter", "@system-service io_uring_setup");
        parse_isolate(&o, "AllowSystemCalls", "io_uring_setup");
        parse_isolate(&o, "AllowAddressFamilies", "AF_PACKET");
        parse_isolate(&o, "AllowNetlink", "audit");
        parse_isolate(&o, "AllowIPProtocols", "262");
        parse_isolate(&o, "Personality", "yes");
        ck_assert_int_eq(sandbox_options_finalize(&o), 0);
        run_checks(&o, true);
        sandbox_options_done(&o);
}
END_TEST

/* Two services whose filters differ only in the new defaults never share one. */
START_TEST(test_key_covers_defaults) {
        SandboxOptions a, b;
        _cleanup_free_ char *ka = NULL, *kb = NULL;

        options(&a, NULL, NULL);
        options(&b, NULL, NULL);
        ka = seccomp_filter_key(&a);
        FOREACH_NAME(k, "AllowAddressFamilies=AF_PACKET", "AllowNetlink=audit", "AllowIPProtocols=sctp",
                     "AllowSystemCalls=io_uring_setup",
                     "Personality=yes", "SUIDSGIDFiles=yes", "KernelLogs=yes", "Namespaces=yes") {
                _cleanup_free_ char *key = strndup(k, strcspn(k, "="));

                sandbox_options_done(&b);
                parse_isolate(&b, key, strchr(k, '=') + 1);
                ck_assert_int_eq(sandbox_options_finalize(&b), 0);
                kb = mfree(kb);
                kb = seccomp_filter_key(&b);
                ck_assert_str_ne(ka, kb);
        }
        sandbox_options_done(&a);
        sandbox_options_done(&b);
}
END_TEST

/* Runs f in a child under the filter of o (finalized); f returns the number of failed checks. */
static void run_under(SandboxOptions *o, int (*f)(void)) {
        _cleanup_free_ struct sock_fprog *prog = NULL;
        int status;
        pid_t pid;

        ck_assert_int_eq(sandbox_options_finalize(o), 0);
        ck_assert_int_eq(seccomp_filter_build(o, &prog), 0);
        pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_filter_load(prog, true) < 0)
                        _exit(100);
                _exit(f() == 0 ? 0 : 1);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "checks failed under the filter: status %d", status);
}

static void parse(SandboxOptions *o, const char *key, const char *value) {
        char *notice = NULL, *error = NULL;

        ck_assert_msg(sandbox_options_parse(o, key, value, &notice, &error) >= 0, "%s=%s: %s", key, value, error ?: "?");
        free(notice);
        free(error);
}

static int mmap_errno(int prot) {
        void *m = mmap(NULL, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        if (m == MAP_FAILED)
                return errno;
        munmap(m, 4096);
        return 0;
}

static int mprotect_errno(int prot) {
        void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        int e;

        if (m == MAP_FAILED)
                return errno;
        e = mprotect(m, 4096, prot) < 0 ? errno : 0;
        munmap(m, 4096);
        return e;
}

static int shmat_errno(int flags) {
        int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600), e;
        void *m;

        if (id < 0)
                return errno;
        m = shmat(id, NULL, flags);
        e = m == (void *) -1 ? errno : 0;
        if (!e)
                shmdt(m);
        shmctl(id, IPC_RMID, NULL);
        return e;
}

static int mdwe_on(void) {
        int bad = 0;

        EXPECT(mmap_errno(PROT_READ | PROT_WRITE | PROT_EXEC) == EPERM);
        EXPECT(mmap_errno(PROT_WRITE | PROT_EXEC) == EPERM);
        EXPECT(mmap_errno(PROT_READ | PROT_WRITE) == 0);
        EXPECT(mmap_errno(PROT_READ | PROT_EXEC) == 0); /* a library's text: allowed, as in systemd */
        EXPECT(mprotect_errno(PROT_READ | PROT_EXEC) == EPERM);
        EXPECT(mprotect_errno(PROT_EXEC) == EPERM);
        EXPECT(mprotect_errno(PROT_READ) == 0);
        EXPECT(errno_of(syscall(SYS_pkey_mprotect, NULL, 0, PROT_EXEC, -1)) == EPERM);
        EXPECT(shmat_errno(SHM_EXEC) == EPERM);
        EXPECT(shmat_errno(SHM_RDONLY) == 0);
        return bad;
}

static int mdwe_off(void) {
        int bad = 0;

        EXPECT(mmap_errno(PROT_READ | PROT_WRITE | PROT_EXEC) == 0);
        EXPECT(mprotect_errno(PROT_READ | PROT_EXEC) == 0);
        EXPECT(shmat_errno(SHM_EXEC) == 0);
        return bad;
}

START_TEST(test_memory_deny_write_execute) {
        SandboxOptions o;

        options(&o, "MemoryDenyWriteExecute", "yes");
        run_under(&o, mdwe_on);
        sandbox_options_done(&o);
        /* The same under an allow list: the checks come before libseccomp's rules. */
        options(&o, "MemoryDenyWriteExecute", "yes");
        parse(&o, "SystemCallFilter", "@system-service");
        run_under(&o, mdwe_on);
        sandbox_options_done(&o);
        options(&o, "MemoryDenyWriteExecute", "no");
        run_under(&o, mdwe_off);
        sandbox_options_done(&o);
        options(&o, "MemoryDenyWriteExecute", "yes");
        parse(&o, "MemoryDenyWriteExecute", ""); /* resets */
        run_under(&o, mdwe_off);
        sandbox_options_done(&o);
}
END_TEST

static int sched_errno(int policy, int prio) {
        struct sched_param sp = { .sched_priority = prio };

        return sched_setscheduler(0, policy, &sp) < 0 ? errno : 0;
}

static int realtime_on(void) {
        int bad = 0;

        EXPECT(sched_errno(SCHED_FIFO, 1) == EPERM);
        EXPECT(sched_errno(SCHED_RR, 1) == EPERM);
        EXPECT(errno_of(syscall(SYS_sched_setscheduler, 0, 6 /* SCHED_DEADLINE */, NULL)) == EPERM);
        EXPECT(sched_errno(SCHED_FIFO | SCHED_RESET_ON_FORK, 1) == EPERM);
        EXPECT(errno_of(syscall(SYS_sched_setattr, 0, NULL, 0)) == EPERM);
        EXPECT(sched_errno(SCHED_OTHER, 0) == 0);
        EXPECT(sched_errno(SCHED_BATCH, 0) == 0);
        EXPECT(sched_errno(SCHED_IDLE, 0) == 0);
        return bad;
}

/* Only as root (or with RLIMIT_RTPRIO) does the kernel itself allow SCHED_FIFO. */
static int realtime_off(void) {
        int bad = 0;

        if (geteuid() == 0)
                EXPECT(sched_errno(SCHED_FIFO, 1) == 0);
        EXPECT(errno_of(syscall(SYS_sched_setattr, 0, NULL, 0)) == EINVAL || errno == EFAULT);
        return bad;
}

START_TEST(test_restrict_realtime) {
        SandboxOptions o;

        options(&o, "RestrictRealtime", "yes");
        run_under(&o, realtime_on);
        sandbox_options_done(&o);
        options(&o, "RestrictRealtime", "yes");
        parse(&o, "SystemCallFilter", "@system-service");
        run_under(&o, realtime_on);
        sandbox_options_done(&o);
        options(&o, NULL, NULL);
        run_under(&o, realtime_off);
        sandbox_options_done(&o);
}
END_TEST

/* unshare(2) in a child (it changes the caller): its errno. */
static int unshare_errno(int flags) {
        int status;
        pid_t pid = fork();

        if (pid < 0)
                return errno;
        if (pid == 0)
                _exit(unshare(flags) < 0 ? errno : 0);
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
                return -1;
        return WEXITSTATUS(status);
}

static bool userns_works(void) {
        return unshare_errno(CLONE_NEWUSER) == 0;
}

static int ns_none(void) {
        int bad = 0;

        EXPECT(unshare_errno(CLONE_NEWUSER) == EPERM);
        EXPECT(unshare_errno(CLONE_NEWUSER | CLONE_NEWUTS) == EPERM);
        EXPECT(errno_of(syscall(SYS_setns, -1, CLONE_NEWNET)) == EPERM);
        return bad;
}

static int ns_but_mnt(void) {
        int bad = 0;

        EXPECT(unshare_errno(CLONE_NEWUSER | CLONE_NEWNS) == EPERM);
        EXPECT(unshare_errno(CLONE_NEWUSER | CLONE_NEWUTS) == 0);
        EXPECT(unshare_errno(CLONE_NEWUSER | CLONE_NEWNET) == 0);
        EXPECT(errno_of(syscall(SYS_setns, -1, CLONE_NEWNS)) == EPERM);
        EXPECT(errno_of(syscall(SYS_setns, -1, 0)) == EPERM); /* any type: not all are allowed */
        EXPECT(errno_of(syscall(SYS_setns, -1, CLONE_NEWNET)) == EBADF); /* the kernel's answer */
        return bad;
}

static int ns_user_uts(void) {
        int bad = 0;

        EXPECT(unshare_errno(CLONE_NEWUSER | CLONE_NEWUTS) == 0);
        EXPECT(unshare_errno(CLONE_NEWUSER | CLONE_NEWNS) == EPERM);
        EXPECT(unshare_errno(CLONE_NEWUSER | CLONE_NEWNET) == EPERM);
        return bad;
}

static int ns_all(void) {
        int bad = 0;

        EXPECT(unshare_errno(CLONE_NEWUSER | CLONE_NEWNS) == 0);
        EXPECT(errno_of(syscall(SYS_setns, -1, 0)) == EBADF);
        return bad;
}

START_TEST(test_restrict_namespaces) {
        SandboxOptions o;

        /* Without the opt-out no namespace, whatever RestrictNamespaces= says. */
        options(&o, NULL, NULL);
        run_under(&o, ns_none);
        sandbox_options_done(&o);
        options(&o, "RestrictNamespaces", "no");
        run_under(&o, ns_none);
        sandbox_options_done(&o);

        if (!userns_works()) {
                fprintf(stderr, "no user namespaces here: RestrictNamespaces= with Namespaces=yes not run\n");
                return;
        }
        FOREACH_NAME(list, "deny", "allow") {
                bool allow = list[0] == 'a';

                options(&o, "RestrictNamespaces", "~mnt");
                parse_isolate(&o, "Namespaces", "yes");
                if (allow)
                        parse(&o, "SystemCallFilter", "@system-service");
                run_under(&o, ns_but_mnt);
                sandbox_options_done(&o);

                options(&o, "RestrictNamespaces", "user");
                parse(&o, "RestrictNamespaces", "uts"); /* merged */
                parse_isolate(&o, "Namespaces", "yes");
                if (allow)
                        parse(&o, "SystemCallFilter", "@system-service");
                run_under(&o, ns_user_uts);
                sandbox_options_done(&o);

                options(&o, "RestrictNamespaces", "yes");
                parse_isolate(&o, "Namespaces", "yes");
                if (allow)
                        parse(&o, "SystemCallFilter", "@system-service");
                run_under(&o, ns_none);
                sandbox_options_done(&o);

                options(&o, NULL, NULL);
                parse_isolate(&o, "Namespaces", "yes");
                if (allow)
                        parse(&o, "SystemCallFilter", "@system-service");
                run_under(&o, ns_all);
                sandbox_options_done(&o);
        }
}
END_TEST

static int adjtimex_errno(void) {
        struct timex t = { .modes = 0 };

        return adjtimex(&t) < 0 ? errno : 0;
}

static int clock_allowed(void) {
        int bad = 0;

        EXPECT(adjtimex_errno() == 0);
        return bad;
}

static int clock_denied(void) {
        int bad = 0;

        EXPECT(adjtimex_errno() == EPERM);
        EXPECT(errno_of(syscall(SYS_clock_settime, 0, NULL)) == EPERM);
        return bad;
}

START_TEST(test_protect_clock) {
        SandboxOptions o;

        options(&o, NULL, NULL);
        run_under(&o, clock_denied);
        sandbox_options_done(&o);
        options(&o, NULL, NULL);
        parse_isolate(&o, "AllowSystemCalls", "@clock");
        run_under(&o, clock_allowed);
        sandbox_options_done(&o);
        /* ProtectClock= wins over the opt-out, and takes CAP_SYS_TIME even where it is granted. */
        options(&o, "ProtectClock", "yes");
        parse_isolate(&o, "AllowSystemCalls", "@clock");
        parse_isolate(&o, "AllowCapabilities", "CAP_SYS_TIME");
        run_under(&o, clock_denied);
        ck_assert(!(o.capability_bounding_set & (UINT64_C(1) << CAP_SYS_TIME)));
        ck_assert(!(o.capability_bounding_set & (UINT64_C(1) << CAP_WAKE_ALARM)));
        sandbox_options_done(&o);
        options(&o, "ProtectClock", "yes");
        parse(&o, "SystemCallFilter", "@system-service @clock");
        parse_isolate(&o, "AllowSystemCalls", "@clock");
        run_under(&o, clock_denied);
        sandbox_options_done(&o);
}
END_TEST

static int resources_denied(void) {
        int bad = 0;

        EXPECT(sched_errno(SCHED_OTHER, 0) == EPERM);
        EXPECT(errno_of(syscall(SYS_getpid)) == 0);
        return bad;
}

static int resources_allowed(void) {
        int bad = 0;

        EXPECT(sched_errno(SCHED_OTHER, 0) == 0);
        return bad;
}

/* systemd's SystemCallFilter= semantics, in the filter. */
START_TEST(test_system_call_filter_semantics) {
        SandboxOptions o;

        options(&o, "SystemCallFilter", "~@resources");
        run_under(&o, resources_denied);
        sandbox_options_done(&o);
        options(&o, "SystemCallFilter", "~@resources");
        parse(&o, "SystemCallFilter", "@resources"); /* re-allowed */
        run_under(&o, resources_allowed);
        sandbox_options_done(&o);
        options(&o, "SystemCallFilter", "@system-service");
        parse(&o, "SystemCallFilter", "~ @privileged @resources"); /* redis-server.service */
        run_under(&o, resources_denied);
        sandbox_options_done(&o);
        options(&o, "SystemCallFilter", "@system-service");
        run_under(&o, resources_allowed);
        sandbox_options_done(&o);

        /* An allow list starts with @default: exec and what a process needs to run at all. */
        options(&o, "SystemCallFilter", "chroot");
        FOREACH_NAME(n, "execve", "rt_sigreturn", "exit_group", "mmap", "brk", "chroot")
                ck_assert_msg(strv_contains(o.system_call_filter, n), "%s not in the list", n);
        ck_assert(!strv_contains(o.system_call_filter, "openat"));
        parse(&o, "SystemCallFilter", ""); /* resets: a deny list may follow */
        ck_assert(!o.system_call_allow_list && !o.system_call_filter_set);
        parse(&o, "SystemCallFilter", "~uname");
        ck_assert(!o.system_call_allow_list);
        ck_assert(!strv_contains(o.system_call_filter, "execve"));
        sandbox_options_done(&o);
}
END_TEST

static int per_call_errno(void) {
        int bad = 0;

        EXPECT(errno_of(syscall(SYS_uname, NULL)) == EACCES);
        EXPECT(errno_of(syscall(SYS_sethostname, NULL, 0)) == EPERM);
        EXPECT(errno_of(syscall(SYS_getpid)) == 0);
        return bad;
}

static int per_call_kill(void) {
        int bad = 0, status;
        pid_t pid;

        EXPECT(errno_of(syscall(SYS_sethostname, NULL, 0)) == 0); /* "succeeds": errno 0, nothing done */
        pid = fork();
        if (pid == 0) {
                syscall(SYS_uname, NULL);
                _exit(0);
        }
        EXPECT(pid > 0 && waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS);
        return bad;
}

/* SystemCallFilter=~NAME:ERRNO: that call's own errno; the rest of the list the filter's. */
START_TEST(test_per_call_errno) {
        SandboxOptions o;
        char *notice = NULL, *error = NULL;

        options(&o, "SystemCallFilter", "~uname:EACCES sethostname");
        run_under(&o, per_call_errno);
        sandbox_options_done(&o);

        /* Re-allowed, then denied again without one: the filter's errno. */
        options(&o, "SystemCallFilter", "~uname:EACCES");
        parse(&o, "SystemCallFilter", "uname");
        parse(&o, "SystemCallFilter", "~uname");
        ck_assert_int_eq(syscall_errno_get(o.system_call_errno, "uname"), SYSCALL_ERRNO_NONE);
        sandbox_options_done(&o);

        /* :kill and :0 (systemd: 0..4095 here) too. */
        options(&o, "SystemCallFilter", "~uname:kill sethostname:0");
        ck_assert_int_eq(syscall_errno_get(o.system_call_errno, "uname"), SANDBOX_SYSCALL_KILL);
        ck_assert_int_eq(syscall_errno_get(o.system_call_errno, "sethostname"), 0);
        run_under(&o, per_call_kill);
        sandbox_options_done(&o);

        /* In an allow list's assignment systemd ignores the word, with a warning. */
        options(&o, NULL, NULL);
        ck_assert_int_eq(sandbox_options_parse(&o, "SystemCallFilter", "@system-service uname:EACCES", &notice, &error), 0);
        ck_assert_ptr_nonnull(strstr(notice, "ignoring"));
        ck_assert_int_eq(sandbox_options_parse(&o, "SystemCallFilter", "~uname:ENOPE", &notice, &error), -EINVAL);
        ck_assert_ptr_nonnull(strstr(error, "ENOPE"));
        free(notice);
        free(error);
        sandbox_options_done(&o);
}
END_TEST

/* The groups are systemd 252's: a few spot checks (tests/check-syscall-groups.sh compares all). */
START_TEST(test_syscall_groups) {
        const SyscallGroup *g;

        ck_assert_uint_ge(syscall_groups_n, 28);
        ck_assert_ptr_null(syscall_group_find("@known")); /* computed */
        ck_assert_ptr_null(syscall_group_find("@nope"));
        g = syscall_group_find("@clock");
        ck_assert_ptr_nonnull(g);
        ck_assert(strv_contains((char **) g->members, "clock_settime"));
        ck_assert(!strv_contains((char **) g->members, "stime")); /* @obsolete's in 252 */
        g = syscall_group_find("@system-service");
        ck_assert_ptr_nonnull(g);
        ck_assert(strv_contains((char **) g->members, "@default"));
        ck_assert(!strv_contains((char **) g->members, "@mount"));
        for (size_t i = 0; i < syscall_groups_n; i++)
                for (const char *const *m = syscall_groups[i].members; *m; m++)
                        if ((*m)[0] == '@')
                                ck_assert_msg(syscall_group_find(*m), "%s in %s", *m, syscall_groups[i].name);
}
END_TEST

int main(void) {
        Suite *s = suite_create("seccomp-filter");
        TCase *tc = tcase_create("core");
        SRunner *sr;
        int failed;

        tcase_add_test(tc, test_memfd_roundtrip);
        tcase_add_test(tc, test_from_fd_rejects);
        tcase_add_test(tc, test_learn_notifies);
        tcase_add_test(tc, test_cache);
        tcase_add_test(tc, test_default_kernel_surface);
        tcase_add_test(tc, test_opt_outs_loosen);
        tcase_add_test(tc, test_key_covers_defaults);
        tcase_add_test(tc, test_memory_deny_write_execute);
        tcase_add_test(tc, test_restrict_realtime);
        tcase_add_test(tc, test_restrict_namespaces);
        tcase_add_test(tc, test_protect_clock);
        tcase_add_test(tc, test_system_call_filter_semantics);
        tcase_add_test(tc, test_syscall_groups);
        tcase_add_test(tc, test_per_call_errno);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
