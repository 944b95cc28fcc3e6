/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-save-name.h: safe file names for saved images */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Longest name, in bytes, a file system takes (NAME_MAX on Linux). */
#define TESSERA_SAVE_NAME_MAX 255

/* A safe name for a file downloaded from @url whose bytes call for @extension ("jpg", "png",
 * "gif", "webp", "mp4"; NULL when unknown): the URL's last path segment, percent-decoded and
 * made safe, with @extension when its own is missing or names another kind ("x.jpeg" stays
 * for "jpg"); "image-@fallback_number" when nothing usable is left. */
char *tessera_save_name_for_url (const char *url, const char *extension, guint fallback_number);
/* An Imgur post: "{title} ({id}).{extension}", or "{id}.{extension}" without a usable title;
 * without an extension when @extension is NULL. */
char *tessera_save_name_for_post (const char *title, const char *id, const char *extension);
/* "cat.jpg", 2 → "cat (2).jpg"; stays within TESSERA_SAVE_NAME_MAX. @n >= 2. */
char *tessera_save_name_numbered (const char *name, guint n);

G_END_DECLS
