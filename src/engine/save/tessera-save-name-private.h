/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-save-name-private.h: the name cleaner the naming functions share, checked directly by the tests */
#pragma once

#include "tessera-save-name.h"

G_BEGIN_DECLS

/* Any text as a safe name: valid UTF-8, no "/" or "\", no control characters, no leading
 * dot or space, no trailing dot or space, at most TESSERA_SAVE_NAME_MAX bytes. NULL when
 * nothing usable is left (only dots, spaces, underscores). */
char *tessera_save_name_sanitize (const char *text, gssize len);

G_END_DECLS
