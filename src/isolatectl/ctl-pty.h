/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <termios.h>

/* The terminal of isolatectl shell: a pty allocated inside the service (its
 * own devpts), so nothing inside gets a descriptor of the caller's terminal
 * (TIOCSTI and friends); isolatectl relays between it and its own. */

/* The pty takes the settings and the window size of our terminal on stdin. */
void pty_copy_settings(int master, int peer);

/* Our terminal on stdin in raw mode; *saved holds what to restore. Returns
 * true if it was changed. */
bool tty_make_raw(struct termios *saved);
void tty_restore(const struct termios *saved);

/* After SIGWINCH: our window size onto the pty. */
void pty_forward_window_size(int master);
