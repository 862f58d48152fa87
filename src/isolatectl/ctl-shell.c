/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "bus-error.h"
#include "ctl-pty.h"
#include "ctl.h"
#include "log.h"
#include "time-util.h"

/* isolatectl shell asks the daemon, and through it the service's init, to
 * start the command inside, with the service's own confinement, as machinectl
 * asks a container's PID 1. Nothing of ours reaches it: it gets a pty of the
 * service's own devpts (interactive), or pipes we create (a script's
 * "isolatectl shell NAME CMD </dev/null | ..."), and we relay between them and
 * our stdio. */

typedef struct ShellReply {
        bool done;
        sd_bus_error error;
        char code[16];
        int32_t status;
} ShellReply;

static int on_shell_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        ShellReply *r = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        const char *code;

        r->done = true;
        if (e) {
                (void) sd_bus_error_copy(&r->error, e);
                return 0;
        }
        if (sd_bus_message_read(reply, "si", &code, &r->status) < 0)
                (void) sd_bus_error_set(&r->error, SD_BUS_ERROR_INVALID_ARGS, "Malformed reply of ShellService");
        else
                snprintf(r->code, sizeof(r->code), "%s", code);
        return 0;
}

/* One direction of the relay. Output to our own stdout/stderr is written at
 * once (blocking: a slow reader slows the command down); input for the
 * command is buffered and written non-blocking, so a command that does not
 * read its input cannot stall its output. */
typedef struct Channel {
        int in, out;
        bool buffered;  /* out is the command's: non-blocking, through buf */
        bool close_out; /* at EOF of in, close out (the command's stdin pipe) */
        bool open;      /* still reading in */
        char buf[16384];
        size_t len, off;
} Channel;

static int write_all(int fd, const char *buf, size_t n) {
        while (n > 0) {
                ssize_t k = write(fd, buf, n);

                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN) {
                                struct pollfd p = { .fd = fd, .events = POLLOUT };
                                (void) poll(&p, 1, -1);
                                continue;
                        }
                        return negative_errno();
                }
                buf += k;
                n -= (size_t) k;
        }
        return 0;
}

static void channel_close_input(Channel *c, bool owned_in) {
        c->open = false;
        if (owned_in)
                c->in = safe_close(c->in);
}

/* Reads what is there; returns true if something moved. */
static bool channel_read(Channel *c, bool owned_in) {
        ssize_t k;

        if (c->buffered) {
                k = read(c->in, c->buf, sizeof(c->buf));
                if (k > 0) {
                        c->len = (size_t) k;
                        c->off = 0;
                        return true;
                }
        } else {
                char buf[65536];

                k = read(c->in, buf, sizeof(buf));
                if (k > 0) {
                        if (write_all(c->out, buf, (size_t) k) < 0)
                                /* Our reader is gone: so is the command's output, it gets SIGPIPE. */
                                channel_close_input(c, owned_in);
                        return true;
                }
        }
        if (k < 0 && (errno == EINTR || errno == EAGAIN))
                return false;
        /* EOF, or EIO of a pty whose every holder of the peer is gone. */
        channel_close_input(c, owned_in);
        if (c->close_out && c->len == 0)
                c->out = safe_close(c->out);
        return true;
}

static bool channel_write(Channel *c) {
        ssize_t k = write(c->out, c->buf + c->off, c->len - c->off);

        if (k < 0) {
                if (errno == EINTR || errno == EAGAIN)
                        return false;
                /* The command closed its stdin: what we hold is dropped, we read no more. */
                c->len = c->off = 0;
                c->open = false;
                if (c->close_out)
                        c->out = safe_close(c->out);
                return true;
        }
        c->off += (size_t) k;
        if (c->off == c->len) {
                c->len = c->off = 0;
                if (!c->open && c->close_out)
                        c->out = safe_close(c->out);
        }
        return true;
}

static usec_t now_mono(void) {
        return now_usec(CLOCK_MONOTONIC);
}

/* Relays until the reply came and the output is drained (0); returns SIG if
 * a signal of signal_fd other than SIGWINCH came first. Once the command
 * ended, a process it left holding the output does not keep us: 100 ms
 * without data end the relay. */
