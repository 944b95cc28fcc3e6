/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tessera-html-links.h: the pictures HTML shows or links to, and the text between its tags */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Where reading HTML sends what it finds, in the order of the text. */
typedef struct
{
  /* @value (@len bytes: an attribute's value, character references decoded, maybe with
   * whitespace around it) as a URL that loads, or NULL. @image_only for an <a>'s href: a URL
   * only when its path names an image file. Returns (transfer full) the URL. */
  char *(*url) (const char *value, gsize len, gboolean image_only, gpointer user_data);
  /* A picture's URL, as url() returned it (transfer full). */
  void (*found) (char *url, gpointer user_data);
  /* Text between tags, character references decoded; NUL-terminated at @len. */
  void (*text) (const char *text, gsize len, gpointer user_data);
  /* A line break inside markup (a tag, a comment, a script): lines go on across tags. */
  void (*line_break) (gpointer user_data);
} TesseraHtmlLinksFuncs;

/* Whether the @len bytes of UTF-8 at @text hold an HTML tag ("<name", "</name" or "<!"
 * followed by what a tag has there); "<https://…>" and "a <b" in prose do not. Any thread. */
gboolean tessera_html_links_detect (const char *text, gsize len);

/* Reads the @len bytes of UTF-8 at @text as HTML and calls @funcs with @user_data for what
 * it finds (see tessera-html-links.c for the rules), on the calling thread, before it
 * returns. Any thread; the cost is linear in @len. */
void tessera_html_links_read (const char *text, gsize len, const TesseraHtmlLinksFuncs *funcs,
                              gpointer user_data);

G_END_DECLS
