/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "ctl-pty.h"

void pty_copy_settings(int master, int peer) {
        struct termios tio;

        if (tcgetattr(STDIN_FILENO, &tio) >= 0)
                (void) tcsetattr(peer, TCSANOW, &tio);
        pty_forward_window_size(master);
}

void pty_forward_window_size(int master) {
        struct winsize ws;

        if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) >= 0)
                (void) ioctl(master, TIOCSWINSZ, &ws);
}

bool tty_make_raw(struct termios *saved) {
        struct termios raw;

        if (tcgetattr(STDIN_FILENO, saved) < 0)
                return false;
        raw = *saved;
        cfmakeraw(&raw);
        return tcsetattr(STDIN_FILENO, TCSANOW, &raw) >= 0;
}

void tty_restore(const struct termios *saved) {
        (void) tcsetattr(STDIN_FILENO, TCSAFLUSH, saved);
}