static int relay(sd_bus *bus, ShellReply *reply, Channel *ch, size_t n_ch, int master, int signal_fd) {
        usec_t idle_since = 0;

        for (;;) {
                struct pollfd p[8];
                size_t np = 0, idx[8] = {};
                bool outputs_open = false;
                int timeout = -1, n, r;
                uint64_t bus_timeout;

                for (;;) {
                        r = sd_bus_process(bus, NULL);
                        if (r < 0)
                                return log_error_errno(r, "Failed to talk to isolated: %m");
                        if (r == 0)
                                break;
                }
                for (size_t i = 1; i < n_ch; i++)
                        outputs_open = outputs_open || ch[i].open;
                if (reply->done && !outputs_open)
                        return 0;

                p[np++] = (struct pollfd) { .fd = sd_bus_get_fd(bus), .events = (short) sd_bus_get_events(bus) };
                if (sd_bus_get_timeout(bus, &bus_timeout) >= 0 && bus_timeout != UINT64_MAX) {
                        usec_t t = now_mono();
                        timeout = bus_timeout <= t ? 0 : (int) ((bus_timeout - t + 999) / 1000);
                }
                if (signal_fd >= 0)
                        p[np++] = (struct pollfd) { .fd = signal_fd, .events = POLLIN };
                for (size_t i = 0; i < n_ch; i++) {
                        if (ch[i].len > 0 && ch[i].out >= 0) {
                                idx[np] = i + 1;
                                p[np++] = (struct pollfd) { .fd = ch[i].out, .events = POLLOUT };
                        } else if (ch[i].open) {
                                idx[np] = i + 1;
                                p[np++] = (struct pollfd) { .fd = ch[i].in, .events = POLLIN };
                        }
                }
                if (reply->done) {
                        if (idle_since == 0)
                                idle_since = now_mono();
                        usec_t left = idle_since + 100 * USEC_PER_MSEC > now_mono() ?
                                idle_since + 100 * USEC_PER_MSEC - now_mono() : 0;
                        if (timeout < 0 || (usec_t) timeout * 1000 > left)
                                timeout = (int) ((left + 999) / 1000);
                }

                n = poll(p, np, timeout);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(errno, "Failed to poll: %m");
                }
                if (n == 0 && reply->done && now_mono() >= idle_since + 100 * USEC_PER_MSEC)
                        return 0;

                for (size_t j = 0; j < np; j++) {
                        Channel *c;

                        if (p[j].revents == 0)
                                continue;
                        if (p[j].fd == signal_fd && idx[j] == 0) {
                                struct signalfd_siginfo ssi;

                                while (read(signal_fd, &ssi, sizeof(ssi)) == sizeof(ssi)) {
                                        if (ssi.ssi_signo == SIGWINCH && master >= 0)
                                                pty_forward_window_size(master);
                                        else if (ssi.ssi_signo != SIGWINCH)
                                                /* Terminated: our terminal is restored, the pty's close hangs the shell up. */
                                                return (int) ssi.ssi_signo;
                                }
                                continue;
                        }
                        if (idx[j] == 0)
                                continue; /* the bus: processed above */
                        c = &ch[idx[j] - 1];
                        /* Our stdin is not ours to close; the command's ends are. */
                        if (p[j].events & POLLOUT ? channel_write(c) : channel_read(c, c->in != STDIN_FILENO && c->in != master))
                                idle_since = 0;
                }
        }
}

/* So that no fd we create lands on 0, 1, 2 when the caller closed them
 * ("isolatectl shell NAME CMD <&-"): they read as empty, write to nothing. */
static int ensure_std_fds(void) {
        for (int fd = 0; fd < 3; fd++) {
                int null_fd;

                if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
                        continue;
                null_fd = open("/dev/null", O_RDWR | O_NOCTTY); /* the lowest free number: fd */
                if (null_fd < 0)
                        return negative_errno();
        }
        return 0;
}

static int open_pty(sd_bus *bus, const char *name, int *ret_master, int *ret_peer) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *what = NULL;
        int master, peer, r;

        if (asprintf(&what, "open a terminal in %s", name) < 0)
                return log_oom(), EXIT_FAIL;
        r = call_manager(bus, "OpenServicePTY", &reply, what, "s", name);
        if (r != EXIT_OK)
                return r;
        if (sd_bus_message_read(reply, "hh", &master, &peer) < 0)
                return log_error("Malformed reply of OpenServicePTY."), EXIT_FAIL;
        *ret_master = fcntl(master, F_DUPFD_CLOEXEC, 3);
        *ret_peer = fcntl(peer, F_DUPFD_CLOEXEC, 3);
        if (*ret_master < 0 || *ret_peer < 0)
                return log_error_errno(errno, "Failed to take the terminal: %m"), EXIT_FAIL;
        return EXIT_OK;
}

static int exit_code_of_error(const char *name, const sd_bus_error *e) {
        int error = sd_bus_error_get_errno(e);

        if (sd_bus_error_has_names(e, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER)) {
                log_error("Failed to run a shell in %s: isolated is not running; start it with \"systemctl start isolated\".",
                          name);
                return EXIT_FAIL;
        }
        if (e->message && strncmp(e->message, "Failed to ", 10) == 0)
                log_error("%s", e->message);
        else
                log_error("Failed to run a shell in %s: %s", name, e->message ?: e->name);
        if (sd_bus_error_has_name(e, BUS_ERROR_NO_SUCH_SERVICE))
                return EXIT_NO_SUCH;
        if (sd_bus_error_has_name(e, BUS_ERROR_NOT_RUNNING))
                return EXIT_NOT_RUNNING;
        /* As a shell reports a command it cannot run. */
        if (error == ENOENT)
                return 127;
        if (error == EACCES || error == ENOEXEC)
                return 126;
        return EXIT_FAIL;
}

typedef struct Pipes {
        int in[2], out[2], err[2];
} Pipes;

