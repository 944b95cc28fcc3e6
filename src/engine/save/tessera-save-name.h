/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-save-name.h: safe file names for saved images */
#pragma once

#include <glib.h>

#include "tessera-image.h"

G_BEGIN_DECLS

/* Longest name, in bytes, a file system takes (NAME_MAX on Linux). */
#define TESSERA_SAVE_NAME_MAX 255

/* A safe name for an image downloaded from @url whose bytes are in @format: the URL's last
 * path segment, percent-decoded and made safe, with the extension @format calls for when
 * it is missing or wrong; "image-@fallback_number" when nothing usable is left. */
char *tessera_save_name_for_url (const char *url, TesseraImageFormat format, guint fallback_number);
/* An Imgur post: "{title} ({id}).{ext}", or "{id}.{ext}" without a usable title. */
char *tessera_save_name_for_post (const char *title, const char *id, TesseraImageFormat format);
/* "cat.jpg", 2 → "cat (2).jpg"; stays within TESSERA_SAVE_NAME_MAX. @n >= 2. */
char *tessera_save_name_numbered (const char *name, guint n);

G_END_DECLS