static void close_pipes(Pipes *p) {
        for (int i = 0; i < 2; i++) {
                p->in[i] = safe_close(p->in[i]);
                p->out[i] = safe_close(p->out[i]);
                p->err[i] = safe_close(p->err[i]);
        }
}

int verb_shell(sd_bus *bus, int argc, char **argv) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        _cleanup_close_ int master = -EBADF, peer = -EBADF, signal_fd = -EBADF;
        _cleanup_(close_pipes) Pipes pipes = { { -EBADF, -EBADF }, { -EBADF, -EBADF }, { -EBADF, -EBADF } };
        int *in = pipes.in, *out = pipes.out, *err = pipes.err;
        char term_assignment[256];
        ShellReply reply = { .error = SD_BUS_ERROR_NULL };
        Channel ch[3] = {};
        const char *name, *term = getenv("TERM");
        struct termios saved;
        bool interactive, raw = false;
        size_t n_ch;
        sigset_t mask;
        int r;

        if (argc < 2)
                return log_error("Usage: isolatectl shell NAME [COMMAND [ARG...]]"), EXIT_FAIL;
        if (arg_host)
                return refuse_remote("shell");
        name = argv[1];

        if (ensure_std_fds() < 0)
                return log_error_errno(errno, "Failed to open /dev/null: %m"), EXIT_FAIL;
        /* Ours to handle: a reader of our output that went away ends the relay of that stream only. */
        (void) signal(SIGPIPE, SIG_IGN);

        interactive = isatty(STDIN_FILENO);
        if (interactive) {
                r = open_pty(bus, name, &master, &peer);
                if (r != EXIT_OK)
                        return r;
                pty_copy_settings(master, peer);
        } else if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
                return log_error_errno(errno, "Failed to create pipes: %m"), EXIT_FAIL;

        r = sd_bus_message_new_method_call(bus, &m, BUS_NAME, MANAGER_PATH, MANAGER_IFACE, "ShellService");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", name);
        if (r >= 0)
                r = sd_bus_message_append_strv(m, argv + 2);
        /* Of our environment, only TERM. */
        if (r >= 0 && term && strlen(term) < sizeof(term_assignment) - 5) {
                snprintf(term_assignment, sizeof(term_assignment), "TERM=%s", term);
                r = sd_bus_message_append(m, "as", 1, term_assignment);
        } else if (r >= 0)
                r = sd_bus_message_append(m, "as", 0);
        if (r >= 0)
                r = interactive ? sd_bus_message_append(m, "hhh", peer, peer, peer)
                                : sd_bus_message_append(m, "hhh", in[0], out[1], err[1]);
        if (r < 0)
                return log_error_errno(r, "Failed to build the call: %m"), EXIT_FAIL;
        /* The command runs as long as it likes: no timeout. */
        r = sd_bus_call_async(bus, &slot, m, on_shell_reply, &reply, UINT64_MAX);
        if (r < 0)
                return log_error_errno(r, "Failed to call isolated: %m"), EXIT_FAIL;
        m = sd_bus_message_unref(m); /* the message holds copies of the command's ends until it is sent */

        /* The command's ends are its own now: holding them would keep its output from ending. */
        peer = safe_close(peer);
        in[0] = safe_close(in[0]);
        out[1] = safe_close(out[1]);
        err[1] = safe_close(err[1]);

        if (interactive) {
                (void) fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
                ch[0] = (Channel) { .in = STDIN_FILENO, .out = master, .buffered = true, .open = true };
                ch[1] = (Channel) { .in = master, .out = STDOUT_FILENO, .open = true };
                n_ch = 2;
                sigemptyset(&mask);
                sigaddset(&mask, SIGWINCH);
                sigaddset(&mask, SIGTERM);
                sigaddset(&mask, SIGHUP);
                if (sigprocmask(SIG_BLOCK, &mask, NULL) >= 0)
                        signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
                raw = tty_make_raw(&saved);
        } else {
                (void) fcntl(in[1], F_SETFL, fcntl(in[1], F_GETFL) | O_NONBLOCK);
                ch[0] = (Channel) { .in = STDIN_FILENO, .out = TAKE_FD(in[1]), .buffered = true, .close_out = true,
                                    .open = true };
                ch[1] = (Channel) { .in = TAKE_FD(out[0]), .out = STDOUT_FILENO, .open = true };
                ch[2] = (Channel) { .in = TAKE_FD(err[0]), .out = STDERR_FILENO, .open = true };
                n_ch = 3;
        }

        r = relay(bus, &reply, ch, n_ch, master, signal_fd);
        if (raw)
                tty_restore(&saved);
        if (!interactive) {
                safe_close(ch[0].out);
                safe_close(ch[1].in);
                safe_close(ch[2].in);
        }
        if (r < 0)
                return EXIT_FAIL;
        if (r > 0)
                return 128 + r;

        if (sd_bus_error_is_set(&reply.error)) {
                r = exit_code_of_error(name, &reply.error);
                sd_bus_error_free(&reply.error);
                return r;
        }
        if (strcmp(reply.code, "exited") == 0)
                return reply.status;
        /* As systemd-run: killed by a signal is 128+SIG. */
        return 128 + reply.status;
}
